"""The simulated OKX venue on the wire: authentication, envelopes, codes, and ccxt's own methods.

Raw tests sign requests by hand (Base64 HMAC-SHA256 of timestamp + METHOD + path + body) to pin
the exact answers; ccxt ``okx`` pointed at the loopback server checks that a real client reads it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import aiohttp
import ccxt.async_support as ccxt
import pytest
import pytest_asyncio

from hedgekit.testing import SimulatedVenue
from hedgekit.testing import engine_types as E
from hedgekit_okx.simulator import sign

from .conftest import BTC


def iso(shift: timedelta = timedelta()) -> str:
    return (datetime.now(timezone.utc) + shift).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Raw:
    """A hand-signed HTTP client of the simulated venue."""

    def __init__(self, venue: SimulatedVenue, session: aiohttp.ClientSession) -> None:
        self.venue, self.session = venue, session

    async def send(self, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None,
                   sign_with: str | None = None, shift: timedelta = timedelta(), **changes: str) -> tuple[int, Any]:
        creds = self.venue.credentials
        text = "" if body is None else json.dumps(body)
        stamp = iso(shift)
        sent = {"OK-ACCESS-KEY": creds["api_key"], "OK-ACCESS-TIMESTAMP": stamp,
                "OK-ACCESS-PASSPHRASE": creds["password"], "Content-Type": "application/json",
                "OK-ACCESS-SIGN": sign(sign_with or creds["secret"], stamp + method + path + text)}
        sent.update(changes)
        sent.update(headers or {})
        async with self.session.request(method, self.venue.base_url + path, data=text or None,
                                        headers={k: v for k, v in sent.items() if v is not None}) as answer:
            return answer.status, await answer.json(content_type=None)


@pytest_asyncio.fixture
async def raw(venue: SimulatedVenue) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession() as session:
        yield Raw(venue, session)


@pytest.mark.parametrize(
    "changes, code, msg",
    [
        ({"OK-ACCESS-KEY": None}, "50103", 'Request header "OK-ACCESS-KEY" cannot be empty.'),
        ({"OK-ACCESS-PASSPHRASE": None}, "50104", 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.'),
        ({"OK-ACCESS-KEY": "0e1c9a3c-0000-4000-8000-000000000000"}, "50111", "Invalid OK-ACCESS-KEY."),
        ({"OK-ACCESS-TIMESTAMP": "1597026383085"}, "50112", "Invalid OK-ACCESS-TIMESTAMP."),
        ({"OK-ACCESS-PASSPHRASE": "wrong"}, "50105", 'Request header "OK-ACCESS-PASSPHRASE" incorrect.'),
        ({"OK-ACCESS-SIGN": "AAAA"}, "50113", "Invalid Sign"),
        ({"x-simulated-trading": "1"}, "50101", "APIKey does not match current environment."),
    ],
)
async def test_authentication_refusals(raw: Raw, changes: dict[str, str], code: str, msg: str) -> None:
    status, body = await raw.send("GET", "/api/v5/account/config", **changes)
    assert (status, body) == (401, {"msg": msg, "code": code})


async def test_signature_timestamp_and_demo_keys(raw: Raw, venue: SimulatedVenue) -> None:
    status, body = await raw.send("GET", "/api/v5/account/config", sign_with="0" * 32)
    assert (status, body["code"]) == (401, "50113")
    status, body = await raw.send("GET", "/api/v5/account/config", shift=timedelta(seconds=-31))
    assert (status, body) == (401, {"msg": "Timestamp request expired.", "code": "50102"})
    status, body = await raw.send("GET", "/api/v5/account/config", shift=timedelta(seconds=-20))
    assert (status, body["code"], body["data"][0]["acctLv"]) == (200, "0", "2")
    venue.frontend.demo_trading = True  # type: ignore[attr-defined]
    assert (await raw.send("GET", "/api/v5/account/config"))[1]["code"] == "50101"
    status, body = await raw.send("GET", "/api/v5/account/config", headers={"x-simulated-trading": "1"})
    assert body["code"] == "0"


async def test_per_order_refusals_keep_code_1_on_top(raw: Raw, venue: SimulatedVenue) -> None:
    order = {"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "posSide": "long", "ordType": "market",
             "sz": "1", "clOrdId": "rawOrder1"}
    status, body = await raw.send("POST", "/api/v5/trade/order", order)  # net mode: posSide long is an error
    assert status == 200 and (body["code"], body["msg"]) == ("1", "All operations failed")
    [row] = body["data"]
    assert (row["sCode"], row["sMsg"], row["clOrdId"], row["ordId"]) == (
        "51000", "Parameter posSide error ", "rawOrder1", "")
    assert "inTime" in body and "outTime" in body
    status, body = await raw.send("POST", "/api/v5/trade/order", dict(order, posSide="net", sz="1.005"))
    assert body["data"][0]["sCode"] == "51121"
    venue.engine.set_wallet_balance(Decimal("1"))
    status, body = await raw.send("POST", "/api/v5/trade/order", dict(order, posSide="net"))
    assert (body["data"][0]["sCode"], body["data"][0]["sMsg"]) == (
        "51008", "Order failed. Insufficient USDT margin in account")


async def test_request_level_refusals(raw: Raw, venue: SimulatedVenue) -> None:
    venue.engine.place_order(BTC, E.Side.BUY, Decimal("0.01"))
    status, body = await raw.send("POST", "/api/v5/account/set-position-mode", {"posMode": "long_short_mode"})
    assert (status, body) == (200, {"code": "59000", "data": [], "msg": (
        "Settings failed. Close any open positions or orders before modifying settings.")})
    status, body = await raw.send("GET", "/api/v5/trade/orders-algo-pending")
    assert (status, body["code"], body["msg"]) == (400, "50014", "Parameter ordType can not be empty.")
    status, body = await raw.send("GET", "/api/v5/trade/orders-algo-pending?ordType=trigger,move_order_stop")
    assert (body["code"], body["msg"]) == ("51000", "Parameter ordType error")
    status, body = await raw.send("GET", "/api/v5/trade/order?instId=BTC-USDT-SWAP&ordId=1")
    assert (body["code"], body["msg"]) == ("51603", "Order does not exist.")
    status, body = await raw.send("GET", "/api/v5/trade/order-algo")
    assert body["code"] == "50015"
    status, body = await raw.send("GET", "/api/v5/trade/cancel-order")
    assert (status, body["code"]) == (405, "50115")
    status, _ = await raw.send("GET", "/api/v5/trade/nothing-here")
    assert status == 404


async def test_account_levels(raw: Raw, venue: SimulatedVenue) -> None:
    venue.frontend.account_level = "4"  # type: ignore[attr-defined]
    _, body = await raw.send("POST", "/api/v5/account/set-position-mode", {"posMode": "long_short_mode"})
    assert (body["code"], body["msg"]) == ("51041", "Portfolio margin account only supports the Buy/Sell mode.")
    venue.frontend.account_level = "3"  # type: ignore[attr-defined]
    order = {"instId": "BTC-USDT-SWAP", "tdMode": "isolated", "side": "buy", "ordType": "market", "sz": "1"}
    _, body = await raw.send("POST", "/api/v5/trade/order", order)
    assert body["data"][0]["sCode"] == "50072"
    with pytest.raises(ValueError):
        venue.frontend.account_level = "5"  # type: ignore[attr-defined]


async def test_tp_sl_pair_cancels_the_other_leg(raw: Raw, venue: SimulatedVenue) -> None:
    await raw.send("POST", "/api/v5/account/set-position-mode", {"posMode": "long_short_mode"})
    await raw.send("POST", "/api/v5/trade/order", {"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy",
                                                   "posSide": "long", "ordType": "market", "sz": "3"})
    _, body = await raw.send("POST", "/api/v5/trade/order-algo", {
        "instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "sell", "posSide": "long", "ordType": "oco",
        "sz": "3", "slTriggerPx": "58000", "slOrdPx": "-1", "tpTriggerPx": "65000", "tpOrdPx": "-1"})
    algo_id = body["data"][0]["algoId"]
    _, body = await raw.send("GET", "/api/v5/trade/orders-algo-pending?ordType=conditional,oco")
    assert [(r["algoId"], r["slTriggerPx"], r["tpTriggerPx"]) for r in body["data"]] == [(algo_id, "58000", "65000")]
    venue.set_mark_price(BTC, "57000")  # the stop-loss leg fires
    _, body = await raw.send("GET", f"/api/v5/trade/order-algo?algoId={algo_id}")
    [row] = body["data"]
    assert (row["state"], row["actualSide"], row["actualSz"]) == ("effective", "sl", "3")
    child = venue.engine.get_order(BTC, order_id=int(row["ordId"]))
    assert child.status is E.OrderStatus.FILLED
    venue.set_mark_price(BTC, "66000")
    assert venue.engine.leg(BTC, E.PositionSide.LONG).size == 0 and not venue.engine.legs(BTC)
    _, body = await raw.send("GET", f"/api/v5/trade/order?instId=BTC-USDT-SWAP&ordId={row['ordId']}")
    assert (body["data"][0]["algoId"], body["data"][0]["clOrdId"], body["data"][0]["ordType"]) == (
        algo_id, "", "market")


async def test_a_stop_on_the_wrong_side_is_refused(raw: Raw) -> None:
    _, body = await raw.send("POST", "/api/v5/trade/order-algo", {
        "instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "sell", "ordType": "conditional", "sz": "1",
        "reduceOnly": True, "slTriggerPx": "61000", "slOrdPx": "-1", "slTriggerPxType": "mark"})
    assert (body["code"], body["data"][0]["sCode"], body["data"][0]["sMsg"]) == (
        "1", "51304", "SL trigger price cannot be higher than the mark price")


@pytest_asyncio.fixture
async def ex(venue: SimulatedVenue) -> AsyncIterator[Any]:
    c = venue.credentials
    exchange = ccxt.okx({"apiKey": c["api_key"], "secret": c["secret"], "password": c["password"],
                         "enableRateLimit": False, "options": {"fetchMarkets": {"types": ["swap"]}}})
    exchange.has["fetchCurrencies"] = False
    exchange.urls["api"] = {"rest": venue.base_url}
    try:
        yield exchange
    finally:
        await exchange.close()


async def test_ccxt_reads_the_venue(ex: Any, venue: SimulatedVenue) -> None:
    markets = await ex.load_markets()
    assert [r.path for r in venue.requests] == ["/api/v5/public/instruments"]
    assert markets[BTC]["contractSize"] == 0.01 and markets[BTC]["linear"] and markets[BTC]["swap"]
    await ex.set_position_mode(True)
    assert venue.engine.position_mode() is E.PositionMode.HEDGE
    order = await ex.create_order(BTC, "market", "buy", 2, params={"posSide": "long", "tdMode": "cross"})
    assert order["id"]
    assert venue.requests[-1].path == "/api/v5/trade/batch-orders"  # ccxt's default for one order (VENUES §5)
    [position] = await ex.fetch_positions([BTC])
    assert (position["side"], position["contracts"], position["contractSize"]) == ("long", 2.0, 0.01)
    assert (await ex.fetch_balance())["USDT"]["total"] == 10000.0
    mode = await ex.fetch_position_mode(BTC)
    assert mode["hedged"] is True
