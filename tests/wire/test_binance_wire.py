"""What Binance receives: the exact request for each intent in each mode (VENUES.md §2.3, §2.5, §2.6)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, MarginMode, PositionMode, PositionSide, TimeInForce
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.server import RecordedRequest

BTC = "BTC/USDT:USDT"


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("binance", mark_prices={BTC: Decimal("60000")}) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials) as client:
        yield client


def last(venue: SimulatedVenue, method: str, path: str) -> RecordedRequest:
    found = [r for r in venue.requests if r.method == method and r.path == path]
    assert found, f"no {method} {path} among {[(r.method, r.path) for r in venue.requests]}"
    return found[-1]


def order_fields(req: RecordedRequest) -> dict[str, str]:
    keep = ("symbol", "side", "positionSide", "type", "quantity", "price", "timeInForce", "reduceOnly")
    return {k: req.params[k] for k in keep if k in req.params}


HEDGE_CASES = [
    ("open_long", "BUY", "LONG"),
    ("close_long", "SELL", "LONG"),
    ("open_short", "SELL", "SHORT"),
    ("close_short", "BUY", "SHORT"),
]


@pytest.mark.parametrize("intent, side, position_side", HEDGE_CASES)
async def test_hedge_mode_market_intents(
    hk: HedgeClient, venue: SimulatedVenue, intent: str, side: str, position_side: str
) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    if intent.startswith("close"):
        opener = "open_long" if intent == "close_long" else "open_short"
        await getattr(hk, opener)(BTC, Decimal("0.010"))
    await getattr(hk, intent)(BTC, Decimal("0.010"))
    req = last(venue, "POST", "/fapi/v1/order")
    assert order_fields(req) == {
        "symbol": "BTCUSDT", "side": side, "positionSide": position_side, "type": "MARKET", "quantity": "0.01",
    }
    assert "reduceOnly" not in req.params  # forbidden in hedge mode (-1106)
    assert req.params["newClientOrderId"]
    assert req.params["newOrderRespType"] == "RESULT"
    assert "signature" in req.params and "timestamp" in req.params


@pytest.mark.parametrize(
    "intent, side, reduce",
    [("open_long", "BUY", False), ("close_long", "SELL", True), ("open_short", "SELL", False), ("close_short", "BUY", True)],
)
async def test_one_way_mode_market_intents(hk: HedgeClient, venue: SimulatedVenue, intent: str, side: str, reduce: bool) -> None:
    if intent.startswith("close"):
        opener = "open_long" if intent == "close_long" else "open_short"
        await getattr(hk, opener)(BTC, Decimal("0.010"))
    await getattr(hk, intent)(BTC, Decimal("0.010"))
    req = last(venue, "POST", "/fapi/v1/order")
    expected = {"symbol": "BTCUSDT", "side": side, "positionSide": "BOTH", "type": "MARKET", "quantity": "0.01"}
    if reduce:
        expected["reduceOnly"] = "true"
    assert order_fields(req) == expected


async def test_limit_order_carries_price_and_time_in_force(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.open_short(BTC, Decimal("0.020"), price=Decimal("61000"), client_order_id="bot-1")
    req = last(venue, "POST", "/fapi/v1/order")
    assert order_fields(req) == {
        "symbol": "BTCUSDT", "side": "SELL", "positionSide": "SHORT", "type": "LIMIT", "quantity": "0.02",
        "price": "61000", "timeInForce": "GTC",
    }
    assert req.params["newClientOrderId"] == "bot-1"
    await hk.open_long(BTC, Decimal("0.010"), price=Decimal("59000.5"), time_in_force=TimeInForce.POST_ONLY)
    assert last(venue, "POST", "/fapi/v1/order").params["timeInForce"] == "GTX"


async def test_stop_goes_to_the_algo_service_bound_to_its_leg(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.stop_market(BTC, PositionSide.LONG, Decimal("58000"))
    req = last(venue, "POST", "/fapi/v1/algoOrder")
    assert {k: req.params.get(k) for k in ("algoType", "symbol", "side", "positionSide", "type", "triggerPrice",
                                           "closePosition", "workingType")} == {
        "algoType": "CONDITIONAL", "symbol": "BTCUSDT", "side": "SELL", "positionSide": "LONG",
        "type": "STOP_MARKET", "triggerPrice": "58000", "closePosition": "true", "workingType": "MARK_PRICE",
    }
    assert "quantity" not in req.params and "reduceOnly" not in req.params
    assert req.params["clientAlgoId"]
    assert not [r for r in venue.requests if r.path == "/fapi/v1/order" and r.params.get("type") == "STOP_MARKET"]


async def test_trailing_stop_wire(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.open_short(BTC, Decimal("0.010"))
    await hk.trailing_stop(BTC, PositionSide.SHORT, Decimal("0.010"), Decimal("1.5"), activation_price=Decimal("59000"))
    req = last(venue, "POST", "/fapi/v1/algoOrder")
    assert req.params["type"] == "TRAILING_STOP_MARKET"
    assert (req.params["side"], req.params["positionSide"]) == ("BUY", "SHORT")
    assert (req.params["callbackRate"], req.params["activatePrice"], req.params["quantity"]) == ("1.5", "59000", "0.01")


async def test_one_way_stop_with_quantity_is_reduce_only(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.stop_market(BTC, PositionSide.LONG, Decimal("58000"), Decimal("0.010"))
    req = last(venue, "POST", "/fapi/v1/algoOrder")
    assert (req.params["side"], req.params["positionSide"], req.params["reduceOnly"]) == ("SELL", "BOTH", "true")


async def test_mode_switch_wire(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    req = last(venue, "POST", "/fapi/v1/positionSide/dual")
    assert req.params["dualSidePosition"] == "true"
    gets = {r.path for r in venue.requests if r.method == "GET"}
    # the local check read the mode and every kind of exposure, algo orders included
    assert {"/fapi/v1/positionSide/dual", "/fapi/v3/positionRisk", "/fapi/v1/openOrders",
            "/fapi/v1/openAlgoOrders"} <= gets


async def test_margin_and_leverage_wire(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)
    assert last(venue, "POST", "/fapi/v1/marginType").params["marginType"] == "ISOLATED"
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)  # -4046 "No need to change margin type." is success
    await hk.open_short(BTC, Decimal("0.010"))
    await hk.adjust_margin(BTC, PositionSide.SHORT, Decimal("5"))
    assert last(venue, "POST", "/fapi/v1/positionMargin").params["type"] == "1"
    await hk.adjust_margin(BTC, PositionSide.SHORT, Decimal("-1.5"))
    req = last(venue, "POST", "/fapi/v1/positionMargin")
    assert {k: req.params[k] for k in ("symbol", "positionSide", "amount", "type")} == {
        "symbol": "BTCUSDT", "positionSide": "SHORT", "amount": "1.5", "type": "2",
    }
    await hk.set_leverage(BTC, 25)  # raising is allowed with an isolated position open (lowering: -4161)
    assert last(venue, "POST", "/fapi/v1/leverage").params["leverage"] == "25"
    with pytest.raises(hedgekit.InvalidRequest, match="per symbol"):
        await hk.set_leverage(BTC, 5, PositionSide.LONG)


async def test_connect_loads_linear_markets_only(venue: SimulatedVenue) -> None:
    async with hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials) as client:
        assert "BTC/USDT:USDT" in client.markets
        market = client.market("BTCUSDT")
        assert market.symbol == BTC and market.tick_size > 0 and market.lot_step > 0
    paths = [r.path for r in venue.requests]
    assert paths == ["/fapi/v1/exchangeInfo"]
    assert not any(p.startswith(("/sapi", "/api/")) for p in paths)
