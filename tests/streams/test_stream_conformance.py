"""One stream scenario set, on every venue: events arrive, and stream.legs() equals REST legs() after each step.

Each step acts through the public API (or moves the simulator's mark), waits for the stream's
events, and then compares the stream's legs with a REST read: size and entry price of both legs,
which every venue pushes. The simulator pushes over each venue's own private websocket.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import (
    HedgeClient,
    LegChanged,
    LegPair,
    LiveStream,
    OrderChanged,
    OrderStatus,
    PositionMode,
    PositionSide,
)
from hedgekit.testing import SimulatedVenue

from ..conftest import BTC, MARKS, VENUES

@pytest_asyncio.fixture(params=VENUES)
async def venue(request: pytest.FixtureRequest) -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue(str(request.param), mark_prices=dict(MARKS)) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect(venue.venue, base_url=venue.base_url, rate_limit=False,
                                **venue.credentials) as client:
        await client.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        yield client


@pytest_asyncio.fixture
async def stream(hk: HedgeClient) -> AsyncIterator[LiveStream]:
    async with hk.stream([BTC], heartbeat=1.0) as live:
        yield live


class Watcher:
    """Collects a stream's events in the background so a step can wait for a condition."""

    def __init__(self, stream: LiveStream) -> None:
        self.stream = stream
        self.events: list[Any] = []
        self._changed = asyncio.Event()
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        async for event in self.stream:
            self.events.append(event)
            self._changed.set()

    async def until(self, done: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
        async def wait() -> None:
            while not done():
                self._changed.clear()
                if self._task.done():
                    self._task.result()
                    raise AssertionError("the stream ended")
                await self._changed.wait()

        try:
            await asyncio.wait_for(wait(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out waiting for {what}; events: {self.events}") from None

    def orders(self, status: OrderStatus | None = None, conditional: bool | None = None) -> list[Any]:
        return [e.order for e in self.events if isinstance(e, OrderChanged)
                and (status is None or e.order.status is status)
                and (conditional is None or e.order.conditional is conditional)]

    def stop(self) -> None:
        self._task.cancel()


@pytest_asyncio.fixture
async def watch(stream: LiveStream) -> AsyncIterator[Watcher]:
    watcher = Watcher(stream)
    yield watcher
    watcher.stop()


def sizes(pair: LegPair) -> tuple[Decimal, Decimal]:
    return pair.long.size, pair.short.size


async def same_as_rest(hk: HedgeClient, stream: LiveStream) -> None:
    rest, live = await hk.legs(BTC), stream.legs(BTC)
    assert live.mode is rest.mode is PositionMode.HEDGE
    for side in (PositionSide.LONG, PositionSide.SHORT):
        a, b = live.leg(side), rest.leg(side)
        assert a.size == b.size, f"{side} size: stream {a.size}, REST {b.size}"
        if b.size:
            assert a.entry_price == b.entry_price, f"{side} entry: stream {a.entry_price}, REST {b.entry_price}"


def wants(stream: LiveStream, long: str, short: str) -> Callable[[], bool]:
    return lambda: sizes(stream.legs(BTC)) == (Decimal(long), Decimal(short))


async def test_open_both_legs_then_close_part(hk: HedgeClient, stream: LiveStream, watch: Watcher) -> None:
    assert sizes(stream.legs(BTC)) == (0, 0)
    await hk.open_long(BTC, Decimal("0.010"))
    await watch.until(wants(stream, "0.010", "0"), "the long leg")
    await same_as_rest(hk, stream)
    await hk.open_short(BTC, Decimal("0.020"))
    await watch.until(wants(stream, "0.010", "0.020"), "the short leg")
    await same_as_rest(hk, stream)
    await hk.close_long(BTC, Decimal("0.004"))
    await watch.until(wants(stream, "0.006", "0.020"), "the partial close")
    await same_as_rest(hk, stream)
    assert any(isinstance(e, LegChanged) and e.leg.side is PositionSide.SHORT for e in watch.events)
    filled = watch.orders(OrderStatus.FILLED, conditional=False)
    assert len({o.order_id for o in filled}) == 3


async def test_stop_fires_on_a_mark_move(hk: HedgeClient, venue: SimulatedVenue, stream: LiveStream,
                                         watch: Watcher) -> None:
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.open_short(BTC, Decimal("0.010"))
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("59000"))
    await watch.until(lambda: any(o.order_id == stop.order_id for o in stream.orders(BTC)), "the stop")
    venue.set_mark_price(BTC, Decimal("58900"))
    await watch.until(wants(stream, "0", "0.010"), "the stop to close the long leg")
    await watch.until(lambda: not any(o.conditional for o in stream.orders(BTC)), "the stop to leave")
    await same_as_rest(hk, stream)


async def test_trailing_stop_fires(hk: HedgeClient, venue: SimulatedVenue, stream: LiveStream,
                                   watch: Watcher) -> None:
    await hk.open_short(BTC, Decimal("0.010"))
    trail = await hk.trailing_stop(BTC, PositionSide.SHORT, Decimal("0.010"), Decimal("1"))
    await watch.until(lambda: any(o.order_id == trail.order_id for o in stream.orders(BTC)), "the trailing stop")
    for mark in ("59500", "59000", "58500", "59200"):  # a fall, then a 1.2% rise from the low
        venue.set_mark_price(BTC, Decimal(mark))
    await watch.until(wants(stream, "0", "0"), "the trailing stop to close the short leg")
    await same_as_rest(hk, stream)
    assert stream.orders(BTC) == []


async def test_cancel(hk: HedgeClient, stream: LiveStream, watch: Watcher) -> None:
    order = await hk.open_long(BTC, Decimal("0.010"), price=Decimal("50000"))
    await watch.until(lambda: [o.order_id for o in stream.orders(BTC)] == [order.order_id], "the resting order")
    held = stream.orders(BTC)[0]
    assert held.price == Decimal("50000") and held.position_side is PositionSide.LONG
    await hk.cancel_order(order)
    await watch.until(lambda: stream.orders(BTC) == [], "the cancel")
    [canceled] = [o for o in watch.orders(OrderStatus.CANCELED) if o.order_id == order.order_id]
    assert canceled.status is OrderStatus.CANCELED
    await same_as_rest(hk, stream)


async def test_liquidation(hk: HedgeClient, venue: SimulatedVenue, stream: LiveStream, watch: Watcher) -> None:
    await hk.open_long(BTC, Decimal("1.000"))
    await watch.until(wants(stream, "1.000", "0"), "the large long leg")
    venue.set_mark_price(BTC, Decimal("45000"))
    assert venue.engine.liquidations, "the simulator should have liquidated the leg"
    await watch.until(wants(stream, "0", "0"), "the liquidation")
    await same_as_rest(hk, stream)


async def test_stream_reads_send_no_request(hk: HedgeClient, venue: SimulatedVenue, stream: LiveStream) -> None:
    before = len(venue.requests)
    for _ in range(50):
        stream.legs(BTC)
        stream.orders(BTC)
    assert len(venue.requests) == before
