"""Work beside the caller (:class:`fitness.pipeline.beside.Beside`): in order, every item, errors
in the caller's thread."""

from __future__ import annotations

import threading

import pytest

from fitness.pipeline.beside import Beside


def test_every_item_is_handled_in_order_on_another_thread() -> None:
    seen: list[tuple[int, str]] = []
    threads: set[int] = set()

    def step(i: int, word: str) -> None:
        threads.add(threading.get_ident())
        seen.append((i, word))

    with Beside(step) as beside:
        for i in range(500):
            beside.put(i, str(i))
    # Leaving the block waited for all of them.
    assert seen == [(i, str(i)) for i in range(500)]
    assert threads and threading.get_ident() not in threads


def test_a_step_that_fails_fails_the_caller_and_later_items_are_dropped() -> None:
    seen: list[int] = []
    failed = threading.Event()

    def step(i: int) -> None:
        if i == 3:
            failed.set()
            raise ValueError("bad item 3")
        seen.append(i)

    with pytest.raises(ValueError, match="bad item 3"), Beside(step) as beside:
        for i in range(10):
            beside.put(i)
            if i == 3:
                failed.wait(5.0)
    assert seen == [0, 1, 2]


def test_an_error_in_the_block_wins_and_the_thread_still_ends() -> None:
    seen: list[int] = []
    with pytest.raises(KeyboardInterrupt), Beside(seen.append) as beside:
        beside.put(1)
        beside.put(2)
        raise KeyboardInterrupt
    assert seen == [1, 2]
    assert not [t for t in threading.enumerate() if t.name == "beside"]
