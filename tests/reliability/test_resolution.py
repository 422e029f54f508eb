"""How hedgekit settles a lost answer: the venue's own clock decides, fences are retried, cancels
are read back; each case on the venues where it applies, with bounds on how long it may take."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

import hedgekit
from hedgekit import OrderStatus, OrderStatusUnknown, PositionMode, RetryPolicy
from hedgekit.exactly_once import DEADLINE_MARGIN_MS
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.faults import FaultKind

from ..conftest import BTC, MARKS, VENUES
from .test_deadlines import CANCEL_PATHS, ORDER_PATHS, POLICY, SIZE, WINDOW_MS, at_venue, connect, sends


TIME_PATHS = {"binance": "/fapi/v1/time", "okx": "/api/v5/public/time"}


@pytest.mark.parametrize("time_reads_fail", [False, True])
@pytest.mark.parametrize("name", ["binance", "okx"])
async def test_absent_waits_for_the_venues_own_clock_not_this_machines(name: str, time_reads_fail: bool) -> None:
    """The venue's clock runs 900 ms behind: by this machine's clock the deadline passes about 1.2 s
    after the send, at the venue 900 ms later, and a slow order lands in between (1.45 s)."""
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        venue.skew_clock(-900)
        async with connect(venue) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            venue.inject(FaultKind.LATENCY, method="POST", path=ORDER_PATHS[name], delay=1.45)
            if time_reads_fail:  # a clock that cannot be read proves nothing: keep asking
                venue.inject(FaultKind.DROP_BEFORE, method="GET", path=TIME_PATHS[name], count=4)
            order = await hk.open_long(BTC, SIZE, client_order_id="behind1")
            await asyncio.sleep(0.3)
        assert order.client_order_id == "behind1"
        assert at_venue(venue, "behind1") == 1
        assert len(sends(venue, name)) == 1


@pytest.mark.parametrize("name", ["binance", "okx"])
async def test_a_request_the_venue_never_saw_is_sent_again_right_after_its_deadline(name: str) -> None:
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        async with connect(venue) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            venue.inject(FaultKind.DROP_BEFORE, method="POST", path=ORDER_PATHS[name])
            await hk.open_long(BTC, SIZE, client_order_id="after1")
        first, second = sends(venue, name)
        waited = second - first
        assert WINDOW_MS + DEADLINE_MARGIN_MS <= waited <= WINDOW_MS + DEADLINE_MARGIN_MS + 500, waited


@pytest.mark.parametrize("name", ["binance", "okx"])
async def test_order_status_unknown_comes_at_the_bound_and_names_the_order(name: str) -> None:
    policy = RetryPolicy(attempts=2, backoff_initial=0.005, backoff_cap=0.02, resolve_timeout=0.5,
                         lookup_interval=0.05)
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        async with connect(venue, retry=policy) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            venue.inject(FaultKind.DROP_AFTER, method="POST", path=ORDER_PATHS[name])
            venue.inject(FaultKind.DROP_BEFORE, method="GET", count=100_000)
            started = time.monotonic()
            with pytest.raises(OrderStatusUnknown) as info:
                await hk.open_long(BTC, SIZE, client_order_id="bound1")
            took = time.monotonic() - started
            venue.faults.clear()
    bound = (WINDOW_MS + DEADLINE_MARGIN_MS) / 1000 + policy.resolve_timeout
    assert bound - 0.05 <= took <= bound + 1.0, (took, bound)
    error = info.value
    assert (error.venue, error.operation, error.symbol, error.client_order_id) == (name, "place_order", BTC, "bound1")
    assert "bound1" in str(error)
    assert isinstance(error.__cause__, hedgekit.HedgekitError) and error.__cause__.transient  # the lost answer


async def test_aster_asks_again_when_its_noop_is_lost_and_then_resends_at_once() -> None:
    async with SimulatedVenue("aster", mark_prices=dict(MARKS)) as venue:
        async with connect(venue) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            venue.inject(FaultKind.DROP_BEFORE, method="POST", path="/fapi/v3/order")
            venue.inject(FaultKind.DROP_BEFORE, method="POST", path="/fapi/v3/noop")
            started = time.monotonic()
            order = await hk.open_long(BTC, SIZE, client_order_id="noop2")
            took = time.monotonic() - started
        noops = [r for r in venue.requests if r.path == "/fapi/v3/noop"]
        assert len(noops) == 2 and noops[0].params["nonce"] == noops[1].params["nonce"]
        assert order.client_order_id == "noop2" and at_venue(venue, "noop2") == 1
        assert took < 3.0  # fenced: not the 10 s nonce window


async def test_aster_without_a_working_noop_waits_for_a_slow_order_instead_of_resending() -> None:
    async with SimulatedVenue("aster", mark_prices=dict(MARKS)) as venue:
        async with connect(venue) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            venue.inject(FaultKind.LATENCY, method="POST", path="/fapi/v3/order", delay=0.6)
            venue.inject(FaultKind.DROP_BEFORE, method="POST", path="/fapi/v3/noop", count=100)
            order = await hk.open_long(BTC, SIZE, client_order_id="noop3")
            await asyncio.sleep(0.3)
        assert order.client_order_id == "noop3" and at_venue(venue, "noop3") == 1
        assert len(sends(venue, "aster")) == 1


# -- cancels ---------------------------------------------------------------------------------

def cancels(venue: SimulatedVenue, name: str) -> int:
    method, path = CANCEL_PATHS[name]
    return sum(1 for r in venue.requests if r.method == method and r.path == path)


@pytest.fixture(params=VENUES)
def name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _resting(venue: SimulatedVenue, **kwargs: object) -> tuple[hedgekit.HedgeClient, hedgekit.Order]:
    hk = connect(venue, **kwargs)
    await hk.open()
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    return hk, await hk.open_long(BTC, SIZE, price=Decimal("50000"))


@pytest.mark.parametrize("kind", [FaultKind.DROP_BEFORE, FaultKind.SERVER_ERROR])
async def test_a_cancel_the_venue_never_saw_is_sent_again(name: str, kind: FaultKind) -> None:
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        hk, order = await _resting(venue)
        async with hk:
            method, path = CANCEL_PATHS[name]
            venue.inject(kind, method=method, path=path)
            canceled = await hk.cancel_order(order)
        assert canceled.status is OrderStatus.CANCELED and venue.engine.open_orders(BTC) == []
        assert cancels(venue, name) == 2


@pytest.mark.parametrize("kind", [FaultKind.DROP_AFTER, FaultKind.UNKNOWN, FaultKind.UNREADABLE])
async def test_a_cancel_the_venue_took_is_read_back_not_sent_again(name: str, kind: FaultKind) -> None:
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        hk, order = await _resting(venue)
        async with hk:
            method, path = CANCEL_PATHS[name]
            venue.inject(kind, method=method, path=path)
            canceled = await hk.cancel_order(order)
        assert canceled.status is OrderStatus.CANCELED and canceled.order_id == order.order_id
        # read back, not sent again (an HTTP client may itself resend a DELETE whose connection dropped)
        assert cancels(venue, name) <= (2 if CANCEL_PATHS[name][0] == "DELETE" else 1)


async def test_a_cancel_after_a_rate_limit_waits_the_venues_wait(name: str) -> None:
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        hk, order = await _resting(venue)
        async with hk:
            method, path = CANCEL_PATHS[name]
            venue.inject(FaultKind.RATE_LIMIT, method=method, path=path, retry_after=0.3)
            started = time.monotonic()
            canceled = await hk.cancel_order(order)
            if name != "okx":  # OKX's 50011 names no wait (its default pause needs rate_limit=True)
                assert time.monotonic() - started >= 0.3
        assert canceled.status is OrderStatus.CANCELED and cancels(venue, name) == 2


async def test_cancelling_a_filled_order_returns_it_filled(name: str) -> None:
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        hk, order = await _resting(venue)
        async with hk:
            venue.set_mark_price(BTC, Decimal("49000"))  # the buy limit at 50000 fills
            done = await hk.cancel_order(order)
        assert done.status is OrderStatus.FILLED and done.order_id == order.order_id


async def test_a_cancel_the_venue_never_gets_fails_after_the_attempts_with_the_order_open(name: str) -> None:
    policy = RetryPolicy(attempts=3, backoff_initial=0.005, backoff_cap=0.02, resolve_timeout=1.0,
                         lookup_interval=0.05)
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        hk, order = await _resting(venue, retry=policy)
        async with hk:
            method, path = CANCEL_PATHS[name]
            venue.inject(FaultKind.DROP_BEFORE, method=method, path=path, count=100)
            with pytest.raises(hedgekit.HedgekitError) as info:
                await hk.cancel_order(order)
            venue.faults.clear()
        assert info.value.transient and not isinstance(info.value, OrderStatusUnknown)
        resent_by_http = 2 if CANCEL_PATHS[name][0] == "DELETE" else 1  # aiohttp resends a dropped DELETE once
        assert cancels(venue, name) == policy.attempts * resent_by_http
        assert [o.order_id for o in venue.engine.open_orders(BTC)] and len(venue.engine.open_orders(BTC)) == 1


async def test_a_slow_cancel_that_lands_after_the_last_attempt_is_reported_canceled() -> None:
    """Binance's cancel carries recvWindow: after the last attempt hedgekit reads the order again
    once the venue's clock is past the deadline, so a late cancel is never reported failed."""
    async with SimulatedVenue("binance", mark_prices=dict(MARKS)) as venue:
        hk, order = await _resting(venue, retry=RetryPolicy(attempts=1, resolve_timeout=3.0, lookup_interval=0.05))
        async with hk:
            venue.inject(FaultKind.LATENCY, method="DELETE", path="/fapi/v1/order", delay=0.5)
            canceled = await hk.cancel_order(order)
        assert canceled.status is OrderStatus.CANCELED and cancels(venue, "binance") == 1


CONDITIONAL_CANCEL_PATHS = {
    "aster": ("DELETE", "/fapi/v3/order"),
    "binance": ("DELETE", "/fapi/v1/algoOrder"),
    "bybit": ("POST", "/v5/order/cancel"),
    "okx": ("POST", "/api/v5/trade/cancel-algos"),
}


@pytest.mark.parametrize("kind", [FaultKind.DROP_AFTER, FaultKind.DROP_BEFORE])
async def test_a_stop_whose_cancel_was_lost_is_read_back_as_a_stop(name: str, kind: FaultKind) -> None:
    from hedgekit import PositionSide

    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        async with connect(venue) as hk:
            await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
            await hk.open_long(BTC, SIZE)
            stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("55000"), SIZE)
            method, path = CONDITIONAL_CANCEL_PATHS[name]
            venue.inject(kind, method=method, path=path)
            canceled = await hk.cancel_order(stop)
        assert canceled.conditional and canceled.status is OrderStatus.CANCELED
        assert venue.engine.conditional_orders(BTC) == []


async def test_a_cancel_whose_answer_and_read_backs_are_lost_fails_with_the_lost_answer(name: str) -> None:
    policy = RetryPolicy(attempts=1, backoff_initial=0.005, backoff_cap=0.02, resolve_timeout=0.5,
                         lookup_interval=0.05)
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        hk, order = await _resting(venue, retry=policy)
        async with hk:
            method, path = CANCEL_PATHS[name]
            venue.inject(FaultKind.DROP_AFTER, method=method, path=path)
            venue.inject(FaultKind.DROP_BEFORE, method="GET", count=100_000)
            started = time.monotonic()
            with pytest.raises(hedgekit.HedgekitError) as info:
                await hk.cancel_order(order)
            assert time.monotonic() - started < policy.resolve_timeout + 2.5  # bounded
            venue.faults.clear()
        assert info.value.transient and info.value.operation == "cancel_order"


async def test_a_refused_resend_waits_for_the_earlier_send_on_a_venue_that_resends_at_once() -> None:
    """Bybit: the first send is slow, the resend (same orderLinkId) is refused for a parameter; the
    refusal is not reported while the first may still land, and the first does land."""
    from hedgekit.testing.frontend import WireResponse

    async with SimulatedVenue("bybit", mark_prices=dict(MARKS)) as venue:
        refused: list[int] = []

        async def refuse_the_resend(request, call_next):  # type: ignore[no-untyped-def]
            # the slow first send reaches this point after the resend does
            if request.path == "/v5/order/create" and not refused:
                refused.append(request.time)
                return WireResponse.json({"retCode": 10001, "retMsg": "params error: qty invalid", "result": {},
                                          "retExtInfo": {}, "time": request.time})
            return await call_next(request)

        venue.add_middleware(refuse_the_resend)
        async with connect(venue) as hk:
            await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
            venue.inject(FaultKind.LATENCY, method="POST", path="/v5/order/create", delay=0.6)
            order = await hk.open_long(BTC, SIZE, client_order_id="race1")
        assert refused and order.client_order_id == "race1" and at_venue(venue, "race1") == 1


async def test_two_lost_sends_in_a_row_on_a_venue_that_resends_at_once() -> None:
    async with SimulatedVenue("bybit", mark_prices=dict(MARKS)) as venue:
        async with connect(venue) as hk:
            await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
            venue.inject(FaultKind.DROP_BEFORE, method="POST", path="/v5/order/create", count=2)
            order = await hk.open_long(BTC, SIZE, client_order_id="twice1")
        assert order.client_order_id == "twice1" and at_venue(venue, "twice1") == 1
        assert len(sends(venue, "bybit")) == 3


async def test_aster_tries_its_noop_three_times() -> None:
    async with SimulatedVenue("aster", mark_prices=dict(MARKS)) as venue:
        async with connect(venue) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            venue.inject(FaultKind.DROP_BEFORE, method="POST", path="/fapi/v3/order")
            venue.inject(FaultKind.DROP_BEFORE, method="POST", path="/fapi/v3/noop", count=2)
            started = time.monotonic()
            order = await hk.open_long(BTC, SIZE, client_order_id="noop4")
            took = time.monotonic() - started
        assert len([r for r in venue.requests if r.path == "/fapi/v3/noop"]) == 3
        assert order.client_order_id == "noop4" and at_venue(venue, "noop4") == 1 and took < 3.0


async def test_after_a_fence_a_lost_lookup_is_asked_again() -> None:
    async with SimulatedVenue("aster", mark_prices=dict(MARKS)) as venue:
        async with connect(venue) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            venue.inject(FaultKind.DROP_BEFORE, method="POST", path="/fapi/v3/order")
            venue.inject(FaultKind.DROP_BEFORE, method="GET", path="/fapi/v3/order")
            order = await hk.open_long(BTC, SIZE, client_order_id="noop5")
        assert order.client_order_id == "noop5" and at_venue(venue, "noop5") == 1
