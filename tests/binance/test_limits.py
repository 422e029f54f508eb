"""Binance's current order limits on the simulator's wire (change log 2025-12-29 and 2026-10-23).

* conditional (algo) orders: 200 open across ALL symbols of the account, then ``-4045 Reach max
  stop order limit.``; exchangeInfo carries no ``MAX_NUM_ALGO_ORDERS`` filter any more;
* trailing ``callbackRate``: 0.1 to 20 (was 10).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import ccxt.async_support as ccxt
import pytest
import pytest_asyncio

from hedgekit.testing import SimulatedVenue
from hedgekit_binance.simulator_trade import MAX_ALGO


def point_at(exchange: Any, base_url: str) -> None:
    for version in ("", "V2", "V3"):
        path = {"": "v1", "V2": "v2", "V3": "v3"}[version]
        exchange.urls["api"][f"fapiPublic{version}"] = f"{base_url}/fapi/{path}"
        exchange.urls["api"][f"fapiPrivate{version}"] = f"{base_url}/fapi/{path}"


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("binance") as simulated:
        yield simulated


@pytest_asyncio.fixture
async def ex(venue: SimulatedVenue) -> AsyncIterator[Any]:
    exchange = ccxt.binanceusdm({"apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"],
                                 "options": {"fetchCurrencies": False}, "enableRateLimit": False})
    point_at(exchange, venue.base_url)
    try:
        yield exchange
    finally:
        await exchange.close()


def algo(symbol: str, trigger: str, **extra: str) -> dict[str, str]:
    return {"algoType": "CONDITIONAL", "symbol": symbol, "side": "SELL", "type": "STOP_MARKET",
            "quantity": "1" if symbol.startswith(("SOL", "DOGE")) else "0.01", "triggerPrice": trigger, **extra}


async def test_exchange_info_has_no_algo_order_filter(ex: Any) -> None:
    info = await ex.fapiPublicGetExchangeInfo()
    kinds = {f["filterType"] for row in info["symbols"] for f in row["filters"]}
    assert "MAX_NUM_ALGO_ORDERS" not in kinds
    assert {"PRICE_FILTER", "LOT_SIZE", "MAX_NUM_ORDERS", "MIN_NOTIONAL"} <= kinds


async def test_two_hundred_conditional_orders_across_all_symbols_then_4045(venue: SimulatedVenue, ex: Any) -> None:
    assert MAX_ALGO == 200
    engine = venue.engine
    # 199 resting stops spread over four symbols (far more than the old 10 per symbol)
    spread = [("BTCUSDT", "50000", "0.01"), ("ETHUSDT", "2000", "0.01"), ("SOLUSDT", "100", "1"),
              ("XRPUSDT", "0.4", "10")]
    for n in range(199):
        sid, trigger, qty = spread[n % 4]
        engine.place_conditional(sid, "SELL", "STOP_MARKET", quantity=qty, trigger_price=trigger)
    # the 200th goes through the wire, on a fifth symbol
    placed = await ex.fapiPrivatePostAlgoOrder(algo("DOGEUSDT", "0.1"))
    assert placed["algoStatus"] == "NEW"
    with pytest.raises(ccxt.ExchangeError) as refused:  # the 201st, on any symbol
        await ex.fapiPrivatePostAlgoOrder(algo("BTCUSDT", "50000"))
    assert '"code":-4045' in str(refused.value) and "Reach max stop order limit." in str(refused.value)
    assert len(engine.conditional_orders()) == 200
    # one canceled makes room again
    await ex.fapiPrivateDeleteAlgoOrder({"symbol": "DOGEUSDT", "algoId": placed["algoId"]})
    again = await ex.fapiPrivatePostAlgoOrder(algo("BTCUSDT", "50000"))
    assert again["algoStatus"] == "NEW"


@pytest.mark.parametrize("rate, accepted", [("0.1", True), ("10.5", True), ("20", True),
                                            ("20.1", False), ("0.09", False)])
async def test_trailing_callback_rate_range_is_point_one_to_twenty(ex: Any, rate: str, accepted: bool) -> None:
    params = {"algoType": "CONDITIONAL", "symbol": "BTCUSDT", "side": "SELL", "type": "TRAILING_STOP_MARKET",
              "quantity": "0.01", "callbackRate": rate}
    if accepted:
        placed = await ex.fapiPrivatePostAlgoOrder(params)
        assert Decimal(placed["callbackRate"]) == Decimal(rate)
    else:
        with pytest.raises(ccxt.ExchangeError) as refused:
            await ex.fapiPrivatePostAlgoOrder(params)
        assert "Data sent for parameter 'callbackrate' is not valid." in str(refused.value)
