"""ccxt.pro ``binanceusdm`` (4.5.90) watches the simulator's user data stream.

ccxt rewrites a ``linear`` websocket base ending in ``/ws`` to ``<prefix>/private/ws?listenKey=<k>``
(ccxt/pro/binance.py ``get_ws_url``/``get_private_ws_url``), gets its key with
``POST /fapi/v1/listenKey`` and sends no subscribe frame; its first ``watch_positions`` returns a
REST snapshot without dialling (shared/STREAMS.md §1.6).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue

ccxtpro = pytest.importorskip("ccxt.pro")

BTC = "BTC/USDT:USDT"
REST_KEYS = {"fapiPublic": "/fapi/v1", "fapiPrivate": "/fapi/v1", "fapiPublicV2": "/fapi/v2",
             "fapiPrivateV2": "/fapi/v2", "fapiPublicV3": "/fapi/v3", "fapiPrivateV3": "/fapi/v3",
             "fapiData": "/futures/data"}


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("binance", mark_prices={BTC: Decimal("60000")}) as sim:
        sim.engine.set_position_mode("HEDGE")
        yield sim


@pytest_asyncio.fixture
async def ex(venue: SimulatedVenue) -> AsyncIterator[Any]:
    exchange = ccxtpro.binanceusdm({"apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"],
                                    "options": {"fetchCurrencies": False}})
    api = dict(exchange.urls["api"])
    for key, path in REST_KEYS.items():
        api[key] = venue.base_url + path
    ws = dict(api["ws"])
    ws["linear"] = venue.ws_url + "/ws"
    api["ws"] = ws
    exchange.urls["api"] = api
    try:
        await exchange.load_markets()
        yield exchange
    finally:
        await exchange.close()


async def test_watch_positions_and_orders(venue: SimulatedVenue, ex: Any) -> None:
    venue.engine.place_order(BTC, "BUY", "0.010", position_side="LONG")
    snapshot = await asyncio.wait_for(ex.watch_positions([BTC]), 5)  # REST only, no socket yet
    assert [(p["side"], p["contracts"]) for p in snapshot] == [("long", 0.01)]
    assert not venue.streams.connections

    watching = asyncio.ensure_future(ex.watch_positions([BTC]))
    for _ in range(100):
        if venue.streams.connections:
            break
        await asyncio.sleep(0.02)
    [conn] = venue.streams.connections
    assert conn.path == "/private/ws" and "listenKey" in conn.query and "events" not in conn.query
    async with hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials) as hk:
        assert (await hk.position_mode()).mode is PositionMode.HEDGE
        await hk.open_short(BTC, Decimal("0.02"))
        positions = await asyncio.wait_for(watching, 5)
        short = [p for p in positions if p["side"] == "short"]
        assert short and short[-1]["contracts"] == 0.02 and short[-1]["entryPrice"] == 60000

        watching_orders = asyncio.ensure_future(ex.watch_orders(BTC))
        await asyncio.sleep(0.1)
        placed = await hk.open_long(BTC, Decimal("0.01"), price=Decimal("59000"))
        orders = await asyncio.wait_for(watching_orders, 5)
        assert orders[-1]["id"] == placed.order_id and orders[-1]["status"] == "open"
        assert orders[-1]["price"] == 59000 and orders[-1]["side"] == "buy"

        watching_orders = asyncio.ensure_future(ex.watch_orders(BTC))
        stop = await hk.stop_market(BTC, PositionSide.SHORT, Decimal("61000"))
        orders = await asyncio.wait_for(watching_orders, 5)
        # ALGO_UPDATE: id from "aid", clientOrderId from "caid" (ccxt binance.py parse_ws_order)
        assert orders[-1]["id"] == stop.order_id and orders[-1]["clientOrderId"] == stop.client_order_id

        watching_orders = asyncio.ensure_future(ex.watch_orders(BTC))
        await hk.cancel_order(placed)
        orders = await asyncio.wait_for(watching_orders, 5)
        assert orders[-1]["id"] == placed.order_id and orders[-1]["status"] == "canceled"
