"""The venue-neutral rules of hk.stream(), with a scripted session over the Binance simulator's REST.

The session is replaced by one the test feeds, so each rule is tested on its own: subscribe before
the snapshot, updates held during it, stale and repeated pushes dropped, reconnect and resync with
the differences emitted, a stream that cannot be restored raising, queue overflow saying so.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import (
    AuthenticationError,
    ConfigurationError,
    HedgeClient,
    LegChanged,
    Order,
    OrderChanged,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    Resynced,
    Side,
    StreamDisconnected,
)
from hedgekit.stream_session import (
    LegUpdate,
    OrderUpdate,
    SessionExpired,
    StreamLost,
    StreamOptions,
    StreamSession,
    StreamUpdate,
)
from hedgekit.testing import SimulatedVenue

BTC = "BTC/USDT:USDT"


class Script:
    """What the scripted sessions do: each new session takes the next behaviour."""

    def __init__(self) -> None:
        self.sessions: list[ScriptedSession] = []
        self.connect_failures = 0
        self.auth_failure = False
        self.on_connect: Any = None
        self.events_at_connect: list[StreamUpdate] = []

    def feed(self, *updates: StreamUpdate) -> None:
        self.sessions[-1].queue.put_nowait(list(updates))

    def lose(self, reason: str = "the venue closed the stream (code 1001)") -> None:
        self.sessions[-1].queue.put_nowait(StreamLost(reason))


class ScriptedSession(StreamSession):
    script: Script

    def __post_init__(self) -> None:
        self.queue: asyncio.Queue[list[StreamUpdate] | StreamLost] = asyncio.Queue()
        self.closed = False

    async def connect(self) -> None:
        script = self.script
        if script.auth_failure:
            raise AuthenticationError("invalid api key", venue="binance", operation="stream")
        if script.connect_failures > 0:
            script.connect_failures -= 1
            raise StreamLost("could not open the stream: ClientConnectorError")
        script.sessions.append(self)
        if script.events_at_connect:
            self.queue.put_nowait(list(script.events_at_connect))
        if script.on_connect is not None:
            await script.on_connect()

    async def receive(self) -> list[StreamUpdate]:
        item = await self.queue.get()
        if isinstance(item, StreamLost):
            raise item
        return item

    async def close(self) -> None:
        self.closed = True


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("binance", mark_prices={BTC: Decimal("60000")}) as sim:
        sim.engine.set_position_mode("HEDGE")
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials) as client:
        yield client


@pytest.fixture
def script(hk: HedgeClient, monkeypatch: pytest.MonkeyPatch) -> Script:
    script = Script()

    def make(symbols: tuple[str, ...] | None, options: StreamOptions) -> StreamSession:
        session = ScriptedSession(hk.adapter, symbols, options)
        session.script = script
        return session

    monkeypatch.setattr(hk.adapter, "stream_session", make)
    return script


def leg(side: PositionSide, size: str, entry: str = "60000", time_ms: int | None = None,
        **extra: Any) -> LegUpdate:
    fields: dict[str, Any] = {"size": Decimal(size), "entry_price": Decimal(entry), **extra}
    return LegUpdate(BTC, side, fields, time_ms)


def order(order_id: str, status: OrderStatus, filled: str = "0") -> Order:
    return Order(venue="binance", symbol=BTC, order_id=order_id, client_order_id="c" + order_id,
                 side=Side.BUY, position_side=PositionSide.LONG, type=OrderType.LIMIT, status=status,
                 quantity=Decimal("0.01"), filled_quantity=Decimal(filled), price=Decimal("59000"))


async def next_events(stream: hedgekit.LiveStream, count: int, timeout: float = 2.0) -> list[Any]:
    found: list[Any] = []

    async def take() -> None:
        async for event in stream:
            found.append(event)
            if len(found) == count:
                return

    await asyncio.wait_for(take(), timeout)
    return found


async def test_snapshot_is_read_after_the_subscription_and_held_updates_apply_after_it(
    hk: HedgeClient, venue: SimulatedVenue, script: Script
) -> None:
    venue.engine.place_order(BTC, "BUY", "0.01", position_side="LONG")
    # a push that arrives while the snapshot is read: the short leg opened after subscribing
    script.events_at_connect = [leg(PositionSide.SHORT, "0.02", "60000")]
    requests_before = len(venue.requests)
    async with hk.stream() as stream:
        assert len(venue.requests) > requests_before  # the snapshot came after the subscription
        [event] = await next_events(stream, 1)
        assert isinstance(event, LegChanged) and event.leg.side is PositionSide.SHORT
        pair = stream.legs(BTC)
        assert pair.long.size == Decimal("0.01") and pair.short.size == Decimal("0.02")
        assert pair.mode is PositionMode.HEDGE


async def test_legs_and_orders_are_read_without_a_request(hk: HedgeClient, venue: SimulatedVenue,
                                                            script: Script) -> None:
    venue.engine.place_order(BTC, "BUY", "0.01", order_type="LIMIT", price="59000", position_side="LONG")
    async with hk.stream([BTC]) as stream:
        count = len(venue.requests)
        for _ in range(100):
            stream.legs(BTC)
            stream.orders(BTC)
        assert len(venue.requests) == count
        [held] = stream.orders(BTC)
        assert held.status is OrderStatus.NEW and held.price == Decimal("59000")
        with pytest.raises(ConfigurationError, match="not kept"):
            stream.legs("ETH/USDT:USDT")


async def test_an_older_push_does_not_roll_a_leg_back(hk: HedgeClient, script: Script) -> None:
    async with hk.stream() as stream:
        script.feed(leg(PositionSide.LONG, "0.03", time_ms=2_000_000_000_000))
        script.feed(leg(PositionSide.LONG, "0.01", time_ms=1_999_999_999_000))  # out of order
        script.feed(leg(PositionSide.LONG, "0.05", time_ms=2_000_000_000_500))
        events = await next_events(stream, 2)
        assert [e.leg.size for e in events] == [Decimal("0.03"), Decimal("0.05")]
        assert stream.legs(BTC).long.size == Decimal("0.05")


async def test_a_repeated_push_is_one_event_and_a_repeated_fill_is_one_fill(hk: HedgeClient,
                                                                              script: Script) -> None:
    fill = hedgekit.Fill(venue="binance", symbol=BTC, order_id="7", trade_id="t1", side=Side.BUY,
                         position_side=PositionSide.LONG, price=Decimal("59000"), quantity=Decimal("0.004"))
    partly = order("7", OrderStatus.PARTIALLY_FILLED, "0.004")
    async with hk.stream() as stream:
        script.feed(OrderUpdate(order("7", OrderStatus.NEW)), OrderUpdate(order("7", OrderStatus.NEW)))
        script.feed(OrderUpdate(partly, fill), OrderUpdate(partly, fill))  # a venue's duplicate push
        script.feed(OrderUpdate(order("7", OrderStatus.CANCELED, "0.004")))
        events = await next_events(stream, 3)
        assert [e.order.status for e in events] == [OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED,
                                                    OrderStatus.CANCELED]
        assert events[1].fill == fill
        assert stream.orders() == []


async def test_one_way_positions_land_on_the_side_their_sign_points_to(hk: HedgeClient,
                                                                        script: Script) -> None:
    async with hk.stream() as stream:
        script.feed(LegUpdate(BTC, PositionSide.BOTH, {"size": Decimal("-0.02"), "entry_price": Decimal("61000")}))
        await next_events(stream, 1)
        pair = stream.legs(BTC)
        assert pair.mode is PositionMode.ONE_WAY
        assert pair.short.size == Decimal("0.02") and pair.long.size == 0


async def test_a_lost_connection_reconnects_resyncs_and_emits_what_changed_meanwhile(
    hk: HedgeClient, venue: SimulatedVenue, script: Script
) -> None:
    resting = venue.engine.place_order(BTC, "BUY", "0.01", order_type="LIMIT", price="59000",
                                       position_side="LONG")
    async with hk.stream(reconnect_wait=0.01) as stream:
        assert len(stream.orders()) == 1
        # while the stream is away: the resting order fills and a short leg opens
        venue.engine.set_mark_price(BTC, "58900")
        venue.engine.place_order(BTC, "SELL", "0.02", position_side="SHORT")
        script.lose()
        events = await next_events(stream, 4)
        kinds = [type(e) for e in events]
        assert kinds[-1] is Resynced and "closed the stream" in events[-1].reason
        changed = {e.leg.side: e.leg.size for e in events if isinstance(e, LegChanged)}
        assert changed == {PositionSide.LONG: Decimal("0.01"), PositionSide.SHORT: Decimal("0.02")}
        [ended] = [e.order for e in events if isinstance(e, OrderChanged)]
        assert ended.order_id == str(resting.order_id) and ended.status is OrderStatus.FILLED
        assert stream.orders() == [] and stream.reconnects == 1
        assert script.sessions[0].closed


async def test_the_venues_expiry_reconnects_too(hk: HedgeClient, script: Script) -> None:
    async with hk.stream(reconnect_wait=0.01) as stream:
        script.feed(SessionExpired("listenKeyExpired"))
        [event] = await next_events(stream, 1)
        assert event == Resynced("listenKeyExpired") and len(script.sessions) == 2


async def test_failed_attempts_are_retried_with_backoff(hk: HedgeClient, script: Script) -> None:
    async with hk.stream(reconnect_wait=0.01, max_reconnects=5) as stream:
        script.connect_failures = 3
        script.lose()
        [event] = await next_events(stream, 1)
        assert isinstance(event, Resynced) and stream.reconnects == 1


async def test_a_stream_that_cannot_be_restored_raises_instead_of_hanging(hk: HedgeClient,
                                                                           script: Script) -> None:
    async with hk.stream(reconnect_wait=0.01, reconnect_wait_max=0.02, max_reconnects=2) as stream:
        script.connect_failures = 10
        script.lose()
        with pytest.raises(StreamDisconnected, match="3 attempt"):
            await asyncio.wait_for(next_events(stream, 1), 3.0)


async def test_a_refused_login_is_raised_at_once(hk: HedgeClient, script: Script) -> None:
    script.auth_failure = True
    with pytest.raises(AuthenticationError):
        async with hk.stream(reconnect_wait=0.01):
            pass


async def test_a_stream_that_cannot_open_raises(hk: HedgeClient, script: Script) -> None:
    script.connect_failures = 100
    with pytest.raises(StreamDisconnected, match="opening the stream"):
        async with hk.stream(reconnect_wait=0.0, reconnect_wait_max=0.0, max_reconnects=1):
            pass


async def test_overflow_is_said_and_state_stays_current(hk: HedgeClient, script: Script) -> None:
    async with hk.stream(queue_size=3) as stream:
        script.feed(*[leg(PositionSide.LONG, str(Decimal("0.001") * n)) for n in range(1, 8)])
        await asyncio.sleep(0.05)
        events = await next_events(stream, 2)
        assert events[0] == Resynced("event queue overflow")
        assert stream.legs(BTC).long.size == Decimal("0.007")


async def test_closing_the_client_closes_its_streams(venue: SimulatedVenue, monkeypatch: pytest.MonkeyPatch) -> None:
    client = hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials)
    await client.open()
    script = Script()

    def make(symbols: tuple[str, ...] | None, options: StreamOptions) -> StreamSession:
        session = ScriptedSession(client.adapter, symbols, options)
        session.script = script
        return session

    monkeypatch.setattr(client.adapter, "stream_session", make)
    stream = client.stream()
    await stream.start()
    await client.aclose()
    assert stream.closed and script.sessions[0].closed
    assert [e async for e in stream] == []


def test_bad_options_are_refused_before_anything_is_sent() -> None:
    client: Any = type("C", (), {"adapter": type("A", (), {"name": "x"})()})()
    with pytest.raises(ConfigurationError, match="heartbeat"):
        hedgekit.LiveStream(client, heartbeat=0)
    with pytest.raises(ConfigurationError, match="max_reconnects"):
        hedgekit.LiveStream(client, max_reconnects=-1)


async def test_a_push_the_venue_never_sent_is_found_by_the_periodic_check(
    hk: HedgeClient, venue: SimulatedVenue, script: Script
) -> None:
    async with hk.stream(reconcile_every=0.2) as stream:
        venue.engine.place_order(BTC, "SELL", "0.03", position_side="SHORT")  # no push reaches the stream
        events = await next_events(stream, 2)
        assert isinstance(events[0], LegChanged) and events[0].leg.size == Decimal("0.03")
        assert events[1] == Resynced("periodic check")
        assert stream.legs(BTC).short.size == Decimal("0.03")
        requests = len(venue.requests)
        await asyncio.sleep(0.3)
        assert len(venue.requests) > requests  # it keeps checking, quietly when nothing differs
        assert stream.reconnects == 0


async def test_a_rest_row_older_than_an_applied_push_does_not_roll_state_back(
    hk: HedgeClient, venue: SimulatedVenue, script: Script
) -> None:
    venue.engine.place_order(BTC, "BUY", "0.01", position_side="LONG")
    async with hk.stream(reconcile_every=0.2) as stream:
        opened = stream.legs(BTC).long.updated_at
        assert opened is not None  # the REST row's own update time
        later = int(opened.timestamp() * 1000) + 1000
        script.feed(leg(PositionSide.LONG, "0.05", time_ms=later))  # a push newer than what REST shows
        await next_events(stream, 1)
        await asyncio.sleep(0.5)  # two checks against a REST that lags behind the push
        assert stream.legs(BTC).long.size == Decimal("0.05")
