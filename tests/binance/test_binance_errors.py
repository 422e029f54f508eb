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
    (-1015, "TOO_MANY_ORDERS", "Too many new orders; current limit is %s orders per %s.", RateLimited),
    (-1016, "SERVICE_SHUTTING_DOWN", "This service is no longer available.", ExchangeUnavailable),
    (-1021, "INVALID_TIMESTAMP", "Timestamp for this request is outside of the recvWindow.", ClockSkew),
    (-1022, "INVALID_SIGNATURE", "Signature for this request is not valid.", AuthenticationError),
    # 11xx - Request issues
    (-1102, "MANDATORY_PARAM_EMPTY_OR_MALFORMED", "A mandatory parameter was not sent, was empty/null, or "
     "malformed.", OrderRejected),
    (-1106, "PARAM_NOT_REQUIRED", "Parameter '%s' sent when not required.", OrderRejected),
    (-1111, "BAD_PRECISION", "Precision is over the maximum defined for this asset.", OrderRejected),
    (-1116, "INVALID_ORDER_TYPE", "Invalid orderType.", OrderRejected),
    (-1117, "INVALID_SIDE", "Invalid side.", OrderRejected),
    (-1121, "BAD_SYMBOL", "Invalid symbol.", OrderRejected),
    # 20xx - Processing Issues
    (-2011, "CANCEL_REJECTED", "Cancel request failure as open order not found in the orderbook: \"Unknown "
     "order sent\".", OrderRejected),
    (-2013, "NO_SUCH_ORDER", "Order does not exist.", OrderRejected),
    (-2014, "BAD_API_KEY_FMT", "API-key format invalid.", AuthenticationError),
    (-2015, "REJECTED_MBX_KEY", "Invalid API-key, IP, or permissions for action.", AuthenticationError),
    (-2017, "API_KEYS_LOCKED", "API Keys are locked on this account.", AuthenticationError),
    (-2018, "BALANCE_NOT_SUFFICIENT", "Balance is insufficient.", InsufficientMargin),
    (-2019, "MARGIN_NOT_SUFFICIEN", "Margin is insufficient.", InsufficientMargin),
    (-2021, "ORDER_WOULD_IMMEDIATELY_TRIGGER", "Order would immediately trigger.", OrderRejected),
    (-2022, "REDUCE_ONLY_REJECT", "ReduceOnly Order is rejected.", OrderRejected),
    # a position limit of the leverage bracket, not a margin shortfall: lower the leverage or the size
    (-2027, "MAX_LEVERAGE_RATIO", "Exceeded the maximum allowable position at current leverage.", OrderRejected),
    (-2028, "MIN_LEVERAGE_RATIO", "Leverage is smaller than permitted: insufficient margin balance.",
     InsufficientMargin),
    # 40xx - Filters and other Issues
    (-4003, "QTY_LESS_THAN_ZERO", "Quantity less than zero.", OrderRejected),
    (-4014, "PRICE_NOT_INCREASED_BY_TICK_SIZE", "Price not increased by tick size.", OrderRejected),
    (-4015, "INVALID_CL_ORD_ID_LEN", "Client order id length should not be more than 36 chars", OrderRejected),
    (-4050, "CROSS_BALANCE_INSUFFICIENT", "Cross balance insufficient.", InsufficientMargin),
    (-4051, "ISOLATED_BALANCE_INSUFFICIENT", "Isolated balance insufficient.", InsufficientMargin),
    (-4060, "INVALID_POSITION_SIDE", "Invalid position side.", OrderRejected),
    (-4061, "POSITION_SIDE_NOT_MATCH", "Order's position side does not match user's setting.",
     PositionSideMismatch),
    (-4067, "POSITION_SIDE_CHANGE_EXISTS_OPEN_ORDERS", "Position side cannot be changed if there exists open "
     "orders.", ModeChangeBlocked),
    (-4068, "POSITION_SIDE_CHANGE_EXISTS_QUANTITY", "Position side cannot be changed if there exists "
     "position.", ModeChangeBlocked),
    (-4116, "DUPLICATED_CLIENT_ORDER_ID", "clientOrderId is duplicated", OrderRejected),
    (-4164, "MIN_NOTIONAL", "Order's notional must be no smaller than 5.0 (unless you choose reduce only)",
     OrderRejected),
    # 50xx - Order Execution Issues
    (-5022, "GTX_ORDER_REJECT", "Due to the order could not be executed as maker, the Post Only order will be "
     "rejected.", OrderRejected),
    (-5028, "ME_RECVWINDOW_REJECT", "Timestamp for this request is outside of the ME recvWindow.", ClockSkew),
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
