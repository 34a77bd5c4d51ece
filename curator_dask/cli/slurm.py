"""``curator-dask slurm``: write (and with ``--submit`` submit) an sbatch script for a pipeline."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

from curator_dask.cli.options import add_overrides_argument

__all__ = ["register", "submit"]


def submit(script: Path) -> str:
    """Submit ``script`` with ``sbatch`` and return what sbatch printed (``Submitted batch job N``).

    Raises:
        RuntimeError: when sbatch is missing or refuses the script, with sbatch's own reason.
    """
    try:
        done = subprocess.run(["sbatch", str(script)], capture_output=True, text=True, check=False)
    except FileNotFoundError as e:
        msg = f"sbatch is not on PATH; run this on a Slurm login node, or submit {script} yourself"
        raise RuntimeError(msg) from e
    if done.returncode != 0:
        reason = (done.stderr.strip() or done.stdout.strip() or "no message").splitlines()[0]
        raise RuntimeError(f"sbatch {script} failed (exit {done.returncode}): {reason}")
    return done.stdout.strip()


def _slurm(args: argparse.Namespace) -> int:
    from curator_dask.config import load_pipeline_config
    from curator_dask.core import SlurmJob, render_sbatch

    config = load_pipeline_config(args.pipeline, args.overrides)  # fail here, not in the queue
    job = SlurmJob(
        pipeline=str(config.path),
        overrides=list(args.overrides),
        nodes=args.nodes,
        gpus_per_node=args.gpus_per_node,
        workers_per_node=args.workers_per_node,
        threads_per_worker=args.threads_per_worker,
        memory_limit=args.memory_limit,
        rmm_pool_size=args.rmm_pool_size,
        enable_cudf_spill=args.enable_cudf_spill,
        protocol=args.protocol,
        job_name=args.job_name,
        time=args.time,
        partition=args.partition,
        account=args.account,
        sbatch_options=args.sbatch_option,
        setup=args.setup,
        python=args.python,
        job_dir=args.job_dir,
        report_dir=args.report_dir,
        start_timeout=args.start_timeout,
    )
    script = Path(args.script or Path(args.job_dir) / f"{args.job_name}.sbatch")
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(render_sbatch(job))
    script.chmod(0o755)
    print(f"sbatch script: {script}")
    if args.submit:
        print(submit(script))
        print(f"logs: {Path(args.job_dir).resolve()}/<job id>/logs/ (scheduler, worker-<node>, driver)")
    else:
        print(f"submit it with: sbatch {script}")
    return 0


def register(commands: Any) -> None:
    """Add ``slurm`` to the subcommand parsers ``commands``."""
    slurm = commands.add_parser(
        "slurm",
        help="write (and with --submit submit) an sbatch script that runs a pipeline on a Dask cluster",
        description="Write an sbatch script: the first node starts `dask scheduler` (writing the scheduler "
        "file), every node starts `dask worker` (or `dask cuda worker` with --gpus-per-node), the driver waits "
        "for all workers, runs PIPELINE and shuts everything down. Logs go to JOB_DIR/<job id>/logs/.",
    )
    add_overrides_argument(slurm)
    slurm.add_argument("--nodes", type=int, default=2, help="nodes to allocate (default: 2)")
    slurm.add_argument("--gpus-per-node", type=int, default=0, help="GPUs per node: use dask cuda worker")
    slurm.add_argument("--workers-per-node", type=int, default=1, help="CPU worker processes per node")
    slurm.add_argument("--threads-per-worker", type=int, help="threads per CPU worker (default: dask's)")
    slurm.add_argument("--memory-limit", help="memory limit per worker, e.g. 16GiB")
    slurm.add_argument("--rmm-pool-size", help="GPU: RMM pool per worker, e.g. 24GB")
    slurm.add_argument("--enable-cudf-spill", action="store_true", help="GPU: let cudf spill to host memory")
    slurm.add_argument("--protocol", choices=("tcp", "ucx"), default="tcp", help="transport (ucx: GPU only)")
    slurm.add_argument("--job-name", default="curator-dask", help="Slurm job name (default: curator-dask)")
    slurm.add_argument("--time", default="01:00:00", help="Slurm time limit (default: 01:00:00)")
    slurm.add_argument("--partition", help="Slurm partition")
    slurm.add_argument("--account", help="Slurm account")
    slurm.add_argument("--sbatch-option", action="append", default=[], help="extra #SBATCH option (repeatable)")
    slurm.add_argument("--setup", action="append", default=[], help="shell line run first, e.g. 'module load cuda'")
    slurm.add_argument("--python", default=sys.executable, help="Python with curator_dask on the nodes")
    slurm.add_argument("--job-dir", default="curator-dask-jobs", help="folder for logs and the scheduler file")
    slurm.add_argument("--report-dir", help="where the driver writes the run report")
    slurm.add_argument("--start-timeout", type=int, default=300, help="seconds to wait for scheduler and workers")
    slurm.add_argument("--script", help="where to write the script (default: JOB_DIR/JOB_NAME.sbatch)")
    slurm.add_argument("--submit", action="store_true", help="submit the script with sbatch")
    slurm.set_defaults(func=_slurm)
