"""Text-curation stages: readers and writers (``io``), ``modifiers``, ``filters``, ``modules``."""
