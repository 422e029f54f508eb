"""Exactly-once when the venue is slower than the client, on every venue.

The simulator's ``LATENCY`` fault makes the venue act on a request after the client gave up on it;
each frontend applies its venue's own deadline (Binance's matching engine ``-5028``, OKX's
``expTime``, Aster's nonce window and ``noop``, Bybit's duplicate ``orderLinkId``). The promises
checked: an order is never placed twice, a caller told "not placed" never finds it placed later,
a cancelled or timed-out call never orphans an order, and closing waits for orders in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, OrderStatusUnknown, PositionMode, RetryPolicy
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.faults import FaultKind

from ..conftest import BTC, MARKS, VENUES

ORDER_PATHS = {  # where each venue takes a new order (shared/VENUES.md §1.3, §2.3, §3.3, §4.3)
    "aster": "/fapi/v3/order",
    "binance": "/fapi/v1/order",
    "bybit": "/v5/order/create",
    "okx": "/api/v5/trade/order",
}
CANCEL_PATHS = {
    "aster": ("DELETE", "/fapi/v3/order"),
    "binance": ("DELETE", "/fapi/v1/order"),
    "bybit": ("POST", "/v5/order/cancel"),
    "okx": ("POST", "/api/v5/trade/cancel-order"),
}
WINDOW_MS = 700  # recv_window: Binance's recvWindow, OKX's expTime window, Aster v1 (v3: its 10 s nonce)
TIMEOUT = 0.25  # the client's HTTP timeout
SLOW = 0.6  # the venue acts this long after it took the request: past the client's timeout
POLICY = RetryPolicy(attempts=4, backoff_initial=0.005, backoff_cap=0.02, retry_after_cap=0.1,
                     resolve_timeout=2.0, lookup_interval=0.05)
SIZE = Decimal("0.01")


@pytest.fixture(params=VENUES)
def name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest_asyncio.fixture
async def venue(name: str) -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as sim:
        yield sim


def connect(venue: SimulatedVenue, **kwargs: object) -> HedgeClient:
    options: dict[str, object] = {"timeout": TIMEOUT, "rate_limit": False, "retry": POLICY,
                                  "recv_window": WINDOW_MS}
    options.update(kwargs)
    return hedgekit.connect(venue.venue, base_url=venue.base_url, **options, **venue.credentials)  # type: ignore[arg-type]


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with connect(venue) as client:
        await client.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        yield client


def at_venue(venue: SimulatedVenue, client_order_id: str) -> int:
    """Orders the venue holds with this client id (Bybit and OKX keep it in ``extra`` too)."""
    return sum(1 for o in venue.engine.all_orders() if o.client_order_id == client_order_id)


def sends(venue: SimulatedVenue, name: str) -> list[int]:
    """Arrival times (venue ms) of every new-order request."""
    path = ORDER_PATHS[name]
    return [r.time for r in venue.requests if r.method == "POST" and r.path == path]


async def test_a_venue_slower_than_the_client_timeout_places_the_order_once(
        hk: HedgeClient, venue: SimulatedVenue, name: str) -> None:
    venue.inject(FaultKind.LATENCY, method="POST", path=ORDER_PATHS[name], delay=SLOW)
    order = await hk.open_long(BTC, SIZE, client_order_id="slow1")
    assert order.client_order_id == "slow1"
    await asyncio.sleep(SLOW)  # nothing lands later
    assert at_venue(venue, "slow1") == 1
    assert venue.engine.leg(BTC, "LONG").size == SIZE


async def test_with_retries_off_a_slow_order_is_never_reported_failed_and_placed(
        venue: SimulatedVenue, name: str) -> None:
    async with connect(venue, retry=RetryPolicy(attempts=1, resolve_timeout=2.0, lookup_interval=0.05)) as hk:
        await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        venue.inject(FaultKind.LATENCY, method="POST", path=ORDER_PATHS[name], delay=SLOW)
        try:
            order = await hk.open_short(BTC, SIZE, client_order_id="slow2")
        except hedgekit.NetworkError as exc:
            assert not isinstance(exc, OrderStatusUnknown)
            failed = True
        else:
            assert order.client_order_id == "slow2"
            failed = False
        await asyncio.sleep(SLOW)
    # Aster voids the slow order with a noop (its nonce) and says so; the others wait for it
    assert failed == (name == "aster")
    assert at_venue(venue, "slow2") == (0 if failed else 1)
    if not hk.adapter.refuses_duplicate_client_id(conditional=False):
        assert len(sends(venue, name)) == 1  # looked up, never sent again


@pytest.mark.parametrize("body", ["truncated", "empty", "html"])
async def test_an_unreadable_success_is_looked_up(hk: HedgeClient, venue: SimulatedVenue, name: str, body: str) -> None:
    venue.inject(FaultKind.UNREADABLE, method="POST", path=ORDER_PATHS[name], body=body)
    order = await hk.open_long(BTC, SIZE, client_order_id="unread1")
    assert order.client_order_id == "unread1" and at_venue(venue, "unread1") == 1
    assert len(sends(venue, name)) == 1  # found, not sent again


async def test_a_lost_request_is_sent_again_only_when_no_earlier_send_can_land(
        hk: HedgeClient, venue: SimulatedVenue, name: str) -> None:
    venue.inject(FaultKind.DROP_BEFORE, method="POST", path=ORDER_PATHS[name])
    order = await hk.open_long(BTC, SIZE, client_order_id="lost1")
    assert at_venue(venue, "lost1") == 1 and order.client_order_id == "lost1"
    first, second = sends(venue, name)
    if hk.adapter.refuses_duplicate_client_id(conditional=False) or name == "aster":
        return  # Bybit refuses a second orderLinkId; Aster voided the first with a noop
    # the second send left only once the venue's clock was past the first's deadline
    assert second - first >= WINDOW_MS, (first, second)


async def test_a_cancelled_call_never_orphans_its_order(hk: HedgeClient, venue: SimulatedVenue, name: str) -> None:
    venue.inject(FaultKind.LATENCY, method="POST", path=ORDER_PATHS[name], delay=SLOW)
    cid = hk.new_client_order_id()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(hk.open_long(BTC, SIZE, client_order_id=cid), 0.05)
    task = hk.in_flight[cid]
    order = await task  # the placement went on, shielded, and settles with the order
    assert order.client_order_id == cid and at_venue(venue, cid) == 1
    assert cid not in hk.in_flight  # settled: the entry left


async def test_in_flight_is_read_only(hk: HedgeClient) -> None:
    with pytest.raises(TypeError):
        hk.in_flight["x"] = None  # type: ignore[index]


async def test_closing_waits_for_orders_in_flight(venue: SimulatedVenue, name: str) -> None:
    async with connect(venue) as hk:
        await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        venue.inject(FaultKind.LATENCY, method="POST", path=ORDER_PATHS[name], delay=SLOW, count=3)
        calls = [asyncio.ensure_future(hk.open_long(BTC, SIZE, client_order_id=f"close{n}")) for n in range(3)]
        await asyncio.sleep(0.05)  # the three are on the wire
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert [getattr(r, "client_order_id", r) for r in results] == ["close0", "close1", "close2"]
    assert all(at_venue(venue, f"close{n}") == 1 for n in range(3))
    with pytest.raises(hedgekit.ConfigurationError):
        await hk.open_long(BTC, SIZE)  # closed: refused, nothing sent


async def test_a_call_made_while_closing_is_refused_before_anything_is_sent(venue: SimulatedVenue, name: str) -> None:
    hk = connect(venue)
    await hk.open()
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    venue.inject(FaultKind.LATENCY, method="POST", path=ORDER_PATHS[name], delay=SLOW)
    first = asyncio.ensure_future(hk.open_long(BTC, SIZE, client_order_id="first1"))
    await asyncio.sleep(0.05)
    closing = asyncio.ensure_future(hk.aclose())
    await asyncio.sleep(0)
    before = len(sends(venue, name))
    with pytest.raises(hedgekit.ConfigurationError, match="closing"):
        await hk.open_long(BTC, SIZE)
    assert len(sends(venue, name)) == before
    await closing
    assert (await first).client_order_id == "first1"


async def test_a_cancel_in_flight_is_settled_before_close(venue: SimulatedVenue, name: str) -> None:
    async with connect(venue) as hk:
        await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        order = await hk.open_long(BTC, SIZE, price=Decimal("50000"))
        method, path = CANCEL_PATHS[name]
        venue.inject(FaultKind.LATENCY, method=method, path=path, delay=SLOW)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(hk.cancel_order(order), 0.05)
    assert venue.engine.open_orders(BTC) == []  # the cancel went on and was settled


async def test_a_venue_that_cannot_be_asked_gives_order_status_unknown(
        hk: HedgeClient, venue: SimulatedVenue, name: str) -> None:
    venue.inject(FaultKind.DROP_AFTER, method="POST", path=ORDER_PATHS[name])
    venue.inject(FaultKind.DROP_BEFORE, method="GET", count=100_000)  # no lookup ever answers
    venue.inject(FaultKind.DROP_BEFORE, method="POST", path=ORDER_PATHS[name], count=100_000)  # nor a resend
    with pytest.raises(OrderStatusUnknown) as info:
        await hk.open_long(BTC, SIZE, client_order_id="dark1")
    assert info.value.client_order_id == "dark1"
    assert at_venue(venue, "dark1") == 1  # it is there: the error did not say otherwise


@pytest.mark.parametrize(("name", "code"), [("binance", -5028), ("okx", "50036")])
async def test_the_simulator_refuses_an_order_its_venue_acts_on_past_the_deadline(name: str, code: object) -> None:
    """Binance: "-5028 Timestamp for this request is outside of the ME recvWindow." (USDⓈ-M error
    codes). OKX: "50036 The expTime can't be earlier than the current system time." (error codes;
    Overview › Transaction Timeouts: "the request will not be processed if the current system time
    of the server is after the expTime")."""
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        async with connect(venue, timeout=5.0, recv_window=200, retry=RetryPolicy.disabled()) as hk:
            await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
            venue.inject(FaultKind.LATENCY, method="POST", path=ORDER_PATHS[name], delay=0.5)
            with pytest.raises(hedgekit.ClockSkew) as info:
                await hk.open_long(BTC, SIZE, client_order_id="late1")
        assert info.value.code == code
        assert at_venue(venue, "late1") == 0  # refused, not placed


async def test_okx_orders_carry_exp_time_and_only_orders_do() -> None:
    """``expTime`` on Place/Amend order only (OKX Overview › Transaction Timeouts)."""
    async with SimulatedVenue("okx", mark_prices=dict(MARKS)) as venue:
        async with connect(venue, recv_window=3000) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            order = await hk.open_long(BTC, SIZE, price=Decimal("50000"))
            await hk.cancel_order(order)
        posts = [r for r in venue.requests if r.method == "POST"]
        with_exp = {r.path for r in posts if "expTime" in r.headers}
        assert with_exp == {"/api/v5/trade/order"}
        sent = next(r for r in posts if r.path == "/api/v5/trade/order")
        assert 2900 <= int(sent.headers["expTime"]) - sent.time <= 3100  # the venue's clock + the window


async def test_aster_voids_a_lost_order_with_a_noop_of_its_nonce() -> None:
    """AST3 §Noop: a noop "with the same nonce" voids a request still in the queue."""
    async with SimulatedVenue("aster", mark_prices=dict(MARKS)) as venue:
        async with connect(venue) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            venue.inject(FaultKind.DROP_BEFORE, method="POST", path="/fapi/v3/order")
            order = await hk.open_long(BTC, SIZE, client_order_id="fence1")
        orders = [r for r in venue.requests if r.method == "POST" and r.path == "/fapi/v3/order"]
        noops = [r for r in venue.requests if r.path == "/fapi/v3/noop"]
        assert len(orders) == 2 and len(noops) == 1
        assert noops[0].params["nonce"] == orders[0].params["nonce"] != orders[1].params["nonce"]
        assert order.client_order_id == "fence1" and at_venue(venue, "fence1") == 1


CONDITIONAL_PATHS = {  # where each venue takes a stop (VENUES.md §6 "Stops / trailing")
    "aster": "/fapi/v3/order",
    "binance": "/fapi/v1/algoOrder",
    "bybit": "/v5/order/create",
    "okx": "/api/v5/trade/order-algo",
}


@pytest.mark.parametrize("kind", [FaultKind.DROP_AFTER, FaultKind.UNKNOWN, FaultKind.UNREADABLE])
async def test_an_order_the_venue_took_is_found_never_sent_twice(
        hk: HedgeClient, venue: SimulatedVenue, name: str, kind: FaultKind) -> None:
    venue.inject(kind, method="POST", path=ORDER_PATHS[name])
    order = await hk.open_short(BTC, SIZE, client_order_id="took1")
    assert order.client_order_id == "took1" and at_venue(venue, "took1") == 1
    assert len(sends(venue, name)) == 1


@pytest.mark.parametrize("kind", [FaultKind.DROP_BEFORE, FaultKind.SERVER_ERROR, FaultKind.RATE_LIMIT,
                                  FaultKind.CLOCK_SKEW])
async def test_an_order_the_venue_never_saw_is_sent_again_with_the_same_id(
        hk: HedgeClient, venue: SimulatedVenue, name: str, kind: FaultKind) -> None:
    venue.inject(kind, method="POST", path=ORDER_PATHS[name], retry_after=0.01)
    order = await hk.open_long(BTC, SIZE, client_order_id="again1")
    assert order.client_order_id == "again1" and at_venue(venue, "again1") == 1
    assert len(sends(venue, name)) == 2


@pytest.mark.parametrize("kind", [FaultKind.DROP_AFTER, FaultKind.LATENCY, FaultKind.DROP_BEFORE])
async def test_a_stop_whose_answer_was_lost_is_placed_once(
        hk: HedgeClient, venue: SimulatedVenue, name: str, kind: FaultKind) -> None:
    from hedgekit import PositionSide

    await hk.open_long(BTC, SIZE)
    venue.inject(kind, method="POST", path=CONDITIONAL_PATHS[name], delay=SLOW)
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("55000"), SIZE, client_order_id="stop1")
    await asyncio.sleep(SLOW if kind is FaultKind.LATENCY else 0)
    assert stop.conditional and stop.client_order_id == "stop1"
    stops = [c for c in venue.engine.conditional_orders(BTC) if c.client_id == "stop1"]
    assert len(stops) == 1
