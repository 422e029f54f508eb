"""Property-based: invalid input to the facade gets a clear hedgekit error and sends nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hedgekit
from hedgekit import HedgeClient, PositionSide
from hedgekit.testing import SimulatedVenue

from ..conftest import VENUES

BTC = "BTC/USDT:USDT"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

non_finite = st.sampled_from([Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"),
                              float("nan"), float("inf"), float("-inf")])
non_positive = st.decimals(max_value=0, allow_nan=False, allow_infinity=False, places=6)
floats = st.floats(allow_nan=False, allow_infinity=False)
junk = st.one_of(st.none(), st.booleans(), st.text(max_size=8).filter(lambda t: not _numeric(t)), st.lists(st.integers(), max_size=2))
bad_number = st.one_of(non_finite, non_positive, floats, junk, non_positive.map(str))
bad_symbol = st.one_of(st.text(max_size=12).filter(lambda t: t.strip() not in ("BTC/USDT:USDT", "BTCUSDT", "BTC-USDT-SWAP")),
                       st.none(), st.integers())
bad_side = st.one_of(st.sampled_from(["LONG", "long", "short", 1, None, PositionSide.BOTH]), st.text(max_size=5))
bad_mode = st.one_of(st.sampled_from(["hedge", "HEDGE", "one_way", 0, 1, True, None]), st.text(max_size=5))


def _numeric(text: str) -> bool:
    try:
        value = Decimal(text.strip())
    except Exception:
        return False
    return value.is_finite() and value > 0


@pytest_asyncio.fixture(params=VENUES)
async def setup(request: Any) -> AsyncIterator[tuple[HedgeClient, SimulatedVenue]]:
    async with SimulatedVenue(request.param) as venue:
        async with hedgekit.connect(request.param, base_url=venue.base_url, **venue.credentials) as hk:
            await hk.position_mode(BTC)
            yield hk, venue


async def _refused(setup: tuple[HedgeClient, SimulatedVenue], call: Any) -> None:
    hk, venue = setup
    before = len(venue.requests)
    try:
        await call(hk)
    except hedgekit.HedgekitError as exc:
        assert str(exc)  # a readable message
    else:
        raise AssertionError("the facade accepted invalid input")
    assert len(venue.requests) == before, [r.path for r in venue.requests[before:]]


@SETTINGS
@given(quantity=bad_number, intent=st.sampled_from(["open_long", "open_short", "close_long", "close_short"]))
async def test_bad_quantity(setup: tuple[HedgeClient, SimulatedVenue], quantity: Any, intent: str) -> None:
    await _refused(setup, lambda hk: getattr(hk, intent)(BTC, quantity))


@SETTINGS
@given(price=bad_number.filter(lambda v: v is not None))
async def test_bad_price(setup: tuple[HedgeClient, SimulatedVenue], price: Any) -> None:
    await _refused(setup, lambda hk: hk.open_long(BTC, Decimal("0.01"), price=price))


@SETTINGS
@given(steps=st.integers(min_value=1, max_value=10**6), extra=st.integers(min_value=1, max_value=9))
async def test_off_step_quantity(setup: tuple[HedgeClient, SimulatedVenue], steps: int, extra: int) -> None:
    market = setup[0].market(BTC)
    quantity = market.lot_step * steps + market.lot_step * Decimal(extra) / 10
    await _refused(setup, lambda hk: hk.open_long(BTC, quantity))


@SETTINGS
@given(symbol=bad_symbol)
async def test_bad_symbol(setup: tuple[HedgeClient, SimulatedVenue], symbol: Any) -> None:
    await _refused(setup, lambda hk: hk.open_short(symbol, Decimal("0.01")))
    await _refused(setup, lambda hk: hk.legs(symbol))


@SETTINGS
@given(side=bad_side, mode=bad_mode)
async def test_bad_enums(setup: tuple[HedgeClient, SimulatedVenue], side: Any, mode: Any) -> None:
    await _refused(setup, lambda hk: hk.stop_market(BTC, side, Decimal("50000")))
    await _refused(setup, lambda hk: hk.adjust_margin(BTC, side, Decimal("5")))
    await _refused(setup, lambda hk: hk.set_position_mode(mode, BTC))
    await _refused(setup, lambda hk: hk.set_margin_mode(BTC, mode))


@SETTINGS
@given(leverage=st.one_of(st.integers(max_value=0), st.integers(min_value=10_000), floats, junk, st.just(True)))
async def test_bad_leverage(setup: tuple[HedgeClient, SimulatedVenue], leverage: Any) -> None:
    await _refused(setup, lambda hk: hk.set_leverage(BTC, leverage))


@SETTINGS
@given(cid=st.one_of(st.text(min_size=37, max_size=60), st.text(alphabet=" !@#$%^&*()+=[]{}|;'\",<>?~`", min_size=1, max_size=10), st.just("")))
async def test_bad_client_order_id(setup: tuple[HedgeClient, SimulatedVenue], cid: str) -> None:
    await _refused(setup, lambda hk: hk.open_long(BTC, Decimal("0.01"), client_order_id=cid))
