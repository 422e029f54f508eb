"""Bybit end to end through ``hk.stream()``: after each step, stream.legs() equals a REST ``hk.legs()``.

Compared on an open leg: every field Bybit's ``position`` push carries (size, entry price, mark,
unrealised PnL, liquidation price, initial margin, leverage, notional; BYB position.mdx); on a flat
leg: its size. Orders: the stream's open orders equal REST's open regular and conditional orders.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, LiveStream, OrderChanged, OrderStatus, PositionMode, PositionSide, Resynced
from hedgekit.testing import SimulatedVenue

BTC = "BTC/USDT:USDT"
MARKS = {BTC: Decimal("60000"), "ETH/USDT:USDT": Decimal("3000")}
PUSHED = ("size", "entry_price", "mark_price", "unrealized_pnl", "liquidation_price", "margin", "leverage",
          "notional")


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("bybit", mark_prices=dict(MARKS)) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("bybit", base_url=venue.base_url, rate_limit=False, **venue.credentials) as client:
        await client.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        yield client


class Watch:
    def __init__(self, stream: LiveStream) -> None:
        self.stream = stream
        self.events: list[Any] = []
        self._changed = asyncio.Event()
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        async for event in self.stream:
            self.events.append(event)
            self._changed.set()

    async def until(self, done: Callable[[], bool], what: str, timeout: float = 3.0) -> None:
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


@pytest_asyncio.fixture
async def stream(hk: HedgeClient) -> AsyncIterator[tuple[LiveStream, Watch]]:
    async with hk.stream([BTC], heartbeat=0.5) as live:
        watch = Watch(live)
        yield live, watch
        watch._task.cancel()


async def same_as_rest(hk: HedgeClient, live: LiveStream) -> None:
    rest, pair = await hk.legs(BTC), live.legs(BTC)
    assert pair.mode is rest.mode is PositionMode.HEDGE
    for side in (PositionSide.LONG, PositionSide.SHORT):
        a, b = pair.leg(side), rest.leg(side)
        assert a.side is b.side is side
        assert a.size == b.size, f"{side} size: stream {a.size}, REST {b.size}"
        if b.size:
            for name in PUSHED:
                assert getattr(a, name) == getattr(b, name), f"{side} {name}: {getattr(a, name)} != {getattr(b, name)}"
    key = lambda o: (o.order_id, o.status, o.type, o.quantity, o.price, o.trigger_price)  # noqa: E731
    assert sorted(map(key, live.orders(BTC)), key=str) == sorted(map(key, await hk.open_orders(BTC)), key=str)


def sizes(live: LiveStream, long: str, short: str) -> Callable[[], bool]:
    return lambda: (live.legs(BTC).long.size, live.legs(BTC).short.size) == (Decimal(long), Decimal(short))


async def test_legs_and_orders_follow_rest(hk: HedgeClient, venue: SimulatedVenue,
                                           stream: tuple[LiveStream, Watch]) -> None:
    live, watch = stream
    await same_as_rest(hk, live)
    # open both legs
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.open_short(BTC, Decimal("0.020"))
    await watch.until(sizes(live, "0.010", "0.020"), "both legs")
    await same_as_rest(hk, live)
    # partial close
    await hk.close_short(BTC, Decimal("0.005"))
    await watch.until(sizes(live, "0.010", "0.015"), "the partial close")
    await same_as_rest(hk, live)
    # a resting order, then its cancel
    limit = await hk.open_long(BTC, Decimal("0.010"), price=Decimal("55000"))
    await watch.until(lambda: any(o.order_id == limit.order_id for o in live.orders(BTC)), "the limit order")
    await same_as_rest(hk, live)
    await hk.cancel_order(limit)
    await watch.until(lambda: not live.orders(BTC), "the cancel")
    await same_as_rest(hk, live)
    # a stop fires on a mark move
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("59000"))
    await watch.until(lambda: any(o.order_id == stop.order_id for o in live.orders(BTC)), "the stop")
    await same_as_rest(hk, live)
    venue.set_mark_price(BTC, "58800")
    await watch.until(sizes(live, "0", "0.015"), "the stop to close the long leg")
    await watch.until(lambda: not live.orders(BTC), "the stop to leave the open orders")
    await same_as_rest(hk, live)
    assert any(isinstance(e, OrderChanged) and e.order.order_id == stop.order_id
               and e.order.status is OrderStatus.FILLED for e in watch.events)
    # a trailing stop on the short leg fires
    trail = await hk.trailing_stop(BTC, PositionSide.SHORT, Decimal("0.015"), Decimal("1"))
    await watch.until(lambda: any(o.order_id == trail.order_id for o in live.orders(BTC)), "the trailing stop")
    await same_as_rest(hk, live)
    venue.set_mark_price(BTC, "58000")
    venue.set_mark_price(BTC, "58700")
    await watch.until(sizes(live, "0", "0"), "the trailing stop to close the short leg")
    await watch.until(lambda: not live.orders(BTC), "the trailing stop to leave")
    await same_as_rest(hk, live)


async def test_liquidation_and_reconnect(hk: HedgeClient, venue: SimulatedVenue,
                                         stream: tuple[LiveStream, Watch]) -> None:
    live, watch = stream
    await hk.set_leverage(BTC, 50)
    await hk.open_long(BTC, Decimal("1"))
    await hk.open_short(BTC, Decimal("0.1"))
    await watch.until(sizes(live, "1", "0.1"), "both legs")
    await same_as_rest(hk, live)
    # the venue drops the connection: the stream reconnects, re-reads REST and says so
    venue.disconnect_streams()
    await watch.until(lambda: any(isinstance(e, Resynced) for e in watch.events), "the resync")
    await same_as_rest(hk, live)
    venue.set_mark_price(BTC, "45000")
    assert venue.engine.liquidations
    await watch.until(lambda: live.legs(BTC).long.size == 0, "the liquidation")
    rest = await hk.legs(BTC)
    assert live.legs(BTC).long.size == rest.long.size == 0
    assert live.legs(BTC).short.size == rest.short.size
