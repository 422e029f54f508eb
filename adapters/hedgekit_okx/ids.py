"""The id grammars of OKX v5: what an order id or client order id may be on the wire.

Every id hedgekit puts in a request is matched whole against its grammar first
(:func:`hedgekit.validator.check_id`), so an id can never add a parameter (``&``, ``=``), cut the
query (``#``, ``?``), break the request line (space, CR, LF) or be decoded into another one (``%``).
Source: the OKX v5 docs (https://www.okx.com/docs-v5/en/, mirrored in ``rosssaunders/coincise``
``docs/okx/order_book_trading.md``; shared/VENUES.md §4.3).
"""

from __future__ import annotations

import re

from hedgekit.validator import check_id

__all__ = ["CLIENT_ORDER_ID", "ORDER_ID", "check_ids"]

#: ``ordId`` ("Order ID", #order-book-trading-trade-get-order-details, #…-post-cancel-order) and
#: ``algoId`` ("Algo ID", #order-book-trading-algo-trading-get-algo-order-details): strings of
#: decimal digits (``"312269865356374016"`` in the docs' examples; OKX's SDKs read them as 64-bit
#: integers). No length is documented: up to 32 digits are taken.
ORDER_ID = re.compile(r"[0-9]{1,32}")

#: ``clOrdId`` and ``algoClOrdId``: "A combination of case-sensitive alphanumerics, all numbers, or
#: all letters of up to 32 characters." (#order-book-trading-trade-post-place-order,
#: #order-book-trading-algo-trading-post-place-algo-order).
CLIENT_ORDER_ID = re.compile(r"[A-Za-z0-9]{1,32}")


def check_ids(venue: str, symbol: str, order_id: object, client_order_id: object) -> tuple[str | None, str | None]:
    """Both ids as they go on the wire (``None`` stays ``None``), or :class:`~hedgekit.InvalidRequest`
    when either does not fit its grammar; the same rules for regular and algo orders."""
    oid = None if order_id is None else check_id(order_id, ORDER_ID, "order id", venue=venue, symbol=symbol,
                                                 numbers=True)
    cid = None if client_order_id is None else check_id(
        client_order_id, CLIENT_ORDER_ID, "client order id", venue=venue, symbol=symbol)
    return oid, cid
