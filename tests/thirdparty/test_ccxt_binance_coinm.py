"""ccxt's unified ``binancecoinm`` against the simulator's COIN-M book, and the mode both classes share.

A bot on ccxt places COIN-M orders, stops and positions; ccxt's own ``set_position_mode`` on
``binanceusdm`` and on ``binancecoinm`` is then refused by the one shared setting, as on the venue
since the COIN-M integration (2026-06-30).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import ccxt.async_support as ccxt
import pytest
import pytest_asyncio

from hedgekit.testing import SimulatedVenue

BTC_CM = "BTC/USD:BTC"


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("binance") as simulated:
        yield simulated


def _exchange(cls: Any, venue: SimulatedVenue, api: str) -> Any:
    exchange = cls({"apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"],
                    "options": {"fetchCurrencies": False}, "enableRateLimit": False})
    for version, path in (("", "v1"), ("V2", "v2"), ("V3", "v3")):
        for side in ("Public", "Private"):
            exchange.urls["api"][f"{api}{side}{version}"] = f"{venue.base_url}/{api}/{path}"
    return exchange


@pytest_asyncio.fixture
async def cm(venue: SimulatedVenue) -> AsyncIterator[Any]:
    exchange = _exchange(ccxt.binancecoinm, venue, "dapi")
    try:
        await exchange.load_markets()
        yield exchange
    finally:
        await exchange.close()


@pytest_asyncio.fixture
async def um(venue: SimulatedVenue) -> AsyncIterator[Any]:
    exchange = _exchange(ccxt.binanceusdm, venue, "fapi")
    try:
        yield exchange
    finally:
        await exchange.close()


async def test_ccxt_reads_the_coinm_listing(cm: Any) -> None:
    market = cm.market(BTC_CM)
    assert (market["id"], market["inverse"], market["contractSize"], market["settle"]) == (
        "BTCUSD_PERP", True, 100.0, "BTC")
    assert cm.market("ETH/USD:ETH")["contractSize"] == 10.0


async def test_ccxt_places_lists_and_cancels_coinm_orders(cm: Any) -> None:
    filled = await cm.create_order(BTC_CM, "market", "buy", 3)
    assert (filled["status"], filled["filled"]) == ("closed", 3.0)
    resting = await cm.create_order(BTC_CM, "limit", "buy", 2, 50000)
    assert resting["status"] == "open"
    stop = await cm.create_order(BTC_CM, "market", "sell", 3, params={"stopPrice": 50000, "reduceOnly": True})
    assert stop["status"] == "open"
    assert [o["id"] for o in await cm.fetch_open_orders(BTC_CM)] == [resting["id"]]
    assert [o["id"] for o in await cm.fetch_open_orders(BTC_CM, params={"trigger": True})] == [stop["id"]]
    await cm.cancel_order(resting["id"], BTC_CM)
    assert await cm.fetch_open_orders(BTC_CM) == []


async def test_ccxt_mode_switch_is_refused_on_both_apis_while_coinm_holds_anything(cm: Any, um: Any) -> None:
    await cm.create_order(BTC_CM, "limit", "sell", 1, 70000)
    for exchange in (um, cm):
        with pytest.raises(ccxt.ExchangeError) as refused:
            await exchange.set_position_mode(True)
        assert "-4067" in str(refused.value)
    await cm.cancel_all_orders(BTC_CM)
    await cm.create_order(BTC_CM, "market", "sell", 1)
    with pytest.raises(ccxt.ExchangeError) as refused:
        await um.set_position_mode(True)
    assert "-4068" in str(refused.value)
    await cm.create_order(BTC_CM, "market", "buy", 1)  # flat again
    await um.set_position_mode(True)
    assert (await cm.fetch_position_mode(BTC_CM))["hedged"] is True
