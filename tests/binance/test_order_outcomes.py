"""Binance USDⓈ-M refuses a post-only order that would take and a FOK that cannot fill.

Change log 2023-03-08 (released 2023-03-22): "When placing order with timeInForce FOK or
GTX(Post-only), if the order can't meet execution criteria, order will get rejected directly and
receive error response ... The order can't be found in GET /fapi/v1/order or GET
/fapi/v1/allOrders." So hedgekit raises :class:`OrderRejected` with the venue's code, and the
order is nowhere afterwards; ccxt's unified ``create_order`` sees the same refusal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import ccxt.async_support as ccxt
import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, OrderRejected, OrderStatus, TimeInForce
from hedgekit.testing import SimulatedVenue

BTC = "BTC/USDT:USDT"
NOT_RECORDED = "The order will not be recorded in the order history"


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("binance", mark_prices={BTC: Decimal("60000")}) as simulated:
        yield simulated


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials) as client:
        yield client


@pytest.mark.parametrize("tif, price, code, text", [
    (TimeInForce.POST_ONLY, "60100", -5022,
     "Due to the order could not be executed as maker, the Post Only order will be rejected."),
    (TimeInForce.FOK, "59900", -5021,
     "Due to the order could not be filled immediately, the FOK order has been rejected."),
])
async def test_refused_and_never_recorded(venue: SimulatedVenue, hk: HedgeClient, tif: TimeInForce, price: str,
                                          code: int, text: str) -> None:
    cid = hk.new_client_order_id()
    with pytest.raises(OrderRejected) as refused:
        await hk.open_long(BTC, Decimal("0.010"), price=Decimal(price), time_in_force=tif, client_order_id=cid)
    assert refused.value.code == code
    assert refused.value.venue_message is not None and text in refused.value.venue_message
    assert NOT_RECORDED in refused.value.venue_message
    sent = [r for r in venue.requests if r.method == "POST" and r.path == "/fapi/v1/order"]
    assert len(sent) == 1 and sent[0].params["timeInForce"] == ("GTX" if tif is TimeInForce.POST_ONLY else "FOK")
    assert await hk.fetch_order(BTC, client_order_id=cid) is None  # -2013: not in the order history
    assert await hk.open_orders(BTC) == []
    assert venue.engine.all_orders("BTCUSDT") == []


async def test_post_only_that_rests_and_fok_that_fills_are_accepted(hk: HedgeClient) -> None:
    maker = await hk.open_long(BTC, Decimal("0.010"), price=Decimal("59900"), time_in_force=TimeInForce.POST_ONLY)
    assert (maker.status, maker.time_in_force) == (OrderStatus.NEW, TimeInForce.POST_ONLY)
    filled = await hk.open_long(BTC, Decimal("0.010"), price=Decimal("60100"), time_in_force=TimeInForce.FOK)
    assert (filled.status, filled.filled_quantity) == (OrderStatus.FILLED, Decimal("0.010"))


async def test_ccxt_create_order_sees_the_same_refusal(venue: SimulatedVenue) -> None:
    exchange = ccxt.binanceusdm({"apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"],
                                 "options": {"fetchCurrencies": False}, "enableRateLimit": False})
    for version, path in (("", "v1"), ("V2", "v2"), ("V3", "v3")):
        for side in ("Public", "Private"):
            exchange.urls["api"][f"fapi{side}{version}"] = f"{venue.base_url}/fapi/{path}"
    try:
        await exchange.load_markets()
        with pytest.raises(ccxt.ExchangeError) as post_only:
            await exchange.create_order(BTC, "limit", "buy", 0.01, 60100, {"postOnly": True})
        assert '"code":-5022' in str(post_only.value)
        sent: Any = venue.requests[-1]
        assert sent.params["timeInForce"] == "GTX"
        with pytest.raises(ccxt.ExchangeError) as fok:
            await exchange.create_order(BTC, "limit", "buy", 0.01, 59900, {"timeInForce": "FOK"})
        assert '"code":-5021' in str(fok.value)
        assert await exchange.fetch_orders(BTC) == []
    finally:
        await exchange.close()
