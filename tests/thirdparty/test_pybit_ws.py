"""pybit 5.17.0 ``WebSocket(channel_type="private")`` against the simulator's ``/v5/private``.

pybit builds its URL from ``PRIVATE_WSS = "wss://{SUBDOMAIN}.{DOMAIN}.{TLD}/v5/private"``
(pybit/unified_trading.py), formatted in ``_WebSocketManager._connect(url)``
(pybit/_websocket_stream.py); no constructor argument takes a scheme or port, so a subclass
passes the simulator's ``ws://127.0.0.1:P/v5/private`` to ``_connect`` (reconnects go through the same
method). pybit is thread-based (websocket-client): it connects in the constructor, sends auth and
each subscription without awaiting acks (``expires`` = now + 1 s, an int), looks each subscribe ack
up by its ``req_id`` and routes pushes by their exact ``topic``. Callbacks feed a queue the test
polls; every socket is ``exit()``-ed. Blocking pybit calls run in worker threads so the
simulator's event loop keeps serving.
"""

from __future__ import annotations

import asyncio
import queue
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, PositionMode
from hedgekit.testing import SimulatedVenue

unified_trading = pytest.importorskip("pybit.unified_trading")

BTC = "BTC/USDT:USDT"


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("bybit", mark_prices={BTC: Decimal("60000")}) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("bybit", base_url=venue.base_url, rate_limit=False, **venue.credentials) as client:
        await client.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        yield client


class _Subscriptions(dict[str, str]):
    """pybit's record of its subscribe requests, by req_id. pybit sends a request, then records it;
    on loopback the ack can reach its reader thread in between, which then fails on the missing
    req_id and drops the connection (a race the network's latency hides from it at Bybit). A
    lookup waits up to a second for the sending thread to record the request."""

    def __missing__(self, key: str) -> str:
        deadline = time.monotonic() + 1.0
        while key not in self and time.monotonic() < deadline:
            time.sleep(0.001)
        if key in self:
            return dict.get(self, key, "")
        raise KeyError(key)


def simulator_websocket(url: str) -> type[Any]:
    """pybit's WebSocket dialling ``url`` instead of its Bybit host template."""

    class SimulatorWebSocket(unified_trading.WebSocket):  # type: ignore[misc, name-defined]
        def _connect(self, _template: str) -> None:
            self.subscriptions = _Subscriptions(self.subscriptions)
            super()._connect(url)

    return SimulatorWebSocket


class Feed:
    """pybit callbacks (its threads) into a queue; the test polls it without blocking the loop."""

    def __init__(self) -> None:
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []

    def __call__(self, message: dict[str, Any]) -> None:
        self.messages.put(message)

    async def wait(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 3.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.messages.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.02)
                continue
            self.seen.append(message)
            if pred(message):
                return message
        raise AssertionError(f"no matching message; seen: {self.seen}")


@pytest_asyncio.fixture
async def ws(venue: SimulatedVenue) -> AsyncIterator[Any]:
    cls = simulator_websocket(venue.ws_url + "/v5/private")
    creds = venue.credentials
    socket = await asyncio.to_thread(lambda: cls(testnet=False, channel_type="private", api_key=creds["api_key"],
                                                 api_secret=creds["secret"], retries=3, restart_on_error=False))
    try:
        yield socket
    finally:
        await asyncio.to_thread(socket.exit)


async def _subscribed(venue: SimulatedVenue, *topics: str) -> None:
    for _ in range(150):
        if any(set(topics) <= set(c.state.get("topics", {}).values()) for c in venue.streams.connections):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"pybit did not subscribe {topics}")


async def test_position_order_execution_streams(venue: SimulatedVenue, ws: Any, hk: HedgeClient) -> None:
    positions, orders, executions = Feed(), Feed(), Feed()
    await asyncio.to_thread(ws.position_stream, positions)
    await asyncio.to_thread(ws.order_stream, orders)
    await asyncio.to_thread(ws.execution_stream, executions)
    await _subscribed(venue, "position", "order", "execution")
    assert ws.auth is True  # the auth ack was {"success":true,...,"op":"auth"}
    placed = await hk.open_long(BTC, Decimal("0.01"))
    execution = await executions.wait(lambda m: m["data"][0]["orderId"] == placed.order_id)
    assert execution["topic"] == "execution"
    assert execution["data"][0]["execQty"] == "0.010" and execution["data"][0]["side"] == "Buy"
    order = await orders.wait(lambda m: m["data"][0]["orderStatus"] == "Filled")
    assert order["topic"] == "order" and order["data"][0]["orderId"] == placed.order_id
    position = await positions.wait(lambda m: any(r["positionIdx"] == 1 and r["side"] == "Buy" for r in m["data"]))
    row = next(r for r in position["data"] if r["positionIdx"] == 1)
    assert row["size"] == "0.010" and row["entryPrice"] == "60000.00" and position["topic"] == "position"
    assert {"id", "topic", "creationTime", "data"} == set(position)


async def test_wrong_secret_is_not_authorised(venue: SimulatedVenue) -> None:
    cls = simulator_websocket(venue.ws_url + "/v5/private")
    socket = await asyncio.to_thread(lambda: cls(testnet=False, channel_type="private",
                                                 api_key=venue.credentials["api_key"], api_secret="wrong",
                                                 retries=3, restart_on_error=False))
    try:
        for _ in range(100):
            sent = [frame for c in (*venue.streams.ended, *venue.streams.connections) for frame in c.sent]
            if any('"op":"auth"' in frame for frame in sent):
                break
            await asyncio.sleep(0.02)
        assert any('"success":false' in f and '"op":"auth"' in f for f in sent)
        assert socket.auth is False
        assert not any(c.state.get("authed") for c in venue.streams.connections)
    finally:
        await asyncio.to_thread(socket.exit)
