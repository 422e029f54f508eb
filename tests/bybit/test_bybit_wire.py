"""What Bybit receives: the exact JSON body for each intent in each mode (VENUES.md §3.3, §3.6)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgekit import HedgeClient, InvalidRequest, MarginMode, OrderType, PositionMode, PositionSide, TimeInForce, WorkingType
from hedgekit.testing import SimulatedVenue

from .conftest import BTC, ETH, body, last, writes

HEDGE_CASES = [
    ("open_long", "Buy", 1, False),
    ("close_long", "Sell", 1, True),
    ("open_short", "Sell", 2, False),
    ("close_short", "Buy", 2, True),
]
ONE_WAY_CASES = [
    ("open_long", "Buy", False),
    ("close_long", "Sell", True),
    ("open_short", "Sell", False),
    ("close_short", "Buy", True),
]


def _opener(intent: str) -> str:
    return "open_long" if intent == "close_long" else "open_short"


@pytest.mark.parametrize("intent, side, idx, reduce", HEDGE_CASES)
async def test_hedge_mode_market_intents(
    hk: HedgeClient, venue: SimulatedVenue, intent: str, side: str, idx: int, reduce: bool
) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    if intent.startswith("close"):
        await getattr(hk, _opener(intent))(BTC, Decimal("0.010"))
    order = await getattr(hk, intent)(BTC, Decimal("0.010"))
    sent = body(last(venue, "POST", "/v5/order/create"))
    expected = {"category": "linear", "symbol": "BTCUSDT", "side": side, "orderType": "Market", "qty": "0.01",
                "positionIdx": idx, "orderLinkId": order.client_order_id}
    if reduce:
        expected["reduceOnly"] = True  # "must specify it as true when you are about to close"
    assert sent == expected
    assert type(sent["positionIdx"]) is int  # a JSON integer, not "1"
    assert order.position_side is (PositionSide.LONG if idx == 1 else PositionSide.SHORT)


@pytest.mark.parametrize("intent, side, reduce", ONE_WAY_CASES)
async def test_one_way_mode_market_intents(
    hk: HedgeClient, venue: SimulatedVenue, intent: str, side: str, reduce: bool
) -> None:
    if intent.startswith("close"):
        await getattr(hk, _opener(intent))(BTC, Decimal("0.010"))
    await getattr(hk, intent)(BTC, Decimal("0.010"))
    sent = body(last(venue, "POST", "/v5/order/create"))
    assert sent["side"] == side and sent["positionIdx"] == 0 and sent["qty"] == "0.01"
    assert sent.get("reduceOnly", False) is reduce


@pytest.mark.parametrize("tif, wire", [(None, "GTC"), (TimeInForce.IOC, "IOC"), (TimeInForce.POST_ONLY, "PostOnly")])
async def test_limit_order_carries_price_and_time_in_force(
    hk: HedgeClient, venue: SimulatedVenue, tif: TimeInForce | None, wire: str
) -> None:
    await hk.open_long(BTC, Decimal("0.010"), price=Decimal("50000.5"), time_in_force=tif)
    sent = body(last(venue, "POST", "/v5/order/create"))
    assert sent["orderType"] == "Limit" and sent["price"] == "50000.5" and sent["timeInForce"] == wire


@pytest.mark.parametrize(
    "leg, kind, trigger, side, idx, direction",
    [
        (PositionSide.LONG, "stop", "55000", "Sell", 1, 2),  # a long's stop sells when the price falls
        (PositionSide.LONG, "tp", "65000", "Sell", 1, 1),
        (PositionSide.SHORT, "stop", "65000", "Buy", 2, 1),
        (PositionSide.SHORT, "tp", "55000", "Buy", 2, 2),
    ],
)
async def test_conditional_orders_carry_trigger_direction_and_leg(
    hk: HedgeClient, venue: SimulatedVenue, leg: PositionSide, kind: str, trigger: str, side: str, idx: int,
    direction: int,
) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    call = hk.stop_market if kind == "stop" else hk.take_profit_market
    order = await call(BTC, leg, Decimal(trigger), working_type=WorkingType.CONTRACT_PRICE)
    sent = body(last(venue, "POST", "/v5/order/create"))
    assert sent == {"category": "linear", "symbol": "BTCUSDT", "side": side, "orderType": "Market", "qty": "0",
                    "positionIdx": idx, "orderLinkId": order.client_order_id, "reduceOnly": True,
                    "triggerPrice": trigger, "triggerDirection": direction, "triggerBy": "LastPrice",
                    "closeOnTrigger": True}
    assert order.conditional and order.close_position and order.quantity is None
    assert order.type is (OrderType.STOP_MARKET if kind == "stop" else OrderType.TAKE_PROFIT_MARKET)


async def test_stop_with_quantity_and_mark_trigger(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(BTC, Decimal("0.010"))  # one-way
    await hk.stop_market(BTC, PositionSide.LONG, Decimal("55000"), Decimal("0.005"))
    sent = body(last(venue, "POST", "/v5/order/create"))
    assert sent["qty"] == "0.005" and sent["positionIdx"] == 0 and sent["triggerBy"] == "MarkPrice"
    assert "closeOnTrigger" not in sent and sent["reduceOnly"] is True


@pytest.mark.parametrize("activation, distance", [(None, "600"), (Decimal("59000"), "590")])
async def test_trailing_stop_is_a_position_setting(
    hk: HedgeClient, venue: SimulatedVenue, activation: Decimal | None, distance: str
) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    await hk.open_long(BTC, Decimal("0.010"))
    order = await hk.trailing_stop(BTC, PositionSide.LONG, Decimal("0.010"), Decimal("1"), activation_price=activation)
    sent = body(last(venue, "POST", "/v5/position/trading-stop"))
    expected = {"category": "linear", "symbol": "BTCUSDT", "tpslMode": "Full", "positionIdx": 1, "trailingStop": distance}
    if activation is not None:
        expected["activePrice"] = "59000"
    assert sent == expected
    assert order.type is OrderType.TRAILING_STOP_MARKET and order.callback_rate == Decimal("1")
    assert order.activation_price == activation and order.position_side is PositionSide.LONG
    await hk.cancel_order(order)
    assert body(last(venue, "POST", "/v5/position/trading-stop"))["trailingStop"] == "0"
    assert await hk.open_orders(BTC) == []


async def test_trailing_stop_must_cover_the_whole_leg(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    before = writes(venue)
    with pytest.raises(InvalidRequest, match="empty"):  # refused here: nothing sent
        await hk.trailing_stop(BTC, PositionSide.SHORT, Decimal("0.010"), Decimal("1"))
    assert writes(venue) == before
    await hk.open_short(BTC, Decimal("0.010"))
    before = writes(venue)
    with pytest.raises(InvalidRequest, match="whole short leg"):
        await hk.trailing_stop(BTC, PositionSide.SHORT, Decimal("0.005"), Decimal("1"))
    assert writes(venue) == before


@pytest.mark.parametrize("mode, value", [(PositionMode.HEDGE, 3), (PositionMode.ONE_WAY, 0)])
async def test_switch_mode_body(hk: HedgeClient, venue: SimulatedVenue, mode: PositionMode, value: int) -> None:
    if mode is PositionMode.ONE_WAY:
        await hk.set_position_mode(PositionMode.HEDGE, symbol=ETH)
    await hk.set_position_mode(mode, symbol=ETH)
    assert body(last(venue, "POST", "/v5/position/switch-mode")) == {"category": "linear", "symbol": "ETHUSDT",
                                                                       "mode": value}


async def test_coin_wide_switch_body(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    assert body(last(venue, "POST", "/v5/position/switch-mode")) == {"category": "linear", "coin": "USDT", "mode": 3}


async def test_leverage_margin_and_margin_mode_bodies(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_leverage(BTC, 7)
    assert body(last(venue, "POST", "/v5/position/set-leverage")) == {
        "category": "linear", "symbol": "BTCUSDT", "buyLeverage": "7", "sellLeverage": "7"}
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)
    assert body(last(venue, "POST", "/v5/account/set-margin-mode")) == {"setMarginMode": "ISOLATED_MARGIN"}
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)  # already: read, nothing sent
    assert writes(venue).count("/v5/account/set-margin-mode") == 1
    await hk.open_short(BTC, Decimal("0.010"))
    await hk.adjust_margin(BTC, PositionSide.SHORT, Decimal("2.5"))
    await hk.adjust_margin(BTC, PositionSide.SHORT, Decimal("-1.5"))
    assert body(last(venue, "POST", "/v5/position/add-margin")) == {
        "category": "linear", "symbol": "BTCUSDT", "margin": "-1.5", "positionIdx": 2}
    result = await hk.set_leverage(BTC, 5, PositionSide.LONG)  # per leg: isolated + hedge only
    assert (result.long, result.short) == (5, 7)
    assert body(last(venue, "POST", "/v5/position/set-leverage"))["sellLeverage"] == "7"
    before = writes(venue)
    # manual-add-margin.mdx: margin "Support up to 4 decimal"; refused here, nothing sent
    with pytest.raises(InvalidRequest, match="up to 4 decimals"):
        await hk.adjust_margin(BTC, PositionSide.SHORT, Decimal("1.00005"))
    assert writes(venue) == before


async def test_signed_headers(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.position_mode(BTC)
    req = last(venue, "GET", "/v5/position/list")
    assert req.query_string == "category=linear&limit=200&symbol=BTCUSDT"
    assert req.headers["X-BAPI-RECV-WINDOW"] == "5000"
    assert len(req.headers["X-BAPI-SIGN"]) == 64 and req.headers["X-BAPI-API-KEY"] == venue.credentials["api_key"]


async def test_open_orders_read_every_page_of_fifty(hk: HedgeClient, venue: SimulatedVenue) -> None:
    for i in range(61):
        venue.engine.place_order("BTCUSDT", "BUY", Decimal("0.001"), order_type="LIMIT",
                                 price=Decimal(50000 + i))
    orders = await hk.open_orders(BTC)
    assert len(orders) == 61 and len({o.order_id for o in orders}) == 61
    pages = [r for r in venue.requests if r.path == "/v5/order/realtime"]
    assert [r.params.get("limit") for r in pages] == ["50", "50", "50", "50"]  # 2 pages, twice (regular, conditional)
    assert any("cursor" in r.params for r in pages)
