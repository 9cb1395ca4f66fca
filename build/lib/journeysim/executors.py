"""The executor seam of sweeps: any ``concurrent.futures.Executor`` runs the tasks.

- in-process (the default): ``InProcessExecutor``, each task runs when submitted;
- ``workers=N``: a ``ProcessPoolExecutor`` of N processes, forked (where the system can) once the run
  path is imported, so no worker imports numpy, pydantic and the engine again; spawned elsewhere;
- ``scheduler=ADDRESS`` (or ``$DASK_SCHEDULER_ADDRESS``): a Dask distributed cluster, through
  ``distributed.Client(address).get_executor()``. dask[distributed] is an optional extra
  (``pip install 'journeysim[dask]'``) imported only here, only when asked for.

Results never depend on the executor: a task carries everything needed to rebuild its run.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"


class InProcessExecutor(Executor):
    """Runs each task at submit time, in this process: the default, and the simplest to debug."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


class DaskMissing(ImportError):
    """dask[distributed] is not installed but a scheduler was asked for."""


def describe(workers: int | None = None, scheduler: str | None = None) -> str:
    """Where ``make_executor`` with these arguments would run, in words."""
    scheduler = choose_scheduler(workers, scheduler)
    if scheduler:
        return f"the Dask cluster at {scheduler}"
    if workers and workers > 1:
        return f"a pool of {workers} processes"
    return "this process"


def choose_scheduler(workers: int | None, scheduler: str | None) -> str | None:
    """An explicit scheduler, else (unless a process pool was asked for) ``$DASK_SCHEDULER_ADDRESS``."""
    if scheduler:
        return scheduler
    if workers:
        return None
    return os.environ.get(SCHEDULER_ENV) or None


@contextlib.contextmanager
def make_executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    """The executor for these settings; on an error or an interrupt, queued tasks are cancelled."""
    address = choose_scheduler(workers, scheduler)
    if address:
        try:
            from distributed import Client
        except ImportError:
            raise DaskMissing("running on a Dask cluster needs dask.distributed: pip install 'journeysim[dask]'") from None
        with Client(address, set_as_default=False) as client:
            executor = client.get_executor(pure=False)
            try:
                yield executor
            except BaseException:
                executor.shutdown(wait=False)  # cancels what has not finished
                raise
            executor.shutdown(wait=True)
    elif workers and workers > 1:
        pool = _process_pool(workers)
        try:
            yield pool
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    else:
        yield InProcessExecutor()


def _ready() -> int:
    return os.getpid()


def _process_pool(workers: int) -> ProcessPoolExecutor:
    """N worker processes that start warm: forks of this process with the run path already imported.

    The fork happens here, before the progress bar or anything else starts a thread in this process
    (a fork copies only the forking thread). Where fork does not exist, fresh spawned interpreters.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    import numpy.random  # noqa: F401 - imported once here, inherited by every worker (numpy loads it on first use)

    from . import api  # noqa: F401
    from .engine import simulation  # noqa: F401
    from .outputs import summary, tables  # noqa: F401

    gc.freeze()  # the workers' collector never walks what they inherit, so it copies none of those pages
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
        pool.submit(_ready).result()  # forks every worker now, while this process has one thread
    finally:
        gc.unfreeze()
    return pool
