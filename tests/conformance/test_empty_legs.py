"""A flat leg has the same fields on every venue (Leg's rule), from REST and from a live stream.

The rule (hedgekit.models.Leg): size, unrealized_pnl, notional and margin are 0; entry_price and
liquidation_price are None; mark_price, leverage and margin_mode carry the venue's values.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

from hedgekit.models import ZERO

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, Leg, MarginMode, PositionMode
from hedgekit.testing import SimulatedVenue

from ..conftest import BTC, MARKS, VENUES

#: Fields a flat leg leaves None, on every venue.
NONE_WHEN_FLAT = {"entry_price", "liquidation_price"}
#: Fields compared (updated_at and raw are the venue's own: some give a time for a flat leg, some not).
FIELDS = ("size", "entry_price", "mark_price", "unrealized_pnl", "liquidation_price", "margin", "margin_mode",
          "leverage", "notional")


def none_fields(leg: Leg) -> set[str]:
    return {name for name in FIELDS if getattr(leg, name) is None}


def check_flat(leg: Leg, mark: Decimal, leverage: Decimal) -> None:
    assert none_fields(leg) == NONE_WHEN_FLAT, leg
    assert (leg.size, leg.unrealized_pnl, leg.notional, leg.margin) == (ZERO, ZERO, ZERO, ZERO)
    assert leg.mark_price == mark
    assert leg.leverage == leverage and isinstance(leg.leverage, Decimal)
    assert leg.margin_mode is MarginMode.CROSS


@pytest_asyncio.fixture(params=VENUES)
async def venue(request: pytest.FixtureRequest) -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue(str(request.param), mark_prices=dict(MARKS)) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect(venue.venue, base_url=venue.base_url, rate_limit=False, **venue.credentials) as client:
        await client.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        await client.set_leverage(BTC, 7)
        yield client


async def test_never_traded_legs_read_alike(hk: HedgeClient, venue: SimulatedVenue) -> None:
    pair = await hk.legs(BTC)
    for leg in (pair.long, pair.short):
        check_flat(leg, MARKS[BTC], Decimal(7))


async def test_flat_leg_beside_an_open_one_reads_alike(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(BTC, Decimal("0.01"))
    pair = await hk.legs(BTC)
    assert pair.long.is_open and none_fields(pair.long) <= {"liquidation_price"}  # a cross leg may have none
    check_flat(pair.short, MARKS[BTC], Decimal(7))


async def test_closed_leg_reads_like_a_never_opened_one(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_short(BTC, Decimal("0.01"))
    await hk.close_short(BTC, Decimal("0.01"))
    pair = await hk.legs(BTC)
    check_flat(pair.short, MARKS[BTC], Decimal(7))
    check_flat(pair.long, MARKS[BTC], Decimal(7))


async def test_stream_flat_legs_have_the_rest_fields(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(BTC, Decimal("0.01"))
    rest = await hk.legs(BTC)
    async with hk.stream([BTC], heartbeat=1.0) as live:
        for _ in range(50):
            pair = live.legs(BTC)
            if pair.long.is_open:
                break
            await asyncio.sleep(0.02)
        assert none_fields(pair.short) == none_fields(rest.short) == NONE_WHEN_FLAT
        check_flat(pair.short, MARKS[BTC], Decimal(7))
