"""ccxt's ``okx`` unified methods against the simulator's per-position margin mode: a cross long and
an isolated short on one swap (``fetch_positions`` reads ``marginMode`` per row), an isolated
leverage change refused with 59101 while isolated orders are pending (ccxt okx.py ``exceptions``:
``'59101': ExchangeError``), and margin added to the isolated leg.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import ccxt
import ccxt.async_support as ccxt_async
import pytest
import pytest_asyncio

import hedgekit
from hedgekit import MarginMode
from hedgekit.testing import SimulatedVenue

BTC = "BTC/USDT:USDT"


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("okx", mark_prices={BTC: Decimal("60000")}) as sim:
        yield sim


@pytest_asyncio.fixture
async def ex(venue: SimulatedVenue) -> AsyncIterator[Any]:
    creds = venue.credentials
    exchange = ccxt_async.okx({"apiKey": creds["api_key"], "secret": creds["secret"], "password": creds["password"],
                               "enableRateLimit": False, "options": {"fetchMarkets": {"types": ["swap"]}}})
    exchange.has["fetchCurrencies"] = False
    exchange.urls["api"] = dict(exchange.urls["api"], rest=venue.base_url)
    try:
        await exchange.load_markets()
        await exchange.set_position_mode(True)
        yield exchange
    finally:
        await exchange.close()


async def test_ccxt_sees_a_cross_long_and_an_isolated_short(ex: Any, venue: SimulatedVenue) -> None:
    await ex.create_order(BTC, "market", "buy", 3, None, {"tdMode": "cross", "posSide": "long"})
    await ex.create_order(BTC, "market", "sell", 2, None, {"tdMode": "isolated", "posSide": "short"})
    positions = {p["side"]: p for p in await ex.fetch_positions([BTC])}
    assert (positions["long"]["marginMode"], positions["long"]["contracts"]) == ("cross", 3)
    assert (positions["short"]["marginMode"], positions["short"]["contracts"]) == ("isolated", 2)
    # ccxt's unified add_margin cannot read any answer in this ccxt version (okx.py parse_margin_modification
    # indexes the string ``type``: TypeError), so its own raw method sends the same request
    added = await ex.privatePostAccountPositionMarginBalance(
        {"instId": "BTC-USDT-SWAP", "posSide": "short", "type": "add", "amt": "30"})
    assert added["data"][0]["leverage"] == "13.33"  # 1200 USDT over 60 + 30 of margin
    async with hedgekit.connect("okx", base_url=venue.base_url, **venue.credentials) as hk:
        pair = await hk.legs(BTC)
        assert (pair.long.margin_mode, pair.short.margin_mode) == (MarginMode.CROSS, MarginMode.ISOLATED)
        assert pair.short.margin == Decimal("90")


async def test_ccxt_set_leverage_refused_while_isolated_orders_pend(ex: Any) -> None:
    pending = await ex.create_order(BTC, "limit", "buy", 1, 50000, {"tdMode": "isolated", "posSide": "long"})
    with pytest.raises(ccxt.ExchangeError, match="59101"):
        await ex.set_leverage(5, BTC, {"marginMode": "isolated", "posSide": "long"})
    await ex.set_leverage(5, BTC, {"marginMode": "isolated", "posSide": "short"})
    await ex.cancel_order(pending["id"], BTC)
    await ex.set_leverage(5, BTC, {"marginMode": "isolated", "posSide": "long"})
