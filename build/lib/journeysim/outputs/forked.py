"""A helper process forked now for one job later: it loads its libraries on the second core while
this process goes on, then does the job it is sent and hands the answer back.

The report's ``figures.Renderer`` (``journeysim run``) and the sweep's ``PageWriter`` are such helpers.
Either side failing is never an error: ``collect()`` then answers None and the caller does the job
itself, in the same way, so the outputs never depend on where they were made.

The job goes down a pipe behind its length, so the helper does not wait for the pipe to close: a
process forked later from this one (a sweep's pool workers) may hold a copy of the pipe's end.
"""

from __future__ import annotations

import atexit
import gc
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable
from typing import Any

_LENGTH = struct.Struct("<Q")
#: helpers that have sent their answer and are exiting: reaped later rather than waited for (a process
#: as big as the page writer takes some 10 ms to be torn down)
_answered: list[int] = []


def _reap_answered(block: bool = False) -> None:
    for pid in list(_answered):
        try:
            done, _ = os.waitpid(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _answered.remove(pid)


atexit.register(_reap_answered, block=True)


def can_fork() -> bool:
    """Only where it helps: fork exists and this process may use a second core."""
    return hasattr(os, "fork") and _cores() >= 2


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def read_all(fd: int) -> bytes:
    with os.fdopen(fd, "rb") as stream:
        return stream.read()


def unpickled(payload: bytes):
    """What our own child process sent back; None if it sent nothing or died half-way through."""
    try:
        return pickle.loads(payload) if payload else None
    except Exception:  # noqa: BLE001 - a truncated payload: the caller does the job itself
        return None


def _read_job(fd: int) -> bytes:
    """The job's bytes, read up to the length sent before them; empty if the sender stopped before the end."""
    with os.fdopen(fd, "rb") as stream:
        head = stream.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            return b""
        (length,) = _LENGTH.unpack(head)
        payload = stream.read(length)
    return payload if len(payload) == length else b""


class Forked:
    """The parent's side of a helper process; ``serve(job_read, back_write)`` is the helper's side."""

    def __init__(self, serve: Callable[[int, int], None]):
        _reap_answered()
        job_read, self._job = os.pipe()
        self._back, back_write = os.pipe()
        gc.freeze()  # the helper's collector never walks what it inherits, so it copies none of those pages
        try:
            self._pid = os.fork()
        except OSError:
            gc.unfreeze()
            for fd in (job_read, self._job, self._back, back_write):
                os.close(fd)
            raise
        if self._pid == 0:
            try:
                os.close(self._job)
                os.close(self._back)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to report
                serve(job_read, back_write)
            finally:
                os._exit(0)
        gc.unfreeze()
        os.close(job_read)
        os.close(back_write)
        self._sent = False

    @classmethod
    def start(cls, *args):
        """A started helper, or None where it cannot help (no fork, one core, no process to spare)."""
        if not can_fork():
            return None
        try:
            return cls(*args)
        except OSError:
            return None

    @property
    def sent(self) -> bool:
        """Was a job sent (or the helper closed)?"""
        return self._sent

    def send(self, job: Any) -> None:
        """Hand the job over (pickled); the helper does it while this process goes on."""
        payload = pickle.dumps(job)
        try:
            with os.fdopen(self._job, "wb") as stream:
                stream.write(_LENGTH.pack(len(payload)) + payload)
        except OSError:  # the helper is gone: collect() answers None
            pass
        self._sent = True

    def collect(self):
        """The helper's answer to the job sent, or None if it failed (then do the job here)."""
        if not self._sent:
            return None
        payload = read_all(self._back)
        self._back = -1
        if self._pid:  # the helper closed its end of the pipe: it is exiting
            _answered.append(self._pid)
            self._pid = 0
        self.close()
        return unpickled(payload)

    def close(self) -> None:
        """Stop the helper: at once if nothing was sent (a refused scenario), else once it has finished."""
        for fd in (self._job if not self._sent else -1, self._back):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        if self._pid:
            try:
                if not self._sent:
                    os.kill(self._pid, signal.SIGTERM)
                os.waitpid(self._pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass
            self._pid = 0
        self._back = -1
        self._sent = True


def serve(job_read: int, back_write: int, warm_up: Callable[[], None], work: Callable[[Any], Any], failure: str) -> None:
    """The helper: read the job while ``warm_up`` loads libraries, do ``work(job)``, send its answer back.
    ``failure`` is the line shown if the work raises (``{exc}`` is the error)."""
    job: list[bytes] = []
    reader = threading.Thread(target=lambda: job.append(_read_job(job_read)))
    reader.start()
    try:
        warm_up()
    except Exception:  # noqa: BLE001 - the parent does the job in-process and reports any real error
        pass
    reader.join()
    if not job or not job[0]:
        return
    try:
        payload = pickle.dumps(work(pickle.loads(job[0])))
    except Exception as exc:  # noqa: BLE001 - the parent does the job in-process and shows the error there
        print(f"journeysim: {failure.format(exc=exc)}", file=sys.stderr)
        return
    with os.fdopen(back_write, "wb") as stream:
        stream.write(payload)
