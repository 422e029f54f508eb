"""Binance USDⓈ-M refusals land on the hedgekit class their documented meaning calls for.

Every expectation below is written from Binance's error-code page, not read from the adapter:
https://developers.binance.com/docs/derivatives/usds-margined-futures/error-code (mirrored in
rosssaunders/coincise ``docs/binance/usdm/error_codes.md``, 2025-11-30), section by section. Each row
is ``code, NAME, the page's text, the hedgekit class that meaning calls for``. Codes the page does not
list are in :data:`LIVE_ANSWERS`, each with the source of its text.

Which class a meaning calls for (hedgekit/errors.py): a mode switch refused for open exposure is
ModeChangeBlocked; an order whose positionSide does not fit the account's mode is
PositionSideMismatch; key, signature, IP or permission refusals are AuthenticationError; request
and order limits are RateLimited; a timestamp outside the window is ClockSkew; "execution status
unknown" and server trouble are ExchangeUnavailable; balance or margin short is InsufficientMargin;
an order's parameters refused is OrderRejected.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from hedgekit.ccxt_bridge import VenueReply
from hedgekit.errors import (
    AuthenticationError,
    ClockSkew,
    ExchangeError,
    ExchangeUnavailable,
    HedgekitError,
    InsufficientMargin,
    ModeChangeBlocked,
    OrderRejected,
    PositionSideMismatch,
    RateLimited,
)
from hedgekit_binance.errors import error_from_reply

URL = "https://fapi.binance.com/fapi/v1/order"

#: code, NAME, the error-code page's text, the class that meaning calls for.
DOCUMENTED: list[tuple[int, str, str, type[HedgekitError]]] = [
    # 10xx - General Server or Network issues
    (-1000, "UNKNOWN", "An unknown error occured while processing the request.", ExchangeUnavailable),
    (-1001, "DISCONNECTED", "Internal error; unable to process your request. Please try again.",
     ExchangeUnavailable),
    (-1002, "UNAUTHORIZED", "You are not authorized to execute this request.", AuthenticationError),
    (-1003, "TOO_MANY_REQUESTS", "Too many requests; current limit is %s requests per minute.", RateLimited),
    (-1006, "UNEXPECTED_RESP", "An unexpected response was received from the message bus. Execution status "
     "unknown.", ExchangeUnavailable),
    (-1007, "TIMEOUT", "Timeout waiting for response from backend server. Send status unknown; execution "
     "status unknown.", ExchangeUnavailable),
    (-1008, "Request Throttled", "Request throttled by system-level protection. Reduce-only/close-position "
     "orders are exempt. Please try again.", RateLimited),
    (-1013, "INVALID_MESSAGE", "INVALID_MESSAGE.", OrderRejected),
    (-1014, "UNKNOWN_ORDER_COMPOSITION", "Unsupported order combination.", OrderRejected),
    (-1015, "TOO_MANY_ORDERS", "Too many new orders; current limit is %s orders per %s.", RateLimited),
    (-1016, "SERVICE_SHUTTING_DOWN", "This service is no longer available.", ExchangeUnavailable),
    (-1021, "INVALID_TIMESTAMP", "Timestamp for this request is outside of the recvWindow.", ClockSkew),
    (-1022, "INVALID_SIGNATURE", "Signature for this request is not valid.", AuthenticationError),
    # 11xx - Request issues
    (-1100, "ILLEGAL_CHARS", "Illegal characters found in parameter '%s'; legal range is '%s'.", OrderRejected),
    (-1102, "MANDATORY_PARAM_EMPTY_OR_MALFORMED", "A mandatory parameter was not sent, was empty/null, or "
     "malformed.", OrderRejected),
    (-1105, "PARAM_EMPTY", "Parameter '%s' was empty.", OrderRejected),
    (-1106, "PARAM_NOT_REQUIRED", "Parameter '%s' sent when not required.", OrderRejected),
    (-1111, "BAD_PRECISION", "Precision is over the maximum defined for this asset.", OrderRejected),
    (-1114, "TIF_NOT_REQUIRED", "TimeInForce parameter sent when not required.", OrderRejected),
    (-1115, "INVALID_TIF", "Invalid timeInForce.", OrderRejected),
    (-1116, "INVALID_ORDER_TYPE", "Invalid orderType.", OrderRejected),
    (-1117, "INVALID_SIDE", "Invalid side.", OrderRejected),
    (-1118, "EMPTY_NEW_CL_ORD_ID", "New client order ID was empty.", OrderRejected),
    (-1119, "EMPTY_ORG_CL_ORD_ID", "Original client order ID was empty.", OrderRejected),
    (-1121, "BAD_SYMBOL", "Invalid symbol.", OrderRejected),
    (-1122, "INVALID_SYMBOL_STATUS", "Invalid symbol status.", OrderRejected),
    (-1128, "OPTIONAL_PARAMS_BAD_COMBO", "Combination of optional parameters invalid.", OrderRejected),
    (-1130, "INVALID_PARAMETER", "Data sent for parameter '%s' is not valid.", OrderRejected),
    (-1136, "INVALID_NEW_ORDER_RESP_TYPE", "Invalid newOrderRespType.", OrderRejected),
    # 20xx - Processing Issues
    (-2010, "NEW_ORDER_REJECTED", "NEW_ORDER_REJECTED", OrderRejected),
    (-2011, "CANCEL_REJECTED", "Cancel request failure as open order not found in the orderbook: \"Unknown "
     "order sent\".", OrderRejected),
    (-2013, "NO_SUCH_ORDER", "Order does not exist.", OrderRejected),
    (-2014, "BAD_API_KEY_FMT", "API-key format invalid.", AuthenticationError),
    (-2015, "REJECTED_MBX_KEY", "Invalid API-key, IP, or permissions for action.", AuthenticationError),
    (-2017, "API_KEYS_LOCKED", "API Keys are locked on this account.", AuthenticationError),
    (-2018, "BALANCE_NOT_SUFFICIENT", "Balance is insufficient.", InsufficientMargin),
    (-2019, "MARGIN_NOT_SUFFICIEN", "Margin is insufficient.", InsufficientMargin),
    (-2020, "UNABLE_TO_FILL", "Unable to fill.", OrderRejected),
    (-2021, "ORDER_WOULD_IMMEDIATELY_TRIGGER", "Order would immediately trigger.", OrderRejected),
    (-2022, "REDUCE_ONLY_REJECT", "ReduceOnly Order is rejected.", OrderRejected),
    (-2023, "USER_IN_LIQUIDATION", "User in liquidation mode now.", OrderRejected),
    (-2024, "POSITION_NOT_SUFFICIENT", "Position is not sufficient.", OrderRejected),
    # a cap on resting orders, not a request rate: waiting does not lift it, cancelling does
    (-2025, "MAX_OPEN_ORDER_EXCEEDED", "Reach max open order limit.", OrderRejected),
    (-2026, "REDUCE_ONLY_ORDER_TYPE_NOT_SUPPORTED", "This OrderType is not supported when reduceOnly.",
     OrderRejected),
    # a position limit of the leverage bracket, not a margin shortfall: lower the leverage or the size
    (-2027, "MAX_LEVERAGE_RATIO", "Exceeded the maximum allowable position at current leverage.", OrderRejected),
    (-2028, "MIN_LEVERAGE_RATIO", "Leverage is smaller than permitted: insufficient margin balance.",
     InsufficientMargin),
    # 40xx - Filters and other Issues
    (-4000, "INVALID_ORDER_STATUS", "Invalid order status.", OrderRejected),
    (-4001, "PRICE_LESS_THAN_ZERO", "Price less than 0.", OrderRejected),
    (-4002, "PRICE_GREATER_THAN_MAX_PRICE", "Price greater than max price.", OrderRejected),
    (-4003, "QTY_LESS_THAN_ZERO", "Quantity less than zero.", OrderRejected),
    (-4004, "QTY_LESS_THAN_MIN_QTY", "Quantity less than min quantity.", OrderRejected),
    (-4005, "QTY_GREATER_THAN_MAX_QTY", "Quantity greater than max quantity.", OrderRejected),
    (-4006, "STOP_PRICE_LESS_THAN_ZERO", "Stop price less than zero.", OrderRejected),
    (-4007, "STOP_PRICE_GREATER_THAN_MAX_PRICE", "Stop price greater than max price.", OrderRejected),
    (-4013, "PRICE_LESS_THAN_MIN_PRICE", "Price less than min price.", OrderRejected),
    (-4014, "PRICE_NOT_INCREASED_BY_TICK_SIZE", "Price not increased by tick size.", OrderRejected),
    (-4015, "INVALID_CL_ORD_ID_LEN", "Client order id length should not be more than 36 chars", OrderRejected),
    (-4016, "PRICE_HIGHTER_THAN_MULTIPLIER_UP", "Price is higher than mark price multiplier cap.", OrderRejected),
    (-4020, "TARGET_STRATEGY_INVALID", "Target strategy invalid for orderType '%s',reduceOnly '%b'.", OrderRejected),
    (-4023, "QTY_NOT_INCREASED_BY_STEP_SIZE", "Qty not increased by step size.", OrderRejected),
    (-4024, "PRICE_LOWER_THAN_MULTIPLIER_DOWN", "Price is lower than mark price multiplier floor.", OrderRejected),
    (-4031, "INVALID_WORKING_TYPE", "Invalid parameter working type", OrderRejected),
    (-4032, "EXCEED_MAX_CANCEL_ORDER_SIZE", "Exceed maximum cancel order size.", OrderRejected),
    (-4045, "MAX_STOP_ORDER_EXCEEDED", "Reach max stop order limit.", OrderRejected),
    (-4050, "CROSS_BALANCE_INSUFFICIENT", "Cross balance insufficient.", InsufficientMargin),
    (-4051, "ISOLATED_BALANCE_INSUFFICIENT", "Isolated balance insufficient.", InsufficientMargin),
    (-4060, "INVALID_POSITION_SIDE", "Invalid position side.", OrderRejected),
    (-4061, "POSITION_SIDE_NOT_MATCH", "Order's position side does not match user's setting.",
     PositionSideMismatch),
    (-4062, "REDUCE_ONLY_CONFLICT", "Invalid or improper reduceOnly value.", OrderRejected),
    (-4067, "POSITION_SIDE_CHANGE_EXISTS_OPEN_ORDERS", "Position side cannot be changed if there exists open "
     "orders.", ModeChangeBlocked),
    (-4068, "POSITION_SIDE_CHANGE_EXISTS_QUANTITY", "Position side cannot be changed if there exists "
     "position.", ModeChangeBlocked),
    (-4082, "INVALID_BATCH_PLACE_ORDER_SIZE", "Invalid number of batch place orders.", OrderRejected),
    (-4083, "PLACE_BATCH_ORDERS_FAIL", "Fail to place batch orders.", OrderRejected),
    (-4087, "REDUCE_ONLY_ORDER_PERMISSION", "User can only place reduce only order", OrderRejected),
    (-4088, "NO_PLACE_ORDER_PERMISSION", "User can not place order currently", OrderRejected),
    (-4116, "DUPLICATED_CLIENT_ORDER_ID", "clientOrderId is duplicated", OrderRejected),
    (-4117, "STOP_ORDER_TRIGGERING", "stop order is triggering", OrderRejected),
    # the page's second line: the order, "combined with an existing same-side open order, would create an
    # opposite-side position and lead to insufficient margin"
    (-4118, "REDUCE_ONLY_MARGIN_CHECK_FAILED", "ReduceOnly Order Failed. Please check your existing position and "
     "open orders", InsufficientMargin),
    (-4131, "MARKET_ORDER_REJECT", "The counterparty's best price does not meet the PERCENT_PRICE filter limit",
     OrderRejected),
    (-4135, "INVALID_ACTIVATION_PRICE", "Invalid activation price", OrderRejected),
    (-4137, "QUANTITY_EXISTS_WITH_CLOSE_POSITION", "Quantity must be zero with closePosition equals true",
     OrderRejected),
    (-4138, "REDUCE_ONLY_MUST_BE_TRUE", "Reduce only must be true with closePosition equals true", OrderRejected),
    (-4139, "ORDER_TYPE_CANNOT_BE_MKT", "Order type can not be market if it's unable to cancel", OrderRejected),
    (-4140, "INVALID_OPENING_POSITION_STATUS", "Invalid symbol status for opening position", OrderRejected),
    (-4141, "SYMBOL_ALREADY_CLOSED", "Symbol is closed", OrderRejected),
    (-4142, "STRATEGY_INVALID_TRIGGER_PRICE", "REJECT: take profit or stop order will be triggered immediately",
     OrderRejected),
    (-4164, "MIN_NOTIONAL", "Order's notional must be no smaller than 5.0 (unless you choose reduce only)",
     OrderRejected),
    # the page heads -4183 with -4167's name (sic); its text is the stop-price multiplier cap
    (-4183, "ISOLATED_REJECT_WITH_JOINT_MARGIN", "Price is higher than stop price multiplier cap.", OrderRejected),
    (-4184, "PRICE_LOWER_THAN_STOP_MULTIPLIER_DOWN", "Price is lower than stop price multiplier floor.",
     OrderRejected),
    (-4192, "COOLING_OFF_PERIOD", "Trade forbidden due to Cooling-off Period.", OrderRejected),
    (-4210, "STOP_PRICE_HIGHER_THAN_PRICE_MULTIPLIER_LIMIT", "Stop price is higher than price multiplier cap.",
     OrderRejected),
    (-4211, "STOP_PRICE_LOWER_THAN_PRICE_MULTIPLIER_LIMIT", "Stop price is lower than price multiplier floor.",
     OrderRejected),
    (-4400, "TRADING_QUANTITATIVE_RULE", "Futures Trading Quantitative Rules violated, only reduceOnly order is "
     "allowed, please try again later.", OrderRejected),
    (-4401, "LARGE_POSITION_SYM_RULE", "Futures Trading Risk Control Rules of large position holding violated, "
     "only reduceOnly order is allowed, please reduce the position. .", OrderRejected),
    # 50xx - Order Execution Issues
    (-5021, "FOK_ORDER_REJECT", "Due to the order could not be filled immediately, the FOK order has been "
     "rejected.", OrderRejected),
    (-5022, "GTX_ORDER_REJECT", "Due to the order could not be executed as maker, the Post Only order will be "
     "rejected.", OrderRejected),
    (-5024, "MOVE_ORDER_NOT_ALLOWED_SYMBOL_REASON", "Symbol is not in trading status. Order amendment is not "
     "permitted.", OrderRejected),
    (-5025, "LIMIT_ORDER_ONLY", "Only limit order is supported.", OrderRejected),
    (-5026, "Exceed_Maximum_Modify_Order_Limit", "Exceed maximum modify order limit.", OrderRejected),
    (-5027, "SAME_ORDER", "No need to modify the order.", OrderRejected),
    (-5028, "ME_RECVWINDOW_REJECT", "Timestamp for this request is outside of the ME recvWindow.", ClockSkew),
    (-5029, "MODIFICATION_MIN_NOTIONAL", "Order's notional must be no smaller than %s", OrderRejected),
    (-5037, "INVALID_PRICE_MATCH", "Invalid price match", OrderRejected),
    (-5038, "UNSUPPORTED_ORDER_TYPE_PRICE_MATCH", "Price match only supports order type: LIMIT, STOP AND "
     "TAKE_PROFIT", OrderRejected),
    (-5039, "INVALID_SELF_TRADE_PREVENTION_MODE", "Invalid self trade prevention mode", OrderRejected),
    (-5040, "FUTURE_GOOD_TILL_DATE", "The goodTillDate timestamp must be greater than the current time plus 600 "
     "seconds and smaller than 253402300799000 (UTC 9999-12-31 23:59:59)", OrderRejected),
    (-5041, "BBO_ORDER_REJECT", "No depth matches this BBO order", OrderRejected),
    (-5043, "Existing_Pending_Modification", "A pending modification already exists for this order.",
     OrderRejected),
]

#: Codes missing from the error-code page, with the venue's own text and where it is quoted.
LIVE_ANSWERS: list[tuple[int, str, type[HedgekitError], str]] = [
    # change log 2025-11-06 (conditional orders move to the Algo Service); the answer as quoted in
    # https://github.com/nautechsystems/nautilus_trader/issues/3287
    (-4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.",
     OrderRejected, "change log 2025-11-06"),
    # the shared UM/CM position mode (change_position_mode docstring, binance-connector-python); the answer
    # as quoted by ccxt 4.5.90 binance.py's exception table
    (-4531, "Position mode change requires syncing UM and CM. Please close any open positions or orders in CM "
     "and try again.", ModeChangeBlocked, "ccxt binance.py"),
]

TRANSIENT = (RateLimited, ClockSkew, ExchangeUnavailable)


def answer(code: int | None, msg: str, status: int = 400, headers: dict[str, str] | None = None) -> VenueReply:
    payload: Any = {"code": code, "msg": msg} if code is not None else None
    body = json.dumps(payload) if payload is not None else ""
    return VenueReply(status, "Bad Request", headers or {}, body, payload, URL, "POST")


@pytest.mark.parametrize(
    "code, name, msg, expected", DOCUMENTED, ids=[f"{c}-{n}" for c, n, _, _ in DOCUMENTED]
)
def test_documented_code_maps_to_its_meaning(code: int, name: str, msg: str, expected: type[HedgekitError]) -> None:
    error = error_from_reply(answer(code, msg), operation="place_order", symbol="BTC/USDT:USDT")
    assert type(error) is expected, f"{code} {name}: {type(error).__name__}, expected {expected.__name__}"
    assert error.code == code and error.venue == "binance" and error.venue_message == msg
    assert error.http_status == 400 and error.transient is (expected in TRANSIENT)


@pytest.mark.parametrize("code, msg, expected, source", LIVE_ANSWERS, ids=[str(c) for c, *_ in LIVE_ANSWERS])
def test_undocumented_live_code_maps_to_its_meaning(code: int, msg: str, expected: type[HedgekitError],
                                                    source: str) -> None:
    error = error_from_reply(answer(code, msg), operation="set_position_mode")
    assert type(error) is expected, f"{code} ({source}): {type(error).__name__}"


@pytest.mark.parametrize(
    "code, msg",
    [(-4059, "No need to change position side."), (-4046, "No need to change margin type.")],
)
def test_no_need_to_change_is_not_a_blocked_switch(code: int, msg: str) -> None:
    # NO_NEED_TO_CHANGE_POSITION_SIDE / _MARGIN_TYPE: the account is already as asked
    error = error_from_reply(answer(code, msg), operation="set_position_mode")
    assert not isinstance(error, (ModeChangeBlocked, AuthenticationError, InsufficientMargin)) and not error.transient
    assert error.code == code


@pytest.mark.parametrize(
    "code, msg",
    [(-4047, "Margin type cannot be changed if there exists open orders."),
     (-4048, "Margin type cannot be changed if there exists position.")],
)
def test_a_blocked_margin_type_change_is_not_a_blocked_mode_switch(code: int, msg: str) -> None:
    # THERE_EXISTS_OPEN_ORDERS / THERE_EXISTS_QUANTITY refuse a margin-type change, not a position-mode one
    error = error_from_reply(answer(code, msg), operation="set_margin_mode")
    assert not isinstance(error, ModeChangeBlocked) and error.code == code


# "General Info" (https://developers.binance.com/docs/derivatives/usds-margined-futures/general-info, mirrored
# in coincise docs/binance/usdm/rate_limits.md): 429 request-rate limit, 418 IP auto-banned after 429s, 5XX
# the venue's side, 503 "Unknown error, please check your request or try again later." = execution status
# UNKNOWN, 503 "Service Unavailable." = failed, retry with backoff. The wait is the Retry-After header
# (binance-connector-python common/utils.py parses it; VENUES.md §2.8).
@pytest.mark.parametrize(
    "status, payload, expected",
    [
        (429, {"code": -1003, "msg": "Too many requests."}, RateLimited),
        (418, {"code": -1003, "msg": "Way too many requests; IP banned until 1700000000000."}, RateLimited),
        (503, {"msg": "Unknown error, please check your request or try again later."}, ExchangeUnavailable),
        (503, {"msg": "Service Unavailable."}, ExchangeUnavailable),
        (502, None, ExchangeUnavailable),
    ],
)
def test_http_statuses(status: int, payload: Any, expected: type[HedgekitError]) -> None:
    reply = VenueReply(status, "", {"Retry-After": "7"}, json.dumps(payload) if payload else "", payload, URL, "GET")
    error = error_from_reply(reply, operation="legs")
    assert type(error) is expected and error.http_status == status
    if expected is RateLimited:
        assert error.retry_after == 7.0  # type: ignore[attr-defined]


def test_an_unlisted_code_is_a_plain_exchange_error() -> None:
    error = error_from_reply(answer(-9999, "?"), operation="place_order")
    assert type(error) is ExchangeError and error.code == -9999
