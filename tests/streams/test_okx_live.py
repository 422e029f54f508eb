"""OKX end to end through ``hk.stream()``: after each step the stream's legs equal a REST ``hk.legs()``.

OKX pushes size, entry price, mark price, unrealised PnL, liquidation price, margin, margin mode and
leverage in each ``positions`` row (trading_account.md §Positions channel), but after an order only
the position that changed ("only the data of that position will be pushed"): the other cross leg's
liquidation price and PnL move too and refresh with the regular snapshot, which the simulator sends
when the mark moves. So size, entry price, margin mode and leverage are compared after every step,
and liquidation price and unrealised PnL as well after a mark move.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, LegPair, LiveStream, PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue

BTC = "BTC/USDT:USDT"


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("okx", mark_prices={BTC: Decimal("60000")}) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("okx", base_url=venue.base_url, rate_limit=False, **venue.credentials) as client:
        await client.set_position_mode(PositionMode.HEDGE)
        yield client


def _view(pair: LegPair, full: bool) -> list[tuple[object, ...]]:
    return [(leg.side, leg.size, leg.entry_price if leg.size else None,
             leg.margin_mode if leg.size else None, leg.leverage if leg.size else None)
            + ((leg.liquidation_price, leg.unrealized_pnl, leg.mark_price) if full and leg.size else ())
            for leg in (pair.long, pair.short)]


async def _settled(stream: LiveStream, hk: HedgeClient, ready: Callable[[LegPair], bool] = lambda p: True,
                   *, full: bool = False) -> None:
    """Wait until the stream's legs equal REST's (the pushes arrive within milliseconds)."""
    for _ in range(100):
        rest = await hk.legs(BTC)
        live = stream.legs(BTC)
        if ready(live) and _view(live, full) == _view(rest, full):
            return
        await asyncio.sleep(0.02)
    assert _view(stream.legs(BTC), full) == _view(await hk.legs(BTC), full)


async def test_stream_legs_follow_rest(venue: SimulatedVenue, hk: HedgeClient) -> None:
    async with hk.stream([BTC], heartbeat=1.0) as stream:
        await _settled(stream, hk)
        await hk.open_long(BTC, Decimal("0.02"))
        await hk.open_short(BTC, Decimal("0.01"))
        await _settled(stream, hk, lambda p: p.long.size == Decimal("0.02") and p.short.size == Decimal("0.01"))
        await hk.close_long(BTC, Decimal("0.01"))
        await _settled(stream, hk, lambda p: p.long.size == Decimal("0.01"))
        stop = await hk.stop_market(BTC, PositionSide.SHORT, Decimal("61000"), Decimal("0.01"))
        for _ in range(100):
            if any(o.order_id == stop.order_id for o in stream.orders(BTC)):
                break
            await asyncio.sleep(0.02)
        rest_ids = {o.order_id for o in await hk.open_orders(BTC)}
        assert {o.order_id for o in stream.orders(BTC)} == rest_ids == {stop.order_id}
        venue.set_mark_price(BTC, Decimal("61100"))  # the stop closes the short
        await _settled(stream, hk, lambda p: p.short.size == 0, full=True)
        venue.set_mark_price(BTC, Decimal("60500"))  # the regular snapshot carries the new figures
        await _settled(stream, hk, lambda p: p.long.mark_price == Decimal("60500"), full=True)
        assert not any(o.order_id == stop.order_id for o in stream.orders(BTC))
        await hk.close_leg(BTC, PositionSide.LONG)
        await _settled(stream, hk, lambda p: p.long.size == 0)
