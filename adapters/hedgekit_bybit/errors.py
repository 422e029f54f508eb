"""Bybit v5 error codes, in one table, and the function that turns an answer into an error.

Sources: https://bybit-exchange.github.io/docs/v5/error (``bybit-exchange/docs`` ``docs/v5/error.mdx``,
the "UMA & UTA & Futures" table), the rate-limit page (``docs/v5/rate-limit.mdx``: ``"Too many
visits!"``, the ``X-Bapi-Limit*`` headers, HTTP 403 = IP ban) and shared/VENUES.md §3. Every v5
answer is an envelope ``{"retCode", "retMsg", "result", "retExtInfo", "time"}``; ``retCode`` 0 is
success and most refusals come with HTTP 200.

Two codes carry more than one meaning and are decided by their message:

* ``10001`` is the generic "Request parameter error"; only its message ``"position idx not match
  position mode"`` (ccxt issue 16952, sieblyio/bybit-api issue 363) means the order's
  ``positionIdx`` does not fit the symbol's mode: :class:`~hedgekit.errors.PositionSideMismatch`.
* ``10004`` echoes the signed string, API key included (``"error sign! origin_string[<ts><key>
  <recvWindow><payload>]"``, Bybit's gateway ``bgw`` v3 checker): the key is redacted here.
"""

from __future__ import annotations

import time
from typing import Any

from hedgekit.ccxt_bridge import VenueReply, redact
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

VENUE = "bybit"

POSITION_MODE_NOT_MODIFIED = 110025
"""``"Position mode has not been modified."``: already in the asked mode, success for a switch."""
LEVERAGE_NOT_MODIFIED = 110043
"""``"Set leverage has not been modified."``: success for a leverage change."""
MARGIN_MODE_NOT_MODIFIED = 110026
"""``"Cross/isolated margin mode has not been modified."``."""
HEDGE_NOT_SUPPORTED = 110029
"""``"Hedge mode is not supported for this symbol."``: only USDT perpetuals have hedge mode."""
ORDER_NOT_FOUND = 110001
"""``"Order does not exist"``; live cancels answer ``"order not exists or too late to cancel"``."""
DUPLICATE_LINK_ID = 110072
"""``"OrderLinkedID is duplicate"``: an order with this orderLinkId exists (they are "always unique")."""
PARAMETER_ERROR = 10001
MISMATCH_TEXT = "position idx not match position mode"

#: IP ban after HTTP 403: "stop all sessions ≥10 min" (VENUES.md §3.8, rate-limit.mdx: "usually 30 minutes").
IP_BAN_WAIT = 600.0

#: Venue code -> hedgekit error class. Anything not listed is a plain ExchangeError.
CODES: dict[int, type[HedgekitError]] = {
    # mode changes (error.mdx)
    110024: ModeChangeBlocked,  # "You have an existing position, so the position mode cannot be switched."
    110028: ModeChangeBlocked,  # "You have existing open orders, so the position mode cannot be switched."
    # auth and permissions
    10003: AuthenticationError,  # "API key is invalid."
    10004: AuthenticationError,  # "Error sign, please check your signature generation algorithm."
    10005: AuthenticationError,  # "Permission denied, please check your API key permissions."
    10007: AuthenticationError,  # "User authentication failed."
    10008: AuthenticationError,  # "Common banned, please check your account mode"
    10009: AuthenticationError,  # "IP has been banned."
    10010: AuthenticationError,  # "Unmatched IP, please check your API key's bound IP addresses."
    10024: AuthenticationError,  # "Compliance rules triggered"
    10027: AuthenticationError,  # "Transactions are banned."
    10028: AuthenticationError,  # "The API can only be accessed by unified account users."
    10029: AuthenticationError,  # "The requested symbol is invalid, please check symbol whitelist"
    # rate limits and clock
    10006: RateLimited,  # "Too many visits. Exceeded the API Rate Limit." (live: "Too many visits!")
    10018: RateLimited,  # "Exceeded the IP Rate Limit." (struck through in the table, still seen)
    10002: ClockSkew,  # "The request time exceeds the time window range."
    # venue trouble: outcome unknown
    10000: ExchangeUnavailable,  # "Server Timeout"
    10016: ExchangeUnavailable,  # "Server error." (retry)
    # margin
    110004: InsufficientMargin,  # "Wallet balance is insufficient"
    110006: InsufficientMargin,  # "The assets are estimated to be unable to cover the position margin"
    110007: InsufficientMargin,  # "Available balance is insufficient" (live: "ab not enough for new order")
    110011: InsufficientMargin,  # "Liquidation will be triggered immediately by this adjustment"
    110012: InsufficientMargin,  # "Insufficient available balance."
    110014: InsufficientMargin,  # "Insufficient available balance to add additional margin."
    110044: InsufficientMargin,  # "Available margin is insufficient."
    110045: InsufficientMargin,  # "Wallet balance is insufficient."
    110046: InsufficientMargin,  # "Liquidation will be triggered immediately by this adjustment."
    110051: InsufficientMargin,  # available balance cannot cover the lowest price of the market
    110052: InsufficientMargin,  # "Your available balance is insufficient to set the price"
    110053: InsufficientMargin,  # balance cannot cover the current market price and upper limit price
    # order refusals
    10014: OrderRejected,  # "Invalid duplicate request."
    110001: OrderRejected,  # "Order does not exist"
    110003: OrderRejected,  # "Order price exceeds the allowable range."
    110005: OrderRejected,  # "position status"
    110008: OrderRejected,  # "The order has been completed or cancelled."
    110009: OrderRejected,  # "The number of stop orders exceeds the maximum allowable limit."
    110010: OrderRejected,  # "The order has been cancelled"
    110013: OrderRejected,  # "Cannot set leverage due to risk limit level."
    110015: OrderRejected,  # "The position is in cross margin mode."
    110016: OrderRejected,  # quantity exceeds the risk limit
    110017: OrderRejected,  # "orderQty will be truncated to zero" (error.mdx; ccxt: "Reduce-only rule not satisfied")
    110019: OrderRejected,  # "Order ID is illegal."
    110020: OrderRejected,  # "Not allowed to have more than 500 active orders."
    110021: OrderRejected,  # open interest limit
    110022: OrderRejected,  # quantity restricted
    110023: OrderRejected,  # reduce-only contract
    110030: OrderRejected,  # "Duplicate orderId"
    110032: OrderRejected,  # "Order is illegal"
    110033: OrderRejected,  # "You can't set margin without an open position"
    110036: OrderRejected,  # cross margin mode may not change leverage
    110038: OrderRejected,  # portfolio margin mode may not change leverage
    110057: OrderRejected,  # "Conditional order or limit order contains TP/SL related params"
    110058: OrderRejected,  # remaining position too small for TP/SL
    110072: OrderRejected,  # "OrderLinkedID is duplicate"
    110078: OrderRejected,  # "Added margin more than max can reduce margin"
    110092: OrderRejected,  # "expect Rising, but trigger_price[…] <= current[…]" (ccxt bybit.py)
    110093: OrderRejected,  # "expect Falling, but trigger_price[…] >= current[…]" (ccxt bybit.py)
    110094: OrderRejected,  # "Order notional value below the lower limit" (ccxt bybit.py)
    # order refusals, continued (error.mdx, "UMA & UTA & Futures"). A quantity over maxOrderQty /
    # maxMktOrderQty has no code of its own: it is 10001 "The number of contracts exceeds maximum limit
    # allowed: too large, order_qty:… > max_qty:…" (live answers quoted in pybit issues 244 and 284),
    # an OrderRejected on an order call (ORDER_OPERATIONS below).
    30208: OrderRejected,  # "Failed to submit order(s). The order price is higher than the maximum buying price"
    30209: OrderRejected,  # "Failed to submit order(s). The order price is lower than the minimum selling price."
    30228: OrderRejected,  # "No new positions during delisting"
    110040: OrderRejected,  # "The order will trigger a forced liquidation, please re-submit the order."
    110042: OrderRejected,  # "Currently,due to pre-delivery status, you can only reduce your position …"
    110063: OrderRejected,  # "Settlement in progress! {{key0}} not available for trading."
    110066: OrderRejected,  # "Trading is currently not allowed."
    110074: OrderRejected,  # "This contract is not live"
    110079: OrderRejected,  # "The order is processing and can not be operated, please try again later"
    110086: OrderRejected,  # "Current order leverage exceeds the maximum available for your current Risk Limit tier…"
    110090: OrderRejected,  # "Order placement failed as your position may exceed the max limit. …" (Binance -2027)
    110095: OrderRejected,  # "You cannot create, modify or cancel Pre-Market Perpetual orders during the Call Auction."
    110098: OrderRejected,  # "Only Good-Till-Canceled (GTC) orders are supported during Call Auction."
    110099: OrderRejected,  # "You cannot create TP/SL orders during the Call Auction for Pre-Market Perpetuals."
    110103: OrderRejected,  # "Only Post-Only orders are available at this stage"
    110118: OrderRejected,  # "Unable to retrieve a pruce of the market order due to low liquidity"
    110119: OrderRejected,  # "Order failed. RPI orders are restricted to approved market makers only"
    110120: OrderRejected,  # "Order price cannot be smaller than xxxx, the price limitation"
    110121: OrderRejected,  # "Order price cannot be higher than xxxx, the price limitation"
    110124: OrderRejected,  # "Trading is temporarily restricted due to an active cooling-off period."
}

#: Operations for which the generic 10001 "Request parameter error" is an order refusal.
ORDER_OPERATIONS = frozenset({"place_order", "cancel_order"})


def ret_code(payload: Any) -> int | None:
    """``retCode`` of an envelope as an int (``None`` when absent or not a number)."""
    if not isinstance(payload, dict):
        return None
    value = payload.get("retCode")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _reset_wait(headers: dict[str, str], payload: Any) -> float | None:
    """Seconds until ``X-Bapi-Limit-Reset-Timestamp`` (ms), measured from the answer's ``time``."""
    value = headers.get("x-bapi-limit-reset-timestamp")
    if value is None or not value.strip().isdigit():
        return None
    now_ms = payload.get("time") if isinstance(payload, dict) else None
    if isinstance(now_ms, bool) or not isinstance(now_ms, int):
        now_ms = int(time.time() * 1000)
    return max(0.0, (int(value) - now_ms) / 1000)


def _reasons(payload: Any) -> str:
    """The ``result.reasons`` list of a refused ``set-margin-mode``, as text."""
    result = payload.get("result") if isinstance(payload, dict) else None
    reasons = result.get("reasons") if isinstance(result, dict) else None
    if not isinstance(reasons, list):
        return ""
    parts = [
        f"{r.get('reasonCode')}: {r.get('reasonMsg')}" for r in reasons if isinstance(r, dict)
    ]
    return "; ".join(parts)


def error_from_reply(
    reply: VenueReply, *, operation: str, symbol: str | None = None, client_order_id: str | None = None,
    secrets: tuple[str | None, ...] = (),
) -> HedgekitError:
    """The hedgekit error for one Bybit error answer (HTTP status + the v5 envelope).

    ``secrets`` are removed from the venue's message (a 10004 answer echoes the API key).
    """
    payload: Any = reply.payload
    code = ret_code(payload)
    raw_msg = payload.get("retMsg") if isinstance(payload, dict) else None
    msg = redact(raw_msg, *secrets) if isinstance(raw_msg, str) else ""
    extra = _reasons(payload)
    if extra:
        msg = f"{msg} ({extra})" if msg else extra
    context: dict[str, Any] = {
        "venue": VENUE, "operation": operation, "symbol": symbol, "code": code,
        "venue_message": msg or None, "http_status": reply.status, "client_order_id": client_order_id,
    }
    text = msg or f"HTTP {reply.status} {reply.reason}".strip()
    if reply.status == 403:  # IP rate limit breached: banned for a while (rate-limit.mdx)
        return RateLimited(f"IP rate limit breached, the venue refuses this IP: {text}",
                           retry_after=IP_BAN_WAIT, **context)
    if reply.status == 429:  # system-level protection: retry
        return RateLimited(text, retry_after=_reset_wait(reply.headers, payload), **context)
    if code == PARAMETER_ERROR:
        if MISMATCH_TEXT in msg.lower():
            return PositionSideMismatch(text, **context)
        cls: type[HedgekitError] = OrderRejected if operation in ORDER_OPERATIONS else ExchangeError
        return cls(text, **context)
    if code == HEDGE_NOT_SUPPORTED:
        return ExchangeError(
            f"{text} Bybit offers hedge mode on USDT perpetuals only (USDT futures, USDC and inverse "
            "contracts are one-way)", **context,
        )
    found = CODES.get(code) if code is not None else None
    if found is RateLimited:
        return RateLimited(text, retry_after=_reset_wait(reply.headers, payload), **context)
    if found is not None:
        return found(text, **context)
    if reply.status >= 500:
        return ExchangeUnavailable(text, **context)
    if reply.status == 401:
        return AuthenticationError(text, **context)
    return ExchangeError(text, **context)
