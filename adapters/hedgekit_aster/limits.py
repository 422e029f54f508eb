"""Aster request budgets: the weight of every endpoint hedgekit calls, as Aster documents it.

Sources: asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` (AST3) for the
``/fapi/v3`` endpoints and ``V1(Legacy)/EN/aster-finance-futures-api.md`` (AST1) for the legacy
ones, each endpoint's "**Weight:**" line, cited by its section title. Counters (AST3 §LIMITS and
§"Rate limiters (rateLimitType)"): ``REQUEST_WEIGHT`` 2400 per minute per IP and ``ORDERS`` 1200
per minute per account ("The order rate limit is counted against each account").

ccxt's ``aster`` cost table counts ``v3/positionRisk`` as 1 and ``v3/openOrders`` as 1 with or
without a symbol; Aster documents 5, and 1 or 40. A burst of ccxt-limited reads therefore runs past
Aster's 2400 per minute: hedgekit's exchange runs with ccxt's throttle off and this table in
:class:`hedgekit.throttle.Limiter` instead.

After HTTP 429/418 or ``-1003`` the account waits for ``Retry-After`` when Aster sends one
(Binance's header; UNCONFIRMED on Aster), else one REQUEST_WEIGHT interval (a minute): "When a 429
is received, it's your obligation as an API to back off and not spam the API" (AST3 §IP Limits).
"""

from __future__ import annotations

from hedgekit.throttle import Backoff, ByParam, Limit, Weight

REQUEST_WEIGHT = Limit("REQUEST_WEIGHT", 2400, 60.0)
"""AST3 §Rate limiters: ``{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":2400}``."""
ORDERS = Limit("ORDERS", 1200, 60.0)
"""AST3 §Rate limiters: ``{"rateLimitType":"ORDERS","interval":"MINUTE","intervalNum":1,"limit":1200}``."""


def _w(weight: int, source: str) -> Weight:
    return Weight(((REQUEST_WEIGHT, weight),), source)


def _order(source: str) -> Weight:
    """A new order: its weight (1), and one order in the account's ORDERS count."""
    return Weight(((REQUEST_WEIGHT, 1), (ORDERS, 1)), source)


def _by_symbol(source: str) -> ByParam:
    """"1 for a single symbol; **40** when the symbol parameter is omitted"."""
    return ByParam("symbol", _w(1, source + " (with symbol)"), _w(40, source + " (no symbol)"))


#: ccxt implicit method -> its cost, with the section that states it.
WEIGHTS: dict[str, Weight | ByParam] = {
    # v3 (AST3)
    "fapiPublicGetV3ExchangeInfo": _w(1, "AST3 §Exchange Information: Weight 1"),
    "fapiPublicGetV3Time": _w(1, "AST3 §Check Server Time: Weight 1"),
    "fapiPrivateGetV3PositionSideDual": _w(30, "AST3 §Get Current Position Mode(USER_DATA): Weight 30"),
    "fapiPrivatePostV3PositionSideDual": _w(1, "AST3 §Change Position Mode(TRADE): Weight 1"),
    "fapiPrivateGetV3PositionRisk": _w(5, "AST3 §Position Information v3 (USER_DATA): Weight 5"),
    "fapiPrivateGetV3OpenOrders": _by_symbol("AST3 §Current All Open Orders (USER_DATA)"),
    "fapiPrivatePostV3Order": _order("AST3 §New Order (TRADE): Weight 1"),
    "fapiPrivateGetV3Order": _w(1, "AST3 §Query Order (USER_DATA): Weight 1"),
    "fapiPrivateDeleteV3Order": _w(1, "AST3 §Cancel Order (TRADE): Weight 1"),
    "fapiPrivatePostV3PositionMargin": _w(1, "AST3 §Modify Isolated Position Margin (TRADE): Weight 1"),
    "fapiPrivatePostV3Leverage": _w(1, "AST3 §Change Initial Leverage (TRADE): Weight 1"),
    "fapiPrivatePostV3MarginType": _w(1, "AST3 §Change Margin Type (TRADE): Weight 1"),
    "fapiPrivatePostV3Noop": _w(1, "AST3 §Noop: Weight 1"),
    # account views (shared/ACCOUNT.md §2)
    "fapiPublicGetV3PremiumIndex": _w(1, "AST3 §Mark Price: Weight 1"),
    "fapiPublicGetV3FundingInfo": _w(1, "AST3 §Get Funding Rate Config: Weight 1"),
    "fapiPublicGetV3FundingRate": _w(1, "AST3 §Get Funding Rate History: Weight 1"),
    "fapiPrivateGetV3Income": _w(30, "AST3 §Get Income History(USER_DATA): Weight 30"),
    "fapiPrivateGetV3UserTrades": _w(5, "AST3 §Account Trade List (USER_DATA): Weight 5"),
    "fapiPrivateGetV3AccountWithJoinMargin": _w(5, "AST3 §Account Information v3 (USER_DATA): Weight 5"),
    # hedgekit adds the method (ADDED_METHODS); whether an amendment counts on ORDERS is UNCONFIRMED
    "fapiPrivatePutV3Order": _w(1, "AST3 §Modify Order (TRADE): Weight 1"),
    "fapiPrivatePostV3ListenKey": _w(1, "AST3 §Start User Data Stream (USER_STREAM): Weight 1"),
    "fapiPrivatePutV3ListenKey": _w(1, "AST3 §Keepalive User Data Stream (USER_STREAM): Weight 1"),
    "fapiPrivateDeleteV3ListenKey": _w(1, "AST3 §Close User Data Stream (USER_STREAM): Weight 1"),
    # legacy v1 HMAC keys (AST1)
    "fapiPublicGetV1ExchangeInfo": _w(1, "AST1 §Exchange Information: Weight 1"),
    "fapiPublicGetV1Time": _w(1, "AST1 §Check Server Time: Weight 1"),
    "fapiPrivateGetV1PositionSideDual": _w(30, "AST1 §Get Current Position Mode(USER_DATA): Weight 30"),
    "fapiPrivatePostV1PositionSideDual": _w(1, "AST1 §Change Position Mode(TRADE): Weight 1"),
    "fapiPrivateGetV2PositionRisk": _w(5, "AST1 §Position Information V2 (USER_DATA): Weight 5"),
    "fapiPrivateGetV1OpenOrders": _by_symbol("AST1 §Current All Open Orders (USER_DATA)"),
    "fapiPrivatePostV1Order": _order("AST1 §New Order (TRADE): Weight 1"),
    "fapiPrivateGetV1Order": _w(1, "AST1 §Query Order (USER_DATA): Weight 1"),
    "fapiPrivateDeleteV1Order": _w(1, "AST1 §Cancel Order (TRADE): Weight 1"),
    "fapiPrivatePostV1PositionMargin": _w(1, "AST1 §Modify Isolated Position Margin (TRADE): Weight 1"),
    "fapiPrivatePostV1Leverage": _w(1, "AST1 §Change Initial Leverage (TRADE): Weight 1"),
    "fapiPrivatePostV1MarginType": _w(1, "AST1 §Change Margin Type (TRADE): Weight 1"),
    "fapiPrivatePostV1ListenKey": _w(1, "AST1 §Start User Data Stream (USER_STREAM): Weight 1"),
    "fapiPrivatePutV1ListenKey": _w(1, "AST1 §Keepalive User Data Stream (USER_STREAM): Weight 1"),
    "fapiPrivateDeleteV1ListenKey": _w(1, "AST1 §Close User Data Stream (USER_STREAM): Weight 1"),
    "fapiPublicGetV1PremiumIndex": _w(1, "AST1 GET /fapi/v1/premiumIndex: Weight 1"),
    "fapiPublicGetV1FundingInfo": _w(1, "AST1 GET /fapi/v1/fundingInfo: Weight 1"),
    "fapiPublicGetV1FundingRate": _w(1, "AST1 GET /fapi/v1/fundingRate: Weight 1"),
    "fapiPrivateGetV1Income": _w(30, "AST1 GET /fapi/v1/income: Weight 30"),
    "fapiPrivateGetV1UserTrades": _w(5, "AST1 GET /fapi/v1/userTrades: Weight 5"),
    "fapiPrivateGetV4Account": _w(5, "AST1 GET /fapi/v4/account: Weight 5"),
}

ADDED_METHODS = frozenset({"fapiPrivatePutV3Order"})
"""Endpoints ccxt 4.5.90 has no implicit method for; hedgekit_aster.account adds them to the exchange."""

DEFAULT = _w(40, "not in WEIGHTS: the heaviest weight listed")
"""The weight of an endpoint missing from :data:`WEIGHTS` (a test keeps every called one listed)."""

BACKOFF = Backoff(
    statuses=frozenset({429, 418}),
    codes=frozenset({-1003}),
    default_wait=60.0,
    source="AST3 §HTTP Return Codes (429 rate limit, 418 auto-ban) and §LIMITS (REQUEST_WEIGHT per MINUTE); "
           "AST1 -1003 TOO_MANY_REQUESTS",
)
