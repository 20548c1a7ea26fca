"""Where sweep trials run: a pool of local worker processes, or a Dask distributed cluster.

Both take a list of :class:`~mlkit.experiments.trial.TrialSpec`, yield each
:class:`~mlkit.experiments.trial.TrialOutcome` as it finishes (a worker that dies yields a
failed outcome instead of stopping the sweep), and can cancel what has not finished. Dask is
imported only by :class:`DaskPool`, as it is an optional extra (``mlkit[dask]``).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager

from mlkit.experiments.trial import failed_outcome, run_trial

__all__ = ["DaskPool", "LocalPool", "SweepError", "Trials", "open_pool", "running"]


class SweepError(ValueError):
    """A sweep that cannot start: a bad --resume directory, Dask missing or unreachable."""


def _ignore_sigint() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle (it cancels and terminates)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class LocalPool:
    """Trials on a pool of local worker processes."""

    def __init__(self, workers: int):
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if context.get_start_method() == "forkserver":
            # Workers fork from a server that has imported these once: quick to start.
            context.set_forkserver_preload(["mlkit.experiments.trial", "mlkit.config.build"])
        self.before = {child.pid for child in multiprocessing.active_children()}
        self.executor = ProcessPoolExecutor(workers, mp_context=context,
                                            initializer=_ignore_sigint)
        self.futures = {}
        self.description = f"{workers} local worker process{'es' * (workers != 1)}"

    def submit(self, specs) -> None:
        self.futures = {self.executor.submit(run_trial, spec): spec for spec in specs}

    def completed(self):
        for future in as_completed(self.futures):
            spec = self.futures[future]
            try:
                yield future.result()
            except Exception as error:  # noqa: BLE001 -- the worker died (killed, OOM, ...)
                yield failed_outcome(spec, error)

    def cancel(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        for child in multiprocessing.active_children():
            if child.pid not in self.before:  # only the workers this pool started
                child.terminate()
                child.join(5)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _check_reachable(address: str) -> None:
    """Fail fast, with a clear message, when nothing listens at a tcp:// address (Dask itself
    would retry until its timeout)."""
    scheme, _, rest = address.rpartition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in ("", "tcp") or not port.isdigit():
        return  # other protocols (tls, ucx, inproc): leave them to Dask
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=5).close()
    except OSError as error:
        raise SweepError(f"--scheduler {address}: nothing answers there ({error.strerror or error}"
                         "); start a scheduler (`dask scheduler`, or a LocalCluster) and pass "
                         "the tcp://HOST:PORT address it prints") from None


class DaskPool:
    """Trials on an existing Dask distributed cluster."""

    def __init__(self, address: str):
        try:
            from dask.distributed import Client
        except ImportError:
            raise SweepError("--scheduler needs Dask's distributed scheduler; install it with "
                             "pip install 'mlkit[dask]'") from None
        _check_reachable(address)
        try:
            self.client = Client(address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as error:
            raise SweepError(f"--scheduler {address}: cannot connect to a Dask scheduler "
                             f"({error}); check the address (tcp://HOST:PORT) and that the "
                             "scheduler is running") from None
        workers = len(self.client.scheduler_info().get("workers", {}))
        self.futures = {}
        self.description = f"the Dask cluster at {address} ({workers} workers)"

    def submit(self, specs) -> None:
        tag = uuid.uuid4().hex[:8]
        self.futures = {self.client.submit(run_trial, spec, key=f"mlkit-{spec.id}-{tag}",
                                           pure=False): spec for spec in specs}

    def completed(self):
        from dask.distributed import as_completed as dask_completed

        for future in dask_completed(list(self.futures)):
            spec = self.futures[future]
            try:
                yield future.result()
            except Exception as error:  # noqa: BLE001 -- worker lost, or failed outside run_trial
                yield failed_outcome(spec, error)

    def cancel(self) -> None:
        self.client.cancel(list(self.futures))

    def close(self) -> None:
        self.client.close()


def open_pool(scheduler: str | None, workers: int | None, trials: int):
    """A :class:`DaskPool` on ``scheduler`` when given, else a :class:`LocalPool` of
    ``workers`` processes (default one per CPU core this process may use), never more than
    ``trials``."""
    if scheduler:
        return DaskPool(scheduler)
    return LocalPool(max(1, min(workers or _usable_cores(), trials)))


class Trials:
    """The pool a runner's trials go to (set when known) and whether Ctrl-C stopped them."""

    def __init__(self, pool=None):
        self.pool, self.interrupted = pool, False

    def finished(self, specs) -> Iterator[tuple]:
        """Submit ``specs`` to the pool; yield ``(count so far, outcome)`` as each finishes
        (nothing for no specs, which need no pool)."""
        if not specs:
            return
        self.pool.submit(specs)
        yield from enumerate(self.pool.completed(), 1)


@contextmanager
def running(pool=None) -> Iterator[Trials]:
    """The one loop of a sweep and a cross-validation: the block submits its trials through
    the :class:`Trials` it gets (and may open the pool there); Ctrl-C inside it cancels the
    trials not finished and ends the block with ``interrupted`` set, leaving the runner to
    report the finished ones; the pool is closed either way."""
    trials = Trials(pool)
    try:
        yield trials
    except KeyboardInterrupt:
        trials.interrupted = True
        if trials.pool is not None:
            trials.pool.cancel()
    finally:
        if trials.pool is not None:
            trials.pool.close()


def _usable_cores() -> int:
    """The cores this process may run on: its affinity (taskset, a container's cpuset) where
    the system reports one, as more processes than cores would only take turns."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
