"""The client-side limiter counts what the venues document, not ccxt's cost table.

The expected numbers below are copied from the venues' own pages, each with its source:

* Binance USDⓈ-M: binance/binance-connector-python ``clients/derivatives_trading_usds_futures/
  src/binance_sdk_derivatives_trading_usds_futures/rest_api/api/*.py`` docstrings (the text of
  developers.binance.com), and General Info › LIMITS;
* Aster: asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` (AST3);
* Bybit: bybit-exchange/docs ``docs/v5/rate-limit/rate-limit.mdx``;
* OKX: docs-v5 endpoint pages ("Rate Limit: N requests per 2 seconds", "Rate limit rule").
"""

from __future__ import annotations

import importlib
import inspect
import re
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

import hedgekit
from hedgekit.testing import SimulatedVenue
from hedgekit.throttle import Limiter, Weight, padded, weight_of

from ..conftest import VENUES

#: ccxt class each adapter drives.
CCXT_CLASS = {"binance": "binanceusdm", "aster": "aster", "bybit": "bybit", "okx": "okx"}
IMPLICIT = re.compile(r'"((?:fapi|sapi|papi)(?:Public|Private|Data)\w*(?:Get|Post|Put|Delete)\w+'
                      r'|(?:public|private)(?:Get|Post|Put|Delete)\w+)"')


def limits_of(venue: str) -> ModuleType:
    return importlib.import_module(f"hedgekit_{venue}.limits")


def called_methods(venue: str) -> set[str]:
    """Every ccxt implicit method named in the adapter package's source (the simulator aside)."""
    package = Path(importlib.import_module(f"hedgekit_{venue}").__file__ or "").parent
    names: set[str] = set()
    for source in package.glob("*.py"):
        if not source.name.startswith("simulator") and source.name != "limits.py":
            names |= set(IMPLICIT.findall(source.read_text()))
    return names


def units(venue: str, method: str, counter: str, params: dict[str, str] | None = None) -> int:
    mod = limits_of(venue)
    return weight_of(mod.WEIGHTS, method, params or {}).units(counter)


def limit_of(venue: str, method: str, counter: str) -> tuple[int, float]:
    for limit, _ in weight_of(limits_of(venue).WEIGHTS, method, {}).charges:
        if limit.name == counter:
            return limit.limit, limit.window
    raise AssertionError(f"{method} has no {counter} counter")


# -- every endpoint has its documented weight ---------------------------------------------------------


@pytest.mark.parametrize("venue", VENUES)
def test_every_endpoint_the_adapter_calls_has_a_documented_weight(venue: str) -> None:
    called = called_methods(venue)
    table = limits_of(venue).WEIGHTS
    assert len(called) >= 10
    assert called <= set(table), sorted(called - set(table))
    for method in table:
        entry = table[method]
        weights = [entry] if isinstance(entry, Weight) else [entry.given, entry.missing]
        assert all(w.source and w.charges for w in weights), method  # each names the doc it comes from


@pytest.mark.parametrize("venue", VENUES)
def test_every_listed_endpoint_is_one_of_ccxts_implicit_methods(venue: str) -> None:
    module = importlib.import_module(f"ccxt.abstract.{CCXT_CLASS[venue]}")
    added = getattr(limits_of(venue), "ADDED_METHODS", frozenset())  # ccxt lacks them; the adapter adds them
    for method in set(limits_of(venue).WEIGHTS) - added:
        assert inspect.getattr_static(module.ImplicitAPI, method, None) is not None, method


# -- numbers from the docs ----------------------------------------------------------------------------


def test_aster_weights_are_asters() -> None:
    # AST3 §Position Information v3 (USER_DATA) "GET /fapi/v3/positionRisk ... Weight: 5"
    assert units("aster", "fapiPrivateGetV3PositionRisk", "REQUEST_WEIGHT") == 5
    from ccxt.abstract.aster import ImplicitAPI

    assert inspect.getattr_static(ImplicitAPI, "fapiPrivateGetV3PositionRisk").config["cost"] == 1  # ccxt's
    # AST3 §Get Current Position Mode(USER_DATA) "GET /fapi/v3/positionSide/dual ... Weight: 30"
    assert units("aster", "fapiPrivateGetV3PositionSideDual", "REQUEST_WEIGHT") == 30
    # AST3 §Current All Open Orders: "1 for a single symbol; 40 when the symbol parameter is omitted"
    assert units("aster", "fapiPrivateGetV3OpenOrders", "REQUEST_WEIGHT", {"symbol": "BTCUSDT"}) == 1
    assert units("aster", "fapiPrivateGetV3OpenOrders", "REQUEST_WEIGHT") == 40
    # AST3 §New Order "Weight: 1"; §LIMITS "ORDERS ... MINUTE ... 1200", "REQUEST_WEIGHT ... 2400"
    assert units("aster", "fapiPrivatePostV3Order", "REQUEST_WEIGHT") == 1
    assert units("aster", "fapiPrivatePostV3Order", "ORDERS") == 1
    assert limit_of("aster", "fapiPrivatePostV3Order", "ORDERS") == (1200, 60.0)
    assert limit_of("aster", "fapiPrivateGetV3PositionRisk", "REQUEST_WEIGHT") == (2400, 60.0)
    # AST1 §Position Information V2 "GET /fapi/v2/positionRisk ... Weight: 5" (legacy keys)
    assert units("aster", "fapiPrivateGetV2PositionRisk", "REQUEST_WEIGHT") == 5


def test_binance_weights_are_binances() -> None:
    # account_api.get_current_position_mode "GET /fapi/v1/positionSide/dual ... Weight: 30"
    assert units("binance", "fapiPrivateGetPositionSideDual", "REQUEST_WEIGHT") == 30
    # trade_api.current_all_open_orders "Weight: 1 for a single symbol; 40 when the symbol parameter is omitted"
    assert units("binance", "fapiPrivateGetOpenOrders", "REQUEST_WEIGHT") == 40
    assert units("binance", "fapiPrivateGetOpenOrders", "REQUEST_WEIGHT", {"symbol": "BTCUSDT"}) == 1
    # trade_api.current_all_algo_open_orders: the same 1 / 40
    assert units("binance", "fapiPrivateGetOpenAlgoOrders", "REQUEST_WEIGHT") == 40
    # trade_api.position_information_v3 "GET /fapi/v3/positionRisk ... Weight: 5"; account_api.symbol_configuration 5
    assert units("binance", "fapiPrivateV3GetPositionRisk", "REQUEST_WEIGHT") == 5
    assert units("binance", "fapiPrivateGetSymbolConfig", "REQUEST_WEIGHT") == 5
    # trade_api.new_order: "1 on 10s order rate limit(X-MBX-ORDER-COUNT-10S); 1 on 1min order rate
    # limit(X-MBX-ORDER-COUNT-1M); 0 on IP rate limit(x-mbx-used-weight-1m)"
    assert [units("binance", "fapiPrivatePostOrder", c) for c in ("REQUEST_WEIGHT", "ORDERS_10S", "ORDERS_1M")] == [0, 1, 1]
    # exchangeInfo rateLimits: REQUEST_WEIGHT 2400/min, ORDERS 300/10 s and 1200/min
    assert limit_of("binance", "fapiPrivatePostOrder", "REQUEST_WEIGHT") == (2400, 60.0)
    assert limit_of("binance", "fapiPrivatePostOrder", "ORDERS_10S") == (300, 10.0)
    assert limit_of("binance", "fapiPrivatePostOrder", "ORDERS_1M") == (1200, 60.0)


def test_bybit_limits_are_bybits() -> None:
    # rate-limit.mdx API Rate Limit Table (UTA2.0 Pro, linear), "per second per UID"
    assert limit_of("bybit", "privatePostV5OrderCreate", "privatePostV5OrderCreate") == (10, 1.0)
    assert limit_of("bybit", "privatePostV5OrderCancel", "privatePostV5OrderCancel") == (10, 1.0)
    assert limit_of("bybit", "privateGetV5PositionList", "privateGetV5PositionList") == (50, 1.0)
    assert limit_of("bybit", "privateGetV5OrderRealtime", "privateGetV5OrderRealtime") == (50, 1.0)
    assert limit_of("bybit", "privatePostV5PositionSwitchMode", "privatePostV5PositionSwitchMode") == (10, 1.0)
    assert limit_of("bybit", "privatePostV5AccountSetMarginMode", "privatePostV5AccountSetMarginMode") == (5, 1.0)
    # "600 requests within a 5-second window per IP", every request, public ones too
    assert limit_of("bybit", "publicGetV5MarketInstrumentsInfo", "IP") == (600, 5.0)
    assert units("bybit", "privatePostV5OrderCreate", "IP") == 1


def test_okx_limits_are_okxs() -> None:
    # #trading-account-rest-api-get-account-configuration "Rate Limit: 5 requests per 2 seconds"
    assert limit_of("okx", "privateGetAccountConfig", "privateGetAccountConfig") == (5, 2.0)
    # #order-book-trading-algo-trading-get-algo-order-list "20 requests per 2 seconds"
    assert limit_of("okx", "privateGetTradeOrdersAlgoPending", "privateGetTradeOrdersAlgoPending") == (20, 2.0)
    # #post-place-order "60 requests per 2 seconds", "User ID + Instrument ID"; sub-account 1000 per 2 s
    mod = limits_of("okx")
    charges = Limiter(mod.WEIGHTS, mod.DEFAULT).charges("privatePostTradeOrder", {"instId": "BTC-USDT-SWAP"})
    assert [(key, limit, units) for key, limit, _w, units in charges] == [
        (("privatePostTradeOrder", "BTC-USDT-SWAP"), 60, 1), (("sub-account orders", ""), 1000, 1)]
    # #public-data-rest-api-get-instruments "20 requests per 2 seconds", "IP + Instrument Type"
    charges = Limiter(mod.WEIGHTS, mod.DEFAULT).charges("publicGetPublicInstruments", {"instType": "SWAP"})
    assert charges[0][0] == ("publicGetPublicInstruments", "SWAP")


# -- the limiter holds a burst under the budget ------------------------------------------------------


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_a_burst_of_aster_position_reads_stays_under_2400_a_minute() -> None:
    mod = limits_of("aster")
    time = VirtualTime()
    limiter = Limiter(mod.WEIGHTS, mod.DEFAULT, clock=time.clock, sleep=time.sleep)
    sent: list[float] = []
    for _ in range(1200):  # 6000 units of weight: two and a half minutes of Aster's budget
        await limiter.acquire(limiter.charges("fapiPrivateGetV3PositionRisk", {}))
        sent.append(time.now)
    assert sent[479] == 0.0 and sent[480] > 60.0  # 480 x 5 = 2400 at once, then the next minute
    for i, start in enumerate(sent):  # any minute holds at most 2400 units (480 reads)
        assert sum(1 for t in sent[i:] if t < start + 60.0) <= 480
    assert sent[-1] < 3 * padded(60.0)  # and it waits no more than that


async def test_binance_order_counts_and_weights_are_separate_budgets() -> None:
    mod = limits_of("binance")
    time = VirtualTime()
    limiter = Limiter(mod.WEIGHTS, mod.DEFAULT, clock=time.clock, sleep=time.sleep)
    for _ in range(300):  # ORDERS 300 per 10 s: all at once
        await limiter.acquire(limiter.charges("fapiPrivatePostOrder", {}))
    for _ in range(80):  # 80 x 30 = 2400 weight: orders weigh 0, so these go at once too
        await limiter.acquire(limiter.charges("fapiPrivateGetPositionSideDual", {}))
    assert time.now == 0.0
    await limiter.acquire(limiter.charges("fapiPrivatePostOrder", {}))  # the 301st order
    assert time.now == pytest.approx(padded(10.0))


# -- the adapters count with these tables, and ccxt's own throttle is off -----------------------------


@pytest.mark.parametrize("venue_name", VENUES)
async def test_the_client_counts_its_requests_with_the_venues_table(venue_name: str) -> None:
    async with SimulatedVenue(venue_name, mark_prices={"BTC/USDT:USDT": Decimal("60000")}) as venue:
        async with hedgekit.connect(venue_name, base_url=venue.base_url, **venue.credentials) as hk:
            adapter = hk.adapter
            transport = getattr(adapter, "_transport", None)
            exchange = transport.exchange if transport is not None else adapter._exchange  # type: ignore[attr-defined]
            pacer = transport.pacer if transport is not None else adapter._pacer  # type: ignore[attr-defined]
            assert exchange.enableRateLimit is False  # ccxt's cost table is not used
            before = len(venue.requests)
            await hk.position_mode("BTC/USDT:USDT")
            limiter = pacer.limiter
            assert isinstance(limiter, Limiter)
            sent = venue.requests[before:]
            assert len(sent) == 1
            used = dict(limiter._used)
        expected = {
            "binance": {("REQUEST_WEIGHT", ""): 1 + 30},  # exchangeInfo, then positionSide/dual
            "aster": {("REQUEST_WEIGHT", ""): 1 + 30},
            "bybit": {("privateGetV5PositionList", ""): 1, ("IP", ""): before + 1},
            "okx": {("privateGetAccountConfig", ""): 1, ("publicGetPublicInstruments", "SWAP"): 1},
        }[venue_name]
        assert {k: used.get(k) for k in expected} == expected


async def test_a_users_own_exchange_keeps_its_throttle() -> None:
    from hedgekit.ccxt_loader import exchange_class

    async with SimulatedVenue("binance") as venue:
        own = exchange_class("binanceusdm")({"enableRateLimit": True, "apiKey": venue.credentials["api_key"],
                                             "secret": venue.credentials["secret"]})
        async with hedgekit.connect("binance", base_url=venue.base_url, exchange=own) as hk:
            assert hk.adapter._exchange is own and own.enableRateLimit is True  # type: ignore[attr-defined]
            await hk.position_mode()
