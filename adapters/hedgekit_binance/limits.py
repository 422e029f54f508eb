"""Binance USDⓈ-M request budgets: the weight of every endpoint hedgekit calls, as Binance documents it.

Counters (developers.binance.com, Derivatives › USDⓈ-M Futures › General Info › "LIMITS", and the
``rateLimits`` of ``GET /fapi/v1/exchangeInfo``; mirrored in binance-connector-python and
shared/VENUES.md §2.8):

* ``REQUEST_WEIGHT`` 2400 per minute, counted per IP (``X-MBX-USED-WEIGHT-1M``);
* ``ORDERS`` 300 per 10 s and 1200 per minute, counted per account (``X-MBX-ORDER-COUNT-10S/1M``).

Since the COIN-M integration (Binance notice published 2026-06-10, effective 2026-06-30, §A.3)
"UM and CM share the same rate-limit pools": ``/dapi`` requests count against these same counters,
so the COIN-M reads of the mode-change check are charged to them here too.

Each endpoint's weight is the "Weight" line of its page, quoted in the docstrings of
binance/binance-connector-python ``clients/derivatives_trading_usds_futures/.../rest_api/api/``
(``trade_api.py``, ``account_api.py``, ``market_data_api.py``, ``user_data_streams_api.py``),
cited below as ``<module>.<function>``. ccxt's cost table differs (``v3/positionRisk`` 1, not 5;
``POST /order`` 4 units of weight, not 0 weight and 1 order), so hedgekit's exchanges run with
ccxt's throttle off and this table in :class:`hedgekit.throttle.Limiter` instead.

After a rate-limit answer (HTTP 429, 418 = IP banned, or ``-1003`` TOO_MANY_REQUESTS) the whole
account waits for ``Retry-After`` ("When a 429 is received, it's your obligation as an API to back
off and not spam the API"; bans "scale in duration for repeat offenders, from 2 minutes to 3
days"); without one, for one whole REQUEST_WEIGHT interval (a minute), after which every counter
the request could have met has room again.
"""

from __future__ import annotations

from hedgekit.throttle import Backoff, ByParam, Limit, Weight

REQUEST_WEIGHT = Limit("REQUEST_WEIGHT", 2400, 60.0)
"""General Info › LIMITS; exchangeInfo ``{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","limit":2400}``."""
ORDERS_10S = Limit("ORDERS_10S", 300, 10.0)
"""exchangeInfo ``{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":300}``."""
ORDERS_1M = Limit("ORDERS_1M", 1200, 60.0)
"""exchangeInfo ``{"rateLimitType":"ORDERS","interval":"MINUTE","intervalNum":1,"limit":1200}``."""


FUNDING_INFO = Limit("FUNDING_INFO", 500, 300.0)
"""GET /fapi/v1/fundingInfo and /fapi/v1/fundingRate: "share 500/5min/IP rate limit" (shared/ACCOUNT.md §1)."""


def _w(weight: int, source: str) -> Weight:
    return Weight(((REQUEST_WEIGHT, weight),), source)


def _order(source: str) -> Weight:
    """An order: "1 on 10s order rate limit(X-MBX-ORDER-COUNT-10S); 1 on 1min order rate limit
    (X-MBX-ORDER-COUNT-1M); 0 on IP rate limit(x-mbx-used-weight-1m)"."""
    return Weight(((REQUEST_WEIGHT, 0), (ORDERS_10S, 1), (ORDERS_1M, 1)), source)


def _by_symbol(one: int, all_: int, source: str) -> ByParam:
    return ByParam("symbol", _w(one, source + " (with symbol)"), _w(all_, source + " (no symbol)"))


#: ccxt implicit method -> its cost, with the connector docstring that states it.
WEIGHTS: dict[str, Weight | ByParam] = {
    # market data
    "fapiPublicGetExchangeInfo": _w(1, "market_data_api.exchange_information: Weight 1"),
    "fapiPublicGetTime": _w(1, "market_data_api.check_server_time: Weight 1"),
    "fapiPublicGetPremiumIndex": _w(1, "market_data_api.mark_price: Weight 1"),
    # position mode
    "fapiPrivateGetPositionSideDual": _w(30, "account_api.get_current_position_mode: Weight 30"),
    "fapiPrivatePostPositionSideDual": _w(1, "trade_api.change_position_mode: Weight 1"),
    # positions and settings
    "fapiPrivateV3GetPositionRisk": _w(5, "trade_api.position_information_v3: Weight 5"),
    "fapiPrivateGetSymbolConfig": _w(5, "account_api.symbol_configuration: Weight 5"),
    "fapiPrivatePostLeverage": _w(1, "trade_api.change_initial_leverage: Weight 1"),
    "fapiPrivatePostMarginType": _w(1, "trade_api.change_margin_type: Weight 1"),
    "fapiPrivatePostPositionMargin": _w(1, "trade_api.modify_isolated_position_margin: Weight 1"),
    # orders
    "fapiPrivateGetOpenOrders": _by_symbol(1, 40, "trade_api.current_all_open_orders: 1 for a single symbol; "
                                           "40 when the symbol parameter is omitted"),
    "fapiPrivateGetOpenAlgoOrders": _by_symbol(1, 40, "trade_api.current_all_algo_open_orders: 1 for a single "
                                               "symbol; 40 when the symbol parameter is omitted"),
    "fapiPrivatePostOrder": _order("trade_api.new_order"),
    "fapiPrivatePostAlgoOrder": _order("trade_api.new_algo_order"),
    "fapiPrivateGetOrder": _w(1, "trade_api.query_order: Weight 1"),
    "fapiPrivateGetAlgoOrder": _w(1, "trade_api.query_algo_order: Weight 1"),
    "fapiPrivateDeleteOrder": _w(1, "trade_api.cancel_order: Weight 1"),
    "fapiPrivateDeleteAlgoOrder": _w(1, "trade_api.cancel_algo_order: Weight 1"),
    # COIN-M reads of the mode-change check (the same pools since 2026-06-30); weights from
    # binance-connector-python clients/derivatives_trading_coin_futures (cited as cm.<module>)
    "dapiPrivateGetPositionRisk": _w(1, "cm.trade_api.position_information: Weight(IP): 1"),
    "dapiPrivateGetOpenOrders": _by_symbol(1, 40, "cm.trade_api.current_all_open_orders: 1 for a single "
                                           "symbol, 40 for mutltiple symbols"),
    # not in the connector; ccxt 4.5.90 binance.py dapiPrivate 'openAlgoOrders': {'cost': 1,
    # 'noSymbol': 40} ("verified live incl. the weights"): UNCONFIRMED by a Binance document
    "dapiPrivateGetOpenAlgoOrders": _by_symbol(1, 40, "ccxt binance.py dapiPrivate openAlgoOrders: cost 1, "
                                               "noSymbol 40 (UNCONFIRMED by Binance's docs)"),
    # account views (shared/ACCOUNT.md §1)
    "fapiPublicGetFundingInfo": Weight(((REQUEST_WEIGHT, 0), (FUNDING_INFO, 1)), "market_data_api.get_funding_rate_info: "
                                       "Weight 0, shares 500/5min/IP rate limit with GET /fapi/v1/fundingRate"),
    "fapiPublicGetFundingRate": Weight(((REQUEST_WEIGHT, 0), (FUNDING_INFO, 1)), "market_data_api.get_funding_rate_history: "
                                       "share 500/5min/IP rate limit with GET /fapi/v1/fundingInfo (the request weight "
                                       "itself is UNCONFIRMED: 0 here)"),
    "fapiPrivateGetIncome": _w(30, "account_api.get_income_history: Weight 30"),
    "fapiPrivateGetUserTrades": _w(5, "trade_api.account_trade_list: Weight 5"),
    "fapiPrivateV3GetAccount": _w(5, "account_api.account_information_v3: Weight 5"),
    "fapiPrivatePutOrder": _order("trade_api.modify_order: 1 on 10s order rate limit; 1 on 1min order rate limit; "
                                  "0 on IP rate limit"),
    # user data stream (USER_STREAM: the key header, no signature)
    "fapiPrivatePostListenKey": _w(1, "user_data_streams_api.start_user_data_stream: Weight 1"),
    "fapiPrivatePutListenKey": _w(1, "user_data_streams_api.keepalive_user_data_stream: Weight 1"),
    "fapiPrivateDeleteListenKey": _w(1, "user_data_streams_api.close_user_data_stream: Weight 1"),
}

DEFAULT = _w(40, "not in WEIGHTS: the heaviest weight listed")
"""The weight of an endpoint missing from :data:`WEIGHTS` (a test keeps every called one listed)."""

BACKOFF = Backoff(
    statuses=frozenset({429, 418}),
    codes=frozenset({-1003}),
    default_wait=60.0,
    source="General Info › HTTP Return Codes (429 limit, 418 IP auto-ban) and LIMITS (REQUEST_WEIGHT per "
           "MINUTE); -1003 TOO_MANY_REQUESTS (Error Codes)",
)
