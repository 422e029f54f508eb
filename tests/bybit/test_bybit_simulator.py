"""The simulated Bybit venue at the wire: envelope, X-BAPI auth, codes and messages, paging, coin switch."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import ccxt.async_support as ccxt_async
import pytest
import pytest_asyncio

from hedgekit.testing import SimulatedVenue
from hedgekit.testing import engine_types as E
from hedgekit.testing.frontend import RecordedRequest, WireResponse

from hedgekit_bybit.simulator_wire import too_many_visits

from .conftest import BTC, RawClient

LINEAR_BTC = {"category": "linear", "symbol": "BTCUSDT"}


def order(side: str, qty: str, idx: int = 0, **extra: Any) -> dict[str, Any]:
    return {**LINEAR_BTC, "side": side, "orderType": "Market", "qty": qty, "positionIdx": idx, **extra}


async def test_public_endpoints_and_envelope(raw: RawClient) -> None:
    status, answer, headers = await raw.get("/v5/market/instruments-info", {"category": "linear"}, signed=False)
    assert status == 200 and set(answer) == {"retCode", "retMsg", "result", "retExtInfo", "time"}
    assert (answer["retCode"], answer["retMsg"], answer["retExtInfo"]) == (0, "OK", {})
    btc = next(r for r in answer["result"]["list"] if r["symbol"] == "BTCUSDT")
    assert btc["lotSizeFilter"]["qtyStep"] == "0.001" and btc["priceFilter"]["tickSize"] == "0.10"
    _, pre, _ = await raw.get("/v5/market/instruments-info", {"category": "linear", "status": "PreLaunch"}, signed=False)
    assert pre["result"]["list"] == []
    _, clock, _ = await raw.get("/v5/market/time", signed=False)
    assert int(clock["result"]["timeSecond"]) == clock["time"] // 1000
    _, tick, _ = await raw.get("/v5/market/tickers", LINEAR_BTC, signed=False)
    assert tick["result"]["list"][0]["lastPrice"] == "60000.00"


@pytest.mark.parametrize(
    "auth, code, text",
    [
        ({"key": "k" * 18}, 10003, "API key is invalid."),
        ({"secret": "wrong"}, 10004, "error sign! origin_string["),
        ({"skew": -60_000}, 10002, "invalid request, please check your server timestamp"),
        ({"skew": 5_000}, 10002, "recv_window[5000]"),
    ],
)
async def test_auth_refusals(raw: RawClient, auth: dict[str, Any], code: int, text: str) -> None:
    if "skew" in auth:  # measured now, not at collection
        auth = {"timestamp": int(time.time() * 1000) + auth.pop("skew")}
    status, answer, headers = await raw.get("/v5/position/list", LINEAR_BTC, **auth)
    assert status == 200 and answer["retCode"] == code and text in answer["retMsg"]
    assert "X-Bapi-Limit-Reset-Timestamp" in headers


async def test_signature_covers_the_raw_query_and_missing_headers(raw: RawClient) -> None:
    _, good, _ = await raw.get("/v5/position/list", LINEAR_BTC)
    assert good["retCode"] == 0 and good["result"]["list"][0]["positionIdx"] == 0
    _, bare, _ = await raw.get("/v5/position/list", LINEAR_BTC, signed=False)
    assert (bare["retCode"], bare["retMsg"]) == (10001, "empty value: apiTimestamp[] apiKey[]")
    _, stale, _ = await raw.get("/v5/position/list", LINEAR_BTC, window="")  # recvWindow signed as sent
    assert stale["retCode"] == 0


async def test_unknown_route(raw: RawClient) -> None:
    status, answer, _ = await raw.get("/v5/nope", signed=False)
    assert status == 404 and answer["retCode"] == 10017


async def test_mode_codes_and_the_silent_coin_skip(raw: RawClient, venue: SimulatedVenue) -> None:
    _, answer, _ = await raw.post("/v5/position/switch-mode", {**LINEAR_BTC, "mode": 0})
    assert (answer["retCode"], answer["retMsg"]) == (110025, "Position mode has not been modified.")
    await raw.post("/v5/order/create", order("Buy", "0.01"))
    _, blocked, _ = await raw.post("/v5/position/switch-mode", {**LINEAR_BTC, "mode": 3})
    assert blocked["retCode"] == 110024
    venue.engine.place_order("ETHUSDT", "BUY", Decimal("0.1"), order_type="LIMIT", price=Decimal("2500"))
    _, eth, _ = await raw.post("/v5/position/switch-mode", {"category": "linear", "symbol": "ETHUSDT", "mode": 3})
    assert eth["retCode"] == 110028
    _, coin, _ = await raw.post("/v5/position/switch-mode", {"category": "linear", "coin": "USDT", "mode": 3})
    assert coin["retCode"] == 0 and coin["result"] == {}  # no word about the skipped symbols
    modes = {m.symbol_id: venue.engine.position_mode(m.symbol_id) for m in venue.engine.markets()}
    assert modes["BTCUSDT"] is modes["ETHUSDT"] is E.PositionMode.ONE_WAY
    assert modes["SOLUSDT"] is modes["XRPUSDT"] is E.PositionMode.HEDGE


async def test_position_rows_regardless_of_position_and_settle_coin_listing(raw: RawClient) -> None:
    await raw.post("/v5/position/switch-mode", {**LINEAR_BTC, "mode": 3})
    _, empty, _ = await raw.get("/v5/position/list", LINEAR_BTC)
    rows = empty["result"]["list"]
    assert [(r["positionIdx"], r["side"], r["size"]) for r in rows] == [(1, "", "0.000"), (2, "", "0.000")]
    await raw.post("/v5/order/create", order("Sell", "0.02", 2))
    _, coin, _ = await raw.get("/v5/position/list", {"category": "linear", "settleCoin": "USDT"})
    assert [(r["symbol"], r["positionIdx"], r["side"], r["size"]) for r in coin["result"]["list"]] == [
        ("BTCUSDT", 2, "Sell", "0.020")]
    _, missing, _ = await raw.get("/v5/position/list", {"category": "linear"})
    assert missing["retCode"] == 10001


async def test_order_codes(raw: RawClient) -> None:
    _, rising, _ = await raw.post("/v5/order/create", order("Buy", "0.01", triggerPrice="59000", triggerDirection=1))
    assert rising["retCode"] == 110092 and rising["retMsg"] == "expect Rising, but trigger_price[59000.00] <= current[60000.00]"
    _, reduce, _ = await raw.post("/v5/order/create", order("Sell", "0.01", reduceOnly=True))
    assert reduce["retCode"] == 110017
    _, small, _ = await raw.post("/v5/order/create", order("Buy", "0.0001"))
    assert small["retCode"] == 10001
    _, first, _ = await raw.post("/v5/order/create", order("Buy", "0.01", orderLinkId="dup-1"))
    _, dup, _ = await raw.post("/v5/order/create", order("Buy", "0.01", orderLinkId="dup-1"))
    assert first["retCode"] == 0 and dup["retCode"] == 110072  # unique even after the first one filled
    _, gone, _ = await raw.post("/v5/order/cancel", {**LINEAR_BTC, "orderId": first["result"]["orderId"]})
    assert (gone["retCode"], gone["retMsg"]) == (110001, "order not exists or too late to cancel")


async def test_post_only_that_would_take_is_accepted_then_cancelled(raw: RawClient, venue: SimulatedVenue) -> None:
    _, made, _ = await raw.post("/v5/order/create", {**order("Buy", "0.01"), "orderType": "Limit", "price": "61000",
                                                     "timeInForce": "PostOnly"})
    assert made["retCode"] == 0
    _, found, _ = await raw.get("/v5/order/realtime", {**LINEAR_BTC, "orderId": made["result"]["orderId"]})
    (row,) = found["result"]["list"]
    assert (row["orderStatus"], row["rejectReason"]) == ("Cancelled", "EC_PostOnlyWillTakeLiquidity")
    assert not venue.engine.legs()


async def test_realtime_pages_at_fifty(raw: RawClient, venue: SimulatedVenue) -> None:
    for i in range(55):
        venue.engine.place_order("BTCUSDT", "BUY", Decimal("0.001"), order_type="LIMIT", price=Decimal(50000 + i))
    _, page, _ = await raw.get("/v5/order/realtime", {**LINEAR_BTC, "limit": "50"})
    assert len(page["result"]["list"]) == 50 and page["result"]["nextPageCursor"]
    _, rest, _ = await raw.get("/v5/order/realtime", {**LINEAR_BTC, "limit": "50",
                                                     "cursor": page["result"]["nextPageCursor"]})
    assert len(rest["result"]["list"]) == 5 and rest["result"]["nextPageCursor"]  # a cursor on the last page too
    _, after, _ = await raw.get("/v5/order/realtime", {**LINEAR_BTC, "limit": "50",
                                                      "cursor": rest["result"]["nextPageCursor"]})
    assert after["result"]["list"] == [] and after["result"]["nextPageCursor"] == ""
    _, over, _ = await raw.get("/v5/order/realtime", {**LINEAR_BTC, "limit": "51"})
    assert over["retCode"] == 10001


async def test_trailing_stop_lives_on_the_position_and_dies_with_it(raw: RawClient, venue: SimulatedVenue) -> None:
    await raw.post("/v5/position/switch-mode", {**LINEAR_BTC, "mode": 3})
    _, none, _ = await raw.post("/v5/position/trading-stop", {**LINEAR_BTC, "tpslMode": "Full", "positionIdx": 1,
                                                              "trailingStop": "600"})
    assert none["retCode"] == 10001  # no position to trail
    await raw.post("/v5/order/create", order("Buy", "0.01", 1))
    _, ok, _ = await raw.post("/v5/position/trading-stop", {**LINEAR_BTC, "tpslMode": "Full", "positionIdx": 1,
                                                            "trailingStop": "600"})
    assert ok["retCode"] == 0
    _, rows, _ = await raw.get("/v5/order/realtime", {**LINEAR_BTC, "orderFilter": "StopOrder"})
    (row,) = rows["result"]["list"]
    assert (row["stopOrderType"], row["orderStatus"], row["positionIdx"], row["side"]) == (
        "TrailingStop", "Untriggered", 1, "Sell")
    _, pos, _ = await raw.get("/v5/position/list", LINEAR_BTC)
    assert pos["result"]["list"][0]["trailingStop"] == "600.00"
    await raw.post("/v5/order/create", order("Sell", "0.01", 1, reduceOnly=True))
    _, after, _ = await raw.get("/v5/order/realtime", LINEAR_BTC)
    assert after["result"]["list"] == []  # cancelled with the position


async def test_rate_limit_fault_knob(raw: RawClient, venue: SimulatedVenue) -> None:
    async def limited(request: RecordedRequest, call_next: Any) -> WireResponse:
        return too_many_visits(venue.engine.clock(), 1500)

    venue.add_middleware(limited)
    _, answer, headers = await raw.get("/v5/position/list", LINEAR_BTC)
    assert (answer["retCode"], answer["retMsg"]) == (10006, "Too many visits!")
    assert int(headers["X-Bapi-Limit-Reset-Timestamp"]) - answer["time"] == 1500


@pytest_asyncio.fixture
async def ex(venue: SimulatedVenue) -> AsyncIterator[Any]:
    exchange = ccxt_async.bybit({"apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"],
                                 "options": {"fetchMarkets": {"types": ["linear"]}, "enableUnifiedAccount": True,
                                             "enableUnifiedMargin": False}})
    exchange.has["fetchCurrencies"] = False
    exchange.urls["api"] = {k: venue.base_url for k in ("public", "private", "spot", "futures", "v2")}
    try:
        yield exchange
    finally:
        await exchange.close()


async def test_ccxt_loads_the_listing_and_reads_positions(ex: Any, venue: SimulatedVenue) -> None:
    await ex.load_markets()
    market = ex.market(BTC)
    assert market["id"] == "BTCUSDT" and market["linear"] and market["swap"]
    assert Decimal(str(market["precision"]["amount"])) == Decimal("0.001")
    assert [r.params.get("category") for r in venue.requests] == ["linear", "linear"]  # 2 calls (VENUES.md §5)
    await ex.set_position_mode(True, BTC)
    await ex.create_order(BTC, "market", "sell", 0.02, None, {"positionIdx": 2})
    positions = await ex.fetch_positions([BTC])
    shorts = [p for p in positions if p["side"] == "short"]
    assert shorts and shorts[0]["contracts"] == 0.02 and shorts[0]["hedged"]
