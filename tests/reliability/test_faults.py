"""Exactly-once orders and retries under the faults real venues produce (Binance wire)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, PositionMode, PositionSide, RetryPolicy
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.faults import FaultKind

BTC = "BTC/USDT:USDT"
FAST = RetryPolicy(attempts=4, backoff_initial=0.001, backoff_cap=0.01, retry_after_cap=0.5,
                   resolve_timeout=1.0, lookup_interval=0.02)
WINDOW_MS = 600  # recvWindow: how long the venue may still act on a request whose answer was lost


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("binance", mark_prices={BTC: Decimal("60000")}) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("binance", base_url=venue.base_url, retry=FAST, recv_window=WINDOW_MS,
                                **venue.credentials) as client:
        await client.set_position_mode(PositionMode.HEDGE)
        yield client


def orders_with(venue: SimulatedVenue, client_order_id: str) -> int:
    return sum(1 for o in venue.engine.all_orders() if o.client_order_id == client_order_id)


@pytest.mark.parametrize("kind", [FaultKind.DROP_AFTER, FaultKind.UNKNOWN])
async def test_answer_lost_after_the_venue_took_the_order(hk: HedgeClient, venue: SimulatedVenue, kind: FaultKind) -> None:
    venue.inject(kind, method="POST", path="/fapi/v1/order", count=2)
    order = await hk.open_long(BTC, Decimal("0.010"), client_order_id="once-1")
    assert order.client_order_id == "once-1"
    assert orders_with(venue, "once-1") == 1
    assert venue.engine.leg(BTC, "LONG").size == Decimal("0.010")
    posts = [r for r in venue.requests if r.method == "POST" and r.path == "/fapi/v1/order"]
    assert len(posts) == 1  # found by its client id, never sent twice
    assert [r.params["origClientOrderId"] for r in venue.requests if r.path == "/fapi/v1/order" and r.method == "GET"]


@pytest.mark.parametrize("kind", [FaultKind.DROP_BEFORE, FaultKind.SERVER_ERROR])
async def test_request_lost_before_the_venue_saw_it_is_sent_again_with_the_same_id(
    hk: HedgeClient, venue: SimulatedVenue, kind: FaultKind
) -> None:
    venue.inject(kind, method="POST", path="/fapi/v1/order", count=2)
    order = await hk.open_short(BTC, Decimal("0.020"))
    posts = [r for r in venue.requests if r.method == "POST" and r.path == "/fapi/v1/order"]
    assert len(posts) == 3
    assert {r.params["newClientOrderId"] for r in posts} == {order.client_order_id}
    assert orders_with(venue, order.client_order_id or "") == 1
    assert venue.engine.leg(BTC, "SHORT").size == Decimal("0.020")


async def test_conditional_order_answer_lost_is_found_by_client_algo_id(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(BTC, Decimal("0.010"))
    venue.inject(FaultKind.DROP_AFTER, method="POST", path="/fapi/v1/algoOrder")
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("58000"))
    assert stop.conditional
    assert len(venue.engine.conditional_orders(BTC)) == 1
    lookups = [r for r in venue.requests if r.method == "GET" and r.path == "/fapi/v1/algoOrder"]
    assert lookups and lookups[0].params["clientAlgoId"] == stop.client_order_id


async def test_rate_limit_waits_the_venues_retry_after(hk: HedgeClient, venue: SimulatedVenue) -> None:
    venue.inject(FaultKind.RATE_LIMIT, method="POST", path="/fapi/v1/order", retry_after=0.3)
    started = time.monotonic()
    await hk.open_long(BTC, Decimal("0.010"))
    assert time.monotonic() - started >= 0.3
    assert len([r for r in venue.requests if r.method == "POST" and r.path == "/fapi/v1/order"]) == 2


async def test_rate_limit_on_a_read_is_retried(hk: HedgeClient, venue: SimulatedVenue) -> None:
    venue.inject(FaultKind.RATE_LIMIT, method="GET", path="/fapi/v3/positionRisk", retry_after=0.05, count=2)
    pair = await hk.legs(BTC)
    assert pair.long.size == 0


async def test_clock_skew_resynchronises_once_and_retries(hk: HedgeClient, venue: SimulatedVenue) -> None:
    venue.skew_clock(30_000)
    order = await hk.open_long(BTC, Decimal("0.010"))
    assert order.filled_quantity == Decimal("0.010")
    assert [r.path for r in venue.requests].count("/fapi/v1/time") == 1
    assert (await hk.legs(BTC)).long.size == Decimal("0.010")  # reads work after the resync too


async def test_reads_and_switches_survive_dropped_connections(hk: HedgeClient, venue: SimulatedVenue) -> None:
    venue.inject(FaultKind.DROP_BEFORE, method="GET", path="/fapi/v3/positionRisk")
    venue.inject(FaultKind.DROP_AFTER, method="POST", path="/fapi/v1/positionSide/dual")
    state = await hk.set_position_mode(PositionMode.ONE_WAY)  # second send answers -4059: success
    assert state.mode is PositionMode.ONE_WAY
    assert (await hk.position_mode()).mode is PositionMode.ONE_WAY


async def test_cancel_answer_lost_reads_the_order_back(hk: HedgeClient, venue: SimulatedVenue) -> None:
    order = await hk.open_long(BTC, Decimal("0.010"), price=Decimal("50000"))
    venue.inject(FaultKind.DROP_AFTER, method="DELETE", path="/fapi/v1/order")
    canceled = await hk.cancel_order(order)
    assert canceled.status is hedgekit.OrderStatus.CANCELED
    assert venue.engine.open_orders() == []


async def test_venue_that_never_answers_the_lookup_gives_order_status_unknown(hk: HedgeClient, venue: SimulatedVenue) -> None:
    venue.inject(FaultKind.DROP_AFTER, method="POST", path="/fapi/v1/order")
    venue.inject(FaultKind.DROP_BEFORE, method="GET", path="/fapi/v1/order", count=100_000)
    with pytest.raises(hedgekit.OrderStatusUnknown) as info:
        await hk.open_long(BTC, Decimal("0.010"), client_order_id="lost-1")
    assert info.value.client_order_id == "lost-1"
    assert orders_with(venue, "lost-1") == 1  # it was placed: the error did not claim otherwise


async def test_retries_can_be_turned_off(venue: SimulatedVenue) -> None:
    async with hedgekit.connect("binance", base_url=venue.base_url, retry=RetryPolicy.disabled(),
                                **venue.credentials) as client:
        venue.inject(FaultKind.RATE_LIMIT, method="GET", path="/fapi/v1/positionSide/dual", retry_after=0.01)
        with pytest.raises(hedgekit.RateLimited) as info:
            await client.position_mode()
        assert info.value.retry_after == pytest.approx(0.01)
        assert info.value.code == -1003 and info.value.http_status == 429


async def test_exhausted_retries_raise_the_transient_error(venue: SimulatedVenue) -> None:
    policy = RetryPolicy(attempts=2, backoff_initial=0.001, backoff_cap=0.001)
    async with hedgekit.connect("binance", base_url=venue.base_url, retry=policy, **venue.credentials) as client:
        venue.inject(FaultKind.SERVER_ERROR, method="GET", path="/fapi/v1/positionSide/dual", count=2)
        with pytest.raises(hedgekit.ExchangeUnavailable):
            await client.position_mode()
        assert (await client.position_mode()).mode is PositionMode.ONE_WAY


async def test_each_retry_is_logged_at_debug(hk: HedgeClient, venue: SimulatedVenue, caplog: pytest.LogCaptureFixture) -> None:
    venue.inject(FaultKind.SERVER_ERROR, method="GET", path="/fapi/v1/positionSide/dual")
    with caplog.at_level(logging.DEBUG, logger="hedgekit"):
        await hk.position_mode()
    retries = [r for r in caplog.records if r.name == "hedgekit.retry" and r.levelno == logging.DEBUG]
    assert retries and "binance position_mode" in retries[0].getMessage()
    assert "ExchangeUnavailable" in retries[0].getMessage()
