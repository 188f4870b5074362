"""Work that runs beside the caller, in order, on a thread of its own: :class:`Beside`.

Analysing a video is a chain: each frame's crop comes from the previous frame's pose, so the
model's calls follow one another and are the critical path. Counting a pose needs that pose,
but nothing in the chain needs the count, so the counter can work on one frame while the model
reads the next. The model releases the GIL while it runs, which is when the counter's Python
gets it. Items are handled strictly in the order they were put, so what is computed is exactly
what a plain loop would compute.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

_END = object()


class Beside:
    """``step(*item)`` for every ``put(*item)``, in order, on one thread; use as a context manager.

    Leaving the ``with`` block waits until every item has been handled. The first error raised
    by ``step`` is raised again in the caller's thread (at the next ``put`` or on leaving the
    block; later items are then dropped). If the block itself raises, the items already put
    are still handled before the thread ends, and the block's error is the one that propagates.
    """

    def __init__(self, step: Callable[..., object], name: str = "beside") -> None:
        self._step = step
        self._items: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name=name)

    def __enter__(self) -> Beside:
        self._thread.start()
        return self

    def _run(self) -> None:
        while (item := self._items.get()) is not _END:
            if self._error is None:
                try:
                    self._step(*item)
                except BaseException as exc:  # handed to the caller's thread
                    self._error = exc

    def put(self, *item: Any) -> None:
        self._raise()
        self._items.put(item)

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._items.put(_END)
        self._thread.join()
        if exc_type is None:
            self._raise()
