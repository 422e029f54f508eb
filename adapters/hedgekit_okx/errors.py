"""OKX v5 error codes, in one table, and the function that turns an answer into a hedgekit error.

Every OKX answer is an envelope ``{"code": "0", "msg": "", "data": [...]}``. A refusal of a whole
request sets ``code`` (``{"code":"51000","data":[],"msg":"Parameter posSide error"}`` from
set-leverage, freqtrade issue 7932). Order endpoints report each order's outcome in ``data[].sCode``
and ``data[].sMsg``, with ``code "1"`` and ``msg "All operations failed"`` on top (live answers in
python-okx issue 34 and huojichuanqi/ds issue 4:
``{"code":"1","data":[{"sCode":"51000","sMsg":"Parameter posSide error ",...}],"msg":"All operations failed"}``):
the per-order code is the one that means something and is read first. Authentication failures are
HTTP 401 with ``{"msg":"Invalid Sign","code":"50113"}`` (ccxt issue 11109).

Codes and texts: https://www.okx.com/docs-v5/en/#error-code-rest-api-public and
#error-code-rest-api-account (mirrored in ``qiuham/crypto-api-docs docs/okx/error/code/*.md``).
"""

from __future__ import annotations

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

VENUE = "okx"

PARAMETER_ERROR = "51000"
"""``Parameter {param0} error``: a PositionSideMismatch when the parameter is ``posSide``."""
ORDER_DOES_NOT_EXIST = "51603"
"""``Order does not exist.`` (order and algo order details)."""
CANCEL_FAILED = "51400"
"""``Order cancellation failed as the order has been filled, canceled or does not exist.``"""

#: Venue code -> hedgekit error class. Anything not listed is a plain ExchangeError.
CODES: dict[str, type[HedgekitError]] = {
    # account settings (59000-59999)
    "59000": ModeChangeBlocked,  # Settings failed. Close any open positions or orders before modifying settings.
    "59002": ModeChangeBlocked,  # Sub-account settings failed. Close any open positions, orders, or trading bots ...
    "59200": InsufficientMargin,  # Insufficient account balance.
    # 59101 "Leverage can't be modified. Please cancel all pending isolated margin orders before
    # adjusting the leverage." (error_code.md, account class): a refusal of the change, whose text says what to do
    "59101": ExchangeError,
    "59103": InsufficientMargin,  # Account margin is insufficient and leverage is too low.
    "59108": InsufficientMargin,  # Your account leverage is too low and has insufficient margins.
    "59109": InsufficientMargin,  # Account equity less than the required margin amount after adjustment.
    "59301": InsufficientMargin,  # Margin adjustment failed for exceeding the max limit.
    "59303": InsufficientMargin,  # Insufficient available margin, add margin or reduce the borrowing amount
    # general class (50000-50077)
    "50001": ExchangeUnavailable,  # Service temporarily unavailable. Please try again later.
    "50004": ExchangeUnavailable,  # API endpoint request timeout (does not mean that the request was successful or failed)
    "50011": RateLimited,  # Rate limit reached. / Too Many Requests
    "50013": ExchangeUnavailable,  # Systems are busy. Please try again later.
    "50026": ExchangeUnavailable,  # System error. Try again later
    "50040": RateLimited,  # Too frequent operations, please try again later
    "50061": RateLimited,  # You've reached the maximum order rate limit for this account.
    "50030": AuthenticationError,  # You don't have permission to use this API endpoint
    "50035": AuthenticationError,  # This endpoint requires that APIKey must be bound to IP
    # API class (50100-50122), HTTP 401 unless noted
    "50100": AuthenticationError,  # API frozen, please contact customer service. (400)
    "50101": AuthenticationError,  # APIKey does not match current environment.
    "50102": ClockSkew,  # Timestamp request expired.
    # "The expTime can't be earlier than the current system time." The order request reached OKX
    # after its deadline and was not processed (Overview › Transaction Timeouts): sent again, fresh
    "50036": ClockSkew,
    "50103": AuthenticationError,  # Request header "OK-ACCESS-KEY" cannot be empty.
    "50104": AuthenticationError,  # Request header "OK-ACCESS-PASSPHRASE" cannot be empty.
    "50105": AuthenticationError,  # Request header "OK-ACCESS-PASSPHRASE" incorrect.
    "50106": AuthenticationError,  # Request header "OK-ACCESS-SIGN" cannot be empty.
    "50107": AuthenticationError,  # Request header "OK-ACCESS-TIMESTAMP" cannot be empty.
    "50110": AuthenticationError,  # Your IP {param0} is not included in your API key's IP whitelist.
    "50111": AuthenticationError,  # Invalid OK-ACCESS-KEY.
    "50112": AuthenticationError,  # Invalid OK-ACCESS-TIMESTAMP. (malformed, not late)
    "50113": AuthenticationError,  # Invalid signature. (live text: "Invalid Sign")
    "50114": AuthenticationError,  # Invalid authorization.
    "50119": AuthenticationError,  # API key doesn't exist
    "50120": AuthenticationError,  # This API key doesn't have permission to use this function
    # trade class (51000-54999)
    "51000": OrderRejected,  # Parameter {param0} error (posSide: PositionSideMismatch, see error_from_reply)
    "51001": OrderRejected,  # Instrument ID, Instrument ID code or Spread ID doesn't exist.
    "51006": OrderRejected,  # Order price is not within the price limit
    "51008": InsufficientMargin,  # Order failed. Insufficient {param0} margin in account
    "51010": OrderRejected,  # Request unsupported under current account mode
    "51016": OrderRejected,  # Client order ID already exists.
    "51020": OrderRejected,  # Your order should meet or exceed the minimum order amount.
    "51023": OrderRejected,  # Position doesn't exist.
    "51054": ExchangeUnavailable,  # Request timed out. Please try again. (500)
    "51065": OrderRejected,  # algoClOrdId already exists.
    "51088": OrderRejected,  # You can only place 1 TP/SL order to close an entire position
    "51112": OrderRejected,  # Close order size exceeds available size for this position.
    "51119": InsufficientMargin,  # Order placement failed due to insufficient balance
    "51121": OrderRejected,  # Order quantity must be a multiple of the lot size.
    "51127": InsufficientMargin,  # Available balance is 0.
    "51131": InsufficientMargin,  # Insufficient balance.
    "51149": ExchangeUnavailable,  # Order timed out ... (does not mean that the request was successful or failed)
    "51169": OrderRejected,  # Order failed because you don't have any positions in this direction ... to reduce or close.
    "51170": OrderRejected,  # Failed to place order. A reduce-only order can't be the same trading direction ...
    "51202": OrderRejected,  # Market order amount exceeds the maximum amount.
    "51203": OrderRejected,  # Order amount exceeds the limit {param0}.
    "51257": OrderRejected,  # Trailing stop order callback rate error.
    "51298": OrderRejected,  # Trigger orders are not available in the net mode of Expiry Futures and Perpetual Futures
    "51328": OrderRejected,  # closeFraction is only available for reduceOnly orders
    "51400": OrderRejected,  # Order cancellation failed as the order has been filled, canceled or does not exist.
    "51603": OrderRejected,  # Order does not exist.
    "50072": OrderRejected,  # Isolated margin mode is no longer supported in multi-currency margin mode and portfolio margin mode.
    "51041": ExchangeError,  # Portfolio margin account only supports the Buy/Sell mode.
    # order refusals, continued (#error-code-rest-api-trade, all HTTP 200; texts abridged with …)
    "50028": OrderRejected,  # Unable to place the order. Please contact the customer service for details.
    "51003": OrderRejected,  # Either client order ID or order ID is required.
    "51004": OrderRejected,  # Order failed. For … mode of {param0}, the sum of … can't be more than …
    "51005": OrderRejected,  # Your order amount exceeds the max order amount.
    "51007": OrderRejected,  # Order failed. Please place orders of at least 1 contract or more.
    "51009": OrderRejected,  # Order blocked. Please contact customer support for assistance.
    "51011": OrderRejected,  # Order ID already exists.
    "51022": OrderRejected,  # Contract suspended.
    "51025": OrderRejected,  # Order count exceeds the limit.
    "51027": OrderRejected,  # Contract expired.
    "51028": OrderRejected,  # Contract under delivery.
    "51029": OrderRejected,  # Contract is being settled.
    "51030": OrderRejected,  # Funding fee is being settled.
    "51031": OrderRejected,  # This order price is not within the closing price range.
    "51033": OrderRejected,  # The total amount per order for this pair has reached the upper limit.
    "51037": OrderRejected,  # This account only supports placing IOC orders to reduce account risk.
    "51100": OrderRejected,  # Unable to place order. Take profit/Stop loss conditions cannot be added to reduce-only …
    "51101": OrderRejected,  # Order failed, the sz of the current order can't be more than {param0} (contracts).
    "51102": OrderRejected,  # Order failed, the number of pending orders for this instId can't be more than {param0} …
    "51103": OrderRejected,  # Order failed, the number of pending orders across all instIds under … {param1} (orders)
    "51104": OrderRejected,  # Order failed, the aggregated contract quantity for all pending orders … {param1} …
    "51105": OrderRejected,  # Order failed, the maximal sum of position quantity and pending orders quantity …
    "51106": OrderRejected,  # (the same, across the instFamily, same direction)
    "51107": OrderRejected,  # (the same, across the instFamily, both directions)
    "51108": OrderRejected,  # Positions exceed the limit for closing out with the market price.
    "51116": OrderRejected,  # Order price or trigger price exceeds {param0}.
    "51117": OrderRejected,  # Pending close-orders count exceeds limit.
    "51120": OrderRejected,  # Order amount is less than {param0}, please try again.
    "51122": OrderRejected,  # Order price should higher than the min price {param0}
    "51135": OrderRejected,  # Your closing price has triggered the limit price, and the max buy price is {param0}.
    "51136": OrderRejected,  # Your closing price has triggered the limit price, and the min sell price is {param0}.
    "51137": OrderRejected,  # The highest price limit for buy orders is {param0}.
    "51138": OrderRejected,  # The lowest price limit for sell orders is {param0}.
    "51148": OrderRejected,  # Failed to place order. The new order may execute an opposite trading direction of …
    "51150": OrderRejected,  # The precision of the number of trades or the price exceeds the limit.
    "51165": OrderRejected,  # The number of {instrument} reduce-only orders reached the upper limit of {upLimit}. …
    "51174": OrderRejected,  # Order failed, number of pending orders for {param0} exceed the limit of {param1}.
    "51185": OrderRejected,  # The maximum value allowed per order is {maxOrderValue} USD
    "51186": OrderRejected,  # Order failed. The leverage for {param0} … exceeds the platform limit of {param2}x.
    "51187": OrderRejected,  # Order failed. For {param0} {param1} … {param2} contracts, which exceeds the platform …
    "51201": OrderRejected,  # The value of a market order can't exceed {param0}.
    "51204": OrderRejected,  # The price for the limit order cannot be empty.
    "51205": OrderRejected,  # Reduce Only is not available.
    "51206": OrderRejected,  # Please cancel the Reduce Only order before placing the current {param0} order …
    "51250": OrderRejected,  # Algo order price is out of the available range.
    "51252": OrderRejected,  # Algo order amount is out of the available range.
    "51258": OrderRejected,  # Trailing stop order placement failed. The trigger price of a sell order must be higher …
    "51259": OrderRejected,  # Trailing stop order placement failed. The trigger price of a buy order must be lower …
    "51260": OrderRejected,  # Maximum of {param0} pending trailing stop orders can be held at the same time.
    "51261": OrderRejected,  # Each user can hold up to {param0} pending stop orders at the same time.
    "51275": OrderRejected,  # The amount of single stop-market order cannot exceed the upper limit.
    "51276": OrderRejected,  # Prices cannot be specified for stop market orders.
    "51299": OrderRejected,  # Order did not go through. You can hold a maximum of {param0} orders of this type.
    "51311": OrderRejected,  # Failed to place trailing stop order. Callback rate should be within {min}<x<={max}
    "51312": OrderRejected,  # Failed to place trailing stop order. Order amount should be within {min}<x<={max}
    "51327": OrderRejected,  # closeFraction is only available for Expiry Futures and Perpetual Futures
    "51329": OrderRejected,  # closeFraction is only available in NET mode
    "51330": OrderRejected,  # closeFraction is only available for stop market orders
    "51331": OrderRejected,  # closeFraction is only available for close position orders
    "51333": OrderRejected,  # Close position order in hedge-mode or reduce-only order in one-way mode cannot attach …
    "51403": OrderRejected,  # Cancellation failed as the order type doesn't support cancellation.
    "51410": OrderRejected,  # Cancellation failed as the order is already in canceling status or pending settlement.
    "51416": OrderRejected,  # Order has been triggered and can't be canceled
    "51503": OrderRejected,  # Your order has already been filled or canceled.
    "54030": OrderRejected,  # Order failed. Your total value of same-direction {param0} open positions and orders …
    "54031": OrderRejected,  # Order failed. The {param1} USD open position limit for {param0} has been reached.
    "54035": OrderRejected,  # Order failed. The platform has reached the collateral limit …, reduce-only orders only.
}
#: General-class parameter refusals (#error-code-rest-api-public, HTTP 400 or 200): "Parameter {param0}
#: can not be empty." (50014), "Either parameter {param0} or {param1} is required" (50015), "Parameter
#: {param0} does not match parameter {param1}" (50016), "Parameter {param0} and {param1} can not exist
#: at the same time." (50024), "Parameter {param0} count exceeds the limit {param1}." (50025). Any
#: endpoint may answer them; on an order call (:data:`ORDER_OPERATIONS`) they refuse the order.
REQUEST_PARAMETER_CODES = frozenset({"50014", "50015", "50016", "50024", "50025"})
ORDER_OPERATIONS = frozenset({"place_order", "cancel_order", "close_leg"})

# TP/SL trigger prices on the wrong side of the last/mark/index price (51277-51280, 51300, 51302-51308;
# OKX has no 51301: the trade-class table goes from 51300 to 51302).
CODES.update({str(code): OrderRejected for code in (51277, 51278, 51279, 51280, 51300, *range(51302, 51309))})


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        return str(value)
    return None


def reply_code(payload: Any) -> tuple[str | None, str, str | None]:
    """``(code, message, sub_code)`` of an error answer: the first failing ``data[].sCode`` wins."""
    if not isinstance(payload, dict):
        return None, "", None
    rows = payload.get("data")
    if isinstance(rows, list):
        for row in rows:
            if isinstance(row, dict):
                s_code = _text(row.get("sCode"))
                if s_code not in (None, "", "0"):
                    message = _text(row.get("sMsg")) or ""
                    return s_code, message.strip(), _text(row.get("subCode")) or None
    code = _text(payload.get("code"))
    message = _text(payload.get("msg")) or ""
    return code, message.strip(), None


def is_error(status: int, payload: Any) -> bool:
    """Whether an HTTP answer is a refusal: 4xx/5xx, ``code`` other than ``"0"``, or a failing ``sCode``."""
    if status >= 400:
        return True
    if not isinstance(payload, dict):
        return False
    if _text(payload.get("code")) not in (None, "0"):
        return True
    rows = payload.get("data")
    if isinstance(rows, list):
        return any(
            isinstance(row, dict) and _text(row.get("sCode")) not in (None, "", "0") for row in rows
        )
    return False


def error_from_reply(reply: VenueReply, *, operation: str, symbol: str | None = None,
                     client_order_id: str | None = None) -> HedgekitError:
    """The hedgekit error for one OKX error answer (HTTP status + envelope)."""
    code, message, sub_code = reply_code(reply.payload)
    context: dict[str, Any] = {
        "venue": VENUE, "operation": operation, "symbol": symbol, "code": code,
        "venue_message": message or None, "http_status": reply.status, "client_order_id": client_order_id,
    }
    text = message or f"HTTP {reply.status} {reply.reason}".strip()
    if sub_code:
        text = f"{text} (sub-code {sub_code})"
    cls = CODES.get(code) if code is not None else None
    if cls is None and code in REQUEST_PARAMETER_CODES and operation in ORDER_OPERATIONS:
        cls = OrderRejected
    if code == PARAMETER_ERROR and "posside" in message.lower():
        cls = PositionSideMismatch  # "Parameter posSide error": the order does not fit the account's mode
    if cls is RateLimited or (cls is None and reply.status == 429):
        return RateLimited(text, retry_after=None, **context)
    if cls is not None:
        return cls(text, **context)
    if reply.status >= 500:
        return ExchangeUnavailable(text, **context)
    if reply.status in (401, 403):
        return AuthenticationError(text, **context)
    return ExchangeError(text, **context)
