"""The account endpoints on the wire: each venue's paths and field names, and ccxt's own unified
methods (fetch_funding_rate, fetch_funding_history, fetch_balance, fetch_my_trades, edit_order)
aimed at the simulator."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import aiohttp
import ccxt.async_support as ccxt_async
import pytest_asyncio

import hedgekit
from hedgekit import PositionMode
from hedgekit.testing import SimulatedVenue
from hedgekit_aster.auth import address_of, private_key_bytes
from hedgekit_aster.simulator import AsterFrontend, new_private_key

BTC = "BTC/USDT:USDT"


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


async def _get(venue: SimulatedVenue, path: str) -> Any:
    async with aiohttp.ClientSession() as session, session.get(venue.base_url + path) as answer:
        assert answer.status == 200, await answer.text()
        return await answer.json()


def _paths(venue: SimulatedVenue) -> set[tuple[str, str]]:
    return {(r.method, r.path) for r in venue.requests}


async def _trade_and_settle(venue: SimulatedVenue) -> None:
    venue.engine.set_position_mode(PositionMode.HEDGE.value.upper(), **(
        {"symbol": "BTCUSDT"} if venue.venue == "bybit" else {}))
    sid = venue.engine.resolve(BTC)
    venue.engine.account_book.taker_fee_rate = Decimal("0.0005")
    venue.engine.place_order(sid, "BUY", "0.01", position_side="LONG")
    venue.engine.place_order(sid, "SELL", "0.02", position_side="SHORT")
    venue.settle_funding(BTC, Decimal("0.0002"))


@asynccontextmanager
async def _loaded(ex: Any) -> AsyncIterator[Any]:
    """A ccxt exchange aimed at the simulator, its markets loaded, closed afterwards."""
    try:
        await ex.load_markets()
        yield ex
    finally:
        await ex.close()


# ----------------------------------------------------------------------- Binance


@pytest_asyncio.fixture
async def binance() -> AsyncIterator[tuple[SimulatedVenue, Any]]:
    async with SimulatedVenue("binance", mark_prices={BTC: Decimal("60000")}) as venue:
        ex = ccxt_async.binanceusdm({"apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"],
                                     "options": {"fetchCurrencies": False}})
        api = dict(ex.urls["api"])
        for key, path in {"fapiPublic": "/fapi/v1", "fapiPrivate": "/fapi/v1", "fapiPublicV2": "/fapi/v2",
                          "fapiPrivateV2": "/fapi/v2", "fapiPublicV3": "/fapi/v3", "fapiPrivateV3": "/fapi/v3",
                          "fapiData": "/futures/data"}.items():
            api[key] = venue.base_url + path
        ex.urls["api"] = api
        async with _loaded(ex):
            yield venue, ex


async def test_binance_wire_and_ccxt(binance: tuple[SimulatedVenue, Any]) -> None:
    venue, ex = binance
    await _trade_and_settle(venue)
    premium = await _get(venue, "/fapi/v1/premiumIndex?symbol=BTCUSDT")
    assert premium["lastFundingRate"] == "0.00020000" and isinstance(premium["nextFundingTime"], int)
    info = await _get(venue, "/fapi/v1/fundingInfo")
    assert info == [{"symbol": "DOGEUSDT", "adjustedFundingRateCap": "0.02500000",
                     "adjustedFundingRateFloor": "-0.02500000", "fundingIntervalHours": 4, "disclaimer": False}]
    [rate_row] = await _get(venue, "/fapi/v1/fundingRate?symbol=BTCUSDT")
    assert set(rate_row) == {"symbol", "fundingRate", "fundingTime", "markPrice"}
    income = await ex.fapiPrivateGetIncome({"symbol": "BTCUSDT", "incomeType": "FUNDING_FEE"})
    assert [row["income"] for row in income] == ["-0.12000000", "0.24000000"]
    assert set(income[0]) == {"symbol", "incomeType", "income", "asset", "info", "time", "tranId", "tradeId"}
    assert isinstance(income[0]["tranId"], int) and "positionSide" not in income[0]
    trades = await ex.fapiPrivateGetUserTrades({"symbol": "BTCUSDT"})
    assert [(t["positionSide"], t["commission"], t["realizedPnl"]) for t in trades] == [
        ("LONG", "0.30000000", "0.00000000"), ("SHORT", "0.60000000", "0.00000000")]
    # ccxt's unified methods
    rate = await ex.fetch_funding_rate(BTC)
    assert _d(rate["fundingRate"]) == Decimal("0.0002") and _d(rate["markPrice"]) == 60000
    history = await ex.fetch_funding_history(BTC)
    assert sorted(_d(h["amount"]) for h in history) == [Decimal("-0.12"), Decimal("0.24")]
    balance = await ex.fetch_balance()
    assert _d(balance["USDT"]["total"]) == venue.engine.account().margin_balance
    mine = await ex.fetch_my_trades(BTC)
    assert [(m["side"], _d(m["amount"]), _d(m["fee"]["cost"])) for m in mine] == [
        ("buy", Decimal("0.01"), Decimal("0.3")), ("sell", Decimal("0.02"), Decimal("0.6"))]
    order = await ex.create_order(BTC, "limit", "buy", 0.01, 50000, {"positionSide": "LONG"})
    edited = await ex.edit_order(order["id"], BTC, "limit", "buy", 0.02, 51000)
    assert edited["id"] == order["id"] and _d(edited["price"]) == 51000 and _d(edited["amount"]) == Decimal("0.02")
    put = [r for r in venue.requests if (r.method, r.path) == ("PUT", "/fapi/v1/order")][-1]
    assert {"symbol", "side", "orderId", "quantity", "price"} <= set(put.params)
    assert _paths(venue) >= {("GET", "/fapi/v1/income"), ("GET", "/fapi/v1/userTrades"), ("GET", "/fapi/v3/account")}


# ----------------------------------------------------------------------- Aster


@pytest_asyncio.fixture
async def aster() -> AsyncIterator[tuple[SimulatedVenue, Any]]:
    async with SimulatedVenue("aster", mark_prices={BTC: Decimal("60000")}) as venue:
        main_key = new_private_key()
        assert isinstance(venue.frontend, AsterFrontend)
        venue.frontend.set_user(address_of(private_key_bytes(main_key)))
        ex = ccxt_async.aster({"privateKey": main_key, "enableRateLimit": False,
                               "options": {"builderFee": False, "defaultType": "swap"}})
        ex.urls["api"] = {**ex.urls["api"], "fapiPublic": f"{venue.base_url}/fapi",
                          "fapiPrivate": f"{venue.base_url}/fapi"}
        ex.has["fetchCurrencies"] = False

        async def no_spot(params: Any = None) -> dict[str, Any]:
            return {"symbols": []}  # load_markets also reads the spot listing, another host

        ex.sapiPublicGetV3ExchangeInfo = no_spot
        ticks = itertools.count(ex.milliseconds())  # unique nonces within one millisecond
        ex.milliseconds = lambda: max(next(ticks), ccxt_async.aster.milliseconds())
        async with _loaded(ex):
            yield venue, ex


async def test_aster_wire_and_ccxt(aster: tuple[SimulatedVenue, Any]) -> None:
    venue, ex = aster
    await _trade_and_settle(venue)
    [info] = await _get(venue, "/fapi/v3/fundingInfo?symbol=BTCUSDT")
    assert info["fundingIntervalHours"] == 8 and isinstance(info["fundingFeeCap"], float)
    assert set(info) == {"symbol", "interestRate", "time", "fundingIntervalHours", "fundingFeeCap", "fundingFeeFloor"}
    [rate_row] = await _get(venue, "/fapi/v3/fundingRate?symbol=BTCUSDT")
    assert "markPrice" not in rate_row
    income = await ex.fapiPrivateGetV3Income({"symbol": "BTCUSDT", "incomeType": "FUNDING_FEE"})
    assert [row["income"] for row in income] == ["-0.12000000", "0.24000000"]
    assert isinstance(income[0]["tranId"], str)
    rate = await ex.fetch_funding_rate(BTC)
    assert _d(rate["fundingRate"]) == Decimal("0.0002")
    history = await ex.fetch_funding_history(BTC)
    assert sorted(_d(h["amount"]) for h in history) == [Decimal("-0.12"), Decimal("0.24")]
    balance = await ex.fetch_balance({"type": "swap"})
    assert _d(balance["USDT"]["total"]) == venue.engine.wallet_balance
    mine = await ex.fetch_my_trades(BTC)
    assert [(m["side"], _d(m["amount"])) for m in mine] == [("buy", Decimal("0.01")), ("sell", Decimal("0.02"))]
    # hedgekit's amendment is the venue's PUT /fapi/v3/order (ccxt's edit cancels and re-creates)
    async with hedgekit.connect("aster", base_url=venue.base_url, **venue.credentials) as hk:
        order = await hk.open_long(BTC, Decimal("0.01"), price=Decimal("50000"))
        amended = await hk.amend_order(order, price=Decimal("50500"))
        assert amended.order_id == order.order_id and amended.price == Decimal("50500")
    put = [r for r in venue.requests if (r.method, r.path) == ("PUT", "/fapi/v3/order")][-1]
    assert {"symbol", "orderId", "quantity", "price"} <= set(put.params) and "side" not in put.params


# ----------------------------------------------------------------------- Bybit


@pytest_asyncio.fixture
async def bybit() -> AsyncIterator[tuple[SimulatedVenue, Any]]:
    async with SimulatedVenue("bybit", mark_prices={BTC: Decimal("60000")}) as venue:
        ex = ccxt_async.bybit({
            "apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"], "enableRateLimit": False,
            "options": {"enableUnifiedAccount": True, "enableUnifiedMargin": False,
                        "fetchMarkets": {"types": ["linear"]}}})
        ex.has["fetchCurrencies"] = False
        api = dict(ex.urls["api"])
        for key in ("public", "private", "spot", "futures", "v2"):
            api[key] = venue.base_url
        ex.urls["api"] = api
        async with _loaded(ex):
            yield venue, ex


async def test_bybit_wire_and_ccxt(bybit: tuple[SimulatedVenue, Any]) -> None:
    venue, ex = bybit
    await _trade_and_settle(venue)
    ticker = await _get(venue, "/v5/market/tickers?category=linear&symbol=BTCUSDT")
    row = ticker["result"]["list"][0]
    assert (row["fundingRate"], row["fundingIntervalHour"]) == ("0.0002", "8")
    hist = await _get(venue, "/v5/market/funding/history?category=linear&symbol=BTCUSDT")
    assert set(hist["result"]["list"][0]) == {"symbol", "fundingRate", "fundingRateTimestamp"}
    log = await ex.privateGetV5AccountTransactionLog({"accountType": "UNIFIED", "category": "linear",
                                                      "type": "SETTLEMENT"})
    rows = log["result"]["list"]
    assert [(r["side"], r["funding"], r["feeRate"], r["size"]) for r in rows] == [
        ("Sell", "0.24000000", "-0.0002", "-0.020"), ("Buy", "-0.12000000", "0.0002", "0.010")]
    assert "positionIdx" not in rows[0] and rows[0]["type"] == "SETTLEMENT"
    rate = await ex.fetch_funding_rate(BTC)
    assert _d(rate["fundingRate"]) == Decimal("0.0002")
    history = await ex.fetch_funding_history(BTC)  # execution/list execType=Funding; execFee + = paid
    assert sorted(_d(h["amount"]) for h in history) == [Decimal("-0.24"), Decimal("0.12")]
    balance = await ex.fetch_balance()
    assert _d(balance["USDT"]["total"]) == venue.engine.account().margin_balance
    mine = await ex.fetch_my_trades(BTC)
    assert sorted((m["side"], _d(m["amount"]), _d(m["fee"]["cost"])) for m in mine) == [
        ("buy", Decimal("0.01"), Decimal("0.3")), ("sell", Decimal("0.02"), Decimal("0.6"))]
    order = await ex.create_order(BTC, "limit", "buy", 0.01, 50000, {"positionIdx": 1})
    await ex.edit_order(order["id"], BTC, "limit", "buy", 0.02, 51000)
    [resting] = venue.engine.open_orders(BTC)
    assert (resting.price, resting.quantity) == (Decimal("51000"), Decimal("0.02"))
    assert ("POST", "/v5/order/amend") in _paths(venue)


# ----------------------------------------------------------------------- OKX


@pytest_asyncio.fixture
async def okx() -> AsyncIterator[tuple[SimulatedVenue, Any]]:
    async with SimulatedVenue("okx", mark_prices={BTC: Decimal("60000")}) as venue:
        creds = venue.credentials
        ex = ccxt_async.okx({"apiKey": creds["api_key"], "secret": creds["secret"], "password": creds["password"],
                             "enableRateLimit": False, "options": {"fetchMarkets": {"types": ["swap"]}}})
        ex.has["fetchCurrencies"] = False
        ex.urls["api"] = dict(ex.urls["api"], rest=venue.base_url)
        async with _loaded(ex):
            yield venue, ex


async def test_okx_wire_and_ccxt(okx: tuple[SimulatedVenue, Any]) -> None:
    venue, ex = okx
    await _trade_and_settle(venue)
    [row] = (await _get(venue, "/api/v5/public/funding-rate?instId=BTC-USDT-SWAP"))["data"]
    assert int(row["nextFundingTime"]) - int(row["fundingTime"]) == 8 * 3_600_000
    assert row["fundingRate"] == "0.0002" and row["settState"] == "settled"
    bills = (await ex.privateGetAccountBills({"instType": "SWAP", "type": "8"}))["data"]
    assert [(b["subType"], b["pnl"], b["sz"]) for b in bills] == [("174", "0.24", "2"), ("173", "-0.12", "1")]
    assert "posSide" not in bills[0]
    fills = (await ex.privateGetTradeFills({"instType": "SWAP"}))["data"]
    assert [(f["posSide"], f["fillSz"], f["fee"]) for f in fills] == [("short", "2", "-0.6"), ("long", "1", "-0.3")]
    positions = (await ex.privateGetAccountPositions({"instType": "SWAP"}))["data"]
    assert sorted((p["posSide"], p["fundingFee"]) for p in positions) == [("long", "-0.12"), ("short", "0.24")]
    rate = await ex.fetch_funding_rate(BTC)
    assert _d(rate["fundingRate"]) == Decimal("0.0002") and rate["interval"] == "8h"
    history = await ex.fetch_funding_history(BTC)  # bills-archive type 8
    assert sorted(_d(h["amount"]) for h in history) == [Decimal("-0.12"), Decimal("0.24")]
    balance = await ex.fetch_balance()
    assert _d(balance["USDT"]["total"]) == venue.engine.account().margin_balance
    mine = await ex.fetch_my_trades(BTC)
    assert sorted((m["side"], _d(m["amount"])) for m in mine) == [("buy", Decimal("1")), ("sell", Decimal("2"))]
    order = await ex.create_order(BTC, "limit", "buy", 1, 50000, {"posSide": "long", "tdMode": "cross"})
    await ex.edit_order(order["id"], BTC, "limit", "buy", 2, 51000)
    [resting] = venue.engine.open_orders(BTC)
    assert (resting.price, resting.quantity) == (Decimal("51000"), Decimal("0.02"))
    amend = [r for r in venue.requests if r.path == "/api/v5/trade/amend-order"][-1]
    assert {"instId", "ordId", "newSz", "newPx"} <= set(amend.params)
