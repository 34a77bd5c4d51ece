"""The sbatch script text: CPU and GPU workers, options, validation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from curator_dask.core import SlurmJob, render_sbatch
from curator_dask.errors import ConfigError


def test_cpu_script(tmp_path: Path) -> None:
    script = render_sbatch(SlurmJob("heuristic_english", ["input_path=/d in"], nodes=4, workers_per_node=2,
                                    threads_per_worker=8, account="proj", sbatch_options=["--constraint=cpu"],
                                    reader_options=["on_error=skip"]))  # fmt: skip
    assert "{{" not in script
    for expected in ("#SBATCH --nodes=4", "#SBATCH --account=proj", "#SBATCH --constraint=cpu", "dask worker",
                     '--nthreads 8 --nworkers "$WORKERS_PER_NODE"', "WORKERS_PER_NODE=2",
                     "EXPECTED_WORKERS=$((NODES * WORKERS_PER_NODE))",
                     "-m curator_dask.cli run heuristic_english 'input_path=/d in' --reader-option on_error=skip",
                     f"PYTHON={sys.executable}", "set -euo pipefail"):  # fmt: skip
        assert expected in script, expected
    assert "gpus-per-node" not in script and "cuda" not in script and "--exclusive" not in script
    (tmp_path / "job.sbatch").write_text(script)
    subprocess.run(["bash", "-n", str(tmp_path / "job.sbatch")], check=True)


def test_cpu_defaults_one_single_threaded_process_per_cpu_on_a_free_port() -> None:
    script = render_sbatch(SlurmJob("p.yaml", cpus_per_task=16, mem="64G", exclusive=True, interface="ib0",
                                    local_directory="/scratch/$USER"))  # fmt: skip
    for expected in ("#SBATCH --cpus-per-task=16\n#SBATCH --mem=64G\n#SBATCH --exclusive",
                     'CPUS="${SLURM_CPUS_PER_TASK:-$(nproc)}"', 'WORKERS_PER_NODE="$CPUS"',
                     '--nthreads 1 --nworkers "$WORKERS_PER_NODE"', "srun --nodes=\"$NODES\" --ntasks-per-node=1 "
                     "--cpus-per-task=16 --overlap", "--port 0 --dashboard-address :0 --interface ib0",
                     "--local-directory '/scratch/$USER' --interface ib0"):  # fmt: skip
        assert expected in script, expected


def test_python_comes_from_the_environment_setup_activates() -> None:
    script = render_sbatch(SlurmJob("p.yaml", setup=["conda activate curation"]))
    assert "set +u  # activation scripts" in script and "conda activate curation\nset -u\n" in script
    assert 'PYTHON="$(command -v python || command -v python3)"' in script
    assert render_sbatch(SlurmJob("p.yaml", setup=["x"], python="/env/bin/python")).count("PYTHON=/env/bin/python") == 1


def test_gpu_script_uses_dask_cuda_worker_with_options() -> None:
    script = render_sbatch(SlurmJob("p.yaml", nodes=2, gpus_per_node=8, enable_cudf_spill=True, protocol="ucx"))
    assert "dask cuda worker" in script and "--protocol ucx --resources GPU=1 --enable-cudf-spill" in script
    assert "WORKERS_PER_NODE=8" in script and "--nworkers" not in script
    assert '--scheduler-file "$SCHEDULER_FILE" --port 0 --dashboard-address :0 --protocol ucx' in script


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"nodes": 0}, r"^SlurmJob\.nodes must be a whole number >= 1, got 0; pass --nodes N$"),
        ({"gpus_per_node": -1}, r"^SlurmJob\.gpus_per_node must be a whole number >= 0, got -1; pass "
         "--gpus-per-node N$"),
        ({"threads_per_worker": 0}, r"SlurmJob\.threads_per_worker must be a whole number >= 1, got 0"),
        ({"cpus_per_task": 0}, r"SlurmJob\.cpus_per_task must be a whole number >= 1, or None \(Slurm's default\), "
         "got 0; pass --cpus-per-task N"),
        ({"workers_per_node": 0}, r"SlurmJob\.workers_per_node must be a whole number >= 1, or None \(one per CPU\)"),
        ({"scheduler_port": 70000}, r"SlurmJob\.scheduler_port must be a whole number from 0 to 65535, got 70000"),
        ({"start_timeout": 0}, r"SlurmJob\.start_timeout must be a whole number >= 1, got 0; pass --start-timeout N"),
        ({"protocol": "ib"}, "SlurmJob.protocol must be 'tcp' or 'ucx', got 'ib'"),
        ({"protocol": "ucx"}, "protocol 'ucx' needs GPU workers; pass --gpus-per-node N or drop --protocol ucx"),
        ({"gpus_per_node": 4, "workers_per_node": 2}, "GPU nodes run one worker per GPU; drop --workers-per-node"),
    ],
)  # fmt: skip
def test_bad_jobs_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SlurmJob("p.yaml", **kwargs)  # type: ignore[arg-type]
