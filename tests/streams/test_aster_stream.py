"""Aster user data stream: the simulator's frames against AST3, and the session against the simulator.

AST3 = asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` §User Data Streams
(Start/Keepalive User Data Stream, Event: User Data Stream Expired, Balance and Position Update,
Order Update, Account Configuration Update); AST1 = ``V1(Legacy)/EN/aster-finance-futures-api.md``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, PositionSide
from hedgekit.errors import AuthenticationError
from hedgekit.models import OrderStatus, OrderType
from hedgekit.stream_session import LegUpdate, OrderUpdate, SessionExpired, StreamLost, StreamOptions, StreamUpdate
from hedgekit.testing import SimulatedVenue
from hedgekit_aster.simulator import AsterFrontend

BTC = "BTC/USDT:USDT"

# AST3 §Event: Order Update, the example's "o" keys ("N"/"n": "will not push if no commission";
# "AP"/"cr": "only pushed with TRAILING_STOP_MARKET order")
ORDER_KEYS = {"s", "c", "S", "o", "f", "q", "p", "ap", "sp", "x", "X", "i", "l", "z", "L", "T", "t", "b", "a",
              "m", "R", "wt", "ot", "ps", "cp", "rp"}
COMMISSION_KEYS = {"N", "n"}
# AST3 §Event: Balance and Position Update: P rows have no "bep"
POSITION_KEYS = {"s", "pa", "ep", "cr", "up", "mt", "iw", "ps"}


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("aster", mark_prices={BTC: Decimal("60000")}) as sim:
        sim.engine.set_position_mode("HEDGE")
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("aster", base_url=venue.base_url, **venue.credentials) as client:
        yield client


def frontend(venue: SimulatedVenue) -> AsterFrontend:
    assert isinstance(venue.frontend, AsterFrontend)
    return venue.frontend


async def v1_rest(venue: SimulatedVenue, method: str, key: str | None = None) -> tuple[int, Any]:
    headers = {"X-MBX-APIKEY": frontend(venue).legacy_api_key if key is None else key}
    async with aiohttp.ClientSession() as http:
        async with http.request(method, venue.base_url + "/fapi/v1/listenKey", headers=headers) as answer:
            return answer.status, await answer.json()


class Raw:
    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def frame(self) -> Any:
        message = await self.ws.receive(timeout=2.0)
        assert message.type is aiohttp.WSMsgType.TEXT, message
        return json.loads(message.data)

    async def frames(self, count: int) -> list[Any]:
        return [await self.frame() for _ in range(count)]

    async def silent(self, seconds: float = 0.15) -> bool:
        try:
            await self.ws.receive(timeout=seconds)
        except asyncio.TimeoutError:
            return True
        return False


@pytest_asyncio.fixture
async def raw(venue: SimulatedVenue) -> AsyncIterator[Raw]:
    _, body = await v1_rest(venue, "POST")
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"{venue.ws_url}/ws/{body['listenKey']}") as ws:  # AST3: /ws/<listenKey>
            await asyncio.sleep(0.05)
            yield Raw(ws)


async def test_listen_key_rest(venue: SimulatedVenue, hk: HedgeClient) -> None:
    status, body = await v1_rest(venue, "POST")
    assert status == 200 and set(body) == {"listenKey"}
    assert await v1_rest(venue, "PUT") == (200, {})  # AST3 §Keepalive: "{}"
    assert await v1_rest(venue, "DELETE") == (200, {})  # AST3 §Close: "{}"
    assert await v1_rest(venue, "PUT") == (400, {"code": -1125, "msg": "This listenKey does not exist."})
    assert (await v1_rest(venue, "POST", key="C" * 64))[1]["code"] == -2015
    # v3: "A valid signer and signature are required" (AST3 USER_STREAM)
    async with aiohttp.ClientSession() as http:
        async with http.post(venue.base_url + "/fapi/v3/listenKey") as answer:
            assert (await answer.json())["code"] == -1102  # the mandatory user/signer/nonce/signature
    s = hk.adapter.stream_session(None, StreamOptions())
    await s.connect()
    await s.close()
    assert [r.path for r in venue.requests if r.method == "POST"][-1] == "/fapi/v3/listenKey"


async def test_frames(venue: SimulatedVenue, raw: Raw) -> None:
    engine = venue.engine
    engine.place_order(BTC, "BUY", "0.010", position_side="LONG")
    new, account, filled = await raw.frames(3)
    assert new["e"] == "ORDER_TRADE_UPDATE" and set(new["o"]) == ORDER_KEYS
    assert set(filled["o"]) == ORDER_KEYS | COMMISSION_KEYS and filled["o"]["x"] == "TRADE"
    assert account["e"] == "ACCOUNT_UPDATE" and all(set(r) == POSITION_KEYS for r in account["a"]["P"])

    engine.place_conditional(BTC, "SELL", "TRAILING_STOP_MARKET", quantity="0.010", callback_rate="1",
                             activation_price="60500", position_side="LONG", client_id="trail-1")
    waiting = await raw.frame()
    assert waiting["e"] == "ORDER_TRADE_UPDATE"  # AST3: no ALGO_UPDATE
    assert set(waiting["o"]) == ORDER_KEYS | {"AP", "cr"}
    assert (waiting["o"]["o"], waiting["o"]["ot"], waiting["o"]["X"], waiting["o"]["c"]) == (
        "TRAILING_STOP_MARKET", "TRAILING_STOP_MARKET", "NEW", "trail-1")
    venue.set_mark_price(BTC, "61000")
    venue.set_mark_price(BTC, "60300")
    fired = await raw.frames(3)
    by_event = {f["e"]: f for f in fired}
    trade = [f for f in fired if f["e"] == "ORDER_TRADE_UPDATE" and f["o"]["X"] == "FILLED"][0]
    # the order it placed shows under the conditional's id and client id, ot = the conditional type
    assert (trade["o"]["i"], trade["o"]["c"], trade["o"]["o"], trade["o"]["ot"]) == (
        waiting["o"]["i"], "trail-1", "MARKET", "TRAILING_STOP_MARKET")
    assert "ACCOUNT_UPDATE" in by_event

    assert frontend(venue).stream_frontend() is frontend(venue).stream_frontend()
    engine.set_position_mode("ONE_WAY")
    # AST3 §Account Configuration Update: "ai":{"j","f","d"}, d false = one-way
    config = await raw.frame()
    assert config["e"] == "ACCOUNT_CONFIG_UPDATE" and config["ai"] == {"j": False, "f": False, "d": False}

    venue.expire_listen_keys()
    expired = await raw.frame()
    # AST3: {'e': 'listenKeyExpired', 'E': 1576653824250}: no listenKey, E a number
    assert set(expired) == {"e", "E"} and expired["e"] == "listenKeyExpired" and isinstance(expired["E"], int)


# ------------------------------------------------------------------------------------ the session

async def collect(s: Any, until: Callable[[list[StreamUpdate]], bool], timeout: float = 2.0) -> list[StreamUpdate]:
    seen: list[StreamUpdate] = []
    deadline = time.monotonic() + timeout
    while not until(seen):
        seen += await asyncio.wait_for(s.receive(), max(0.01, deadline - time.monotonic()))
    return seen


def orders(seen: list[StreamUpdate]) -> list[OrderUpdate]:
    return [u for u in seen if isinstance(u, OrderUpdate)]


def legs(seen: list[StreamUpdate], side: PositionSide) -> list[LegUpdate]:
    return [u for u in seen if isinstance(u, LegUpdate) and u.side is side]


async def test_session_orders_legs_and_stops(venue: SimulatedVenue, hk: HedgeClient) -> None:
    s = hk.adapter.stream_session((BTC,), StreamOptions())
    await s.connect()
    try:
        await hk.open_long(BTC, Decimal("0.02"))
        await hk.open_short(BTC, Decimal("0.01"))
        seen = await collect(s, lambda seen: len([u for u in orders(seen) if u.fill]) == 2)
        assert legs(seen, PositionSide.LONG)[-1].fields["size"] == Decimal("0.02")
        assert legs(seen, PositionSide.SHORT)[-1].fields["size"] == Decimal("0.01")
        await hk.close_long(BTC, Decimal("0.005"))
        seen = await collect(s, lambda seen: any(u.fill for u in orders(seen)))
        assert legs(seen, PositionSide.LONG)[-1].fields["size"] == Decimal("0.015")

        stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("59000"))
        seen = await collect(s, lambda seen: bool(orders(seen)))
        [new] = orders(seen)
        assert (new.order.order_id, new.order.conditional, new.order.type, new.order.status) == (
            stop.order_id, True, OrderType.STOP_MARKET, OrderStatus.NEW)
        [listed] = await hk.adapter.fetch_conditional_orders(BTC)
        assert listed.order_id == new.order.order_id  # the id REST lists it with
        venue.set_mark_price(BTC, "58900")
        seen = await collect(s, lambda seen: any(u.fill for u in orders(seen)))
        [fired] = [u for u in orders(seen) if u.fill]
        assert fired.order.order_id == stop.order_id and fired.order.status is OrderStatus.FILLED
        assert fired.order.conditional and fired.order.type is OrderType.STOP_MARKET
        assert legs(seen, PositionSide.LONG)[-1].fields["size"] == 0

        limit = await hk.open_short(BTC, Decimal("0.01"), price=Decimal("61000"))
        await hk.cancel_order(limit)
        seen = await collect(s, lambda seen: len(orders(seen)) == 2)
        assert [u.order.status for u in orders(seen)] == [OrderStatus.NEW, OrderStatus.CANCELED]
    finally:
        await s.close()


async def test_session_faults(venue: SimulatedVenue, hk: HedgeClient) -> None:
    s = hk.adapter.stream_session((BTC,), StreamOptions(heartbeat=0.2))
    await s.connect()
    venue.stall_streams()
    started = time.monotonic()
    with pytest.raises(StreamLost):
        await asyncio.wait_for(s.receive(), 2.0)
    assert time.monotonic() - started < 1.0
    venue.resume_streams()
    await s.close()

    s = hk.adapter.stream_session((BTC,), StreamOptions(heartbeat=0.2))
    await s.connect()
    await asyncio.sleep(0.05)
    venue.disconnect_streams()
    with pytest.raises(StreamLost):
        await asyncio.wait_for(s.receive(), 1.0)
    await s.close()

    s = hk.adapter.stream_session((BTC,), StreamOptions())
    await s.connect()
    await asyncio.sleep(0.05)
    venue.expire_listen_keys()
    assert await asyncio.wait_for(s.receive(), 1.0) == [SessionExpired("listenKeyExpired")]
    await s.close()


async def test_session_legacy_key_and_auth_failure(venue: SimulatedVenue) -> None:
    async with hedgekit.connect("aster", base_url=venue.base_url, **frontend(venue).legacy_credentials) as legacy:
        s = legacy.adapter.stream_session((BTC,), StreamOptions())
        await s.connect()
        venue.engine.place_order(BTC, "BUY", "0.010", position_side="LONG")
        seen = await collect(s, lambda seen: any(u.fill for u in orders(seen)))
        assert legs(seen, PositionSide.LONG)[-1].fields["size"] == Decimal("0.01")
        await s.close()
        assert [r.path for r in venue.requests if r.method == "POST"][-1] == "/fapi/v1/listenKey"
    async with hedgekit.connect("aster", base_url=venue.base_url, api_key="D" * 64,
                                secret=frontend(venue).legacy_credentials["secret"]) as wrong:
        s = wrong.adapter.stream_session(None, StreamOptions())
        with pytest.raises(AuthenticationError):
            await s.connect()
        await s.close()
