"""One writer thread that group-commits: durable writes that share an fsync."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from sqlalchemy.engine import Engine

__all__ = ["GroupCommitter", "StorageBusy"]


class StorageBusy(RuntimeError):
    """A write did not commit within the wait limit; the caller answers 503, never hangs.

    The write stays queued and may still commit: a client that retries can find it done.
    """


class GroupCommitter:
    """One writer thread that commits every queued write in a single transaction.

    A caller's ``submit`` returns only after the transaction holding its write committed, so
    durability is per request, while concurrent requests share one fsync. If a batch fails,
    its writes are retried one transaction each, so one bad write fails alone.
    """

    MAX_BATCH = 256

    def __init__(self, engine: Engine, *, timeout: float = 30.0):
        self.engine = engine
        self.timeout = timeout
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="kbio-group-commit", daemon=True)
        self._thread.start()

    def submit(self, write):
        future: Future = Future()
        self._queue.put((write, future))
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            raise StorageBusy(f"the database did not commit within {self.timeout:g} s") from None

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < self.MAX_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                batch.append(nxt)
            self._commit(batch)

    def _commit(self, batch) -> None:
        try:
            with self.engine.begin() as conn:
                results = [write(conn) for write, _ in batch]
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            for single in batch:  # isolate the failing write
                self._commit([single])
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
