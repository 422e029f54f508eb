"""Aster refusals land on the hedgekit class their documented meaning calls for.

Every expectation below is written from Aster's own documentation, not read from the adapter:
asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` (snapshot 265e024), section
"Error Codes" (10xx, 11xx, 20xx, 40xx). Each row is ``code, NAME, the doc's text, the hedgekit class
that meaning calls for``. Codes the v3 table does not list are in :data:`OUTSIDE_THE_V3_TABLE`, each
with where the doc shows it.

Which class a meaning calls for (hedgekit/errors.py): a mode switch refused for open exposure is
ModeChangeBlocked; an order whose positionSide does not fit the account's mode is
PositionSideMismatch; key, signature or permission refusals are AuthenticationError; request and
order limits are RateLimited; a stale timestamp or nonce is ClockSkew; "execution status unknown"
and server trouble are ExchangeUnavailable; balance or margin short is InsufficientMargin; an
order's parameters refused is OrderRejected.
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
from hedgekit_aster.errors import error_from_reply

URL = "https://fapi.asterdex.com/fapi/v3/order"

#: code, NAME, the v3 doc's text ("Error Codes"), the class that meaning calls for.
DOCUMENTED: list[tuple[int, str, str, type[HedgekitError]]] = [
    # 10xx - General Server or Network issues
    (-1000, "UNKNOWN", "An unknown error occured while processing the request.", ExchangeUnavailable),
    (-1001, "DISCONNECTED", "Internal error; unable to process your request. Please try again.",
     ExchangeUnavailable),
    (-1002, "UNAUTHORIZED", "You are not authorized to execute this request.", AuthenticationError),
    (-1003, "TOO_MANY_REQUESTS", "Too many requests queued.", RateLimited),
    (-1006, "UNEXPECTED_RESP", "An unexpected response was received from the message bus. Execution status "
     "unknown.", ExchangeUnavailable),
    (-1007, "TIMEOUT", "Timeout waiting for response from backend server. Send status unknown; execution "
     "status unknown.", ExchangeUnavailable),
    (-1013, "INVALID_MESSAGE", "INVALID_MESSAGE.", OrderRejected),
    (-1015, "TOO_MANY_ORDERS", "Too many new orders.", RateLimited),
    (-1016, "SERVICE_SHUTTING_DOWN", "This service is no longer available.", ExchangeUnavailable),
    (-1022, "INVALID_SIGNATURE", "Signature for this request is not valid.", AuthenticationError),
    # 11xx - Request issues
    (-1102, "MANDATORY_PARAM_EMPTY_OR_MALFORMED", "A mandatory parameter was not sent, was empty/null, or "
     "malformed.", OrderRejected),
    (-1106, "PARAM_NOT_REQUIRED", "A parameter was sent when not required.", OrderRejected),
    (-1111, "BAD_PRECISION", "Precision is over the maximum defined for this asset.", OrderRejected),
    (-1116, "INVALID_ORDER_TYPE", "Invalid orderType.", OrderRejected),
    (-1117, "INVALID_SIDE", "Invalid side.", OrderRejected),
    (-1121, "BAD_SYMBOL", "Invalid symbol.", OrderRejected),
    # 20xx - Processing Issues
    (-2011, "CANCEL_REJECTED", "CANCEL_REJECTED", OrderRejected),
    (-2013, "NO_SUCH_ORDER", "Order does not exist.", OrderRejected),
    (-2014, "BAD_API_KEY_FMT", "API-key format invalid.", AuthenticationError),
    (-2015, "REJECTED_MBX_KEY", "Invalid API-key, IP, or permissions for action.", AuthenticationError),
    (-2018, "BALANCE_NOT_SUFFICIENT", "Balance is insufficient.", InsufficientMargin),
    (-2019, "MARGIN_NOT_SUFFICIEN", "Margin is insufficient.", InsufficientMargin),
    (-2021, "ORDER_WOULD_IMMEDIATELY_TRIGGER", "Order would immediately trigger.", OrderRejected),
    (-2022, "REDUCE_ONLY_REJECT", "ReduceOnly Order is rejected.", OrderRejected),
    # the leverage bracket's position cap, not a margin shortfall
    (-2027, "MAX_LEVERAGE_RATIO", "Exceeded the maximum allowable position at current leverage.", OrderRejected),
    (-2028, "MIN_LEVERAGE_RATIO", "Leverage is smaller than permitted: insufficient margin balance.",
     InsufficientMargin),
    # 40xx - Filters and other Issues
    (-4003, "QTY_LESS_THAN_ZERO", "Quantity less than zero.", OrderRejected),
    (-4014, "PRICE_NOT_INCREASED_BY_TICK_SIZE", "Price not increased by tick size.", OrderRejected),
    (-4015, "INVALID_CL_ORD_ID_LEN", "Client order id is not valid.", OrderRejected),
    (-4050, "CROSS_BALANCE_INSUFFICIENT", "Cross balance insufficient.", InsufficientMargin),
    (-4051, "ISOLATED_BALANCE_INSUFFICIENT", "Isolated balance insufficient.", InsufficientMargin),
    (-4060, "INVALID_POSITION_SIDE", "Invalid position side.", OrderRejected),
    (-4061, "POSITION_SIDE_NOT_MATCH", "Order's position side does not match user's setting.",
     PositionSideMismatch),
    (-4067, "POSITION_SIDE_CHANGE_EXISTS_OPEN_ORDERS", "Position side cannot be changed if there exists open "
     "orders.", ModeChangeBlocked),
    (-4068, "POSITION_SIDE_CHANGE_EXISTS_QUANTITY", "Position side cannot be changed if there exists "
     "position.", ModeChangeBlocked),
    (-4087, "REDUCE_ONLY_ORDER_PERMISSION", "User can only place reduce only order", OrderRejected),
    (-4088, "NO_PLACE_ORDER_PERMISSION", "User can not place order currently", OrderRejected),
    # the v3 text stops at "check your existing position and open orders"; Binance's page, whose table
    # Aster's is, gives the reason: the order "would create an opposite-side position and lead to
    # insufficient margin"
    (-4118, "REDUCE_ONLY_MARGIN_CHECK_FAILED", "ReduceOnly Order Failed. Please check your existing position "
     "and open orders", InsufficientMargin),
    (-4131, "MARKET_ORDER_REJECT", "The counterparty's best price does not meet the PERCENT_PRICE filter limit",
     OrderRejected),
    (-4135, "INVALID_ACTIVATION_PRICE", "Invalid activation price", OrderRejected),
    (-4137, "QUANTITY_EXISTS_WITH_CLOSE_POSITION", "Quantity must be zero with closePosition equals true",
     OrderRejected),
    (-4138, "REDUCE_ONLY_MUST_BE_TRUE", "Reduce only must be true with closePosition equals true", OrderRejected),
    (-4140, "INVALID_OPENING_POSITION_STATUS", "Invalid symbol status for opening position", OrderRejected),
    (-4141, "SYMBOL_ALREADY_CLOSED", "Symbol is closed", OrderRejected),
    (-4164, "MIN_NOTIONAL", "Order's notional must be no smaller than 5.0 (unless you choose reduce only)",
     OrderRejected),
    (-4183, "PRICE_HIGHTER_THAN_STOP_MULTIPLIER_UP", "Price is higher than stop price multiplier cap.",
     OrderRejected),
    (-4184, "PRICE_LOWER_THAN_STOP_MULTIPLIER_DOWN", "Price is lower than stop price multiplier floor.",
     OrderRejected),
]

#: Codes the v3 table does not list, with where Aster's documentation shows them.
OUTSIDE_THE_V3_TABLE: list[tuple[int, str, type[HedgekitError], str]] = [
    # the v3 doc's Noop sample answer: {"code":-4225,"msg":"Nonce Expired"}; the next request's fresh
    # nonce cures it (nonces "within 10 s of server time", "V3 Nonce Mechanism")
    (-4225, "Nonce Expired", ClockSkew, "AST3 Noop sample"),
    # the legacy table (V1(Legacy)/EN/aster-finance-futures-api.md, 10xx): v1 requests use recvWindow
    (-1021, "Timestamp for this request is outside of the recvWindow.", ClockSkew, "AST1 -1021 INVALID_TIMESTAMP"),
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
    assert error.code == code and error.venue == "aster" and error.venue_message == msg
    assert error.transient is (expected in TRANSIENT)


@pytest.mark.parametrize(
    "code, msg, expected, source", OUTSIDE_THE_V3_TABLE, ids=[str(c) for c, *_ in OUTSIDE_THE_V3_TABLE]
)
def test_code_outside_the_v3_table_maps_to_its_meaning(code: int, msg: str, expected: type[HedgekitError],
                                                       source: str) -> None:
    error = error_from_reply(answer(code, msg), operation="place_order")
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
    error = error_from_reply(answer(code, msg), operation="set_margin_mode")
    assert not isinstance(error, ModeChangeBlocked) and error.code == code


# AST3 "HTTP Return Codes": 429 request-rate limit, 418 IP auto-banned after 429s, 403 the WAF,
# 5XX Aster's side, 503 "the execution status is UNKNOWN and could have been a success".
@pytest.mark.parametrize(
    "status, payload, expected",
    [
        (429, {"code": -1003, "msg": "Too many requests queued."}, RateLimited),
        (418, {"code": -1003, "msg": "Way too many requests; IP banned until 1700000000000."}, RateLimited),
        (503, None, ExchangeUnavailable),
        (500, None, ExchangeUnavailable),
    ],
)
def test_http_statuses(status: int, payload: Any, expected: type[HedgekitError]) -> None:
    reply = VenueReply(status, "", {"Retry-After": "3"}, json.dumps(payload) if payload else "", payload, URL, "GET")
    error = error_from_reply(reply, operation="legs")
    assert type(error) is expected and error.http_status == status


def test_an_unlisted_code_is_a_plain_exchange_error() -> None:
    error = error_from_reply(answer(-9999, "?"), operation="place_order")
    assert type(error) is ExchangeError and error.code == -9999
