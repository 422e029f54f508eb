"""Aster accepts a post-only order that would take, and a FOK that cannot fill, then expires them.

Unlike Binance since 2023-03-22 (-5022/-5021, never recorded), Aster documents "LIMIT order with
special timeInForce: the final status result of the order(FILLED or EXPIRED) will be returned
directly" (AST3 §New Order) and has no -5021/-5022 in its error table. So hedgekit returns the
order with status EXPIRED and nothing filled; the venue lists it by id afterwards and not among
the open orders; ccxt's unified ``create_order`` sees an expired order too.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import ccxt.async_support as ccxt_async
import pytest
import pytest_asyncio

from hedgekit import HedgeClient, OrderStatus, TimeInForce
from hedgekit.testing import SimulatedVenue
from hedgekit_aster.auth import address_of, private_key_bytes
from hedgekit_aster.simulator import new_private_key

from .conftest import BTC, frontend, v3


@pytest.mark.parametrize("tif, wire_tif, price", [
    (TimeInForce.POST_ONLY, "GTX", "60100"),  # a buy above the mark would take
    (TimeInForce.FOK, "FOK", "59900"),  # a buy below the mark cannot fill at once
])
async def test_accepted_then_expired(venue: SimulatedVenue, hk: HedgeClient, tif: TimeInForce, wire_tif: str,
                                     price: str) -> None:
    order = await hk.open_long(BTC, Decimal("0.010"), price=Decimal(price), time_in_force=tif)
    assert order.status is OrderStatus.EXPIRED
    assert (order.filled_quantity, order.price, order.time_in_force) == (Decimal(0), Decimal(price), tif)
    assert order.raw["timeInForce"] == wire_tif
    status, row = await v3(venue, "GET", "/fapi/v3/order", symbol="BTCUSDT", orderId=order.order_id)
    assert status == 200 and (row["status"], row["timeInForce"], row["price"]) == ("EXPIRED", wire_tif, f"{price}.0")
    assert await hk.open_orders(BTC) == []
    found = await hk.fetch_order(BTC, client_order_id=order.client_order_id)
    assert found is not None and found.status is OrderStatus.EXPIRED
    pair = await hk.legs(BTC)
    assert pair.long.size == 0  # nothing filled


async def test_post_only_that_rests_and_fok_that_fills(hk: HedgeClient) -> None:
    maker = await hk.open_long(BTC, Decimal("0.010"), price=Decimal("59900"), time_in_force=TimeInForce.POST_ONLY)
    assert maker.status is OrderStatus.NEW
    filled = await hk.open_long(BTC, Decimal("0.010"), price=Decimal("60100"), time_in_force=TimeInForce.FOK)
    assert (filled.status, filled.filled_quantity) == (OrderStatus.FILLED, Decimal("0.010"))


async def test_a_sell_post_only_below_the_mark_expires_too(hk: HedgeClient) -> None:
    order = await hk.open_short(BTC, Decimal("0.010"), price=Decimal("59000"), time_in_force=TimeInForce.POST_ONLY)
    assert (order.status, order.price) == (OrderStatus.EXPIRED, Decimal("59000"))


@pytest_asyncio.fixture
async def ex(venue: SimulatedVenue) -> AsyncIterator[Any]:
    main_key = new_private_key()
    frontend(venue).set_user(address_of(private_key_bytes(main_key)))
    exchange = ccxt_async.aster({"privateKey": main_key, "enableRateLimit": False,
                                 "options": {"builderFee": False, "defaultType": "swap"}})
    exchange.urls["api"] = {**exchange.urls["api"], "fapiPublic": f"{venue.base_url}/fapi",
                            "fapiPrivate": f"{venue.base_url}/fapi"}
    exchange.has["fetchCurrencies"] = False

    async def no_spot(params: Any = None) -> dict[str, Any]:
        return {"symbols": []}  # the futures simulator serves no spot listing

    exchange.sapiPublicGetV3ExchangeInfo = no_spot
    ticks = itertools.count(exchange.milliseconds())  # one nonce per request (see test_ccxt_aster)
    exchange.milliseconds = lambda: max(next(ticks), ccxt_async.aster.milliseconds())
    try:
        await exchange.load_markets()
        yield exchange
    finally:
        await exchange.close()


async def test_ccxt_create_order_sees_an_expired_order(venue: SimulatedVenue, ex: Any) -> None:
    post_only = await ex.create_order(BTC, "limit", "buy", 0.01, 60100,
                                      {"postOnly": True, "newOrderRespType": "RESULT"})
    # ccxt's aster maps the venue's EXPIRED to its own "canceled" (aster.py parse_order_status)
    assert (post_only["info"]["status"], post_only["status"], post_only["filled"]) == ("EXPIRED", "canceled", 0.0)
    fok = await ex.create_order(BTC, "limit", "buy", 0.01, 59900, {"timeInForce": "FOK", "newOrderRespType": "RESULT"})
    assert (fok["info"]["status"], fok["info"]["timeInForce"]) == ("EXPIRED", "FOK")
    assert await ex.fetch_open_orders(BTC) == []
    assert (await ex.fetch_order(post_only["id"], BTC))["info"]["status"] == "EXPIRED"
