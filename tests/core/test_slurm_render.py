"""The sbatch script text: CPU and GPU workers, options, validation."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from curator_dask.core import SlurmJob, render_sbatch


def test_cpu_script(tmp_path: Path) -> None:
    script = render_sbatch(SlurmJob("heuristic_english", ["input_path=/d in"], nodes=4, workers_per_node=2,
                                    threads_per_worker=8, account="proj", sbatch_options=["--exclusive"]))  # fmt: skip
    assert "{{" not in script
    for expected in ("#SBATCH --nodes=4", "#SBATCH --account=proj", "#SBATCH --exclusive", "dask worker",
                     "--nworkers 2 --nthreads 8", "EXPECTED_WORKERS=$((NODES * 2))",
                     "-m curator_dask.cli run heuristic_english 'input_path=/d in'"):  # fmt: skip
        assert expected in script, expected
    assert "gpus-per-node" not in script and "cuda" not in script
    (tmp_path / "job.sbatch").write_text(script)
    subprocess.run(["bash", "-n", str(tmp_path / "job.sbatch")], check=True)


def test_gpu_script_uses_dask_cuda_worker_with_options() -> None:
    script = render_sbatch(SlurmJob("p.yaml", nodes=2, gpus_per_node=8, enable_cudf_spill=True, protocol="ucx"))
    assert "dask cuda worker" in script and "--resources GPU=1 --enable-cudf-spill --protocol ucx" in script
    assert '--scheduler-file "$SCHEDULER_FILE" --protocol ucx' in script


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"nodes": 0}, "nodes must be at least 1"), ({"protocol": "ucx"}, "protocol 'ucx' needs GPU workers")],
)
def test_bad_jobs_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SlurmJob("p.yaml", **kwargs)  # type: ignore[arg-type]
