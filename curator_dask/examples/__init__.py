"""Ready-made pipelines and sample data."""
