"""``curator-dask slurm``: write (and with ``--submit`` submit) an sbatch script for a pipeline.

Its flags are ``SlurmJob``'s fields (``--nodes``, ``--gpus-per-node``, ...), generated from the
dataclass and its docstring, so a job option is written down in one place.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from curator_dask.cli.options import Command, add_overrides_argument, dataclass_arguments, dataclass_values
from curator_dask.core.slurm import SlurmJob
from curator_dask.errors import ClusterError

__all__ = ["SLURM", "submit"]

_POSITIONAL = ("pipeline", "overrides")  # SlurmJob fields given as PIPELINE KEY=VALUE...


def submit(script: Path) -> str:
    """Submit ``script`` with ``sbatch`` and return what sbatch printed (``Submitted batch job N``).

    Raises:
        ClusterError: when sbatch is missing or refuses the script, with sbatch's own reason.
    """
    try:
        done = subprocess.run(["sbatch", str(script)], capture_output=True, text=True, check=False)
    except FileNotFoundError as e:
        msg = f"sbatch is not on PATH; run this on a Slurm login node, or submit {script} yourself"
        raise ClusterError(msg) from e
    if done.returncode != 0:
        reason = (done.stderr.strip() or done.stdout.strip() or "no message").splitlines()[0]
        raise ClusterError(f"sbatch {script} failed (exit {done.returncode}): {reason}")
    return done.stdout.strip()


def _slurm(args: argparse.Namespace) -> None:
    from curator_dask.cli.run import apply_reader_options
    from curator_dask.config import load_pipeline_config
    from curator_dask.config.paths import absolute_override
    from curator_dask.core import render_sbatch

    config = load_pipeline_config(args.pipeline, args.overrides)  # fail here, not in the queue
    apply_reader_options(config, args.reader_options)
    overrides = [absolute_override(item) for item in args.overrides]  # the job may start elsewhere
    pipeline = str(config.path) if Path(args.pipeline).is_file() else args.pipeline  # packaged: by name
    job = SlurmJob(pipeline=pipeline, overrides=overrides, **dataclass_values(args, SlurmJob, _POSITIONAL))
    script = Path(args.script or Path(job.job_dir) / f"{job.job_name}.sbatch")
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(render_sbatch(job))
    script.chmod(0o755)
    print(f"sbatch script: {script}")
    if args.submit:
        print(submit(script))
        print(f"logs: {Path(job.job_dir).resolve()}/<job id>/logs/ (scheduler, worker-<node>, driver)")
    else:
        print(f"submit it with: sbatch {script}")


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_overrides_argument(parser)
    dataclass_arguments(parser.add_argument_group("the Slurm job"), SlurmJob, _POSITIONAL)
    parser.add_argument("--script", help="where to write the script (default: JOB_DIR/JOB_NAME.sbatch)")
    parser.add_argument("--submit", action="store_true", help="submit the script with sbatch")


SLURM = Command(
    "slurm",
    help="write (and with --submit submit) an sbatch script that runs a pipeline on a Dask cluster",
    description="Write an sbatch script: the first node starts `dask scheduler` (writing the scheduler "
    "file), every node starts `dask worker` (or `dask cuda worker` with --gpus-per-node), the driver waits "
    "for all workers, runs PIPELINE and shuts everything down. Logs go to JOB_DIR/<job id>/logs/.",
    arguments=_arguments,
    run=_slurm,
)
