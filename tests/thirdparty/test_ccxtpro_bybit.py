"""ccxt.pro ``bybit`` (4.5.90) against the simulator's ``/v5/private`` stream.

Setup (shared/STREAMS.md §3 "What ccxt.pro does"):

* ``enableUnifiedAccount``/``enableUnifiedMargin`` are preset: otherwise ccxt calls
  ``GET /v5/user/query-api`` and ``/v5/account/info`` before dialling (async_support/bybit.py
  ``is_unified_enabled``), and the simulator does not serve ``/v5/user/query-api``;
* ``urls['api']['ws']['private']['contract']`` is the simulator's ``ws://127.0.0.1:P/v5/private``
  (ccxt picks ``contract`` for a unified linear account, ccxt/pro/bybit.py ``get_url_by_market_type``);
* the first ``watch_positions`` returns a REST snapshot and does not subscribe: ccxt reads
  ``/v5/position/list`` for ``linear`` **and** ``inverse``; the simulator serves ``linear`` only
  (10001 for inverse, which would leave ccxt's snapshot future unresolved), so the test answers the
  inverse read with "no positions" itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue

ccxtpro = pytest.importorskip("ccxt.pro")

BTC = "BTC/USDT:USDT"


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("bybit", mark_prices={BTC: Decimal("60000")}) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("bybit", base_url=venue.base_url, rate_limit=False, **venue.credentials) as client:
        await client.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        yield client


@pytest_asyncio.fixture
async def ex(venue: SimulatedVenue) -> AsyncIterator[Any]:
    exchange = ccxtpro.bybit({
        "apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"], "enableRateLimit": False,
        "options": {"enableUnifiedAccount": True, "enableUnifiedMargin": False,
                    "fetchMarkets": {"types": ["linear"]}},
    })
    exchange.has["fetchCurrencies"] = False
    api = dict(exchange.urls["api"])
    for key in ("public", "private", "spot", "futures", "v2"):
        api[key] = venue.base_url
    ws = dict(api["ws"])
    ws["private"] = dict(ws["private"], contract=venue.ws_url + "/v5/private")
    api["ws"] = ws
    exchange.urls["api"] = api
    linear_only = exchange.fetch_positions

    async def fetch_positions(symbols: Any = None, params: Any = None) -> Any:
        params = params or {}
        if params.get("subType") == "inverse":
            return []  # the simulator lists linear contracts only
        return await linear_only(symbols, params)

    exchange.fetch_positions = fetch_positions
    try:
        await exchange.load_markets()
        yield exchange
    finally:
        await exchange.close()


async def _soon(coro: Any) -> Any:
    return await asyncio.wait_for(coro, 5)


async def _subscribed(venue: SimulatedVenue, topic: str) -> None:
    for _ in range(100):
        if any(topic in c.state.get("topics", {}) for c in venue.streams.connections):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"ccxt did not subscribe {topic}")


async def test_watch_positions(venue: SimulatedVenue, ex: Any, hk: HedgeClient) -> None:
    await hk.open_short(BTC, Decimal("0.03"))
    snapshot = await _soon(ex.watch_positions([BTC]))  # REST, no subscription yet
    assert [(p["side"], p["contracts"]) for p in snapshot] == [("short", 0.03)]
    assert not any("position" in c.state.get("topics", {}) for c in venue.streams.connections)
    watching = asyncio.ensure_future(ex.watch_positions([BTC]))
    await _subscribed(venue, "position")
    await hk.open_long(BTC, Decimal("0.01"))
    pushed = await _soon(watching)
    by_side = {p["side"]: p for p in pushed}
    assert by_side["long"]["contracts"] == 0.01 and by_side["long"]["entryPrice"] == 60000.0
    assert by_side["long"]["hedged"] is True and by_side["long"]["leverage"] == 10.0
    assert by_side["short"]["contracts"] == 0.03
    pair = await hk.legs(BTC)
    assert Decimal(str(by_side["long"]["contracts"])) == pair.long.size
    assert Decimal(str(by_side["short"]["contracts"])) == pair.short.size


async def _seen(ex: Any, order_id: str, status: str) -> dict[str, Any]:
    """The order as ccxt's order cache holds it once a push brought it to ``status``."""
    for _ in range(20):
        cached = [o for o in (ex.orders or []) if o["id"] == order_id]
        if cached and cached[-1]["status"] == status:
            found: dict[str, Any] = cached[-1]
            return found
        try:
            await asyncio.wait_for(ex.watch_orders(BTC), 0.5)
        except asyncio.TimeoutError:
            pass
    raise AssertionError(f"ccxt never saw order {order_id} {status}")


async def test_watch_orders(venue: SimulatedVenue, ex: Any, hk: HedgeClient) -> None:
    watching = asyncio.ensure_future(ex.watch_orders(BTC))
    await _subscribed(venue, "order")
    placed = await hk.open_long(BTC, Decimal("0.01"), price=Decimal("55000"))
    await _soon(watching)
    mine = await _seen(ex, placed.order_id, "open")
    assert mine["price"] == 55000.0 and mine["amount"] == 0.01
    assert mine["clientOrderId"] == placed.client_order_id and mine["side"] == "buy"
    await hk.cancel_order(placed)
    await _seen(ex, placed.order_id, "canceled")
    market = await hk.open_short(BTC, Decimal("0.02"))
    filled = await _seen(ex, market.order_id, "closed")
    assert filled["filled"] == 0.02 and filled["average"] == 60000.0
    # a conditional order is pushed in the same topic (stopOrderType Stop, orderStatus Untriggered)
    await hk.open_long(BTC, Decimal("0.01"))
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("59000"))
    found = await _seen(ex, stop.order_id, "open")
    assert found["triggerPrice"] == 59000.0 and found["side"] == "sell" and found["reduceOnly"] is True


async def test_auth_refused_raises(venue: SimulatedVenue) -> None:
    exchange = ccxtpro.bybit({"apiKey": venue.credentials["api_key"], "secret": "wrong", "enableRateLimit": False,
                              "options": {"enableUnifiedAccount": True, "enableUnifiedMargin": False,
                                          "fetchMarkets": {"types": ["linear"]}}})
    exchange.has["fetchCurrencies"] = False
    api = dict(exchange.urls["api"])
    for key in ("public", "private", "spot", "futures", "v2"):
        api[key] = venue.base_url
    api["ws"] = dict(api["ws"], private=dict(api["ws"]["private"], contract=venue.ws_url + "/v5/private"))
    exchange.urls["api"] = api
    try:
        await exchange.load_markets()
        # ccxt raises AuthenticationError only for a refusal carrying "request":{"op":"auth"} (the v3 shape);
        # the v5 refusal has "op":"auth" at the top, so ccxt raises its ExchangeError with ret_msg
        with pytest.raises(ccxtpro.ExchangeError, match="Signature verification failed"):
            await _soon(exchange.watch_orders(BTC))
    finally:
        await exchange.close()
