"""Leverage is a Decimal: fractional where the venue takes fractions (Bybit, OKX), whole on Binance and Aster."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgekit import HedgeClient, InvalidRequest, PositionMode
from hedgekit.testing import SimulatedVenue

from ..conftest import BTC, writes


async def test_whole_leverage_reads_back_as_a_decimal_equal_to_the_int(hk: HedgeClient, venue: SimulatedVenue) -> None:
    result = await hk.set_leverage(BTC, 15)
    assert isinstance(result.long, Decimal) and result.long == 15 and result.short == 15
    pair = await hk.legs(BTC)
    assert isinstance(pair.long.leverage, Decimal) and pair.long.leverage == 15
    assert str(pair.long.leverage) == "15"


@pytest.mark.parametrize("venue_name", ["bybit", "okx"])
async def test_fractional_leverage_where_the_venue_takes_it(hk: HedgeClient, venue: SimulatedVenue) -> None:
    result = await hk.set_leverage(BTC, Decimal("12.5"))
    assert (result.long, result.short) == (Decimal("12.5"), Decimal("12.5"))
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    await hk.open_long(BTC, Decimal("0.01"))
    pair = await hk.legs(BTC)
    assert pair.long.leverage == Decimal("12.5")
    assert pair.long.margin == Decimal("0.01") * Decimal("60000") / Decimal("12.5")  # 48 USDT at the mark
    assert venue.engine.leverage(BTC, "LONG") == Decimal("12.5")


@pytest.mark.parametrize("venue_name", ["bybit", "okx"])
async def test_leverage_off_the_step_is_refused_locally(hk: HedgeClient, venue: SimulatedVenue) -> None:
    before = writes(venue)
    with pytest.raises(InvalidRequest, match="leverage step 0.01"):
        await hk.set_leverage(BTC, Decimal("12.345"))
    assert writes(venue) == before


@pytest.mark.parametrize("venue_name", ["aster", "binance"])
@pytest.mark.parametrize("value", [Decimal("12.5"), "12.5", Decimal("1.01")])
async def test_whole_number_venues_refuse_a_fraction_before_sending(
    hk: HedgeClient, venue: SimulatedVenue, value: object
) -> None:
    before = writes(venue)
    with pytest.raises(InvalidRequest, match="whole-number leverage only"):
        await hk.set_leverage(BTC, value)  # type: ignore[arg-type]
    assert writes(venue) == before


@pytest.mark.parametrize("venue_name", ["aster", "binance"])
async def test_whole_number_venues_take_a_whole_decimal(hk: HedgeClient, venue: SimulatedVenue) -> None:
    result = await hk.set_leverage(BTC, Decimal("7.00"))
    assert result.long == 7
    assert venue.engine.leverage(BTC) == 7


@pytest.mark.parametrize("value", [0, Decimal("0.5"), 10_000, 1.5, "x", True])
async def test_bad_leverage_is_refused(hk: HedgeClient, venue: SimulatedVenue, value: object) -> None:
    before = writes(venue)
    with pytest.raises(InvalidRequest):
        await hk.set_leverage(BTC, value)  # type: ignore[arg-type]
    assert writes(venue) == before
