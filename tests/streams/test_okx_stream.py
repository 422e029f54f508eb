"""OKX v5 private streams: the simulator's frames against the docs, and the session against the simulator.

Expected wire values are written here from the OKX docs (okx.com/docs-v5/en, mirrored in
``rosssaunders/coincise docs/okx/*.md``; shared/STREAMS.md §4), never read from the module under test.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, PositionMode, PositionSide
from hedgekit.errors import AuthenticationError
from hedgekit.models import OrderStatus, OrderType
from hedgekit.stream_session import LegUpdate, OrderUpdate, StreamLost, StreamOptions, StreamSession, StreamUpdate
from hedgekit.testing import SimulatedVenue

BTC = "BTC/USDT:USDT"
MARKS = {BTC: Decimal("60000")}


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("okx", mark_prices=dict(MARKS)) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("okx", base_url=venue.base_url, rate_limit=False, **venue.credentials) as client:
        await client.set_position_mode(PositionMode.HEDGE)
        yield client


# ---------------------------------------------------------------------------- raw frames


def _login(venue: SimulatedVenue, *, ts: int | None = None, secret: str | None = None) -> dict[str, Any]:
    """OKX overview §Login: sign = Base64(HMAC-SHA256(secret, ts + "GET" + "/users/self/verify")), ts in seconds."""
    creds = venue.credentials
    stamp = str(int(time.time()) if ts is None else ts)
    mac = hmac.new((secret or creds["secret"]).encode(), f"{stamp}GET/users/self/verify".encode(), hashlib.sha256)
    return {"op": "login", "args": [{"apiKey": creds["api_key"], "passphrase": creds["password"],
                                     "timestamp": stamp, "sign": base64.b64encode(mac.digest()).decode()}]}


class Raw:
    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def send(self, payload: Any) -> None:
        await self.ws.send_str(payload if isinstance(payload, str) else json.dumps(payload))

    async def text(self) -> str:
        message = await self.ws.receive(timeout=2)
        assert message.type is aiohttp.WSMsgType.TEXT, message
        return str(message.data)

    async def json(self) -> Any:
        return json.loads(await self.text())


@pytest_asyncio.fixture
async def raw(venue: SimulatedVenue) -> AsyncIterator[Any]:
    async with aiohttp.ClientSession() as http:
        async def dial(path: str = "/ws/v5/private") -> Raw:
            return Raw(await http.ws_connect(venue.ws_url + path))
        yield dial


async def test_ping_is_answered_with_pong(raw: Any) -> None:
    ws = await raw()
    await ws.send("ping")  # overview §Connect: "send the String 'ping'" ... "Expect a 'pong'"
    assert await ws.text() == "pong"


async def test_login_success_frame(venue: SimulatedVenue, raw: Any) -> None:
    ws = await raw()
    await ws.send(_login(venue))
    frame = await ws.json()
    # overview §Login response: event, code, msg, connId
    assert frame["event"] == "login" and frame["code"] == "0" and frame["msg"] == ""
    assert isinstance(frame["connId"], str) and frame["connId"]


@pytest.mark.parametrize("case, code, msg", [
    ("sign", "60007", "Invalid sign"),                    # error_code.md 60007
    ("expired", "60006", "Timestamp request expired"),    # 60006; "expire 30 seconds after the timestamp"
    ("key", "60005", "Invalid apiKey"),                   # 60005
])
async def test_login_refusals(venue: SimulatedVenue, raw: Any, case: str, code: str, msg: str) -> None:
    ws = await raw()
    payload = _login(venue, secret="0" * 32) if case == "sign" else _login(venue, ts=int(time.time()) - 31) \
        if case == "expired" else _login(venue)
    if case == "key":
        payload["args"][0]["apiKey"] = "not-the-key"
    await ws.send(payload)
    frame = await ws.json()
    assert frame["event"] == "error" and frame["code"] == code and frame["msg"] == msg and "connId" in frame


async def test_subscribe_before_login_is_refused(raw: Any) -> None:
    ws = await raw()
    await ws.send({"op": "subscribe", "args": [{"channel": "orders", "instType": "SWAP"}]})
    frame = await ws.json()
    assert frame["event"] == "error" and frame["code"] == "60011" and frame["msg"] == "Please log in"


async def test_subscribe_ack_echoes_arg_and_positions_snapshot(venue: SimulatedVenue, raw: Any) -> None:
    ws = await raw()
    await ws.send(_login(venue))
    await ws.json()
    arg = {"channel": "positions", "instType": "ANY"}
    await ws.send({"id": "1512", "op": "subscribe", "args": [arg]})
    ack = await ws.json()
    # overview §Subscribe: {"id","event":"subscribe","arg","connId"}; the arg as subscribed (ccxt matches it)
    assert ack["id"] == "1512" and ack["event"] == "subscribe" and ack["arg"] == arg and "connId" in ack
    snapshot = await ws.json()
    # trading_account.md §Positions channel: arg {channel, uid, instType}, eventType snapshot, curPage, lastPage
    assert snapshot["arg"]["channel"] == "positions" and snapshot["arg"]["instType"] == "ANY"
    assert isinstance(snapshot["arg"]["uid"], str) and "instId" not in snapshot["arg"]
    assert snapshot["eventType"] == "snapshot" and snapshot["curPage"] == 1 and snapshot["lastPage"] is True
    assert snapshot["data"] == []  # a flat account


async def test_channels_on_the_wrong_url(venue: SimulatedVenue, raw: Any) -> None:
    private, business = await raw("/ws/v5/private"), await raw("/ws/v5/business")
    for ws in (private, business):
        await ws.send(_login(venue))
        await ws.json()
    await private.send({"op": "subscribe", "args": [{"channel": "orders-algo", "instType": "SWAP"}]})
    assert (await private.json())["code"] == "64001"  # error_code.md: "migrated to the '/business' URL"
    await business.send({"op": "subscribe", "args": [{"channel": "orders", "instType": "SWAP"}]})
    assert (await business.json())["code"] == "64002"  # 'not supported by "/business" URL'
    await private.send({"op": "subscribe", "args": [{"channel": "no-such", "instType": "SWAP"}]})
    assert (await private.json())["code"] == "60018"  # "Wrong URL or {0} doesn't exist"


async def test_orders_and_positions_pushes(venue: SimulatedVenue, raw: Any, hk: HedgeClient) -> None:
    ws = await raw()
    await ws.send(_login(venue))
    await ws.json()
    await ws.send({"op": "subscribe", "args": [{"channel": "orders", "instType": "SWAP"},
                                                {"channel": "positions", "instType": "SWAP"}]})
    frames = [await ws.json() for _ in range(3)]  # two acks and the positions snapshot
    assert [f.get("event") for f in frames] == ["subscribe", "subscribe", None]
    await hk.open_long(BTC, Decimal("0.02"))
    live, position, filled = await ws.json(), await ws.json(), await ws.json()
    # order_book_trading.md §WS / Order channel: state live -> filled; sz/fillSz in contracts (ctVal 0.01)
    assert live["arg"]["channel"] == "orders" and "eventType" not in live
    row = live["data"][0]
    assert row["state"] == "live" and row["sz"] == "2" and row["avgPx"] == "0" and row["tradeId"] == ""
    assert row["posSide"] == "long" and row["side"] == "buy" and row["instId"] == "BTC-USDT-SWAP"
    fill = filled["data"][0]
    assert fill["state"] == "filled" and fill["fillSz"] == "2" and fill["fillPx"] == "60000"
    assert fill["accFillSz"] == "2" and fill["tradeId"] != "" and fill["execType"] in ("T", "M")
    # §Positions channel: event_update with only the changed position, pos in contracts, strings
    assert position["eventType"] == "event_update" and "curPage" not in position
    (leg,) = position["data"]
    assert leg["posSide"] == "long" and leg["pos"] == "2" and leg["avgPx"] == "60000" and leg["mgnMode"] == "cross"
    await hk.close_long(BTC, Decimal("0.02"))
    frames = [await ws.json() for _ in range(3)]
    closed = next(f for f in frames if f["arg"]["channel"] == "positions")
    assert closed["data"][0]["pos"] == "0"  # "a close arrives as pos 0"


async def test_algo_pushes_on_business(venue: SimulatedVenue, raw: Any, hk: HedgeClient) -> None:
    ws = await raw("/ws/v5/business")
    await ws.send(_login(venue))
    await ws.json()
    await ws.send({"op": "subscribe", "args": [{"channel": "orders-algo", "instType": "SWAP"},
                                                {"channel": "algo-advance", "instType": "SWAP"}]})
    assert [(await ws.json())["event"] for _ in range(2)] == ["subscribe", "subscribe"]
    await hk.open_long(BTC, Decimal("0.02"))
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("59000"), Decimal("0.01"))
    frame = await ws.json()
    # OKXA §WS / Algo orders channel: algoId, ordType conditional, state live, slTriggerPx
    assert frame["arg"]["channel"] == "orders-algo"
    row = frame["data"][0]
    assert row["algoId"] == stop.order_id and row["state"] == "live" and row["ordType"] == "conditional"
    assert row["slTriggerPx"] == "59000" and row["sz"] == "1"
    await hk.trailing_stop(BTC, PositionSide.LONG, Decimal("0.01"), Decimal("1"))
    frame = await ws.json()
    # §WS / Advance algo orders channel: move_order_stop with callbackRatio (0.01 = 1 %)
    assert frame["arg"]["channel"] == "algo-advance"
    assert frame["data"][0]["ordType"] == "move_order_stop" and frame["data"][0]["callbackRatio"] == "0.01"
    venue.set_mark_price(BTC, Decimal("58900"))
    frame = await ws.json()
    assert frame["data"][0]["state"] == "effective"  # fired


# ---------------------------------------------------------------------------- the session


async def _session(hk: HedgeClient, heartbeat: float = 1.0) -> StreamSession:
    session = hk.adapter.stream_session(None, StreamOptions(heartbeat=heartbeat))
    await session.connect()
    return session


async def _until(session: StreamSession, predicate: Any, timeout: float = 2.0) -> list[StreamUpdate]:
    seen: list[StreamUpdate] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while not any(predicate(u) for u in seen):
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, f"not seen; got {seen}"
        seen += await asyncio.wait_for(session.receive(), left)
    return seen


def _leg(side: PositionSide, size: str) -> Any:
    return lambda u: isinstance(u, LegUpdate) and u.side is side and u.fields.get("size") == Decimal(size)


async def test_session_open_both_legs_and_partial_close(hk: HedgeClient) -> None:
    session = await _session(hk)
    try:
        await hk.open_long(BTC, Decimal("0.02"))
        await hk.open_short(BTC, Decimal("0.01"))
        seen = await _until(session, lambda u: isinstance(u, OrderUpdate) and u.fill is not None
                            and u.order.position_side is PositionSide.SHORT)
        assert any(_leg(PositionSide.SHORT, "0.01")(u) for u in seen)
        long = next(u for u in seen if _leg(PositionSide.LONG, "0.02")(u))
        assert isinstance(long, LegUpdate) and long.fields["entry_price"] == Decimal("60000")
        fills = [u for u in seen if isinstance(u, OrderUpdate) and u.fill is not None]
        assert [f.fill.quantity for f in fills if f.fill] == [Decimal("0.02"), Decimal("0.01")]
        await hk.close_long(BTC, Decimal("0.01"))
        seen = await _until(session, lambda u: isinstance(u, OrderUpdate) and u.order.status is OrderStatus.FILLED)
        assert any(_leg(PositionSide.LONG, "0.01")(u) for u in seen)
        closing = next(u for u in seen if isinstance(u, OrderUpdate) and u.order.status is OrderStatus.FILLED)
        assert isinstance(closing, OrderUpdate) and closing.fill is not None
        assert closing.fill.realized_pnl == 0 and closing.order.position_side is PositionSide.LONG
    finally:
        await session.close()


async def test_session_stop_and_trailing_fire_and_cancel(venue: SimulatedVenue, hk: HedgeClient) -> None:
    await hk.open_long(BTC, Decimal("0.03"))
    session = await _session(hk)
    try:
        stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("59000"), Decimal("0.01"))
        trail = await hk.trailing_stop(BTC, PositionSide.LONG, Decimal("0.01"), Decimal("1"))
        other = await hk.take_profit_market(BTC, PositionSide.LONG, Decimal("70000"), Decimal("0.01"))
        seen = await _until(session, lambda u: isinstance(u, OrderUpdate) and u.order.order_id == other.order_id)
        new = {u.order.order_id: u.order for u in seen if isinstance(u, OrderUpdate)}
        assert new[stop.order_id].conditional and new[stop.order_id].trigger_price == Decimal("59000")
        assert new[trail.order_id].type is OrderType.TRAILING_STOP_MARKET
        assert new[trail.order_id].callback_rate == Decimal("1")
        venue.set_mark_price(BTC, Decimal("58900"))  # the stop fires; the trailing stop too (1 % below 60000)
        # the trigger comes on the business connection and the leg on the private one: OKX orders
        # neither against the other, so both are awaited
        seen: list[StreamUpdate] = []

        def triggered(u: StreamUpdate) -> bool:
            return isinstance(u, OrderUpdate) and u.order.order_id == trail.order_id \
                and u.order.status is OrderStatus.TRIGGERED

        while not (any(triggered(u) for u in seen) and any(_leg(PositionSide.LONG, "0.01")(u) for u in seen)):
            seen += await _until(session, lambda u: triggered(u) or _leg(PositionSide.LONG, "0.01")(u))
        fired = {u.order.order_id for u in seen if isinstance(u, OrderUpdate) and u.order.status is OrderStatus.TRIGGERED}
        assert {stop.order_id, trail.order_id} <= fired
        await hk.cancel_order(other)
        seen = await _until(session, lambda u: isinstance(u, OrderUpdate) and u.order.status is OrderStatus.CANCELED)
        assert any(isinstance(u, OrderUpdate) and u.order.order_id == other.order_id for u in seen)
    finally:
        await session.close()


async def test_session_liquidation(venue: SimulatedVenue, hk: HedgeClient) -> None:
    await hk.open_long(BTC, Decimal("1"))
    session = await _session(hk)
    try:
        venue.engine.set_wallet_balance(Decimal("100"))
        venue.set_mark_price(BTC, Decimal("50000"))
        seen = await _until(session, _leg(PositionSide.LONG, "0"))
        liquidation = [u for u in seen if isinstance(u, OrderUpdate) and u.order.raw.get("category") == "full_liquidation"]
        assert liquidation and liquidation[0].order.status is OrderStatus.FILLED and liquidation[0].fill is not None
    finally:
        await session.close()


async def test_session_heartbeat_loss_and_disconnect(venue: SimulatedVenue, hk: HedgeClient) -> None:
    session = await _session(hk, heartbeat=0.2)
    venue.stall_streams()
    started = time.monotonic()
    with pytest.raises(StreamLost):
        while True:
            await asyncio.wait_for(session.receive(), 2.0)
    assert time.monotonic() - started < 1.5
    venue.resume_streams()
    await session.close()
    session = await _session(hk, heartbeat=0.2)
    assert venue.disconnect_streams() == 2  # /private and /business
    with pytest.raises(StreamLost):
        while True:
            await asyncio.wait_for(session.receive(), 2.0)
    await session.close()


async def test_session_venue_expiry_is_a_loss(venue: SimulatedVenue, hk: HedgeClient) -> None:
    session = await _session(hk)
    assert venue.expire_listen_keys() == 2  # OKX has no listen key: the connections close (4007)
    with pytest.raises(StreamLost):
        while True:
            await asyncio.wait_for(session.receive(), 2.0)
    await session.close()


async def test_session_auth_failure(venue: SimulatedVenue) -> None:
    creds = venue.credentials
    wrong = "0" * 32
    async with hedgekit.connect("okx", base_url=venue.base_url, rate_limit=False, api_key=creds["api_key"],
                                secret=wrong, password=creds["password"]) as client:
        session = client.adapter.stream_session(None, StreamOptions(heartbeat=1.0))
        with pytest.raises(AuthenticationError) as caught:
            await session.connect()
        assert caught.value.code == "60007"
        for secret in (wrong, creds["password"], creds["api_key"]):
            assert secret not in str(caught.value) and secret not in repr(session)


async def test_unreadable_frame_is_a_loss(hk: HedgeClient) -> None:
    from hedgekit_okx.stream import OkxStreamReader

    market = hk.adapter.markets[BTC]
    reader = OkxStreamReader(lambda inst: market, None)
    with pytest.raises(StreamLost):
        reader.read({"arg": {"channel": "positions"}, "data": [{"instId": "BTC-USDT-SWAP", "posSide": "long"}]})
    with pytest.raises(StreamLost):
        reader.read({"arg": {"channel": "orders"}, "data": "nope"})
    assert reader.read({"arg": {"channel": "account"}, "data": [{}]}) == []  # other channels are ignored
    assert reader.read({"event": "channel-conn-count", "channel": "orders", "connCount": "2"}) == []
