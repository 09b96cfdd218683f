"""The request pacer: slots at a steady rate, in order, and each process's share of the limit."""

from __future__ import annotations

import asyncio

import pytest
from yarl import URL

from bot.delivery.ownership import Ownership
from bot.delivery.pacing import Pacer, exempt, send_rate


class FakeTime:
    """A monotonic clock that only moves when a caller sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 9))


async def test_callers_asking_at_once_get_slots_one_interval_apart_in_order() -> None:
    time = FakeTime()
    pacer = Pacer(10.0, now=time, sleep=time.sleep)
    order: list[int] = []

    async def call(index: int) -> None:
        await pacer.wait()
        order.append(index)

    await asyncio.gather(*(call(i) for i in range(5)))
    assert time.slept == [0.1, 0.2, 0.3, 0.4]  # the first goes at once
    assert order == [0, 1, 2, 3, 4]


async def test_a_caller_after_a_quiet_spell_goes_at_once_and_no_burst_is_saved_up() -> None:
    time = FakeTime()
    pacer = Pacer(10.0, now=time, sleep=time.sleep)
    await pacer.wait()
    time.now += 5.0  # quiet for five seconds
    await pacer.wait()
    await pacer.wait()
    assert time.slept == [0.1]  # the third waits a full interval after the second


def test_a_process_paces_under_its_shards_share_of_the_limit() -> None:
    assert send_rate(50, None) == pytest.approx(49)
    assert send_rate(10, None) == pytest.approx(9)  # a late request still fits the window
    assert send_rate(50, Ownership(4, frozenset({0, 1, 2, 3}))) == pytest.approx(49)
    assert send_rate(50, Ownership(4, frozenset({1}))) == pytest.approx(49 / 4)


def test_interaction_replies_are_outside_the_global_limit() -> None:
    api = "http://127.0.0.1:8080/api/v10"
    assert exempt(URL(f"{api}/interactions/1/abc/callback"))
    assert exempt(URL(f"{api}/webhooks/2/abc/messages/@original"))
    assert not exempt(URL(f"{api}/channels/3/messages"))
    assert not exempt(URL(f"{api}/channels/3/webhooks"))


def test_a_pacer_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError):
        Pacer(0)
