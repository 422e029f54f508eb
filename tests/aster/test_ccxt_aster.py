"""A third-party client, ccxt's own ``aster`` class, gets answers consistent with the simulator's state.

ccxt's ``aster`` signs with the key it is given and sends that key's address as ``user`` (its "L1
key" mode), so the simulated account is made the wallet of a key this test holds
(``frontend.set_user``); hedgekit keeps signing as the account's API wallet. Two client-side
settings, each explained where it is made: no builder fee (VENUES.md §5), and no spot listing (Aster
spot is another host, which the futures simulator does not serve).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import ccxt.async_support as ccxt_async
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, OrderType, PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue
from hedgekit.testing import engine_types as E
from hedgekit_aster.auth import address_of, private_key_bytes
from hedgekit_aster.simulator import new_private_key

from .conftest import BTC, frontend


@pytest_asyncio.fixture
async def ex(venue: SimulatedVenue) -> AsyncIterator[Any]:
    main_key = new_private_key()
    frontend(venue).set_user(address_of(private_key_bytes(main_key)))
    exchange = ccxt_async.aster({
        "privateKey": main_key,
        "enableRateLimit": False,
        # ccxt would otherwise approve its own builder in sign_in and add builder+feeRate to every
        # order (VENUES.md §5)
        "options": {"builderFee": False, "defaultType": "swap"},
    })
    exchange.urls["api"] = {**exchange.urls["api"], "fapiPublic": f"{venue.base_url}/fapi",
                            "fapiPrivate": f"{venue.base_url}/fapi"}
    exchange.has["fetchCurrencies"] = False

    async def no_spot(params: Any = None) -> dict[str, Any]:
        return {"symbols": []}  # load_markets always reads sapi.asterdex.com's spot listing too

    exchange.sapiPublicGetV3ExchangeInfo = no_spot
    # ccxt's nonce is milliseconds * 1000, so two requests in one millisecond share a nonce, which
    # Aster refuses as a duplicate (-4225); a loopback server answers within a millisecond
    ticks = itertools.count(exchange.milliseconds())
    exchange.milliseconds = lambda: max(next(ticks), ccxt_async.aster.milliseconds())
    try:
        await exchange.load_markets()
        yield exchange
    finally:
        await exchange.close()


@pytest_asyncio.fixture
async def hk_after_ex(venue: SimulatedVenue, ex: Any) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("aster", base_url=venue.base_url, **venue.credentials) as client:
        yield client


async def test_ccxt_and_hedgekit_agree(ex: Any, hk_after_ex: HedgeClient, venue: SimulatedVenue) -> None:
    hk = hk_after_ex
    market, ours = ex.market(BTC), hk.market(BTC)
    assert market["id"] == ours.venue_symbol == "BTCUSDT" and market["swap"] and market["linear"]
    assert Decimal(str(market["precision"]["price"])) == ours.tick_size
    assert Decimal(str(market["precision"]["amount"])) == ours.lot_step

    assert (await ex.fetch_position_mode(BTC))["hedged"] is False
    await hk.set_position_mode(PositionMode.HEDGE)
    assert (await ex.fetch_position_mode(BTC))["hedged"] is True

    # ccxt's aster ignores its hedged flag: positionSide is the client's to send (VENUES.md §5)
    await ex.create_order(BTC, "market", "buy", 0.01, None, {"positionSide": "LONG"})
    await ex.create_order(BTC, "market", "sell", 0.02, None, {"positionSide": "SHORT"})
    await ex.create_order(BTC, "market", "sell", 0.004, None, {"positionSide": "LONG"})
    positions = {p["info"]["positionSide"]: p for p in await ex.fetch_positions([BTC])}
    pair = await hk.legs(BTC)
    assert positions["LONG"]["contracts"] == 0.006 and pair.long.size == Decimal("0.006")
    assert positions["SHORT"]["contracts"] == 0.02 and pair.short.size == Decimal("0.02")
    assert positions["SHORT"]["hedged"] is True and Decimal(positions["SHORT"]["info"]["positionAmt"]) == -pair.short.size
    assert Decimal(str(positions["SHORT"]["entryPrice"])) == pair.short.entry_price
    assert venue.engine.leg(BTC, E.PositionSide.LONG).size == Decimal("0.006")
    assert not [r for r in venue.requests if {"builder", "feeRate"} & set(r.params)]


async def test_orders_seen_both_ways(ex: Any, hk_after_ex: HedgeClient) -> None:
    hk = hk_after_ex
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.open_long(BTC, Decimal("0.010"))
    limit = await hk.open_short(BTC, Decimal("0.020"), price=Decimal("61000"))
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("58000"))
    seen = {o["id"]: o for o in await ex.fetch_open_orders(BTC)}
    assert set(seen) == {limit.order_id, stop.order_id}  # one listing: stops included
    assert (seen[limit.order_id]["side"], seen[limit.order_id]["amount"], seen[limit.order_id]["price"]) == (
        "sell", 0.02, 61000.0)
    assert seen[limit.order_id]["clientOrderId"] == limit.client_order_id
    assert seen[stop.order_id]["triggerPrice"] == 58000.0

    # a trailing stop placed by ccxt is exposure for hedgekit, with Aster's echoed fields. ccxt
    # 4.5.90 drops the amount of a trailing stop (it reads AST3's "additional mandatory parameters"
    # table, which lists only callbackRate), so the quantity goes in params.
    await ex.create_order(BTC, "market", "buy", 0.01, None,
                          {"positionSide": "SHORT", "trailingPercent": 2, "trailingTriggerPrice": 59000,
                           "quantity": "0.010"})
    orders = {o.type: o for o in await hk.open_orders(BTC)}
    trail = orders[OrderType.TRAILING_STOP_MARKET]
    assert (trail.position_side, trail.callback_rate, trail.activation_price) == (
        PositionSide.SHORT, Decimal("2"), Decimal("59000"))
    with_hk = await asyncio.gather(*(ex.cancel_order(o.order_id, BTC) for o in orders.values()
                                     if o.conditional))
    assert len(with_hk) == 2 and [o.order_id for o in await hk.open_orders(BTC)] == [limit.order_id]


async def test_a_users_own_ccxt_aster_is_signed_for_its_key(venue: SimulatedVenue) -> None:
    main_key = new_private_key()
    frontend(venue).set_user(address_of(private_key_bytes(main_key)))
    # builderFee left at ccxt's default (on); ccxt's own throttle (333 ms per unit of weight, 30 for
    # positionSide/dual: 10 s) is the user's choice, switched off here
    exchange = ccxt_async.aster({"privateKey": main_key, "enableRateLimit": False})
    async with hedgekit.connect("aster", exchange=exchange, base_url=venue.base_url) as hk:
        results = await asyncio.gather(hk.position_mode(), hk.open_orders(), hk.positions())
        assert results[0].mode is PositionMode.ONE_WAY
        await hk.open_long(BTC, Decimal("0.010"))
    signed = [r for r in venue.requests if "signature" in r.params]
    assert {r.params["signer"] for r in signed} == {frontend(venue).api_key}
    assert len({r.params["nonce"] for r in signed}) == len(signed)  # unique, concurrent reads included
    assert not [r for r in venue.requests if {"builder", "feeRate"} & set(r.params) or "builder" in r.path]
