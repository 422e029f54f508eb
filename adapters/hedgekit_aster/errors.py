"""Aster futures error codes, in one table, and the function that turns an answer into an error.

Aster's table is Binance's (asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md``
§"Error Codes": same codes, names and texts), so :data:`CODES` starts from
:data:`hedgekit_binance.errors.CODES` and adds or overrides what Aster does differently:

* ``-4225 "Nonce Expired"``: a v3 nonce that was reused or fell out of the accepted window (AST3
  §Noop sample answer ``{"code":-4225,"msg":"Nonce Expired"}``; not in the error table:
  UNCONFIRMED as a stable code). Transient: the next request carries a fresh nonce.
* ``-1000 "Signature check failed"``: live answers to a signer the user has not approved, as
  integrators report them (UNCONFIRMED: the table documents -1000 only as UNKNOWN). An
  authentication failure, not an outage, so it is matched on its message.
* ``-4131``, ``-4135``, ``-4137``, ``-4138``, ``-4183``, ``-4184``: order refusals from the Aster table.
  (No ``-2031``: no revision of the AST3 doc, nor ccxt's aster table, has that code.)

Every other order refusal of the AST3 table (``-4005 QTY_GREATER_THAN_MAX_QTY`` "Quantity greater
than max quantity.", ``-2021``, ``-2025``, ``-4004``, ``-4062``, ``-4142``, ...) has the code, name and
text of Binance's, so it is an :class:`~hedgekit.errors.OrderRejected` through Binance's table.

HTTP statuses (AST3 "HTTP Return Codes"): 429 rate limit, 418 IP ban, 403 WAF, 5xx venue-side,
503 "execution status is UNKNOWN".
"""

from __future__ import annotations

from hedgekit.ccxt_bridge import VenueReply
from hedgekit.errors import (
    AuthenticationError,
    ClockSkew,
    HedgekitError,
    InsufficientMargin,
    OrderRejected,
)

from hedgekit_binance.errors import CODES as BINANCE_CODES
from hedgekit_binance.errors import family_error

VENUE = "aster"

NO_NEED_TO_CHANGE_POSITION_SIDE = -4059
"""Already in the asked mode: success for a mode switch (AST3 -4059)."""
NO_NEED_TO_CHANGE_MARGIN_TYPE = -4046
"""Already in the asked margin type: success for a margin-type change (AST3 -4046)."""
ORDER_DOES_NOT_EXIST = -2013
UNKNOWN_ORDER_SENT = -2011
NONCE_EXPIRED = -4225
SIGNATURE_CHECK_FAILED = "Signature check failed"
"""The text of the -1000 answer to an unapproved signer (integrator reports; UNCONFIRMED)."""

#: Venue code -> hedgekit error class. Anything not listed is a plain ExchangeError.
CODES: dict[int, type[HedgekitError]] = {
    **BINANCE_CODES,
    NONCE_EXPIRED: ClockSkew,  # "Nonce Expired" (AST3 Noop sample)
    -4087: OrderRejected,  # REDUCE_ONLY_ORDER_PERMISSION "User can only place reduce only order"
    -4088: OrderRejected,  # NO_PLACE_ORDER_PERMISSION "User can not place order currently"
    -4118: InsufficientMargin,  # REDUCE_ONLY_MARGIN_CHECK_FAILED
    -4131: OrderRejected,  # MARKET_ORDER_REJECT (PERCENT_PRICE limit)
    -4135: OrderRejected,  # INVALID_ACTIVATION_PRICE
    -4137: OrderRejected,  # QUANTITY_EXISTS_WITH_CLOSE_POSITION
    -4138: OrderRejected,  # REDUCE_ONLY_MUST_BE_TRUE
    -4140: OrderRejected,  # INVALID_OPENING_POSITION_STATUS
    -4141: OrderRejected,  # SYMBOL_ALREADY_CLOSED
    -4183: OrderRejected,  # PRICE_HIGHTER_THAN_STOP_MULTIPLIER_UP
    -4184: OrderRejected,  # PRICE_LOWER_THAN_STOP_MULTIPLIER_DOWN
}


def error_class(code: int | None, msg: str) -> type[HedgekitError] | None:
    """The hedgekit class for a venue code (and message, where the code alone is ambiguous)."""
    if code == -1000 and SIGNATURE_CHECK_FAILED.lower() in msg.lower():
        return AuthenticationError
    return CODES.get(code) if code is not None else None


def error_from_reply(reply: VenueReply, *, operation: str, symbol: str | None = None,
                     client_order_id: str | None = None) -> HedgekitError:
    """The hedgekit error for one Aster error answer (Binance's envelope, Aster's codes)."""
    return family_error(reply, venue=VENUE, classify=error_class, operation=operation, symbol=symbol,
                        client_order_id=client_order_id)
