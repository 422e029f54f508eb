"""OKX v5 request budgets: the limit of every endpoint hedgekit calls, as OKX documents it.

OKX counts **each endpoint on its own**: "The rate limit is different for each endpoint. You can
find the limit for each endpoint from the endpoint details" (docs-v5 Overview › Rate Limits); each
endpoint's page says "Rate Limit: N requests per 2 seconds" and "Rate limit rule: User ID"
(or "IP", or "User ID + Instrument ID": "Rate limits are defined on the Instrument ID level (except
Options)" for placing, amending and cancelling). New and amended orders also count against the
sub-account's "maximum of 1000 order requests per 2 seconds" (Rate Limits › Sub-account rate
limit; code 50061). Pages checked (rosssaunders/coincise ``docs/okx/trading_account.md``,
``order_book_trading.md``, ``endpoints/*``, a mirror of https://www.okx.com/docs-v5/en/ with its
anchors): account/config 5 (#trading-account-rest-api-get-account-configuration),
set-position-mode 5, account/positions 10, leverage-info 20, set-leverage 20, margin-balance 20,
orders-pending 60, orders-algo-pending 20, GET trade/order 60 (User ID + Instrument ID),
GET order-algo 20, POST trade/order 60 (+ instrument), cancel-order 60 (+ instrument), POST
order-algo 20 (+ instrument), cancel-algos 20 (+ instrument), close-position 20 (+ instrument),
public/instruments 20 (IP + instType), public/time 10 (IP).

ccxt prices the same endpoints at ``20 / N`` units of one shared budget (``rateLimit`` 110 ms, "100
plus 10% tolerance because of #26973"); tests/okx checks ``N = 20 / cost``. hedgekit keeps OKX's
own rule: a rolling window per endpoint (and per instrument where OKX counts per instrument) of
``N`` requests, widened by ccxt's 10 % margin to 2.2 s (:func:`hedgekit.throttle.padded`).

After 50011 "Rate limit reached" or 50061 (or HTTP 429) the account waits 2 s: OKX names no wait
(no retry-after header is documented), and 2 s is the window of every limit above, after which each
counter the request could have met has room again.
"""

from __future__ import annotations

from hedgekit.throttle import Backoff, Limit, Weight, padded

WINDOW_S = 2.0
"""OKX counts "N requests per 2 seconds"."""
RATE_WINDOW_S = padded(WINDOW_S)
"""The window the limiter keeps: 2.2 s (ccxt's 10 % margin for jitter between here and there)."""

SUB_ACCOUNT_ORDERS = 1000
"""New and amended orders of all instruments per 2 s: "At the sub-account level, we allow a maximum of
1000 order requests per 2 seconds" (Rate Limits › Sub-account rate limit; code 50061)."""
SUB_ACCOUNT = Limit("sub-account orders", SUB_ACCOUNT_ORDERS, WINDOW_S)

#: OKX's limit per implicit method: (requests per 2 s, counted per instrument as well). From OKX's
#: endpoint pages ("Rate Limit: N requests per 2 seconds", "Rate limit rule: User ID [+ Instrument
#: ID]"); ccxt prices the same endpoints at ``20 / N`` units (checked in tests/okx). An endpoint that
#: is not listed gets ``DEFAULT_LIMIT``.
LIMITS: dict[str, tuple[int, bool]] = {
    "publicGetPublicInstruments": (20, False),  # IP + instType (counted per instType below)
    "publicGetPublicTime": (10, False),  # IP
    "publicGetPublicMarkPrice": (10, True),  # "Rate Limit: 10 requests per 2 seconds", "IP + Instrument ID" (#public-data-rest-api-get-mark-price)
    "privateGetAccountConfig": (5, False),
    "privatePostAccountSetPositionMode": (5, False),
    "privateGetAccountPositions": (10, False),
    "privateGetAccountLeverageInfo": (20, False),
    "privatePostAccountSetLeverage": (20, False),
    "privatePostAccountPositionMarginBalance": (20, False),
    "privateGetTradeOrdersPending": (60, False),
    "privateGetTradeOrdersAlgoPending": (20, False),
    "privateGetTradeOrder": (60, True),  # "Rate limit rule (except Options): User ID + Instrument ID"
    "privateGetTradeOrderAlgo": (20, False),
    "privatePostTradeOrder": (60, True),  # "Rate limits are defined on the Instrument ID level"
    "privatePostTradeCancelOrder": (60, True),
    "privatePostTradeOrderAlgo": (20, True),  # "User ID + Instrument ID"
    "privatePostTradeCancelAlgos": (20, True),  # "User ID + Instrument ID" (a one-order list: its instId)
    "privatePostTradeClosePosition": (20, True),  # "User ID + Instrument ID"
    # account views (shared/ACCOUNT.md §4)
    "publicGetPublicFundingRate": (10, True),  # "10 requests per 2 seconds", "IP + Instrument ID" (#get-funding-rate)
    "publicGetPublicFundingRateHistory": (10, True),  # the same (#get-funding-rate-history)
    "privateGetAccountBills": (10, False),  # "5 requests per second", "User ID" (#get-bills-details-last-7-days)
    "privateGetAccountBillsArchive": (5, False),  # "5 requests per 2 seconds", "User ID" (#…-last-3-months)
    "privateGetTradeFills": (60, False),  # "60 requests per 2 seconds", "User ID" (#get-transaction-details-last-3-days)
    "privateGetTradeFillsHistory": (10, False),  # "10 requests per 2 seconds" (#…-last-3-months)
    "privateGetAccountBalance": (10, False),  # "10 requests per 2 seconds", "User ID" (#get-balance)
    "privatePostTradeAmendOrder": (60, True),  # "60 requests per 2 seconds", "User ID + Instrument ID" (#post-amend-order)
    # amend-algos (#post-amend-algo-order): counted as placing an algo order, "20 requests per 2
    # seconds", "User ID + Instrument ID" (UNCONFIRMED: the figure is place-algo-order's)
    "privatePostTradeAmendAlgos": (20, True),
}
DEFAULT_LIMIT = 5
"""Requests per 2 s for an endpoint missing from ``LIMITS``: the smallest limit above."""

#: Methods whose requests also count against the sub-account's order limit: "Only new order requests
#: and amendment order requests will be counted" (place, place multiple, amend, amend multiple).
SUB_ACCOUNT_METHODS = frozenset({"privatePostTradeOrder", "privatePostTradeAmendOrder"})

#: Where OKX splits a counter by more than the user: the parameter that names the part.
SPLIT_BY = {"publicGetPublicInstruments": "instType"}


def _weight(method: str, per_2s: int, per_instrument: bool) -> Weight:
    per = "instId" if per_instrument else SPLIT_BY.get(method)
    charges: tuple[tuple[Limit, int], ...] = ((Limit(method, per_2s, WINDOW_S, per), 1),)
    if method in SUB_ACCOUNT_METHODS:
        charges += ((SUB_ACCOUNT, 1),)
    return Weight(charges, f"{per_2s} requests per 2 seconds" + (" per instrument" if per_instrument else ""))


WEIGHTS: dict[str, Weight] = {method: _weight(method, n, inst) for method, (n, inst) in LIMITS.items()}
"""The same table as :class:`hedgekit.throttle.Weight` entries."""

DEFAULT = Weight(((Limit("unlisted", DEFAULT_LIMIT, WINDOW_S), 1),), "not in LIMITS: the smallest limit")

BACKOFF = Backoff(
    statuses=frozenset({429}),
    codes=frozenset({"50011", "50061"}),
    default_wait=WINDOW_S,
    source="docs-v5 Overview › Rate Limits (50011 'Rate limit reached', 50061 sub-account limit, windows "
           "of 2 seconds; no retry-after documented)",
)
