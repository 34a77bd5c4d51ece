"""What a stage asks of the worker that runs it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Resources"]

MIN_GPU_FRACTION = 0.1
_FALLBACK_GPU_MEMORY_GB = 24.0


def _gpu_memory_gb() -> float:
    """Memory of GPU 0 in GB, via NVML when present (imported lazily); 24 GB otherwise."""
    try:
        import pynvml  # type: ignore[import-not-found]

        pynvml.nvmlInit()
        info = pynvml.nvmlDeviceGetMemoryInfo(pynvml.nvmlDeviceGetHandleByIndex(0))
        return float(info.total) / 1024**3
    except Exception:  # no NVML, no GPU, no driver: fall back, as NeMo Curator does
        return _FALLBACK_GPU_MEMORY_GB


@dataclass
class Resources:
    """Resource needs of one stage copy.

    Attributes:
        cpus: CPU cores.
        gpu_memory_gb: GPU memory for a single-GPU stage; turned into a fraction of one GPU.
        gpus: whole or fractional GPUs. Set this or ``gpu_memory_gb``, not both.
    """

    cpus: float = 1.0
    gpu_memory_gb: float = 0.0
    gpus: float = 0.0

    def __post_init__(self) -> None:
        if self.gpus > 0 and self.gpu_memory_gb > 0:
            msg = (
                "Cannot specify both gpus and gpu_memory_gb: use gpus for multi-GPU stages "
                "and gpu_memory_gb for single-GPU stages."
            )
            raise ValueError(msg)
        if self.cpus < 0 or self.gpus < 0 or self.gpu_memory_gb < 0:
            msg = f"Resources must not be negative: {self}"
            raise ValueError(msg)
        if self.gpu_memory_gb > 0:
            fraction = max(MIN_GPU_FRACTION, round(self.gpu_memory_gb / _gpu_memory_gb(), 1))
            if fraction > 1:
                msg = (
                    f"gpu_memory_gb={self.gpu_memory_gb} is more than one GPU holds; "
                    "use Resources(gpus=N) for multi-GPU stages."
                )
                raise ValueError(msg)
            self.gpus = fraction

    @property
    def requires_gpu(self) -> bool:
        return self.gpus > 0 or self.gpu_memory_gb > 0
