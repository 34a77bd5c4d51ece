"""The sbatch script text: CPU and GPU workers, options, validation."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from curator_dask.core import SlurmJob, render_sbatch
from curator_dask.errors import ConfigError


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
    [
        ({"nodes": 0}, r"^SlurmJob\.nodes must be a whole number >= 1, got 0; pass --nodes N$"),
        ({"gpus_per_node": -1}, r"^SlurmJob\.gpus_per_node must be a whole number >= 0, got -1; pass "
         "--gpus-per-node N$"),
        ({"threads_per_worker": 0}, r"SlurmJob\.threads_per_worker must be a whole number >= 1, or None \(dask's "
         r"choice\), got 0"),
        ({"start_timeout": 0}, r"SlurmJob\.start_timeout must be a whole number >= 1, got 0; pass --start-timeout N"),
        ({"protocol": "ib"}, "SlurmJob.protocol must be 'tcp' or 'ucx', got 'ib'"),
        ({"protocol": "ucx"}, "protocol 'ucx' needs GPU workers; pass --gpus-per-node N or drop --protocol ucx"),
    ],
)  # fmt: skip
def test_bad_jobs_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SlurmJob("p.yaml", **kwargs)  # type: ignore[arg-type]
