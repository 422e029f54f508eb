"""Bybit parsing and the error table, without a venue: payload shapes in, hedgekit models and errors out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from hedgekit.ccxt_bridge import VenueReply
from hedgekit.errors import (
    AuthenticationError,
    ClockSkew,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientMargin,
    MalformedResponse,
    ModeChangeBlocked,
    OrderRejected,
    PositionSideMismatch,
    RateLimited,
)
from hedgekit.models import Market, OrderStatus, OrderType, PositionMode, PositionSide

from hedgekit_bybit import wire
from hedgekit_bybit.errors import error_from_reply

BTC = Market(symbol="BTC/USDT:USDT", venue_symbol="BTCUSDT", base="BTC", quote="USDT", settle="USDT",
             tick_size=Decimal("0.1"), lot_step=Decimal("0.001"), min_quantity=Decimal("0.001"))


def position(idx: int, side: str, size: str, **extra: Any) -> dict[str, Any]:
    return {"positionIdx": idx, "symbol": "BTCUSDT", "side": side, "size": size, "avgPrice": "60000",
            "markPrice": "60500.00", "unrealisedPnl": "5", "leverage": "10", "liqPrice": "", "positionIM": "60",
            "updatedTime": "1700000000000", **extra}


def test_mode_is_read_from_position_idx() -> None:
    assert wire.parse_mode([position(1, "", "0"), position(2, "Sell", "0.01")]) is PositionMode.HEDGE
    assert wire.parse_mode([position(0, "", "0")]) is PositionMode.ONE_WAY
    with pytest.raises(ExchangeError, match="no row"):
        wire.parse_mode([])


def test_empty_leg_rows_are_zero_size_legs_never_no_position() -> None:
    (short,) = wire.parse_legs(position(2, "", "0"), BTC, None)
    assert short.side is PositionSide.SHORT and short.size == 0 and short.mark_price == Decimal("60500")
    long, short = wire.parse_legs(position(0, "", "0"), BTC, None)
    assert (long.side, short.side) == (PositionSide.LONG, PositionSide.SHORT) and long.size == short.size == 0
    (one_way,) = wire.parse_legs(position(0, "Sell", "0.02"), BTC, None)
    assert one_way.side is PositionSide.SHORT and one_way.size == Decimal("0.02")
    assert one_way.notional == Decimal("1210") and one_way.margin == 60 and one_way.leverage == 10


@pytest.mark.parametrize(
    "row",
    [
        position(3, "Buy", "1"),
        position(1, "Buy", "-1"),
        position(1, "Up", "1"),
        position(1, "", "0.5"),
        {**position(1, "Buy", "1"), "size": None},
        {**position(1, "Buy", "1"), "markPrice": {"x": 1}},
        # the fields position.mdx lists are read on empty rows too, and "" only where it says so
        {k: v for k, v in position(2, "", "0").items() if k != "liqPrice"},
        {k: v for k, v in position(1, "Buy", "1").items() if k != "side"},
        {**position(1, "Buy", "1"), "avgPrice": ""},
        {**position(1, "Buy", "1"), "updatedTime": ""},
        {**position(1, "Buy", "1"), "positionIdx": "1x"},
    ],
)
def test_malformed_position_rows_are_malformed_responses(row: dict[str, Any]) -> None:
    with pytest.raises(MalformedResponse):
        wire.parse_legs(row, BTC, None)


def test_fields_documented_as_possibly_empty() -> None:
    (leg,) = wire.parse_legs(position(1, "Buy", "1", liqPrice="", leverage="", positionIM=""), BTC, None)
    assert leg.liquidation_price is None and leg.leverage is None and leg.margin is None and leg.size == 1


@pytest.mark.parametrize("change", [{"timeInForce": None}, {"cumExecQty": ""}, {"reduceOnly": "true"},
                                    {"stopOrderType": None}, {"triggerDirection": "up"}, {"avgPrice": None},
                                    {"orderLinkId": None}, {"createdTime": "soon"}])
def test_malformed_order_rows_are_malformed_responses(change: dict[str, Any]) -> None:
    with pytest.raises(MalformedResponse):
        wire.parse_order(order_row(**change), BTC)


def order_row(**extra: Any) -> dict[str, Any]:
    return {"orderId": "id-1", "orderLinkId": "", "symbol": "BTCUSDT", "price": "0", "qty": "0", "side": "Sell",
            "positionIdx": 1, "orderStatus": "Untriggered", "orderType": "Market", "triggerPrice": "59000.00",
            "triggerDirection": 2, "reduceOnly": True, "closeOnTrigger": True, "stopOrderType": "Stop",
            "timeInForce": "IOC", "avgPrice": "", "cumExecQty": "0", "lastPriceOnCreated": "",
            "createdTime": "1700000000000", "updatedTime": "1700000000000", **extra}


@pytest.mark.parametrize(
    "extra, kind",
    [
        ({}, OrderType.STOP_MARKET),
        ({"triggerDirection": 1}, OrderType.TAKE_PROFIT_MARKET),
        ({"stopOrderType": "TakeProfit", "triggerDirection": 2}, OrderType.TAKE_PROFIT_MARKET),
        ({"stopOrderType": "PartialStopLoss"}, OrderType.STOP_MARKET),
    ],
)
def test_conditional_rows(extra: dict[str, Any], kind: OrderType) -> None:
    order = wire.parse_order(order_row(**extra), BTC)
    assert order.type is kind and order.conditional and order.status is OrderStatus.NEW
    assert order.close_position and order.quantity is None and order.position_side is PositionSide.LONG


def test_trailing_stop_row_takes_its_rate_from_the_position_distance() -> None:
    row = order_row(stopOrderType="TrailingStop", triggerPrice="0", lastPriceOnCreated="60000.00")
    order = wire.parse_order(row, BTC, Decimal("600"))
    assert order.type is OrderType.TRAILING_STOP_MARKET and order.callback_rate == Decimal("1")
    assert order.activation_price is None and order.trigger_price is None
    assert wire.trailing_distance(Decimal("0.5"), Decimal("60123.4"), Decimal("0.1")) == Decimal("300.6")


def test_plain_order_row() -> None:
    order = wire.parse_order(order_row(stopOrderType="", orderType="Limit", price="55000.00", qty="0.010",
                                       orderStatus="New", timeInForce="PostOnly", positionIdx=0, side="Buy"), BTC)
    assert (order.type, order.price, order.quantity, order.conditional) == (
        OrderType.LIMIT, Decimal("55000"), Decimal("0.01"), False)
    assert order.position_side is PositionSide.BOTH and order.time_in_force.value == "post_only"  # type: ignore[union-attr]


def reply(code: int, msg: str, status: int = 200, headers: dict[str, str] | None = None,
          result: Any = None) -> VenueReply:
    payload = {"retCode": code, "retMsg": msg, "result": result or {}, "retExtInfo": {}, "time": 1_700_000_000_000}
    return VenueReply(status, "OK", headers or {}, "", payload, "http://h/v5/x", "POST")


@pytest.mark.parametrize(
    "code, msg, operation, cls",
    [
        (110024, "You have an existing position, so the position mode cannot be switched.", "set_position_mode",
         ModeChangeBlocked),
        (110028, "You have existing open orders, so the position mode cannot be switched.", "set_position_mode",
         ModeChangeBlocked),
        (10001, "position idx not match position mode", "place_order", PositionSideMismatch),
        (10001, "params error: side invalid", "place_order", OrderRejected),
        (10001, "params error: symbol invalid", "legs", ExchangeError),
        (10002, "invalid request, please check your server timestamp or recv_window param.", "legs", ClockSkew),
        (10003, "API key is invalid.", "legs", AuthenticationError),
        (110007, "ab not enough for new order", "place_order", InsufficientMargin),
        (10016, "Server error.", "legs", ExchangeUnavailable),
        (110029, "Hedge mode is not supported for this symbol.", "set_position_mode", ExchangeError),
    ],
)
def test_error_table(code: int, msg: str, operation: str, cls: type[Exception]) -> None:
    err = error_from_reply(reply(code, msg), operation=operation)
    assert type(err) is cls and err.code == code and err.venue == "bybit"


def test_rate_limit_honours_the_reset_timestamp_and_ip_ban() -> None:
    err = error_from_reply(reply(10006, "Too many visits!", headers={"x-bapi-limit-reset-timestamp": "1700000002500"}),
                           operation="legs")
    assert isinstance(err, RateLimited) and err.retry_after == 2.5
    ban = error_from_reply(reply(0, "", status=403), operation="legs")
    assert isinstance(ban, RateLimited) and ban.retry_after == 600


def test_signature_error_never_carries_the_key() -> None:
    err = error_from_reply(reply(10004, "error sign! origin_string[1700000000000MYKEY5000category=linear]"),
                           operation="legs", secrets=("MYKEY", "MYSECRET"))
    assert isinstance(err, AuthenticationError) and "MYKEY" not in str(err) and "MYKEY" not in repr(err)


def test_hedge_not_supported_explains_itself() -> None:
    err = error_from_reply(reply(110029, "Hedge mode is not supported for this symbol."), operation="set_position_mode")
    assert "USDT perpetuals only" in str(err)


def test_margin_mode_refusal_lists_reasons() -> None:
    err = error_from_reply(reply(3400045, "Set margin mode failed",
                                 result={"reasons": [{"reasonCode": "3400000", "reasonMsg": "Equity too low"}]}),
                           operation="set_margin_mode")
    assert "3400000: Equity too low" in str(err)
