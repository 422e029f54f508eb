"""ccxt.pro ``okx`` (4.5.90) against the simulator's ``/ws/v5/private`` and ``/ws/v5/business``.

Setup (shared/STREAMS.md §4 "What ccxt.pro does"; ccxt/pro/okx.py ``get_url``):

* ``urls['api']['ws']`` is the simulator's ``ws://127.0.0.1:P/ws/v5``: ccxt appends ``/private``
  (or ``/business`` for ``orders-algo``) itself; ``urls['api']['rest']`` is the REST base;
* ``watch_positions()`` subscribes ``{"channel":"positions","instType":"ANY"}``, takes no REST
  snapshot, and resolves only on a push whose ``arg`` has no ``instId``: the simulator's first
  snapshot (``data: []`` for a flat account) resolves it;
* ``watch_orders()`` subscribes ``{"channel":"orders","instType":"ANY"}``; ``{"trigger": True}``
  subscribes ``orders-algo`` on ``/business``.
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
    async with SimulatedVenue("okx", mark_prices={BTC: Decimal("60000")}) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("okx", base_url=venue.base_url, rate_limit=False, **venue.credentials) as client:
        await client.set_position_mode(PositionMode.HEDGE)
        yield client


@pytest_asyncio.fixture
async def ex(venue: SimulatedVenue) -> AsyncIterator[Any]:
    creds = venue.credentials
    exchange = ccxtpro.okx({"apiKey": creds["api_key"], "secret": creds["secret"], "password": creds["password"],
                            "enableRateLimit": False, "options": {"fetchMarkets": {"types": ["swap"]}}})
    exchange.has["fetchCurrencies"] = False
    exchange.urls["api"] = dict(exchange.urls["api"], rest=venue.base_url, ws=venue.ws_url + "/ws/v5")
    try:
        await exchange.load_markets()
        yield exchange
    finally:
        await exchange.close()


async def _soon(coro: Any) -> Any:
    return await asyncio.wait_for(coro, 5)


async def test_watch_positions(venue: SimulatedVenue, hk: HedgeClient, ex: Any) -> None:
    first = await _soon(ex.watch_positions())  # resolved by the subscribe snapshot (flat account)
    assert first == [] or all(p["contracts"] in (0, None) for p in first)
    waiting = asyncio.ensure_future(ex.watch_positions())
    await asyncio.sleep(0.05)
    await hk.open_long(BTC, Decimal("0.02"))
    positions = await _soon(waiting)
    (long,) = [p for p in positions if p["side"] == "long"]
    assert long["symbol"] == BTC and long["contracts"] == 2 and long["entryPrice"] == 60000
    assert long["marginMode"] == "cross" and long["leverage"] == 20
    assert any(c.url == venue.ws_url + "/ws/v5/private" for c in ex.clients.values())


async def test_watch_orders_and_trigger_orders(venue: SimulatedVenue, hk: HedgeClient, ex: Any) -> None:
    waiting = asyncio.ensure_future(ex.watch_orders(BTC))
    await asyncio.sleep(0.2)  # login and subscribe
    placed = await hk.open_long(BTC, Decimal("0.02"))
    orders = await _soon(waiting)
    assert orders[-1]["id"] == placed.order_id and orders[-1]["symbol"] == BTC
    for _ in range(100):  # the filled push may already be in ccxt's cache
        cached = [o for o in ex.orders if o["id"] == placed.order_id]
        if cached and cached[-1]["status"] == "closed":
            break
        await asyncio.sleep(0.02)
    assert cached[-1]["status"] == "closed" and cached[-1]["filled"] == 2 and cached[-1]["average"] == 60000
    algo = asyncio.ensure_future(ex.watch_orders(BTC, params={"trigger": True}))
    await asyncio.sleep(0.2)
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("59000"), Decimal("0.01"))
    conditional = await _soon(algo)
    assert conditional[-1]["id"] == stop.order_id and conditional[-1]["status"] == "open"
    assert any(c.url == venue.ws_url + "/ws/v5/business" for c in ex.clients.values())
