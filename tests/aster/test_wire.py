"""What Aster receives: the exact request for each intent in each mode (VENUES.md §1.3-§1.6)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import hedgekit
from hedgekit import HedgeClient, MarginMode, PositionMode, PositionSide, TimeInForce
from hedgekit.testing import RecordedRequest, SimulatedVenue

from .conftest import BTC, frontend, last

ORDER = "/fapi/v3/order"
#: What a hedgekit request may carry besides the order's own fields: the v3 auth parameters.
AUTH = {"user", "signer", "nonce", "signature"}


def fields(req: RecordedRequest) -> dict[str, str]:
    keep = ("symbol", "side", "positionSide", "type", "quantity", "price", "timeInForce", "reduceOnly",
            "stopPrice", "closePosition", "callbackRate", "activationPrice", "workingType")
    return {k: req.params[k] for k in keep if k in req.params}


def assert_v3_signed(req: RecordedRequest, venue: SimulatedVenue) -> None:
    assert AUTH <= set(req.params)
    assert req.params["user"] == venue.credentials["api_key"]
    assert "timestamp" not in req.params and "X-MBX-APIKEY" not in req.headers
    # never a builder fee the user did not ask for (ccxt's aster adds one by default, VENUES.md §5)
    assert not {"builder", "feeRate"} & set(req.params)


#: intent -> (side, positionSide in hedge mode, reduceOnly in one-way mode) (AST3 §New Order)
INTENTS = {
    "open_long": ("BUY", "LONG", False),
    "close_long": ("SELL", "LONG", True),
    "open_short": ("SELL", "SHORT", False),
    "close_short": ("BUY", "SHORT", True),
}


async def test_every_intent_in_hedge_mode(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    for intent, (side, position_side, _) in INTENTS.items():
        await getattr(hk, intent)(BTC, Decimal("0.010"))  # each close follows its own open
        req = last(venue, "POST", ORDER)
        assert fields(req) == {"symbol": "BTCUSDT", "side": side, "positionSide": position_side,
                               "type": "MARKET", "quantity": "0.01"}, intent
        # "reduceOnly ... Cannot be sent in Hedge Mode" (AST3 §New Order): the fields above have none
        assert req.params["newClientOrderId"] and req.params["newOrderRespType"] == "RESULT"
        assert_v3_signed(req, venue)


async def test_every_intent_in_one_way_mode(hk: HedgeClient, venue: SimulatedVenue) -> None:
    for intent, (side, _, reduce) in INTENTS.items():
        await getattr(hk, intent)(BTC, Decimal("0.010"))  # each close follows its own open
        req = last(venue, "POST", ORDER)
        expected = {"symbol": "BTCUSDT", "side": side, "positionSide": "BOTH", "type": "MARKET",
                    "quantity": "0.01"}
        if reduce:
            expected["reduceOnly"] = "true"
        assert fields(req) == expected, intent
        assert_v3_signed(req, venue)


async def test_limit_stop_and_trailing_stop_share_the_order_endpoint(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.open_long(BTC, Decimal("0.020"))
    await hk.open_short(BTC, Decimal("0.020"), price=Decimal("61000"), client_order_id="bot-1")
    req = last(venue, "POST", ORDER)
    assert fields(req) == {"symbol": "BTCUSDT", "side": "SELL", "positionSide": "SHORT", "type": "LIMIT",
                           "quantity": "0.02", "price": "61000", "timeInForce": "GTC"}
    assert req.params["newClientOrderId"] == "bot-1"
    await hk.open_long(BTC, Decimal("0.010"), price=Decimal("59000.5"), time_in_force=TimeInForce.POST_ONLY)
    assert last(venue, "POST", ORDER).params["timeInForce"] == "GTX"

    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("58000"))
    req = last(venue, "POST", ORDER)
    assert fields(req) == {"symbol": "BTCUSDT", "side": "SELL", "positionSide": "LONG", "type": "STOP_MARKET",
                           "stopPrice": "58000", "closePosition": "true", "workingType": "MARK_PRICE"}
    assert stop.conditional and stop.close_position and stop.trigger_price == Decimal("58000")

    trail = await hk.trailing_stop(BTC, PositionSide.LONG, Decimal("0.010"), Decimal("1.5"),
                                   activation_price=Decimal("61000"))
    req = last(venue, "POST", ORDER)
    assert fields(req) == {"symbol": "BTCUSDT", "side": "SELL", "positionSide": "LONG",
                           "type": "TRAILING_STOP_MARKET", "quantity": "0.01", "callbackRate": "1.5",
                           "activationPrice": "61000", "workingType": "MARK_PRICE"}
    assert (trail.callback_rate, trail.activation_price) == (Decimal("1.5"), Decimal("61000"))
    assert {r.path for r in venue.requests if r.method == "POST"} == {ORDER, "/fapi/v3/positionSide/dual"}
    for req in venue.requests:
        if req.method != "GET" or req.path != "/fapi/v3/exchangeInfo":
            assert_v3_signed(req, venue)


async def test_one_way_stop_with_quantity_is_reduce_only(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.take_profit_market(BTC, PositionSide.LONG, Decimal("65000"), Decimal("0.010"))
    req = last(venue, "POST", ORDER)
    assert (req.params["type"], req.params["side"], req.params["positionSide"], req.params["reduceOnly"]) == (
        "TAKE_PROFIT_MARKET", "SELL", "BOTH", "true")


async def test_mode_switch_reads_every_kind_of_exposure(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    assert last(venue, "POST", "/fapi/v3/positionSide/dual").params["dualSidePosition"] == "true"
    gets = [r.path for r in venue.requests if r.method == "GET"]
    # mode, positions and open orders (stops included: one listing on Aster), nothing else
    assert sorted(set(gets)) == ["/fapi/v3/exchangeInfo", "/fapi/v3/openOrders", "/fapi/v3/positionRisk",
                                 "/fapi/v3/positionSide/dual"]
    assert gets.count("/fapi/v3/openOrders") == 1  # regular and conditional listings share one request


async def test_margin_and_leverage_wire(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)
    assert last(venue, "POST", "/fapi/v3/marginType").params["marginType"] == "ISOLATED"
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)  # -4046 "No need to change margin type." is success
    await hk.open_short(BTC, Decimal("0.010"))
    await hk.adjust_margin(BTC, PositionSide.SHORT, Decimal("5"))
    assert last(venue, "POST", "/fapi/v3/positionMargin").params["type"] == "1"
    await hk.adjust_margin(BTC, PositionSide.SHORT, Decimal("-1.5"))
    req = last(venue, "POST", "/fapi/v3/positionMargin")
    assert {k: req.params[k] for k in ("symbol", "positionSide", "amount", "type")} == {
        "symbol": "BTCUSDT", "positionSide": "SHORT", "amount": "1.5", "type": "2"}
    result = await hk.set_leverage(BTC, 25)
    assert (result.long, result.short) == (25, 25)
    assert last(venue, "POST", "/fapi/v3/leverage").params["leverage"] == "25"
    with pytest.raises(hedgekit.InvalidRequest, match="per symbol"):
        await hk.set_leverage(BTC, 5, PositionSide.LONG)


async def test_connect_loads_futures_markets_only(venue: SimulatedVenue) -> None:
    async with hedgekit.connect("aster", base_url=venue.base_url, **venue.credentials) as client:
        market = client.market("BTCUSDT")
        assert market.symbol == BTC and market.tick_size == Decimal("0.1") and market.lot_step == Decimal("0.001")
        assert market.min_notional == Decimal("5")
        assert set(client.markets) == {BTC, "ETH/USDT:USDT", "SOL/USDT:USDT", "ASTER/USDT:USDT"}
    # no spot listing, no currencies, no builder lookup or approval (ccxt's sign_in)
    assert [(r.method, r.path) for r in venue.requests] == [("GET", "/fapi/v3/exchangeInfo")]


async def test_builder_fee_is_sent_only_when_configured(venue: SimulatedVenue) -> None:
    builder = "0x1F5877C19e3777Cfd15F9d57253eA4aA5254Ec39"
    frontend(venue).approve_builder(builder, "0.0005")
    options = {"builder": builder, "fee_rate": "0.0001"}
    async with hedgekit.connect("aster", base_url=venue.base_url, options=options, **venue.credentials) as client:
        await client.open_long(BTC, Decimal("0.010"))
    req = last(venue, "POST", ORDER)
    assert (req.params["builder"], req.params["feeRate"]) == (builder, "0.0001")
