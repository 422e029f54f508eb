"""Binance USDⓈ-M user data stream: the simulator's frames against the docs, and the session against the simulator.

Doc sources of the expected shapes (written here, never taken from the modules under test):

* BND = rosssaunders/coincise ``docs/binance/usdm/private_websocket_api.md`` @ee431efa (mirror of
  developers.binance.com USDⓈ-M user-data-streams pages): Start/Keepalive/Close User Data Stream,
  Event: Balance and Position Update, Event: Order Update, Event: User Data Stream Expired,
  Event: Account Configuration Update;
* BNW = developers.binance.com *Event-Algo-Order-Update*; BNC = binance-connector-python
  ``websocket_streams/models/algo_update_o.py``;
* shared/STREAMS.md §1 for the URL forms and the SUBSCRIBE ack.
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
from hedgekit import HedgeClient, MarginMode, PositionMode, PositionSide
from hedgekit.errors import AuthenticationError
from hedgekit.models import OrderStatus, OrderType
from hedgekit.stream_session import LegUpdate, OrderUpdate, SessionExpired, StreamLost, StreamOptions, StreamUpdate
from hedgekit.testing import SimulatedVenue
from hedgekit_binance.simulator_stream import BinanceStreamFrontend

BTC = "BTC/USDT:USDT"

# BND §Event: Order Update, the keys of the example's "o" object
ORDER_KEYS = {"s", "c", "S", "o", "f", "q", "p", "ap", "sp", "x", "X", "i", "l", "z", "L", "N", "n", "T", "t",
              "b", "a", "m", "R", "wt", "ot", "ps", "cp", "rp", "pP", "si", "ss", "V", "pm", "gtd", "er"}
# BND: "AP"/"cr" "only pushed with TRAILING_STOP_MARKET order"
TRAILING_KEYS = {"AP", "cr"}
# BND §Event: Balance and Position Update, the keys of a "P" row
POSITION_KEYS = {"s", "pa", "ep", "bep", "cr", "up", "mt", "iw", "ps"}
# BND: "B" rows
BALANCE_KEYS = {"a", "wb", "cw", "bc"}
# BNW §Event: Algo Order Update example (and BNC's "ia" for trailing orders)
ALGO_KEYS = {"caid", "aid", "at", "o", "s", "S", "ps", "f", "q", "X", "ai", "tp", "p", "V", "wt", "pm", "cp",
             "pP", "R", "tt", "gtd"}
ALGO_TRIGGERED_KEYS = {"ap", "aq", "act"}  # "only display when order is triggered and placed in matching engine"


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("binance", mark_prices={BTC: Decimal("60000")}) as sim:
        sim.engine.set_position_mode("HEDGE")
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials) as client:
        yield client


async def rest(venue: SimulatedVenue, method: str, key: str | None = None) -> tuple[int, Any]:
    headers = {"X-MBX-APIKEY": venue.credentials["api_key"] if key is None else key}
    async with aiohttp.ClientSession() as http:
        async with http.request(method, venue.base_url + "/fapi/v1/listenKey", headers=headers) as answer:
            return answer.status, await answer.json()


class Raw:
    """A plain websocket on the simulator, reading decoded frames."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def frame(self, timeout: float = 2.0) -> Any:
        message = await self.ws.receive(timeout=timeout)
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
async def raw(venue: SimulatedVenue) -> AsyncIterator[tuple[Raw, str]]:
    status, body = await rest(venue, "POST")
    assert status == 200
    key = body["listenKey"]
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"{venue.ws_url}/private/ws?listenKey={key}") as ws:
            await asyncio.sleep(0.05)
            yield Raw(ws), key


# ------------------------------------------------------------------------------------ listen keys

async def test_listen_key_rest_answers_as_documented(venue: SimulatedVenue) -> None:
    status, first = await rest(venue, "POST")
    assert status == 200 and set(first) == {"listenKey"} and len(first["listenKey"]) == 64  # BND example: 64 chars
    # "Doing a POST on an account with an active listenKey will return the currently active listenKey"
    assert (await rest(venue, "POST"))[1] == first
    # PUT -> {"listenKey": ...} (BND Keepalive example), DELETE -> {} (BND Close example)
    assert await rest(venue, "PUT") == (200, first)
    assert await rest(venue, "DELETE") == (200, {})
    # "if response -1125 error "This listenKey does not exist." Please use POST to recreate"
    assert await rest(venue, "PUT") == (400, {"code": -1125, "msg": "This listenKey does not exist."})
    assert (await rest(venue, "POST"))[1]["listenKey"] != first["listenKey"]


async def test_listen_key_needs_the_api_key(venue: SimulatedVenue) -> None:
    assert await rest(venue, "POST", key="short") == (401, {"code": -2014, "msg": "API-key format invalid."})
    assert await rest(venue, "POST", key="A" * 64) == (
        401, {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."})


# ------------------------------------------------------------------------------------ frame shapes

async def test_order_and_account_frames(venue: SimulatedVenue, raw: tuple[Raw, str]) -> None:
    ws, _ = raw
    engine = venue.engine
    engine.place_order(BTC, "BUY", "0.010", position_side="LONG", client_order_id="open-1")
    new, account, filled = await ws.frames(3)
    assert new["e"] == "ORDER_TRADE_UPDATE" and set(new) == {"e", "E", "T", "o"}
    assert set(new["o"]) == ORDER_KEYS
    o = new["o"]
    assert (o["s"], o["c"], o["S"], o["o"], o["x"], o["X"], o["ps"]) == (
        "BTCUSDT", "open-1", "BUY", "MARKET", "NEW", "NEW", "LONG")
    assert isinstance(o["i"], int) and isinstance(o["t"], int) and isinstance(o["m"], bool)
    assert all(isinstance(o[k], str) for k in ("q", "p", "ap", "sp", "l", "z", "L", "n", "rp", "er"))
    assert isinstance(new["E"], int) and isinstance(new["T"], int)

    assert account["e"] == "ACCOUNT_UPDATE" and set(account) == {"e", "E", "T", "a"}
    assert account["a"]["m"] == "ORDER" and set(account["a"]) == {"m", "B", "P"}
    assert [set(b) for b in account["a"]["B"]] == [BALANCE_KEYS] and account["a"]["B"][0]["a"] == "USDT"
    rows = {row["ps"]: row for row in account["a"]["P"]}
    assert set(rows) == {"LONG", "SHORT"} and all(set(r) == POSITION_KEYS for r in rows.values())
    assert Decimal(rows["LONG"]["pa"]) == Decimal("0.01") and Decimal(rows["SHORT"]["pa"]) == 0
    assert rows["LONG"]["mt"] == "cross" and Decimal(rows["LONG"]["ep"]) == Decimal("60000")

    assert filled["o"]["x"] == "TRADE" and filled["o"]["X"] == "FILLED" and filled["o"]["i"] == o["i"]
    assert Decimal(filled["o"]["l"]) == Decimal(filled["o"]["z"]) == Decimal("0.01")
    assert Decimal(filled["o"]["L"]) == Decimal("60000") and filled["o"]["t"] > 0

    engine.place_order(BTC, "SELL", "0.020", position_side="SHORT")
    _, account, _ = await ws.frames(3)
    rows = {row["ps"]: row for row in account["a"]["P"]}
    assert Decimal(rows["SHORT"]["pa"]) == Decimal("-0.02")  # BND example: "pa":"-10" on SHORT


async def test_resting_cancel_and_leverage_frames(venue: SimulatedVenue, raw: tuple[Raw, str]) -> None:
    ws, _ = raw
    order = venue.engine.place_order(BTC, "BUY", "0.010", order_type="LIMIT", price="59000", position_side="LONG")
    new = await ws.frame()
    assert new["o"]["o"] == "LIMIT" and new["o"]["x"] == "NEW" and Decimal(new["o"]["b"]) == Decimal("590")
    venue.engine.cancel_order(BTC, order_id=order.order_id)
    canceled = await ws.frame()
    assert (canceled["o"]["x"], canceled["o"]["X"]) == ("CANCELED", "CANCELED")
    # "Unfilled orders or cancelled orders will not make the event ACCOUNT_UPDATE pushed"
    assert await ws.silent()
    venue.engine.set_leverage(BTC, 25)
    config = await ws.frame()
    # BND §Account Configuration Update: {"e","E","T","ac":{"s","l"}} with l an integer
    assert config == {"e": "ACCOUNT_CONFIG_UPDATE", "E": config["E"], "T": config["T"], "ac": {"s": "BTCUSDT", "l": 25}}
    venue.set_mark_price(BTC, "60100")  # a mark move alone: no event
    assert await ws.silent()


async def test_algo_update_frames(venue: SimulatedVenue, raw: tuple[Raw, str]) -> None:
    ws, _ = raw
    engine = venue.engine
    engine.place_order(BTC, "BUY", "0.010", position_side="LONG")
    await ws.frames(3)
    stop = engine.place_conditional(BTC, "SELL", "STOP_MARKET", quantity="0.010", trigger_price="59000",
                                    position_side="LONG", client_id="stop-1")
    new = await ws.frame()
    assert new["e"] == "ALGO_UPDATE" and set(new) == {"e", "T", "E", "o"}
    assert set(new["o"]) == ALGO_KEYS
    assert (new["o"]["caid"], new["o"]["aid"], new["o"]["at"], new["o"]["o"], new["o"]["X"], new["o"]["ai"]) == (
        "stop-1", stop.conditional_id, "CONDITIONAL", "STOP_MARKET", "NEW", "")
    assert isinstance(new["o"]["aid"], int) and isinstance(new["o"]["tt"], int)  # BNC: aid StrictInt
    venue.set_mark_price(BTC, "58900")
    child_new, account, child_fill, triggered, finished = await ws.frames(5)
    assert child_new["e"] == "ORDER_TRADE_UPDATE" and child_new["o"]["ot"] == "STOP_MARKET"
    assert account["e"] == "ACCOUNT_UPDATE" and child_fill["o"]["X"] == "FILLED"
    # the child fill precedes TRIGGERED (nautilus_trader issue 3664); FINISHED comes last
    assert triggered["o"]["X"] == "TRIGGERED" and finished["o"]["X"] == "FINISHED"
    assert triggered["o"]["ai"] == str(child_fill["o"]["i"])  # BNC: ai a string
    assert set(finished["o"]) == ALGO_KEYS | ALGO_TRIGGERED_KEYS and finished["o"]["act"] == "MARKET"
    engine.place_conditional(BTC, "SELL", "STOP_MARKET", quantity="0.010", trigger_price="50000",
                             position_side="LONG")
    await ws.frame()
    engine.cancel_all_conditionals(BTC)
    assert (await ws.frame())["o"]["X"] == "CANCELED"


async def test_liquidation_frames(venue: SimulatedVenue, raw: tuple[Raw, str]) -> None:
    ws, _ = raw
    engine = venue.engine
    engine.set_margin_type(BTC, "ISOLATED")
    await ws.frame()
    engine.set_leverage(BTC, 50)
    await ws.frame()
    engine.place_order(BTC, "BUY", "0.010", position_side="LONG")
    await ws.frames(3)
    venue.set_mark_price(BTC, "50000")
    new, calculated, account = await ws.frames(3)
    # BND: liquidation: "c shows as autoclose-XXX"; order type LIQUIDATION; CALCULATED = liquidation execution
    assert new["o"]["c"].startswith("autoclose-") and new["o"]["o"] == "LIQUIDATION" and new["o"]["X"] == "NEW"
    assert calculated["o"]["x"] == "CALCULATED" and calculated["o"]["S"] == "SELL"
    rows = {row["ps"]: row for row in account["a"]["P"]}
    assert Decimal(rows["LONG"]["pa"]) == 0 and rows["LONG"]["mt"] == "isolated"


async def test_expiry_and_delete_push_listen_key_expired(venue: SimulatedVenue, raw: tuple[Raw, str]) -> None:
    ws, key = raw
    assert venue.expire_listen_keys() == 1
    # BND §User Data Stream Expired: {"e":"listenKeyExpired","E":"1736996475556","listenKey":...} (E a string)
    expired = await ws.frame()
    assert expired == {"e": "listenKeyExpired", "E": expired["E"], "listenKey": key} and isinstance(expired["E"], str)
    venue.engine.place_order(BTC, "BUY", "0.010", position_side="LONG")
    assert await ws.silent()  # "No more user data event will be updated after this event received"
    assert (await rest(venue, "PUT"))[1]["code"] == -1125


async def test_sdk_stream_form_with_subscribe(venue: SimulatedVenue) -> None:
    _, body = await rest(venue, "POST")
    key = body["listenKey"]
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"{venue.ws_url}/private/stream") as socket:
            ws = Raw(socket)
            await socket.send_str(json.dumps({"method": "SUBSCRIBE", "params": [key], "id": "a-uuid"}))
            assert await ws.frame() == {"result": None, "id": "a-uuid"}  # STREAMS.md §1.1
            venue.engine.place_order(BTC, "BUY", "0.010", position_side="LONG")
            wrapped = await ws.frame()
            assert set(wrapped) == {"stream", "data"} and wrapped["stream"] == key
            assert wrapped["data"]["e"] == "ORDER_TRADE_UPDATE"


async def test_events_allow_list_and_unknown_key(venue: SimulatedVenue) -> None:
    _, body = await rest(venue, "POST")
    key = body["listenKey"]
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"{venue.ws_url}/private/ws?listenKey={key}&events=ACCOUNT_UPDATE") as s1, \
                http.ws_connect(f"{venue.ws_url}/ws/{'x' * 64}") as s2:
            await asyncio.sleep(0.05)
            venue.engine.place_order(BTC, "BUY", "0.010", position_side="LONG")
            assert (await Raw(s1).frame())["e"] == "ACCOUNT_UPDATE"
            assert await Raw(s1).silent()
            assert await Raw(s2).silent()  # a key the venue never issued: accepted, silent


# ------------------------------------------------------------------------------------ the session

def session(hk: HedgeClient, **options: Any) -> Any:
    return hk.adapter.stream_session((BTC,), StreamOptions(**options))


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


async def test_session_follows_both_legs_and_a_partial_close(venue: SimulatedVenue, hk: HedgeClient) -> None:
    s = session(hk)
    await s.connect()
    try:
        long = await hk.open_long(BTC, Decimal("0.02"))
        await hk.open_short(BTC, Decimal("0.01"))
        seen = await collect(s, lambda seen: len([u for u in orders(seen) if u.fill]) == 2)
        fills = [u for u in orders(seen) if u.fill is not None]
        assert fills[0].order.order_id == long.order_id and fills[0].order.status is OrderStatus.FILLED
        assert fills[0].fill is not None and fills[0].fill.quantity == Decimal("0.02")
        assert fills[0].fill.price == Decimal("60000") and fills[0].fill.position_side is PositionSide.LONG
        assert legs(seen, PositionSide.LONG)[-1].fields["size"] == Decimal("0.02")
        assert legs(seen, PositionSide.SHORT)[-1].fields["size"] == Decimal("0.01")
        assert legs(seen, PositionSide.SHORT)[-1].fields["entry_price"] == Decimal("60000")
        assert legs(seen, PositionSide.LONG)[-1].fields["margin_mode"] is MarginMode.CROSS

        await hk.close_long(BTC, Decimal("0.005"))
        seen = await collect(s, lambda seen: any(u.fill for u in orders(seen)))
        assert legs(seen, PositionSide.LONG)[-1].fields["size"] == Decimal("0.015")
        pair = await hk.legs(BTC)
        assert pair.long.size == Decimal("0.015") and pair.short.size == Decimal("0.01")
    finally:
        await s.close()


async def test_session_stop_fires_on_a_mark_move(venue: SimulatedVenue, hk: HedgeClient) -> None:
    await hk.open_long(BTC, Decimal("0.01"))
    s = session(hk)
    await s.connect()
    try:
        stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("59000"))
        seen = await collect(s, lambda seen: bool(orders(seen)))
        [new] = orders(seen)
        assert new.order.order_id == stop.order_id and new.order.conditional
        assert new.order.type is OrderType.STOP_MARKET and new.order.status is OrderStatus.NEW
        assert new.order.trigger_price == Decimal("59000")
        venue.set_mark_price(BTC, "58900")
        seen = await collect(s, lambda seen: any(u.order.order_id == stop.order_id and not u.order.status.is_open
                                                 for u in orders(seen)))
        child = [u for u in orders(seen) if u.fill is not None]
        assert child and child[0].fill is not None and child[0].fill.side is hedgekit.Side.SELL
        assert legs(seen, PositionSide.LONG)[-1].fields["size"] == 0
        assert [u.order.status for u in orders(seen) if u.order.order_id == stop.order_id][-1] is OrderStatus.TRIGGERED
    finally:
        await s.close()


async def test_session_trailing_stop_fires(venue: SimulatedVenue, hk: HedgeClient) -> None:
    await hk.open_long(BTC, Decimal("0.01"))
    s = session(hk)
    await s.connect()
    try:
        trail = await hk.trailing_stop(BTC, PositionSide.LONG, Decimal("0.01"), Decimal("1"),
                                       activation_price=Decimal("60500"))
        seen = await collect(s, lambda seen: bool(orders(seen)))
        assert orders(seen)[0].order.type is OrderType.TRAILING_STOP_MARKET
        venue.set_mark_price(BTC, "61000")
        venue.set_mark_price(BTC, "60300")  # 1.15 % below the best mark
        seen = await collect(s, lambda seen: any(u.order.order_id == trail.order_id and not u.order.status.is_open
                                                 for u in orders(seen)))
        assert any(u.fill is not None for u in orders(seen))
        assert legs(seen, PositionSide.LONG)[-1].fields["size"] == 0
    finally:
        await s.close()


async def test_session_cancel_and_leverage(venue: SimulatedVenue, hk: HedgeClient) -> None:
    s = session(hk)
    await s.connect()
    try:
        limit = await hk.open_long(BTC, Decimal("0.01"), price=Decimal("59000"))
        await hk.cancel_order(limit)
        seen = await collect(s, lambda seen: len(orders(seen)) == 2)
        assert [u.order.status for u in orders(seen)] == [OrderStatus.NEW, OrderStatus.CANCELED]
        assert all(u.order.order_id == limit.order_id for u in orders(seen))
        await hk.set_leverage(BTC, 7)
        seen = await collect(s, lambda seen: len(seen) == 2)
        assert {(u.side, u.fields["leverage"]) for u in seen if isinstance(u, LegUpdate)} == {
            (PositionSide.LONG, 7), (PositionSide.SHORT, 7)}
    finally:
        await s.close()


async def test_session_liquidation(venue: SimulatedVenue, hk: HedgeClient) -> None:
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)
    await hk.set_leverage(BTC, 50)
    await hk.open_long(BTC, Decimal("0.01"))
    s = session(hk)
    await s.connect()
    try:
        venue.set_mark_price(BTC, "50000")
        seen = await collect(s, lambda seen: bool(legs(seen, PositionSide.LONG)))
        liquidation = [u for u in orders(seen) if u.fill is not None]
        assert liquidation and liquidation[0].order.client_order_id is not None
        assert liquidation[0].order.client_order_id.startswith("autoclose-")
        assert liquidation[0].fill is not None and liquidation[0].fill.quantity == Decimal("0.01")
        assert legs(seen, PositionSide.LONG)[-1].fields["size"] == 0
        assert legs(seen, PositionSide.LONG)[-1].fields["margin_mode"] is MarginMode.ISOLATED
    finally:
        await s.close()


async def test_session_heartbeat_loss_is_stream_lost(venue: SimulatedVenue, hk: HedgeClient) -> None:
    s = session(hk, heartbeat=0.2)
    await s.connect()
    try:
        venue.stall_streams()
        started = time.monotonic()
        with pytest.raises(StreamLost):
            await asyncio.wait_for(s.receive(), 2.0)
        assert time.monotonic() - started < 1.0
    finally:
        venue.resume_streams()
        await s.close()


async def test_session_venue_disconnect_is_stream_lost(venue: SimulatedVenue, hk: HedgeClient) -> None:
    s = session(hk, heartbeat=0.2)
    await s.connect()
    try:
        await asyncio.sleep(0.05)
        assert venue.disconnect_streams() == 1
        with pytest.raises(StreamLost):
            await asyncio.wait_for(s.receive(), 1.0)
    finally:
        await s.close()


async def test_session_listen_key_expiry(venue: SimulatedVenue, hk: HedgeClient) -> None:
    s = session(hk)
    await s.connect()
    try:
        await asyncio.sleep(0.05)
        venue.expire_listen_keys()
        assert await asyncio.wait_for(s.receive(), 1.0) == [SessionExpired("listenKeyExpired")]
    finally:
        await s.close()


async def test_session_keepalive_puts_and_a_dead_key_expires_the_session(venue: SimulatedVenue,
                                                                         hk: HedgeClient) -> None:
    s = session(hk, listen_key_keepalive=0.05)
    await s.connect()
    try:
        await asyncio.sleep(0.12)
        puts = [r for r in venue.requests if r.method == "PUT" and r.path == "/fapi/v1/listenKey"]
        assert puts and "signature" not in puts[0].params  # USER_STREAM: the key header, no signature
        stream = venue.frontend.stream_frontend()
        assert isinstance(stream, BinanceStreamFrontend)
        stream.keys.kill()  # the key dies without a frame
        [expired] = await asyncio.wait_for(s.receive(), 1.0)
        assert isinstance(expired, SessionExpired) and "-1125" in expired.reason
    finally:
        await s.close()


async def test_session_auth_failure(venue: SimulatedVenue) -> None:
    async with hedgekit.connect("binance", base_url=venue.base_url, api_key="B" * 64,
                                secret=venue.credentials["secret"]) as other:
        s = other.adapter.stream_session(None, StreamOptions())
        with pytest.raises(AuthenticationError):
            await s.connect()
        await s.close()


async def test_session_unreadable_frame_is_stream_lost(venue: SimulatedVenue, hk: HedgeClient) -> None:
    s = session(hk)
    await s.connect()
    try:
        await asyncio.sleep(0.05)
        [conn] = venue.streams.connections
        conn.send('{"e":"ORDER_TRADE_UPDATE","E":1,"T":1,"o":{"s":"BTCUSDT"}}')  # no order fields
        with pytest.raises(StreamLost):
            await asyncio.wait_for(s.receive(), 1.0)
    finally:
        await s.close()


async def test_session_ignores_unknown_events_and_other_symbols(venue: SimulatedVenue, hk: HedgeClient) -> None:
    s = session(hk)
    await s.connect()
    try:
        await asyncio.sleep(0.05)
        [conn] = venue.streams.connections
        conn.send('{"e":"TRADE_LITE","E":1}')
        conn.send('{"e":"MARGIN_CALL","E":1,"cw":"1","p":[]}')
        venue.engine.place_order("ETHUSDT", "BUY", "0.1", position_side="LONG")  # not a kept symbol
        await hk.open_long(BTC, Decimal("0.01"))
        seen = await collect(s, lambda seen: bool(seen))
        assert all(getattr(u, "symbol", None) == BTC or u.order.symbol == BTC for u in seen)  # type: ignore[union-attr]
    finally:
        await s.close()
