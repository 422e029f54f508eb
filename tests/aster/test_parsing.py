"""Aster parsing and error mapping, without a network: AST3 sample payloads and malformed answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from hedgekit import MarginMode, OrderStatus, OrderType, PositionSide
from hedgekit.adapter import ConnectConfig
from hedgekit.ccxt_bridge import VenueReply
from hedgekit.errors import (
    AuthenticationError,
    ClockSkew,
    ExchangeError,
    ExchangeUnavailable,
    MalformedResponse,
    ModeChangeBlocked,
    OrderRejected,
    PositionSideMismatch,
    RateLimited,
)
from hedgekit.models import Market
from hedgekit_aster import wire
from hedgekit_aster.adapter import AsterAdapter
from hedgekit_aster.errors import error_from_reply

BTC = Market(symbol="BTC/USDT:USDT", venue_symbol="BTCUSDT", base="BTC", quote="USDT", settle="USDT",
             tick_size=Decimal("0.1"), lot_step=Decimal("0.001"), min_quantity=Decimal("0.001"))

# AST3 §Position Information v3, hedge-mode example (its short row)
SHORT_ROW = {"entryPrice": "6563.66500", "marginType": "isolated", "isAutoAddMargin": "false",
             "isolatedMargin": "5413.95799991", "leverage": "10", "liquidationPrice": "7189.95",
             "markPrice": "6679.50671178", "maxNotionalValue": "20000000", "positionAmt": "-10.000",
             "symbol": "BTCUSDT", "unRealizedProfit": "-1156.46711780", "positionSide": "SHORT", "updateTime": 0}
# AST3 §Query Order example (a trailing stop)
TRAILING_ROW = {"avgPrice": "0.00000", "clientOrderId": "abc", "cumQuote": "0", "executedQty": "0",
                "orderId": 1917641, "origQty": "0.40", "origType": "TRAILING_STOP_MARKET", "price": "0",
                "reduceOnly": False, "side": "BUY", "positionSide": "SHORT", "status": "NEW", "stopPrice": "9300",
                "closePosition": False, "symbol": "BTCUSDT", "time": 1579276756075, "timeInForce": "GTC",
                "type": "TRAILING_STOP_MARKET", "activatePrice": "9020", "priceRate": "0.3",
                "updateTime": 1579276756075, "workingType": "CONTRACT_PRICE", "priceProtect": False}


def test_position_rows_have_no_notional_so_it_is_computed() -> None:
    leg = wire.parse_leg(SHORT_ROW, BTC)
    assert (leg.side, leg.size, leg.margin_mode, leg.leverage) == (PositionSide.SHORT, Decimal("10"),
                                                                   MarginMode.ISOLATED, 10)
    assert leg.notional == Decimal("10") * Decimal("6679.50671178")
    assert leg.margin == Decimal("5413.95799991") and leg.liquidation_price == Decimal("7189.95")
    cross = wire.parse_leg({**SHORT_ROW, "marginType": "cross", "isolatedMargin": "0.00000000",
                            "positionSide": "BOTH"}, BTC)
    assert cross.side is PositionSide.SHORT and cross.margin_mode is MarginMode.CROSS
    assert cross.margin == cross.notional / 10  # initial margin at the mark
    empty = wire.parse_leg({**SHORT_ROW, "positionAmt": "0.000", "positionSide": "LONG"}, BTC)
    assert empty.size == 0 and empty.entry_price is None and not empty.is_open


def test_orders_of_every_kind_parse_from_one_shape() -> None:
    trail = wire.parse_order(TRAILING_ROW, BTC)
    assert trail.conditional and trail.type is OrderType.TRAILING_STOP_MARKET
    assert (trail.callback_rate, trail.activation_price, trail.trigger_price) == (Decimal("0.3"), Decimal("9020"), None)
    stop = wire.parse_order({**TRAILING_ROW, "type": "STOP", "origType": "STOP", "price": "9250",
                             "closePosition": True, "origQty": "0"}, BTC)
    assert (stop.type, stop.price, stop.trigger_price, stop.quantity) == (
        OrderType.STOP_MARKET, Decimal("9250"), Decimal("9300"), None)  # no stop-limit type in hedgekit
    fired = wire.parse_order({**TRAILING_ROW, "type": "MARKET", "origType": "STOP_MARKET", "status": "FILLED"}, BTC)
    assert fired.conditional and fired.type is OrderType.STOP_MARKET and fired.status is OrderStatus.FILLED
    limit = wire.parse_order({**TRAILING_ROW, "type": "LIMIT", "origType": "LIMIT", "price": "9000"}, BTC)
    assert not limit.conditional and limit.type is OrderType.LIMIT


def without(row: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != key}


@pytest.mark.parametrize("payload", [
    None, [], {"positionAmt": "1"}, {**SHORT_ROW, "positionAmt": "abc"}, {**SHORT_ROW, "positionSide": "UP"},
    {**SHORT_ROW, "markPrice": {"x": 1}}, without(SHORT_ROW, "liquidationPrice"), {**SHORT_ROW, "leverage": ""},
    {**SHORT_ROW, "marginType": "portfolio"}, without(SHORT_ROW, "updateTime"), {**SHORT_ROW, "isolatedMargin": True},
])
def test_malformed_position_rows_are_malformed_responses(payload: Any) -> None:
    adapter = AsterAdapter(ConnectConfig(venue="aster"))
    with pytest.raises(MalformedResponse) as info, adapter._parsing("positionRisk"):
        wire.parse_leg(wire.obj(payload, "row"), BTC)
    assert info.value.venue == "aster"  # the shared Binance readers' errors are re-labelled


# AST3 §Cancel Order example: no ``time`` and no ``avgPrice``, unlike a listed row
CANCEL_ANSWER = {k: v for k, v in TRAILING_ROW.items() if k not in ("time", "avgPrice")}


def test_only_the_documented_fields_may_be_left_out() -> None:
    assert wire.parse_order(CANCEL_ANSWER, BTC).created_at is None  # the cancel answer has no time
    for row in (without(TRAILING_ROW, "priceRate"), without(TRAILING_ROW, "activatePrice"),
                without(TRAILING_ROW, "origType"), {**TRAILING_ROW, "reduceOnly": "false"},
                {**TRAILING_ROW, "orderId": "abc"}):
        with pytest.raises(MalformedResponse):  # "only return with TRAILING_STOP_MARKET order": this is one
            wire.parse_order(row, BTC)
    limit = {**without(TRAILING_ROW, "priceRate"), "type": "LIMIT", "origType": "LIMIT"}
    assert wire.parse_order(without(limit, "activatePrice"), BTC).type is OrderType.LIMIT
    with pytest.raises(MalformedResponse):  # a listed (query, openOrders) row has both
        wire.parse_order(CANCEL_ANSWER, BTC, listed=True)


def reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> VenueReply:
    return VenueReply(status, "", headers or {}, "", payload, "http://x/fapi/v3/order?signature=0xabc", "POST")


@pytest.mark.parametrize("status, payload, cls", [
    (400, {"code": -4068, "msg": "Position side cannot be changed if there exists position."}, ModeChangeBlocked),
    (400, {"code": -4067, "msg": "…"}, ModeChangeBlocked),
    (400, {"code": -4061, "msg": "Order's position side does not match user's setting."}, PositionSideMismatch),
    (400, {"code": -1022, "msg": "Signature for this request is not valid."}, AuthenticationError),
    (400, {"code": -1000, "msg": "Signature check failed"}, AuthenticationError),
    (400, {"code": -1000, "msg": "An unknown error occured while processing the request."}, ExchangeUnavailable),
    (400, {"code": -4225, "msg": "Nonce Expired"}, ClockSkew),
    (429, {"code": -1003, "msg": "Too many requests."}, RateLimited),
    (503, "<html>", ExchangeUnavailable),
    (403, None, AuthenticationError),
    (400, {"code": -9999, "msg": "?"}, ExchangeError),
])
def test_error_table(status: int, payload: Any, cls: type[Exception]) -> None:
    err = error_from_reply(reply(status, payload, {"retry-after": "3"}), operation="place_order")
    assert type(err) is cls and err.venue == "aster" and "signature" not in str(err)
    if isinstance(err, RateLimited):
        assert err.retry_after == 3.0
