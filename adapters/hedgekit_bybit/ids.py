"""The id grammars of Bybit v5 (``category=linear``): what an order id or ``orderLinkId`` may be on the wire.

Every id hedgekit puts in a request is matched whole against its grammar first
(:func:`hedgekit.validator.check_id`), so an id can never add a parameter (``&``, ``=``), cut the
query (``#``, ``?``), break the request line (space, CR, LF) or be decoded into another one (``%``).
Source: bybit-exchange/docs ``docs/v5/order/create-order.mdx`` and ``open-order.mdx`` (BYB).
"""

from __future__ import annotations

import re
from typing import Any

from hedgekit.validator import check_id

__all__ = ["CLIENT_ORDER_ID", "ORDER_ID", "check_ids", "id_key"]

#: ``orderId``: "string", "Order ID" (create-order.mdx, open-order.mdx). Linear orders carry UUIDs
#: (``"fd4300ae-7847-404e-b947-b46980a4d140"``, open-order.mdx's linear example); the spot example
#: of create-order.mdx answers digits (``"1321003749386327552"``). Both forms are taken.
ORDER_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9]{1,19}"
)

#: ``orderLinkId``: "User customised order ID. A max of 36 characters. Combinations of numbers,
#: letters (upper and lower cases), dashes, and underscores are supported." (create-order.mdx)
CLIENT_ORDER_ID = re.compile(r"[A-Za-z0-9_-]{1,36}")


def check_ids(venue: str, symbol: str, order_id: object, client_order_id: object) -> tuple[str | None, str | None]:
    """Both ids as they go on the wire (``None`` stays ``None``), or :class:`~hedgekit.InvalidRequest`
    when either does not fit its grammar."""
    oid = None if order_id is None else check_id(order_id, ORDER_ID, "order id", venue=venue, symbol=symbol,
                                                 numbers=True)
    cid = None if client_order_id is None else check_id(
        client_order_id, CLIENT_ORDER_ID, "client order id", venue=venue, symbol=symbol)
    return oid, cid


def id_key(venue: str, symbol: str, order_id: object, client_order_id: object) -> dict[str, Any]:
    """``{"orderId": …}`` (it wins, as Bybit says: "orderId > orderLinkId") or ``{"orderLinkId": …}``,
    both ids checked first."""
    oid, cid = check_ids(venue, symbol, order_id, client_order_id)
    return {"orderId": oid} if oid is not None else {"orderLinkId": cid}
