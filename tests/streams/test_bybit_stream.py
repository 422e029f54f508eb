"""Bybit v5 private stream: the simulator's wire frames, and hedgekit's session against them.

Expected shapes are written from ``bybit-exchange/docs`` @072c197 (BYB):
``docs/v5/websocket/wss-authentication.mdx`` (Connect: auth, ping/pong, subscribe ack),
``docs/v5/websocket/private/{position,order,execution}.mdx`` (push envelopes and row fields) and
``docs/v5/enum.mdx`` (orderStatus, stopOrderType, execType, createType), as quoted in
shared/STREAMS.md §3.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, OrderStatus, OrderType, PositionMode, PositionSide
from hedgekit.errors import AuthenticationError
from hedgekit.stream_session import LegUpdate, OrderUpdate, StreamLost, StreamOptions, StreamSession, StreamUpdate
from hedgekit.testing import SimulatedVenue

BTC = "BTC/USDT:USDT"
MARKS = {BTC: Decimal("60000"), "ETH/USDT:USDT": Decimal("3000")}

#: BYB Connect: the private push topics' envelope keys; position/order/execution.mdx
ENVELOPE_KEYS = {"id", "topic", "creationTime", "data"}
#: BYB position.mdx "Response Parameters" (non-deprecated fields a linear row carries)
POSITION_FIELDS = {"category", "symbol", "side", "size", "positionIdx", "positionValue", "riskId", "riskLimitValue",
                   "entryPrice", "markPrice", "leverage", "breakEvenPrice", "autoAddMargin", "positionIM",
                   "positionMM", "liqPrice", "takeProfit", "stopLoss", "trailingStop", "unrealisedPnl",
                   "curRealisedPnl", "cumRealisedPnl", "positionStatus", "adlRankIndicator", "isReduceOnly",
                   "createdTime", "updatedTime", "seq", "mmrSysUpdatedTime", "leverageSysUpdatedTime"}
#: BYB order.mdx "Response Parameters" (the linear ones)
ORDER_FIELDS = {"category", "orderId", "orderLinkId", "symbol", "price", "qty", "side", "positionIdx", "orderStatus",
                "createType", "cancelType", "rejectReason", "avgPrice", "leavesQty", "leavesValue", "cumExecQty",
                "cumExecValue", "closedPnl", "timeInForce", "orderType", "stopOrderType", "triggerPrice",
                "takeProfit", "stopLoss", "tpslMode", "triggerDirection", "triggerBy", "lastPriceOnCreated",
                "reduceOnly", "closeOnTrigger", "createdTime", "updatedTime", "cumFeeDetail"}
#: BYB execution.mdx "Response Parameters"
EXECUTION_FIELDS = {"category", "symbol", "orderId", "orderLinkId", "side", "orderPrice", "orderQty", "leavesQty",
                    "createType", "orderType", "stopOrderType", "execFee", "execId", "execPrice", "execQty",
                    "execPnl", "execType", "execValue", "execTime", "isMaker", "feeRate", "closedSize", "seq",
                    "feeCurrency"}


# -- fixtures ------------------------------------------------------------------------------------
@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("bybit", mark_prices=dict(MARKS)) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("bybit", base_url=venue.base_url, rate_limit=False, **venue.credentials) as client:
        await client.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        yield client


def _sign(secret: str, expires: int | str) -> str:
    # BYB Connect: signature = hex HMAC-SHA256(secret, "GET/realtime" + expires)
    return hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()


class Raw:
    """A bare websocket on the simulator's /v5/private, speaking the documented protocol by hand."""

    def __init__(self, venue: SimulatedVenue, session: aiohttp.ClientSession, ws: Any) -> None:
        self.venue, self.session, self.ws = venue, session, ws

    async def send(self, payload: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps(payload))

    async def recv(self, timeout: float = 2.0) -> dict[str, Any]:
        message = await self.ws.receive(timeout=timeout)
        assert message.type is aiohttp.WSMsgType.TEXT, message
        data: dict[str, Any] = json.loads(message.data)
        return data

    async def until(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 2.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            frame = await self.recv(max(0.05, deadline - time.monotonic()))
            if pred(frame):
                return frame

    async def login(self, topics: list[str] | None = None) -> None:
        expires = int(time.time() * 1000) + 5000
        creds = self.venue.credentials
        await self.send({"req_id": "a1", "op": "auth", "args": [creds["api_key"], expires, _sign(creds["secret"], expires)]})
        assert (await self.recv())["success"] is True
        await self.send({"req_id": "s1", "op": "subscribe", "args": topics or ["position", "order", "execution"]})
        assert (await self.recv())["success"] is True


@pytest_asyncio.fixture
async def raw(venue: SimulatedVenue) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(venue.ws_url + "/v5/private")
        yield Raw(venue, session, ws)
        await ws.close()


# -- (a) the simulator's frames ------------------------------------------------------------------
async def test_auth_ok_frame(raw: Raw) -> None:
    expires = int(time.time() * 1000) + 10_000
    creds = raw.venue.credentials
    await raw.send({"op": "auth", "args": [creds["api_key"], expires, _sign(creds["secret"], expires)]})
    reply = await raw.recv()
    # BYB Connect "Successful authentication sample response"
    assert set(reply) == {"success", "ret_msg", "op", "conn_id"}
    assert reply["success"] is True and reply["ret_msg"] == "" and reply["op"] == "auth"
    assert isinstance(reply["conn_id"], str) and reply["conn_id"]


async def test_auth_accepts_string_expires_and_echoes_req_id(raw: Raw) -> None:
    expires = str(int(time.time() * 1000) + 10_000)  # ccxt sends a string (CCXT bybit.py:2288)
    creds = raw.venue.credentials
    await raw.send({"req_id": "x9", "op": "auth", "args": [creds["api_key"], expires, _sign(creds["secret"], expires)]})
    reply = await raw.recv()
    assert reply["success"] is True and reply["req_id"] == "x9"


async def test_stale_expires_is_params_error(raw: Raw) -> None:
    expires = int(time.time() * 1000) - 5000
    creds = raw.venue.credentials
    await raw.send({"op": "auth", "args": [creds["api_key"], expires, _sign(creds["secret"], expires)]})
    reply = await raw.recv()
    # pybit issue 300 / api-usage-examples issue 70: {"success":false,"ret_msg":"Params Error","op":"auth",...}
    assert reply["success"] is False and reply["ret_msg"] == "Params Error" and reply["op"] == "auth"
    assert "conn_id" in reply


async def test_bad_signature_and_key_are_refused(raw: Raw) -> None:
    expires = int(time.time() * 1000) + 5000
    creds = raw.venue.credentials
    await raw.send({"op": "auth", "args": [creds["api_key"], expires, _sign("wrong", expires)]})
    assert (await raw.recv())["success"] is False
    await raw.send({"op": "auth", "args": ["another-key", expires, _sign(creds["secret"], expires)]})
    assert (await raw.recv())["success"] is False


async def test_subscribe_ack_and_unauthorised_subscribe(raw: Raw) -> None:
    await raw.send({"req_id": "s0", "op": "subscribe", "args": ["order"]})
    refused = await raw.recv()
    assert refused["success"] is False and refused["op"] == "subscribe"
    expires = int(time.time() * 1000) + 5000
    creds = raw.venue.credentials
    await raw.send({"op": "auth", "args": [creds["api_key"], expires, _sign(creds["secret"], expires)]})
    await raw.recv()
    await raw.send({"op": "subscribe", "args": ["position", "order", "execution", "wallet"]})
    ack = await raw.recv()
    # BYB Connect "Topic subscription response message example", Private tab
    assert ack == {"success": True, "ret_msg": "", "op": "subscribe", "conn_id": ack["conn_id"]}
    await raw.send({"req_id": "mix", "op": "subscribe", "args": ["order", "position.linear"]})
    mixed = await raw.recv()  # "All-In-One topic and Categorised topic cannot be in the same subscription request"
    assert mixed["success"] is False and mixed["req_id"] == "mix"


async def test_ping_pong_frame(raw: Raw) -> None:
    await raw.send({"req_id": "100001", "op": "ping"})
    pong = await raw.recv()
    # BYB Connect "Pong message example of private channels"
    assert set(pong) == {"req_id", "op", "args", "conn_id"}
    assert pong["req_id"] == "100001" and pong["op"] == "pong"
    assert isinstance(pong["args"], list) and len(pong["args"]) == 1 and pong["args"][0].isdigit()


def _check_envelope(frame: dict[str, Any], topic: str) -> list[dict[str, Any]]:
    assert set(frame) == ENVELOPE_KEYS
    assert frame["topic"] == topic and isinstance(frame["id"], str) and isinstance(frame["creationTime"], int)
    assert isinstance(frame["data"], list) and frame["data"]
    rows: list[dict[str, Any]] = frame["data"]
    return rows


async def test_market_order_frames(raw: Raw, hk: HedgeClient) -> None:
    await raw.login()
    order = await hk.open_long(BTC, Decimal("0.01"), client_order_id="frame-1")
    execution = await raw.until(lambda f: f.get("topic") == "execution")
    (row,) = _check_envelope(execution, "execution")
    assert EXECUTION_FIELDS <= set(row)
    assert row["orderId"] == order.order_id and row["orderLinkId"] == "frame-1"
    assert row["side"] == "Buy" and row["execType"] == "Trade" and row["category"] == "linear"
    assert row["execQty"] == "0.010" and row["execPrice"] == "60000.00" and isinstance(row["isMaker"], bool)
    assert "positionIdx" not in row  # BYB execution.mdx has no positionIdx
    assert isinstance(row["seq"], int) and row["execTime"].isdigit()
    filled = await raw.until(lambda f: f.get("topic") == "order")
    (orow,) = _check_envelope(filled, "order")
    assert ORDER_FIELDS <= set(orow)
    assert orow["orderStatus"] == "Filled" and orow["cumExecQty"] == "0.010" and orow["avgPrice"] == "60000.00"
    assert orow["positionIdx"] == 1 and orow["orderType"] == "Market" and orow["stopOrderType"] == ""
    assert isinstance(orow["reduceOnly"], bool) and isinstance(orow["cumFeeDetail"], dict)


async def test_position_frame_shape(raw: Raw, hk: HedgeClient) -> None:
    await raw.login(["position"])
    await hk.open_short(BTC, Decimal("0.02"))
    # the first position push is the order's creation (no change yet); wait for the filled short leg
    frame = await raw.until(lambda f: any(r["positionIdx"] == 2 and Decimal(r["size"]) != 0 for r in f.get("data", [])))
    rows = _check_envelope(frame, "position")
    by_idx = {r["positionIdx"]: r for r in rows}
    assert set(by_idx) == {1, 2}  # both hedge legs of the symbol
    for r in rows:
        assert POSITION_FIELDS <= set(r)
        assert isinstance(r["seq"], int) and isinstance(r["positionIdx"], int)
        assert r["category"] == "linear" and r["symbol"] == "BTCUSDT"
    short, long = by_idx[2], by_idx[1]
    assert short["side"] == "Sell" and short["size"] == "0.020" and short["entryPrice"] == "60000.00"
    assert long["side"] == "" and long["size"] == "0.000"  # BYB: "" for an empty position
    assert long["liqPrice"] == ""  # "keeps '' when liqPrice <= minPrice or >= maxPrice"


async def test_conditional_frames(raw: Raw, hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(BTC, Decimal("0.01"))
    await raw.login(["order"])
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("59000"))
    placed = await raw.until(lambda f: f["data"][0]["orderId"] == stop.order_id)
    row = placed["data"][0]
    assert row["orderStatus"] == "Untriggered" and row["stopOrderType"] == "Stop"  # enum.mdx
    assert row["triggerPrice"] == "59000.00" and row["triggerDirection"] == 2
    venue.set_mark_price(BTC, "58900")
    statuses: list[str] = []
    while len(statuses) < 2:
        frame = await raw.until(lambda f: any(r["orderId"] == stop.order_id for r in f["data"]))
        statuses += [r["orderStatus"] for r in frame["data"] if r["orderId"] == stop.order_id]
    assert statuses == ["Triggered", "Filled"]  # Untriggered -> Triggered (instant) -> Filled


async def test_cancel_frames(raw: Raw, hk: HedgeClient) -> None:
    await raw.login(["order", "position"])
    order = await hk.open_long(BTC, Decimal("0.01"), price=Decimal("50000"))
    await raw.until(lambda f: f["topic"] == "order" and f["data"][0]["orderStatus"] == "New")
    await raw.until(lambda f: f["topic"] == "position")  # "Every time when you create ... an order"
    await hk.cancel_order(order)
    cancelled = await raw.until(lambda f: f["topic"] == "order")
    assert cancelled["data"][0]["orderStatus"] == "Cancelled" and cancelled["data"][0]["cancelType"] == "CancelByUser"
    await raw.until(lambda f: f["topic"] == "position")  # ... and cancel


# -- (b) the session against the simulator --------------------------------------------------------
class Reader:
    """Reads a session's updates in the background."""

    def __init__(self, session: StreamSession) -> None:
        self.session = session
        self.updates: list[StreamUpdate] = []
        self.lost: StreamLost | None = None
        self._changed = asyncio.Event()
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        try:
            while True:
                self.updates.extend(await self.session.receive())
                self._changed.set()
        except StreamLost as lost:
            self.lost = lost
            self._changed.set()

    async def wait(self, pred: Callable[[list[StreamUpdate]], bool], timeout: float = 3.0) -> list[StreamUpdate]:
        deadline = time.monotonic() + timeout
        while not pred(self.updates):
            if self.lost is not None:
                raise self.lost
            self._changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"condition not met; updates: {self.updates!r}")
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass
        return self.updates

    def legs(self, side: PositionSide) -> list[LegUpdate]:
        return [u for u in self.updates if isinstance(u, LegUpdate) and u.side is side]

    def orders(self, order_id: str) -> list[OrderUpdate]:
        return [u for u in self.updates if isinstance(u, OrderUpdate) and u.order.order_id == order_id]

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self.session.close()


@pytest_asyncio.fixture
async def reader(hk: HedgeClient) -> AsyncIterator[Reader]:
    session = hk.adapter.stream_session((BTC,), StreamOptions(heartbeat=1.0))
    await session.connect()
    r = Reader(session)
    yield r
    await r.stop()


def _last_size(r: Reader, side: PositionSide) -> Decimal | None:
    legs = r.legs(side)
    return legs[-1].fields["size"] if legs else None


async def test_open_both_legs(reader: Reader, hk: HedgeClient) -> None:
    long = await hk.open_long(BTC, Decimal("0.01"))
    short = await hk.open_short(BTC, Decimal("0.03"))
    await reader.wait(lambda u: _last_size(reader, PositionSide.SHORT) == Decimal("0.03")
                      and any(x.fill is not None for x in reader.orders(short.order_id)))
    assert _last_size(reader, PositionSide.LONG) == Decimal("0.01")
    leg = reader.legs(PositionSide.SHORT)[-1]
    assert leg.symbol == BTC and leg.fields["entry_price"] == Decimal("60000")
    assert leg.fields["mark_price"] == Decimal("60000") and leg.fields["leverage"] == 10
    assert leg.fields["unrealized_pnl"] == 0 and leg.fields["notional"] == Decimal("1800")
    assert leg.time_ms is not None
    filled = [u for u in reader.orders(long.order_id) if u.fill is not None]
    assert len(filled) == 1
    fill, order = filled[0].fill, filled[0].order
    assert fill is not None and fill.position_side is PositionSide.LONG and fill.quantity == Decimal("0.01")
    assert fill.price == Decimal("60000") and fill.fee == 0 and fill.fee_asset == "USDT" and fill.trade_id
    assert order.status is OrderStatus.FILLED and order.filled_quantity == Decimal("0.01")
    assert order.position_side is PositionSide.LONG and not order.conditional
    # the order ids are the ones REST returns, and so are the parsed orders
    rest = await hk.fetch_order(BTC, order_id=long.order_id)
    assert rest is not None and rest.order_id == order.order_id and rest.status is order.status


async def test_partial_close(reader: Reader, hk: HedgeClient) -> None:
    await hk.open_long(BTC, Decimal("0.05"))
    await reader.wait(lambda u: _last_size(reader, PositionSide.LONG) == Decimal("0.05"))
    close = await hk.close_long(BTC, Decimal("0.02"))
    await reader.wait(lambda u: _last_size(reader, PositionSide.LONG) == Decimal("0.03")
                      and any(x.fill is not None for x in reader.orders(close.order_id)))
    fill = next(x.fill for x in reader.orders(close.order_id) if x.fill is not None)
    assert fill.side.value == "sell" and fill.position_side is PositionSide.LONG and fill.realized_pnl == 0


async def test_stop_fires_on_mark_move(reader: Reader, hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(BTC, Decimal("0.01"))
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("59000"))
    await reader.wait(lambda u: any(x.order.status is OrderStatus.NEW for x in reader.orders(stop.order_id)))
    first = reader.orders(stop.order_id)[0].order
    assert first.conditional and first.type is OrderType.STOP_MARKET and first.trigger_price == Decimal("59000")
    venue.set_mark_price(BTC, "58500")
    await reader.wait(lambda u: any(x.order.status is OrderStatus.FILLED for x in reader.orders(stop.order_id))
                      and _last_size(reader, PositionSide.LONG) == 0)
    statuses = [x.order.status for x in reader.orders(stop.order_id)]
    assert statuses == [OrderStatus.NEW, OrderStatus.TRIGGERED, OrderStatus.FILLED]
    # the order the trigger placed: a fill at the mark on the long leg
    child_fills = [u.fill for u in reader.updates if isinstance(u, OrderUpdate) and u.fill is not None
                   and u.order.order_id != stop.order_id and u.fill.side.value == "sell"]
    assert child_fills and child_fills[-1].price == Decimal("58500")
    assert child_fills[-1].realized_pnl == Decimal("-15")


async def test_trailing_stop_fires(reader: Reader, hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_short(BTC, Decimal("0.01"))
    trail = await hk.trailing_stop(BTC, PositionSide.SHORT, Decimal("0.01"), Decimal("1"))
    await reader.wait(lambda u: bool(reader.orders(trail.order_id)))
    placed = reader.orders(trail.order_id)[0].order
    assert placed.type is OrderType.TRAILING_STOP_MARKET and placed.conditional
    assert placed.callback_rate == Decimal("1.00")  # from the position row's trailingStop, pushed first
    venue.set_mark_price(BTC, "59000")
    venue.set_mark_price(BTC, "59700")  # 1% above the low of 59000 is 59590
    await reader.wait(lambda u: _last_size(reader, PositionSide.SHORT) == 0
                      and not reader.orders(trail.order_id)[-1].order.status.is_open)
    assert reader.orders(trail.order_id)[-1].order.status is OrderStatus.FILLED


async def test_cancel(reader: Reader, hk: HedgeClient) -> None:
    order = await hk.open_short(BTC, Decimal("0.01"), price=Decimal("65000"))
    await hk.cancel_order(order)
    await reader.wait(lambda u: any(x.order.status is OrderStatus.CANCELED for x in reader.orders(order.order_id)))
    assert [x.order.status for x in reader.orders(order.order_id)] == [OrderStatus.NEW, OrderStatus.CANCELED]
    assert reader.orders(order.order_id)[0].order.price == Decimal("65000")


async def test_post_only_taking_is_pushed_cancelled(reader: Reader, hk: HedgeClient) -> None:
    order = await hk.open_long(BTC, Decimal("0.01"), price=Decimal("61000"), time_in_force=hedgekit.TimeInForce.POST_ONLY)
    await reader.wait(lambda u: bool(reader.orders(order.order_id)))
    assert reader.orders(order.order_id)[-1].order.status is OrderStatus.EXPIRED  # ended by PostOnly, not canceled


async def test_liquidation(reader: Reader, hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_leverage(BTC, 50)
    await hk.open_long(BTC, Decimal("1"))
    await reader.wait(lambda u: _last_size(reader, PositionSide.LONG) == Decimal("1"))
    venue.set_mark_price(BTC, "40000")
    assert venue.engine.liquidations
    await reader.wait(lambda u: _last_size(reader, PositionSide.LONG) == 0 and any(
        u.fill is not None and u.fill.raw.get("execType") == "BustTrade" for u in reader.updates
        if isinstance(u, OrderUpdate)))
    bust = next(u for u in reader.updates if isinstance(u, OrderUpdate) and u.fill is not None
                and u.fill.raw.get("execType") == "BustTrade")
    assert bust.order.status is OrderStatus.FILLED and bust.order.position_side is PositionSide.LONG
    assert bust.fill is not None and bust.fill.quantity == 1 and bust.fill.side.value == "sell"


async def test_leverage_change_is_pushed(reader: Reader, hk: HedgeClient) -> None:
    await hk.open_long(BTC, Decimal("0.01"))
    await hk.set_leverage(BTC, 5)
    await reader.wait(lambda u: any(x.fields.get("leverage") == 5 for x in reader.legs(PositionSide.LONG)))


async def test_stale_seq_is_dropped(hk: HedgeClient) -> None:
    session: Any = hk.adapter.stream_session(None, StreamOptions())
    session._by_symbol = {m.venue_symbol: m for m in hk.adapter.markets.values()}

    def frame(seq: int, size: str) -> str:
        row = {"category": "linear", "symbol": "BTCUSDT", "positionIdx": 1, "side": "Buy", "size": size,
               "entryPrice": "60000", "markPrice": "60000", "unrealisedPnl": "0", "liqPrice": "", "positionIM": "6",
               "leverage": "10", "trailingStop": "0", "updatedTime": str(1_700_000_000_000 + seq), "seq": seq}
        return json.dumps({"id": "1", "topic": "position", "creationTime": 1, "data": [row]})

    assert session._read(frame(10, "2"))[0].fields["size"] == 2
    assert session._read(frame(9, "1")) == []  # older seq for the same symbol and leg
    assert session._read(frame(10, "3"))[0].fields["size"] == 3  # equal seq (a setting change) applies


async def test_malformed_frames_are_lost_not_keyerror(hk: HedgeClient) -> None:
    session: Any = hk.adapter.stream_session(None, StreamOptions())
    session._by_symbol = {m.venue_symbol: m for m in hk.adapter.markets.values()}
    assert session._read("not json") is None
    assert session._read(json.dumps({"topic": "position", "data": [{"symbol": "BTCUSDT"}]})) is None
    assert session._read(json.dumps({"topic": "order", "data": "x"})) is None
    assert session._read(json.dumps({"topic": "execution", "data": [{"symbol": "BTCUSDT", "execType": "Trade"}]})) is None
    assert session._read(json.dumps({"topic": "wallet", "data": [{}]})) == []  # not kept: ignored
    assert session._read(json.dumps({"topic": "greeks.unknown", "data": []})) == []


# -- faults ----------------------------------------------------------------------------------------
async def test_heartbeat_loss_is_lost_in_bounded_time(hk: HedgeClient, venue: SimulatedVenue) -> None:
    session = hk.adapter.stream_session(None, StreamOptions(heartbeat=0.2))
    await session.connect()
    venue.stall_streams()
    started = time.monotonic()
    try:
        with pytest.raises(StreamLost):
            while True:
                await asyncio.wait_for(session.receive(), 2.0)
        assert time.monotonic() - started < 1.5
    finally:
        venue.resume_streams()
        await session.close()


async def test_venue_disconnect_is_lost(hk: HedgeClient, venue: SimulatedVenue) -> None:
    session = hk.adapter.stream_session(None, StreamOptions(heartbeat=0.2))
    await session.connect()
    assert venue.disconnect_streams() == 1
    try:
        with pytest.raises(StreamLost):
            while True:
                await asyncio.wait_for(session.receive(), 1.0)
    finally:
        await session.close()


async def test_expire_closes_the_connection(hk: HedgeClient, venue: SimulatedVenue) -> None:
    # Bybit has no listen key: the simulator's expiry closes the connection, which is a lost stream
    session = hk.adapter.stream_session(None, StreamOptions(heartbeat=0.2))
    await session.connect()
    assert venue.expire_listen_keys() == 1
    try:
        with pytest.raises(StreamLost):
            while True:
                await asyncio.wait_for(session.receive(), 1.0)
    finally:
        await session.close()


async def test_auth_failure_is_authentication_error(venue: SimulatedVenue) -> None:
    creds: dict[str, Any] = dict(venue.credentials, secret="not-the-secret")
    async with hedgekit.connect("bybit", base_url=venue.base_url, rate_limit=False, **creds) as client:
        session = client.adapter.stream_session(None, StreamOptions(heartbeat=0.5))
        with pytest.raises(AuthenticationError) as caught:
            await session.connect()
        assert "not-the-secret" not in str(caught.value) and creds["api_key"] not in str(caught.value)
        assert "not-the-secret" not in repr(session)


async def test_clock_behind_gives_params_error_as_authentication_error(hk: HedgeClient, venue: SimulatedVenue) -> None:
    venue.skew_clock(60_000)  # the venue is a minute ahead: expires (now + 10 s) is already past
    session = hk.adapter.stream_session(None, StreamOptions(heartbeat=0.5))
    with pytest.raises(AuthenticationError, match="Params Error"):
        await session.connect()


async def test_url_choice(hk: HedgeClient) -> None:
    from hedgekit_bybit.stream import BybitStreamSession

    session = hk.adapter.stream_session(None, StreamOptions())
    assert isinstance(session, BybitStreamSession)
    assert session.url() == str(hk.adapter.config.base_url).replace("http://", "ws://") + "/v5/private"
