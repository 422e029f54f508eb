"""Conditional orders against each venue's documented ranges: refused before sending, and refused by
the simulator with the venue's own code when something sends them anyway (adapters/*/rules.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import hedgekit
from hedgekit import (
    ExchangeError,
    HedgeClient,
    Intent,
    InvalidRequest,
    MarginMode,
    OrderType,
    PositionMode,
    PositionSide,
)
from hedgekit.adapter import OrderRequest
from hedgekit.testing import SimulatedVenue
from hedgekit.validator import plan_order

from ..conftest import BTC, writes

D = Decimal
LONG = PositionSide.LONG

#: (the largest callback rate the venue takes, one just past it) in percent; Bybit and OKX publish
#: no bound, so hedgekit's own ceiling (100) is the edge there.
CALLBACK_EDGE = {"binance": ("20", "20.1"), "aster": ("5", "5.1"), "bybit": ("100", "100.1"), "okx": ("100", "100.1")}


async def long_leg(hk: HedgeClient) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    await hk.open_long(BTC, D("0.010"))


async def test_a_callback_rate_past_the_venue_range_is_refused_before_sending(
        hk: HedgeClient, venue: SimulatedVenue) -> None:
    await long_leg(hk)
    top, past = CALLBACK_EDGE[venue.venue]
    sent = len(venue.requests)
    for rate in (past, "0.09") if venue.venue in ("binance", "aster") else (past,):
        with pytest.raises(InvalidRequest, match="callback_rate"):
            await hk.trailing_stop(BTC, LONG, D("0.010"), D(rate))
    assert len(venue.requests) == sent
    order = await hk.trailing_stop(BTC, LONG, D("0.010"), D(top))
    assert order.callback_rate == D(top)


@pytest.mark.parametrize("venue_name", ["binance", "aster"])
async def test_a_fifty_percent_callback_is_never_sent(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await long_leg(hk)
    sent = len(venue.requests)
    with pytest.raises(InvalidRequest, match=f"callback_rate 50 is out of range: {venue.venue} takes"):
        await hk.trailing_stop(BTC, LONG, D("0.010"), D("50"))
    assert len(venue.requests) == sent


@pytest.mark.parametrize(("kind", "trigger"), [("stop", "60500"), ("take_profit", "59500")])
async def test_a_trigger_on_the_wrong_side_of_the_given_price_is_refused_before_sending(
        hk: HedgeClient, venue: SimulatedVenue, kind: str, trigger: str) -> None:
    await long_leg(hk)
    place = hk.stop_market if kind == "stop" else hk.take_profit_market
    sent = len(venue.requests)
    with pytest.raises(InvalidRequest, match="it would trigger at once"):
        await place(BTC, LONG, D(trigger), current_price=D("60000"))
    assert len(venue.requests) == sent
    good = "59500" if kind == "stop" else "60500"
    order = await place(BTC, LONG, D(good), current_price=D("60000"))
    assert order.trigger_price == D(good)


async def test_an_activation_price_on_the_wrong_side_is_refused_where_the_venue_refuses_it(
        hk: HedgeClient, venue: SimulatedVenue) -> None:
    await long_leg(hk)
    sent = len(venue.requests)
    if venue.venue == "bybit":  # trading-stop.mdx documents no side for activePrice: it is sent
        order = await hk.trailing_stop(BTC, LONG, D("0.010"), D("1"), activation_price=D("59000"),
                                       current_price=D("60000"))
        assert order.activation_price == D("59000")
        return
    with pytest.raises(InvalidRequest, match="activation price must be above the current price 60000"):
        await hk.trailing_stop(BTC, LONG, D("0.010"), D("1"), activation_price=D("59000"), current_price=D("60000"))
    assert len(venue.requests) == sent
    order = await hk.trailing_stop(BTC, LONG, D("0.010"), D("1"), activation_price=D("61000"),
                                   current_price=D("60000"))
    assert order.activation_price == D("61000")


async def test_one_way_orders_use_the_mark_their_position_read_brings(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(BTC, D("0.010"))  # one-way: the order path reads the position anyway
    venue.set_mark_price(BTC, D("61000"))
    before = writes(venue)
    with pytest.raises(InvalidRequest, match="must trigger below the current price 61000, not at 61500"):
        await hk.stop_market(BTC, LONG, D("61500"))
    assert writes(venue) == before  # the read went out, no write did
    order = await hk.stop_market(BTC, LONG, D("60500"))
    assert order.trigger_price == D("60500")


async def test_hedge_mode_adds_no_request_for_the_mark(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await long_leg(hk)
    sent = len(venue.requests)
    await hk.stop_market(BTC, LONG, D("59000"))
    assert len(venue.requests) == sent + 1  # the order itself, nothing read for the check


# -- the simulator refuses the same orders with the venue's own code --------------------------
def request(hk: HedgeClient, order_type: OrderType, numbers: dict[str, Decimal]) -> OrderRequest:
    market = hk.market(BTC)
    return OrderRequest.model_validate({
        "symbol": market.symbol, "market": market, "plan": plan_order(Intent.CLOSE_LONG, PositionMode.HEDGE),
        "type": order_type, "quantity": D("0.010"), "client_order_id": hk.new_client_order_id(), **numbers,
    })


#: What each simulator answers, sent past hedgekit's checks: callback rate past the range, a stop
#: closing a long triggering above the mark, a SELL trailing stop activating below it.
VENUE_CODES: dict[str, dict[str, str | None]] = {
    "binance": {"callback": "-1130", "trigger": "-2021", "activation": "-2021"},
    "aster": {"callback": "-1130", "trigger": "-2021", "activation": "-2021"},
    "bybit": {"callback": None, "trigger": "110093", "activation": None},
    "okx": {"callback": "51257", "trigger": "51304", "activation": "51258"},
}
CASES: dict[str, tuple[OrderType, dict[str, Decimal]]] = {
    "callback": (OrderType.TRAILING_STOP_MARKET, {"callback_rate": D("150")}),
    "trigger": (OrderType.STOP_MARKET, {"trigger_price": D("61000")}),
    "activation": (OrderType.TRAILING_STOP_MARKET, {"callback_rate": D("1"), "activation_price": D("59000")}),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_the_simulator_enforces_the_venue_rule_with_its_code(
        hk: HedgeClient, venue: SimulatedVenue, case: str) -> None:
    await long_leg(hk)
    order_type, numbers = CASES[case]
    expected = VENUE_CODES[venue.venue][case]
    if venue.venue in ("binance", "aster") and case == "callback":
        numbers = {"callback_rate": D(CALLBACK_EDGE[venue.venue][1])}
    if expected is None:  # the venue documents no such refusal: the simulator takes the order
        order = await hk.adapter.place_order(request(hk, order_type, numbers))
        assert order.type is order_type
        return
    with pytest.raises(ExchangeError) as info:
        await hk.adapter.place_order(request(hk, order_type, numbers))
    assert str(info.value.code) == expected


@pytest.mark.parametrize("venue_name", ["okx"])
async def test_okx_takes_a_fifty_percent_ratio_as_its_documents_allow(hk: HedgeClient, venue: SimulatedVenue) -> None:
    # 51257 "{min}< x<={max}%": OKX publishes no numbers (rules.py, UNCONFIRMED), so 0.5 is sent
    await long_leg(hk)
    order = await hk.trailing_stop(BTC, LONG, D("0.010"), D("50"))
    assert order.callback_rate == D("50")
    assert venue.requests[-1].params.get("callbackRatio") in ("0.5", "0.50")


# -- lowering isolated leverage under a position (EngineRules.leverage_reduction_blocked) ------
async def test_lowering_isolated_leverage_under_a_position(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)
    await hk.set_leverage(BTC, 20)
    await hk.open_long(BTC, D("0.010"))
    margin = venue.engine.leg(BTC, "LONG").isolated_margin
    if venue.venue in ("binance", "aster"):  # -4161 (ccxt binance.py; AST3 error codes)
        with pytest.raises(ExchangeError) as info:
            await hk.set_leverage(BTC, 10)
        assert str(info.value.code) == "-4161"
        assert venue.engine.leverage(BTC, "LONG") == 20
        return
    await hk.set_leverage(BTC, 10)  # Bybit and OKX take it and move margin into the leg
    assert venue.engine.leverage(BTC, "LONG") == 10
    assert venue.engine.leg(BTC, "LONG").isolated_margin == 2 * margin


@pytest.mark.parametrize("venue_name", ["bybit", "okx"])  # Binance and Aster refuse any lowering (-4161)
async def test_lowering_without_the_margin_for_it(venue_name: str) -> None:
    # Bybit and OKX draw the margin a lowering needs from the available balance; short of it, the
    # venue's refusal (Bybit error.mdx 110012; OKX 59103) and nothing changes
    async with SimulatedVenue(venue_name, balance=D("400"), mark_prices={BTC: D("60000")}) as sim:
        async with hedgekit.connect(venue_name, base_url=sim.base_url, **sim.credentials) as hk:
            await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
            await hk.set_margin_mode(BTC, MarginMode.ISOLATED)
            await hk.set_leverage(BTC, 20)
            await hk.open_long(BTC, D("0.100"))  # 6000 notional: 300 of 400 in the leg
            with pytest.raises(ExchangeError) as info:
                await hk.set_leverage(BTC, 10)  # 300 more needed
            assert str(info.value.code) == {"bybit": "110012", "okx": "59103"}[venue_name]
            assert sim.engine.leverage(BTC, "LONG") == 20
            await hk.set_leverage(BTC, 15)  # 100 more: exactly what is left
            assert sim.engine.leverage(BTC, "LONG") == 15
