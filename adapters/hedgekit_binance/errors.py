"""Binance USDⓈ-M error codes, in one table, and the function that turns an answer into an error.

Source: developers.binance.com, Derivatives › USDⓈ-M Futures › Error Codes
(https://developers.binance.com/docs/derivatives/usds-margined-futures/error-code), mirrored in
shared/VENUES.md §2 [BND error_codes.md]; HTTP statuses: the "General Info" page (429, 418, 403, 5xx,
503 "Unknown error" = execution status unknown).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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

VENUE = "binance"

NO_NEED_TO_CHANGE_POSITION_SIDE = -4059
"""Already in the asked mode: success for a mode switch."""
NO_NEED_TO_CHANGE_MARGIN_TYPE = -4046
"""Already in the asked margin type: success for a margin-type change."""
ORDER_DOES_NOT_EXIST = -2013
UNKNOWN_ORDER_SENT = -2011

#: Venue code -> hedgekit error class. Anything not listed is a plain ExchangeError.
CODES: dict[int, type[HedgekitError]] = {
    # mode changes (USDⓈ-M error codes, 40xx)
    -4067: ModeChangeBlocked,  # POSITION_SIDE_CHANGE_EXISTS_OPEN_ORDERS
    -4068: ModeChangeBlocked,  # POSITION_SIDE_CHANGE_EXISTS_QUANTITY
    -4531: ModeChangeBlocked,  # UM and CM must both be flat (portfolio margin / CM migration)
    -4061: PositionSideMismatch,  # POSITION_SIDE_NOT_MATCH "Order's position side does not match user's setting."
    # auth (10xx / 20xx)
    -1002: AuthenticationError,  # UNAUTHORIZED
    -1022: AuthenticationError,  # INVALID_SIGNATURE
    -2014: AuthenticationError,  # BAD_API_KEY_FMT
    -2015: AuthenticationError,  # REJECTED_MBX_KEY "Invalid API-key, IP, or permissions for action."
    -2017: AuthenticationError,  # API_KEYS_LOCKED
    # rate limits and clock
    -1003: RateLimited,  # TOO_MANY_REQUESTS
    -1008: RateLimited,  # SERVER_BUSY / request throttled
    -1015: RateLimited,  # TOO_MANY_ORDERS
    -1021: ClockSkew,  # INVALID_TIMESTAMP
    -5028: ClockSkew,  # timestamp outside the matching engine's recvWindow
    # venue trouble: status unknown
    -1000: ExchangeUnavailable,  # UNKNOWN
    -1001: ExchangeUnavailable,  # DISCONNECTED
    -1006: ExchangeUnavailable,  # UNEXPECTED_RESP
    -1007: ExchangeUnavailable,  # TIMEOUT "execution status unknown"
    -1016: ExchangeUnavailable,  # SERVICE_SHUTTING_DOWN
    # margin
    -2018: InsufficientMargin,  # BALANCE_NOT_SUFFICIENT
    -2019: InsufficientMargin,  # MARGIN_NOT_SUFFICIEN "Margin is insufficient."
    -2028: InsufficientMargin,  # leverage change would leave margin insufficient
    -4050: InsufficientMargin,  # CROSS_BALANCE_INSUFFICIENT
    -4051: InsufficientMargin,  # ISOLATED_BALANCE_INSUFFICIENT
    # order refusals
    -1013: OrderRejected,  # INVALID_MESSAGE (the error-code page gives no more)
    -1102: OrderRejected,  # MANDATORY_PARAM_EMPTY_OR_MALFORMED
    -1106: OrderRejected,  # PARAM_NOT_REQUIRED (reduceOnly in hedge mode)
    -1111: OrderRejected,  # BAD_PRECISION
    -1116: OrderRejected,  # INVALID_ORDER_TYPE
    -1117: OrderRejected,  # INVALID_SIDE
    -1121: OrderRejected,  # BAD_SYMBOL
    -2011: OrderRejected,  # CANCEL_REJECTED "Unknown order sent."
    -2013: OrderRejected,  # NO_SUCH_ORDER "Order does not exist."
    -2021: OrderRejected,  # ORDER_WOULD_IMMEDIATELY_TRIGGER
    # MAX_LEVERAGE_RATIO "Exceeded the maximum allowable position at current leverage.": the leverage
    # bracket's position cap, not a margin shortfall (error-code page, 20xx)
    -2027: OrderRejected,
    -2022: OrderRejected,  # REDUCE_ONLY_REJECT
    -4003: OrderRejected,  # QTY_LESS_THAN_ZERO
    -4014: OrderRejected,  # PRICE_NOT_INCREASED_BY_TICK_SIZE
    -4015: OrderRejected,  # INVALID_CL_ORD_ID_LEN
    -4060: OrderRejected,  # INVALID_POSITION_SIDE
    -4116: OrderRejected,  # DUPLICATED_CLIENT_ORDER_ID
    -4120: OrderRejected,  # conditional type sent to /fapi/v1/order: use the Algo Order API
    -4164: OrderRejected,  # MIN_NOTIONAL
    -5022: OrderRejected,  # post-only order would take
    # order refusals, continued: every code of the error-code page that refuses an order's
    # parameters or the order itself (developers.binance.com .../usds-margined-futures/error-code;
    # the code's name, then the page's text where the name does not say it)
    -1014: OrderRejected,  # UNKNOWN_ORDER_COMPOSITION "Unsupported order combination."
    -1100: OrderRejected,  # ILLEGAL_CHARS "Illegal characters found in parameter '%s'; legal range is '%s'."
    -1105: OrderRejected,  # PARAM_EMPTY "Parameter '%s' was empty."
    -1114: OrderRejected,  # TIF_NOT_REQUIRED "TimeInForce parameter sent when not required."
    -1115: OrderRejected,  # INVALID_TIF "Invalid timeInForce."
    -1118: OrderRejected,  # EMPTY_NEW_CL_ORD_ID "New client order ID was empty."
    -1119: OrderRejected,  # EMPTY_ORG_CL_ORD_ID "Original client order ID was empty."
    -1122: OrderRejected,  # INVALID_SYMBOL_STATUS "Invalid symbol status."
    -1128: OrderRejected,  # OPTIONAL_PARAMS_BAD_COMBO "Combination of optional parameters invalid."
    -1130: OrderRejected,  # INVALID_PARAMETER "Data sent for parameter '%s' is not valid."
    -1136: OrderRejected,  # INVALID_NEW_ORDER_RESP_TYPE "Invalid newOrderRespType."
    -2010: OrderRejected,  # NEW_ORDER_REJECTED
    -2020: OrderRejected,  # UNABLE_TO_FILL "Unable to fill."
    -2023: OrderRejected,  # USER_IN_LIQUIDATION "User in liquidation mode now."
    -2024: OrderRejected,  # POSITION_NOT_SUFFICIENT "Position is not sufficient."
    -2025: OrderRejected,  # MAX_OPEN_ORDER_EXCEEDED "Reach max open order limit."
    -2026: OrderRejected,  # REDUCE_ONLY_ORDER_TYPE_NOT_SUPPORTED "This OrderType is not supported when reduceOnly."
    -4000: OrderRejected,  # INVALID_ORDER_STATUS "Invalid order status."
    -4001: OrderRejected,  # PRICE_LESS_THAN_ZERO "Price less than 0."
    -4002: OrderRejected,  # PRICE_GREATER_THAN_MAX_PRICE "Price greater than max price."
    -4004: OrderRejected,  # QTY_LESS_THAN_MIN_QTY "Quantity less than min quantity."
    -4005: OrderRejected,  # QTY_GREATER_THAN_MAX_QTY "Quantity greater than max quantity."
    -4006: OrderRejected,  # STOP_PRICE_LESS_THAN_ZERO "Stop price less than zero."
    -4007: OrderRejected,  # STOP_PRICE_GREATER_THAN_MAX_PRICE "Stop price greater than max price."
    -4013: OrderRejected,  # PRICE_LESS_THAN_MIN_PRICE "Price less than min price."
    -4016: OrderRejected,  # PRICE_HIGHTER_THAN_MULTIPLIER_UP "Price is higher than mark price multiplier cap."
    -4020: OrderRejected,  # TARGET_STRATEGY_INVALID "Target strategy invalid for orderType '%s',reduceOnly '%b'."
    -4023: OrderRejected,  # QTY_NOT_INCREASED_BY_STEP_SIZE "Qty not increased by step size."
    -4024: OrderRejected,  # PRICE_LOWER_THAN_MULTIPLIER_DOWN "Price is lower than mark price multiplier floor."
    -4031: OrderRejected,  # INVALID_WORKING_TYPE "Invalid parameter working type"
    -4032: OrderRejected,  # EXCEED_MAX_CANCEL_ORDER_SIZE "Exceed maximum cancel order size."
    -4045: OrderRejected,  # MAX_STOP_ORDER_EXCEEDED "Reach max stop order limit."
    -4062: OrderRejected,  # REDUCE_ONLY_CONFLICT "Invalid or improper reduceOnly value."
    -4082: OrderRejected,  # INVALID_BATCH_PLACE_ORDER_SIZE "Invalid number of batch place orders."
    -4083: OrderRejected,  # PLACE_BATCH_ORDERS_FAIL "Fail to place batch orders."
    -4087: OrderRejected,  # REDUCE_ONLY_ORDER_PERMISSION "User can only place reduce only order"
    -4088: OrderRejected,  # NO_PLACE_ORDER_PERMISSION "User can not place order currently"
    -4117: OrderRejected,  # STOP_ORDER_TRIGGERING "stop order is triggering"
    -4118: InsufficientMargin,  # REDUCE_ONLY_MARGIN_CHECK_FAILED: would open the other side without the margin
    -4131: OrderRejected,  # MARKET_ORDER_REJECT: the best price fails the PERCENT_PRICE filter
    -4135: OrderRejected,  # INVALID_ACTIVATION_PRICE "Invalid activation price"
    -4137: OrderRejected,  # QUANTITY_EXISTS_WITH_CLOSE_POSITION "Quantity must be zero with closePosition equals true"
    -4138: OrderRejected,  # REDUCE_ONLY_MUST_BE_TRUE "Reduce only must be true with closePosition equals true"
    -4139: OrderRejected,  # ORDER_TYPE_CANNOT_BE_MKT "Order type can not be market if it's unable to cancel"
    -4140: OrderRejected,  # INVALID_OPENING_POSITION_STATUS "Invalid symbol status for opening position"
    -4141: OrderRejected,  # SYMBOL_ALREADY_CLOSED "Symbol is closed"
    -4142: OrderRejected,  # STRATEGY_INVALID_TRIGGER_PRICE: "take profit or stop order will be triggered immediately"
    -4183: OrderRejected,  # "Price is higher than stop price multiplier cap." / "Limit price can't be higher than %s."
    -4184: OrderRejected,  # PRICE_LOWER_THAN_STOP_MULTIPLIER_DOWN "Limit price can't be lower than %s."
    -4192: OrderRejected,  # COOLING_OFF_PERIOD "Trade forbidden due to Cooling-off Period."
    -4210: OrderRejected,  # STOP_PRICE_HIGHER_THAN_PRICE_MULTIPLIER_LIMIT "Stop price can't be higher than %s"
    -4211: OrderRejected,  # STOP_PRICE_LOWER_THAN_PRICE_MULTIPLIER_LIMIT "Stop price can't be lower than %s"
    -4400: OrderRejected,  # TRADING_QUANTITATIVE_RULE: "only reduceOnly order is allowed"
    -4401: OrderRejected,  # LARGE_POSITION_SYM_RULE: "only reduceOnly order is allowed"
    -5021: OrderRejected,  # FOK_ORDER_REJECT "... the FOK order has been rejected."
    -5024: OrderRejected,  # MOVE_ORDER_NOT_ALLOWED_SYMBOL_REASON "... Order amendment is not permitted."
    -5025: OrderRejected,  # LIMIT_ORDER_ONLY "Only limit order is supported."
    -5026: OrderRejected,  # Exceed_Maximum_Modify_Order_Limit "Exceed maximum modify order limit."
    -5027: OrderRejected,  # SAME_ORDER "No need to modify the order."
    -5029: OrderRejected,  # MODIFICATION_MIN_NOTIONAL "Order's notional must be no smaller than %s"
    -5037: OrderRejected,  # INVALID_PRICE_MATCH "Invalid price match"
    -5038: OrderRejected,  # UNSUPPORTED_ORDER_TYPE_PRICE_MATCH
    -5039: OrderRejected,  # INVALID_SELF_TRADE_PREVENTION_MODE "Invalid self trade prevention mode"
    -5040: OrderRejected,  # FUTURE_GOOD_TILL_DATE: goodTillDate out of range
    -5041: OrderRejected,  # BBO_ORDER_REJECT "No depth matches this BBO order"
    -5043: OrderRejected,  # Existing_Pending_Modification "A pending modification already exists for this order."
}


def retry_after(headers: dict[str, str]) -> float | None:
    """Seconds of a ``Retry-After`` header, when there is a usable one."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def parse_envelope(payload: Any) -> tuple[int | None, str]:
    """``(code, msg)`` of a ``{"code": …, "msg": …}`` answer; ``(None, "")`` when it is not one."""
    if not isinstance(payload, dict):
        return None, ""
    raw_code = payload.get("code")
    code: int | None = None
    if isinstance(raw_code, int) and not isinstance(raw_code, bool):
        code = raw_code
    elif isinstance(raw_code, str) and raw_code.lstrip("-").isdigit():
        code = int(raw_code)
    raw_msg = payload.get("msg")
    return code, raw_msg if isinstance(raw_msg, str) else ""


Classifier = Callable[[int | None, str], "type[HedgekitError] | None"]
"""Maps a venue code (and its message, where the code alone is ambiguous) to a hedgekit class."""


def family_error(reply: VenueReply, *, venue: str, classify: Classifier, operation: str,
                 symbol: str | None = None, client_order_id: str | None = None) -> HedgekitError:
    """The hedgekit error for a Binance-family answer (HTTP status + ``{"code", "msg"}``).

    Shared by the venues that speak Binance's futures envelope (Binance, Aster), each with its own
    code table (``classify``). HTTP 429/418 are rate limits whatever the body says; a 5xx without a
    known code is the venue being unavailable (503 "Unknown error…" = execution status unknown);
    401/403 without a known code are authentication (403: the WAF).
    """
    code, msg = parse_envelope(reply.payload)
    context: dict[str, Any] = {
        "venue": venue, "operation": operation, "symbol": symbol, "code": code,
        "venue_message": msg or None, "http_status": reply.status, "client_order_id": client_order_id,
    }
    text = msg or f"HTTP {reply.status} {reply.reason}".strip()
    if reply.status in (429, 418):  # request-weight limit / IP auto-ban
        return RateLimited(text, retry_after=retry_after(reply.headers), **context)
    cls = classify(code, msg)
    if cls is RateLimited:
        return RateLimited(text, retry_after=retry_after(reply.headers), **context)
    if cls is not None:
        return cls(text, **context)
    if reply.status >= 500:
        return ExchangeUnavailable(text, **context)
    if reply.status in (401, 403):
        return AuthenticationError(text, **context)
    return ExchangeError(text, **context)


def error_from_reply(reply: VenueReply, *, operation: str, symbol: str | None = None,
                     client_order_id: str | None = None) -> HedgekitError:
    """The hedgekit error for one Binance error answer."""
    return family_error(
        reply, venue=VENUE, classify=lambda code, _msg: CODES.get(code) if code is not None else None,
        operation=operation, symbol=symbol, client_order_id=client_order_id,
    )
