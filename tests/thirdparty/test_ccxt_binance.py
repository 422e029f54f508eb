"""A third-party client, ccxt's own unified methods, agrees with the simulator's state and with hedgekit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import ccxt.async_support as ccxt_async
import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, OrderType, PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue
from hedgekit.testing import engine_types as E

BTC = "BTC/USDT:USDT"


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("binance", mark_prices={BTC: Decimal("60000")}) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials) as client:
        yield client


@pytest_asyncio.fixture
async def ex(venue: SimulatedVenue) -> AsyncIterator[Any]:
    exchange = ccxt_async.binanceusdm(
        {"apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"],
         "options": {"fetchCurrencies": False}}
    )
    api = dict(exchange.urls["api"])
    for key, path in {"fapiPublic": "/fapi/v1", "fapiPrivate": "/fapi/v1", "fapiPublicV2": "/fapi/v2",
                      "fapiPrivateV2": "/fapi/v2", "fapiPublicV3": "/fapi/v3", "fapiPrivateV3": "/fapi/v3",
                      "fapiData": "/futures/data"}.items():
        api[key] = venue.base_url + path
    exchange.urls["api"] = api
    try:
        await exchange.load_markets()
        yield exchange
    finally:
        await exchange.close()


async def test_markets_parse_like_hedgekit(ex: Any, hk: HedgeClient) -> None:
    market = ex.market(BTC)
    ours = hk.market(BTC)
    assert market["id"] == ours.venue_symbol == "BTCUSDT"
    assert market["linear"] and market["swap"] and market["settle"] == "USDT"
    assert Decimal(str(market["precision"]["price"])) == ours.tick_size
    assert Decimal(str(market["precision"]["amount"])) == ours.lot_step
    assert Decimal(str(market["limits"]["amount"]["min"])) == ours.min_quantity


async def test_position_mode_agrees_both_ways(ex: Any, hk: HedgeClient, venue: SimulatedVenue) -> None:
    assert (await ex.fetch_position_mode(BTC))["hedged"] is False
    await hk.set_position_mode(PositionMode.HEDGE)
    assert (await ex.fetch_position_mode(BTC))["hedged"] is True
    await ex.set_position_mode(False)
    assert venue.engine.position_mode() is E.PositionMode.ONE_WAY
    assert (await hk.position_mode()).mode is PositionMode.ONE_WAY


async def test_ccxt_hedged_orders_and_positions_agree(ex: Any, hk: HedgeClient, venue: SimulatedVenue) -> None:
    await ex.set_position_mode(True)
    await ex.create_order(BTC, "market", "buy", 0.01, None, {"hedged": True})
    await ex.create_order(BTC, "market", "sell", 0.02, None, {"hedged": True})
    await ex.create_order(BTC, "market", "sell", 0.004, None, {"hedged": True, "reduceOnly": True})
    positions = {p["side"]: p for p in await ex.fetch_positions([BTC])}
    assert positions["long"]["contracts"] == 0.006 and positions["short"]["contracts"] == 0.02
    assert positions["long"]["hedged"] is True
    pair = await hk.legs(BTC)
    assert pair.long.size == Decimal("0.006") and pair.short.size == Decimal("0.02")
    assert venue.engine.leg(BTC, E.PositionSide.LONG).size == Decimal("0.006")
    assert Decimal(str(positions["short"]["entryPrice"])) == pair.short.entry_price


async def test_orders_placed_by_hedgekit_are_seen_by_ccxt(ex: Any, hk: HedgeClient) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.open_long(BTC, Decimal("0.010"))
    limit = await hk.open_short(BTC, Decimal("0.020"), price=Decimal("61000"))
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("58000"))
    regular = await ex.fetch_open_orders(BTC)
    assert [(o["id"], o["side"], o["amount"], o["price"]) for o in regular] == [(limit.order_id, "sell", 0.02, 61000.0)]
    assert regular[0]["clientOrderId"] == limit.client_order_id
    algo = await ex.fetch_open_orders(BTC, None, None, {"trigger": True})
    assert [o["id"] for o in algo] == [stop.order_id]
    assert algo[0]["triggerPrice"] == 58000.0


async def test_ccxt_stop_order_is_exposure_for_hedgekit(ex: Any, hk: HedgeClient) -> None:
    await ex.set_position_mode(True)
    await ex.create_order(BTC, "market", "buy", 0.01, None, {"hedged": True})
    await ex.create_order(BTC, "market", "sell", 0.01, None, {"positionSide": "LONG", "stopLossPrice": 57000})
    orders = await hk.open_orders(BTC)
    assert [(o.type, o.position_side, o.trigger_price) for o in orders] == [
        (OrderType.STOP_MARKET, PositionSide.LONG, Decimal("57000"))
    ]
    await ex.cancel_order(orders[0].order_id, BTC, {"trigger": True})
    assert await hk.open_orders(BTC) == []


async def test_ccxt_sees_binance_refuse_a_fifty_percent_callback(venue: SimulatedVenue) -> None:
    # Binance's own parameters through ccxt's signer, past hedgekit's local range check: the venue
    # refuses a callbackRate above 20 itself (-1130) and takes 20 (rules.py, change log 2026-10-23)
    exchange = ccxt_async.binanceusdm({"apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"],
                                       "options": {"fetchCurrencies": False}, "enableRateLimit": False})
    for key, version in (("fapiPublic", "v1"), ("fapiPrivate", "v1"), ("fapiPublicV2", "v2"),
                         ("fapiPrivateV2", "v2"), ("fapiPublicV3", "v3"), ("fapiPrivateV3", "v3")):
        exchange.urls["api"][key] = f"{venue.base_url}/fapi/{version}"
    order = {"algoType": "CONDITIONAL", "symbol": "BTCUSDT", "side": "SELL", "type": "TRAILING_STOP_MARKET",
             "quantity": "0.010", "reduceOnly": "true"}
    try:
        with pytest.raises(ccxt_async.BadRequest, match="-1130"):
            await exchange.fapiPrivatePostAlgoOrder({**order, "callbackRate": "50"})
        accepted = await exchange.fapiPrivatePostAlgoOrder({**order, "callbackRate": "20"})
        assert accepted["algoId"]
    finally:
        await exchange.close()
