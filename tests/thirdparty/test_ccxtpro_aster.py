"""ccxt.pro ``aster`` (4.5.90) against the simulator's Aster user data stream.

ccxt signs as the key it holds (``user`` = ``signer``), so the simulated account is made that key's
wallet (``frontend.set_user``), as in tests/aster/test_ccxt_aster.py. It gets its key with a signed
``POST /fapi/v3/listenKey``, dials ``urls['api']['ws']['private']['swap']`` + ``/<listenKey>`` and
sends no subscribe frame; its first ``watch_positions`` returns a REST snapshot without dialling,
and ``watch_orders`` always raises ``ArgumentsRequired`` (ccxt/pro/aster.py ``watch_orders``:
it tests a ``type`` it never assigns; shared/STREAMS.md §2).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio

from hedgekit.testing import SimulatedVenue
from hedgekit_aster.auth import address_of, private_key_bytes
from hedgekit_aster.simulator import AsterFrontend, new_private_key

ccxtpro = pytest.importorskip("ccxt.pro")
ccxt_base = pytest.importorskip("ccxt.base.errors")

BTC = "BTC/USDT:USDT"


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("aster", mark_prices={BTC: Decimal("60000")}) as sim:
        sim.engine.set_position_mode("HEDGE")
        yield sim


@pytest_asyncio.fixture
async def ex(venue: SimulatedVenue) -> AsyncIterator[Any]:
    main_key = new_private_key()
    assert isinstance(venue.frontend, AsterFrontend)
    venue.frontend.set_user(address_of(private_key_bytes(main_key)))
    exchange = ccxtpro.aster({"privateKey": main_key, "enableRateLimit": False,
                              "options": {"builderFee": False, "defaultType": "swap"}})
    api = {**exchange.urls["api"], "fapiPublic": f"{venue.base_url}/fapi", "fapiPrivate": f"{venue.base_url}/fapi"}
    api["ws"] = {**api["ws"], "private": {**api["ws"]["private"], "swap": venue.ws_url + "/ws"}}
    exchange.urls["api"] = api
    exchange.has["fetchCurrencies"] = False
    # ccxt names the account type after the host ("fstream" in it: swap, else spot: get_account_type_from_url),
    # and a loopback host has no "fstream": give the spot balance bucket its handle_balance expects
    exchange.balance["spot"] = {}

    async def no_spot(params: Any = None) -> dict[str, Any]:
        return {"symbols": []}  # load_markets also reads the spot listing, another host

    exchange.sapiPublicGetV3ExchangeInfo = no_spot
    ticks = itertools.count(exchange.milliseconds())  # unique nonces within one millisecond
    exchange.milliseconds = lambda: max(next(ticks), ccxtpro.aster.milliseconds())
    try:
        await exchange.load_markets()
        yield exchange
    finally:
        await exchange.close()


async def test_watch_positions(venue: SimulatedVenue, ex: Any) -> None:
    venue.engine.place_order(BTC, "BUY", "0.010", position_side="LONG")
    snapshot = await asyncio.wait_for(ex.watch_positions([BTC]), 5)
    # the REST snapshot (ccxt's own positionRisk parsing leaves "side" unset here, not the stream's business)
    assert [p["contracts"] for p in snapshot if p["contracts"]] == [0.01]
    watching = asyncio.ensure_future(ex.watch_positions([BTC]))
    for _ in range(100):
        if venue.streams.connections:
            break
        await asyncio.sleep(0.02)
    [conn] = venue.streams.connections
    assert conn.path.startswith("/ws/")
    assert [r.path for r in venue.requests if r.method == "POST"][-1] == "/fapi/v3/listenKey"
    venue.engine.place_order(BTC, "SELL", "0.020", position_side="SHORT")
    await asyncio.wait_for(watching, 5)
    await asyncio.sleep(0.05)
    # ccxt's aster resolves a watch with one position (a dict) per pushed row, not a list: read its cache
    seen = list(ex.positions)
    short = [p for p in seen if p["side"] == "short"]
    assert short and short[-1]["contracts"] == 0.02 and short[-1]["entryPrice"] == 60000
    assert short[-1]["marginMode"] == "cross" and short[-1]["hedged"] is True


async def test_watch_orders_raises_arguments_required(ex: Any) -> None:
    for params in ({}, {"type": "swap"}):
        with pytest.raises(ccxt_base.ArgumentsRequired, match="requires a market type"):
            await ex.watch_orders(BTC, params=params)
