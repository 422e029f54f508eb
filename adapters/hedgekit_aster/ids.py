"""The id grammars of Aster: what an order id or client order id may be on the wire.

Every id hedgekit puts in a request is matched whole against its grammar first
(:func:`hedgekit.validator.check_id`), so an id can never add a parameter (``&``, ``=``), cut the
query (``#``, ``?``), break the request line (space, CR, LF) or be decoded into another one (``%``).
Source: asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` (AST3), the same
rules as Binance's (shared/VENUES.md §1.3).
"""

from __future__ import annotations

import re

from hedgekit.validator import check_id

__all__ = ["CLIENT_ORDER_ID", "LONG_MAX", "ORDER_ID", "check_ids"]

#: ``orderId``: "LONG" (AST3 §Query Order, §Cancel Order, §Query Current Open Order parameter tables),
#: a non-negative 64-bit integer in decimal digits.
ORDER_ID = re.compile(r"[0-9]{1,19}")
LONG_MAX = 2**63 - 1

#: ``origClientOrderId``: the id given as ``newClientOrderId``, "Can only be string following the
#: rule: ``^[\.A-Z\:/a-z0-9_-]{1,36}$``" (AST3 §New Order).
CLIENT_ORDER_ID = re.compile(r"[.A-Z:/a-z0-9_-]{1,36}")


def check_ids(venue: str, symbol: str, order_id: object, client_order_id: object) -> tuple[str | None, str | None]:
    """Both ids as they go on the wire (``None`` stays ``None``), or :class:`~hedgekit.InvalidRequest`
    when either does not fit its grammar."""
    oid = None if order_id is None else check_id(
        order_id, ORDER_ID, "order id", venue=venue, symbol=symbol, numbers=True, max_value=LONG_MAX)
    cid = None if client_order_id is None else check_id(
        client_order_id, CLIENT_ORDER_ID, "client order id", venue=venue, symbol=symbol)
    return oid, cid
