"""ccxt's own unified methods see OKX's and Bybit's post-only and FOK outcomes as the venues report
them: the order is accepted (an id comes back, no exception), then found canceled with nothing
filled, and the venue's reason is in ``info`` (OKX ``cancelSource`` "31" / "13", order_book_trading.md;
Bybit ``rejectReason`` ``EC_PostOnlyWillTakeLiquidity`` / ``EC_CancelForNoFullFill``, enum.mdx).
ccxt maps both venues' ``canceled`` / ``Cancelled`` to ``"canceled"`` and does not read the reason;
hedgekit reads the same rows as ``EXPIRED``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import ccxt.async_support as ccxt_async
import pytest
import pytest_asyncio

import hedgekit
from hedgekit import OrderStatus
from hedgekit.testing import SimulatedVenue

BTC = "BTC/USDT:USDT"
MARK = Decimal("60000")


@pytest_asyncio.fixture
async def okx_venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("okx", mark_prices={BTC: MARK}) as sim:
        yield sim


@pytest_asyncio.fixture
async def okx(okx_venue: SimulatedVenue) -> AsyncIterator[Any]:
    creds = okx_venue.credentials
    exchange = ccxt_async.okx({"apiKey": creds["api_key"], "secret": creds["secret"], "password": creds["password"],
                               "enableRateLimit": False, "options": {"fetchMarkets": {"types": ["swap"]}}})
    exchange.has["fetchCurrencies"] = False
    exchange.urls["api"] = dict(exchange.urls["api"], rest=okx_venue.base_url)
    try:
        await exchange.load_markets()
        yield exchange
    finally:
        await exchange.close()


@pytest_asyncio.fixture
async def bybit_venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("bybit", mark_prices={BTC: MARK}) as sim:
        yield sim


@pytest_asyncio.fixture
async def bybit(bybit_venue: SimulatedVenue) -> AsyncIterator[Any]:
    # enableUnifiedAccount preset: ccxt would otherwise call /v5/user/query-api first (see
    # test_ccxtpro_bybit.py)
    exchange = ccxt_async.bybit({
        "apiKey": bybit_venue.credentials["api_key"], "secret": bybit_venue.credentials["secret"],
        "enableRateLimit": False,
        "options": {"enableUnifiedAccount": True, "enableUnifiedMargin": False, "fetchMarkets": {"types": ["linear"]}},
    })
    exchange.has["fetchCurrencies"] = False
    api = dict(exchange.urls["api"])
    for key in ("public", "private", "spot", "futures", "v2"):
        api[key] = bybit_venue.base_url
    exchange.urls["api"] = api
    try:
        await exchange.load_markets()
        yield exchange
    finally:
        await exchange.close()


OUTCOMES = [  # ccxt params, limit price against the 60000 mark, OKX cancelSource, Bybit rejectReason
    pytest.param({"postOnly": True}, 61000, "31", "EC_PostOnlyWillTakeLiquidity", id="post-only"),
    pytest.param({"timeInForce": "FOK"}, 59000, "13", "EC_CancelForNoFullFill", id="fok"),
]


@pytest.mark.parametrize("params, px, source, _reason", OUTCOMES)
async def test_ccxt_okx_sees_the_order_accepted_then_canceled(
    okx: Any, okx_venue: SimulatedVenue, params: dict[str, Any], px: int, source: str, _reason: str
) -> None:
    placed = await okx.create_order(BTC, "limit", "buy", 1, px, {"tdMode": "cross", **params})
    assert placed["id"]
    found = await okx.fetch_order(placed["id"], BTC)
    assert (found["status"], found["filled"], found["info"]["cancelSource"]) == ("canceled", 0, source)
    assert found["info"]["ordType"] == ("post_only" if "postOnly" in params else "fok")
    assert await okx.fetch_open_orders(BTC) == []
    canceled = await okx.fetch_canceled_orders(BTC)  # GET /trade/orders-history?state=canceled
    assert [o["id"] for o in canceled] == [placed["id"]]
    assert okx_venue.engine.legs() == []
    async with hedgekit.connect("okx", base_url=okx_venue.base_url, **okx_venue.credentials) as hk:
        ours = await hk.fetch_order(BTC, order_id=placed["id"])
        assert ours is not None and ours.status is OrderStatus.EXPIRED


@pytest.mark.parametrize("params, px, _source, reason", OUTCOMES)
async def test_ccxt_bybit_sees_the_order_accepted_then_canceled(
    bybit: Any, bybit_venue: SimulatedVenue, params: dict[str, Any], px: int, _source: str, reason: str
) -> None:
    placed = await bybit.create_order(BTC, "limit", "buy", 0.01, px, params)
    assert placed["id"]
    found = await bybit.fetch_order(placed["id"], BTC, {"acknowledged": True})
    assert (found["status"], found["filled"], found["info"]["rejectReason"]) == ("canceled", 0, reason)
    assert found["info"]["timeInForce"] == ("PostOnly" if "postOnly" in params else "FOK")
    assert await bybit.fetch_open_orders(BTC) == []
    closed = await bybit.fetch_canceled_and_closed_orders(BTC)  # GET /v5/order/history
    assert [o["id"] for o in closed] == [placed["id"]]
    assert bybit_venue.engine.legs() == []
    async with hedgekit.connect("bybit", base_url=bybit_venue.base_url, **bybit_venue.credentials) as hk:
        ours = await hk.fetch_order(BTC, order_id=placed["id"])
        assert ours is not None and ours.status is OrderStatus.EXPIRED
