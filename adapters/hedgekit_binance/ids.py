"""The id grammars of Binance USDⓈ-M: what an order id or client order id may be on the wire.

Every id hedgekit puts in a request is matched whole against its grammar first
(:func:`hedgekit.validator.check_id`), so an id can never add a parameter (``&``, ``=``), cut the
query (``#``, ``?``), break the request line (space, CR, LF) or be decoded into another one (``%``).
Sources: binance-connector-python ``derivatives_trading_usds_futures/rest_api/api/trade_api.py``,
the developers.binance.com text of each endpoint (shared/VENUES.md §2.3).
"""

from __future__ import annotations

import re

from hedgekit.validator import check_id

__all__ = ["CLIENT_ORDER_ID", "LONG_MAX", "ORDER_ID", "check_ids"]

#: ``orderId`` (query_order, cancel_order: ``order_id: Optional[int]``, "LONG" in the docs' tables;
#: "``orderId`` is self-increment for each specific ``symbol``") and ``algoId`` (query_algo_order,
#: cancel_algo_order: ``algo_id: Optional[int]``): a non-negative 64-bit integer in decimal digits.
ORDER_ID = re.compile(r"[0-9]{1,19}")
LONG_MAX = 2**63 - 1

#: ``origClientOrderId`` / ``clientAlgoId``: the ids given as ``newClientOrderId`` / ``clientAlgoId``,
#: "Can only be string following the rule: ``^[.A-Z:/a-z0-9_-]{1,36}$``" (new_order, new_algo_order).
CLIENT_ORDER_ID = re.compile(r"[.A-Z:/a-z0-9_-]{1,36}")


def check_ids(venue: str, symbol: str, order_id: object, client_order_id: object) -> tuple[str | None, str | None]:
    """Both ids as they go on the wire (``None`` stays ``None``), or :class:`~hedgekit.InvalidRequest`
    when either does not fit its grammar; the same rules for regular and algo orders."""
    oid = None if order_id is None else check_id(
        order_id, ORDER_ID, "order id", venue=venue, symbol=symbol, numbers=True, max_value=LONG_MAX)
    cid = None if client_order_id is None else check_id(
        client_order_id, CLIENT_ORDER_ID, "client order id", venue=venue, symbol=symbol)
    return oid, cid
