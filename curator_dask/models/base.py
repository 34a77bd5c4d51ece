"""``ModelInterface``: NeMo Curator's contract for a model whose weights a pipeline stages."""

from __future__ import annotations

import abc

__all__ = ["ModelInterface"]


class ModelInterface(abc.ABC):
    """A machine-learning model as a pipeline sees it: which weights it needs, and how it loads.

    The pipeline makes the repositories named by ``model_id_names`` present on each node (once per
    node) and then calls ``setup`` once per worker. How inference runs is the model's own affair.
    """

    @property
    @abc.abstractmethod
    def model_id_names(self) -> list[str]:
        """The model ids (usually Hugging Face repo ids, e.g. ``"nvidia/domain-classifier"``) it needs."""

    @abc.abstractmethod
    def setup(self) -> None:
        """Load the weights and build whatever inference needs (called once per worker)."""
