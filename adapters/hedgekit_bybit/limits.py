"""Bybit v5 request budgets: the limit of every endpoint hedgekit calls, as Bybit documents it.

Source: bybit-exchange/docs ``docs/v5/rate-limit/rate-limit.mdx`` ("Rate Limit Rules",
https://bybit-exchange.github.io/docs/v5/rate-limit):

* "HTTP IP limit": "600 requests within a 5-second window per IP", every request, public or
  private; beyond it "403, access too frequent": "terminate all HTTP sessions and wait for at least
  10 minutes";
* "API Rate Limit": per endpoint, "based on the **rolling time window per second and UID**", the
  "API Rate Limit Table" (UTA2.0 Pro, the ``linear`` column where there is one). The table's order
  limits are the defaults ("upgradable": institutional keys may have more).

ccxt prices Bybit as one budget of 250 units per 5 s (20 ms a unit, ``order/create`` 2.5 units);
Bybit keeps each endpoint apart. hedgekit's exchange runs with ccxt's throttle off and this table
in :class:`hedgekit.throttle.Limiter` instead.

After ``10006`` "Too many visits!" the account waits until ``X-Bapi-Limit-Reset-Timestamp``
("the timestamp indicating when your request limit resets"); without it, one second, the window
of every UID limit. HTTP 403 is the IP ban: :data:`hedgekit_bybit.errors.IP_BAN_WAIT`.
"""

from __future__ import annotations

from hedgekit.throttle import Backoff, Limit, Weight

IP = Limit("IP", 600, 5.0)
""""You are allowed to send 600 requests within a 5-second window per IP by default"."""


def _ip(source: str) -> Weight:
    """A public endpoint: the IP limit only (the UID table lists private endpoints)."""
    return Weight(((IP, 1),), source)


def _uid(method: str, per_second: int, source: str) -> Weight:
    """A private endpoint: its own UID limit per second, and the IP limit."""
    return Weight(((Limit(method, per_second, 1.0), 1), (IP, 1)), source)


_TABLE = "rate-limit.mdx API Rate Limit Table"

#: ccxt implicit method -> its cost, with the table row that states it.
WEIGHTS: dict[str, Weight] = {
    # public (HTTP IP limit only)
    "publicGetV5MarketInstrumentsInfo": _ip("rate-limit.mdx HTTP IP limit"),
    "publicGetV5MarketTickers": _ip("rate-limit.mdx HTTP IP limit"),
    "publicGetV5MarketTime": _ip("rate-limit.mdx HTTP IP limit"),
    # account views (shared/ACCOUNT.md §3)
    "privatePostV5OrderAmend": _uid("privatePostV5OrderAmend", 10, f"{_TABLE} › Trade: POST /v5/order/amend linear 10/s"),
    "privateGetV5AccountWalletBalance": _uid("privateGetV5AccountWalletBalance", 50,
                                             f"{_TABLE} › Account: GET /v5/account/wallet-balance 50/s"),
    "privateGetV5ExecutionList": _uid("privateGetV5ExecutionList", 50, f"{_TABLE} › Trade: GET /v5/execution/list 50/s"),
    "privateGetV5AccountTransactionLog": _uid("privateGetV5AccountTransactionLog", 25,
                                              f"{_TABLE} › Account: GET /v5/account/transaction-log 25/s"),
    # Trade
    "privatePostV5OrderCreate": _uid("privatePostV5OrderCreate", 10, f"{_TABLE} › Trade: POST /v5/order/create linear 10/s"),
    "privatePostV5OrderCancel": _uid("privatePostV5OrderCancel", 10, f"{_TABLE} › Trade: POST /v5/order/cancel linear 10/s"),
    "privateGetV5OrderRealtime": _uid("privateGetV5OrderRealtime", 50, f"{_TABLE} › Trade: GET /v5/order/realtime 50/s"),
    "privateGetV5OrderHistory": _uid("privateGetV5OrderHistory", 50, f"{_TABLE} › Trade: GET /v5/order/history 50/s"),
    # Position
    "privateGetV5PositionList": _uid("privateGetV5PositionList", 50, f"{_TABLE} › Position: GET /v5/position/list 50/s"),
    "privatePostV5PositionSwitchMode": _uid("privatePostV5PositionSwitchMode", 10,
                                            f"{_TABLE} › Position: POST /v5/position/switch-mode linear 10/s"),
    "privatePostV5PositionSetLeverage": _uid("privatePostV5PositionSetLeverage", 10,
                                             f"{_TABLE} › Position: POST /v5/position/set-leverage 10/s"),
    "privatePostV5PositionTradingStop": _uid("privatePostV5PositionTradingStop", 10,
                                             f"{_TABLE} › Position: POST /v5/position/trading-stop 10/s"),
    "privatePostV5PositionAddMargin": _uid("privatePostV5PositionAddMargin", 10,
                                           f"{_TABLE} › Position: POST /v5/position/add-margin 10/s"),
    # Account
    "privateGetV5AccountInfo": _uid("privateGetV5AccountInfo", 50, f"{_TABLE} › Account: GET /v5/account/info 50/s"),
    "privatePostV5AccountSetMarginMode": _uid("privatePostV5AccountSetMarginMode", 5,
                                              f"{_TABLE} › Account: POST /v5/account/set-margin-mode 5/s"),
}

DEFAULT = _uid("unlisted", 5, "not in WEIGHTS: the smallest limit listed, in a counter of its own")
"""The cost of an endpoint missing from :data:`WEIGHTS` (a test keeps every called one listed)."""

BACKOFF = Backoff(
    statuses=frozenset({403, 429}),
    codes=frozenset({10006, 10018}),
    default_wait=1.0,
    source="rate-limit.mdx API Rate Limit ('rolling time window per second and UID', 10006 'Too many visits!', "
           "X-Bapi-Limit-Reset-Timestamp) and HTTP IP limit (403); error.mdx 10018, HTTP 429",
)
