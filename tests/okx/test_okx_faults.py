"""OKX under injected faults: every order placed exactly once or reported as failed with certainty."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, OrderStatusUnknown, PositionMode, PositionSide, RateLimited, RetryPolicy
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.faults import FaultKind

from .conftest import BTC, sent

FAST = RetryPolicy(attempts=4, backoff_initial=0.001, backoff_cap=0.01, retry_after_cap=0.5,
                   resolve_timeout=1.0, lookup_interval=0.02)
WINDOW_MS = 600  # the expTime window: how long OKX may still act on an order whose answer was lost
ORDER = "/api/v5/trade/order"


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("okx", base_url=venue.base_url, retry=FAST, rate_limit=False,
                                recv_window=WINDOW_MS, **venue.credentials) as client:
        yield client


def at_venue(venue: SimulatedVenue, client_order_id: str) -> int:
    return sum(1 for o in venue.engine.all_orders() if o.client_order_id == client_order_id)


@pytest.mark.parametrize("kind", [FaultKind.DROP_AFTER, FaultKind.UNKNOWN])
async def test_answer_lost_after_the_venue_took_the_order(hk: HedgeClient, venue: SimulatedVenue,
                                                          kind: FaultKind) -> None:
    venue.inject(kind, method="POST", path=ORDER)
    order = await hk.open_long(BTC, Decimal("0.01"), client_order_id="once1")
    assert order.client_order_id == "once1" and at_venue(venue, "once1") == 1
    assert len(sent(venue, "POST", "trade/order")) == 1  # found by its clOrdId, never sent twice
    assert {"instId": "BTC-USDT-SWAP", "clOrdId": "once1"} in [dict(r.query_pairs) for r in sent(venue, "GET", "trade/order")]


async def test_request_lost_before_the_venue_saw_it_is_sent_again_with_the_same_id(
    hk: HedgeClient, venue: SimulatedVenue
) -> None:
    venue.inject(FaultKind.DROP_BEFORE, method="POST", path=ORDER, count=2)
    order = await hk.open_short(BTC, Decimal("0.02"))
    bodies = [json.loads(r.body) for r in sent(venue, "POST", "trade/order")]
    assert len(bodies) == 3 and {b["clOrdId"] for b in bodies} == {order.client_order_id}
    assert at_venue(venue, order.client_order_id or "") == 1


async def test_conditional_order_answer_lost_is_found_by_algo_client_id(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    venue.inject(FaultKind.DROP_AFTER, method="POST", path="/api/v5/trade/order-algo")
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("55000"), Decimal("0.01"))
    assert stop.conditional and len(venue.engine.conditional_orders(BTC)) == 1
    lookups = [dict(r.query_pairs) for r in sent(venue, "GET", "trade/order-algo")]
    assert {"algoClOrdId": stop.client_order_id} in lookups


async def test_clock_skew_resynchronises_and_retries(hk: HedgeClient, venue: SimulatedVenue) -> None:
    venue.inject(FaultKind.CLOCK_SKEW, method="POST", path=ORDER)
    order = await hk.open_long(BTC, Decimal("0.01"))
    assert order.status is hedgekit.OrderStatus.NEW  # the acknowledgement of the second send
    filled = await hk.fetch_order(BTC, order_id=order.order_id)
    assert filled is not None and filled.filled_quantity == Decimal("0.01")
    assert len(sent(venue, "GET", "public/time")) == 1
    assert len(sent(venue, "POST", "trade/order")) == 2


async def test_cancel_answer_lost_reads_the_order_back(hk: HedgeClient, venue: SimulatedVenue) -> None:
    order = await hk.open_long(BTC, Decimal("0.01"), price=Decimal("50000"))
    venue.inject(FaultKind.DROP_AFTER, method="POST", path="/api/v5/trade/cancel-order")
    canceled = await hk.cancel_order(order)
    assert canceled.status is hedgekit.OrderStatus.CANCELED and venue.engine.open_orders() == []


async def test_a_lookup_that_never_answers_is_order_status_unknown(hk: HedgeClient, venue: SimulatedVenue) -> None:
    venue.inject(FaultKind.DROP_AFTER, method="POST", path=ORDER)
    venue.inject(FaultKind.SERVER_ERROR, method="GET", path=ORDER, count=100_000)
    with pytest.raises(OrderStatusUnknown) as info:
        await hk.open_long(BTC, Decimal("0.01"), client_order_id="lost1")
    assert info.value.client_order_id == "lost1" and at_venue(venue, "lost1") == 1


async def test_rate_limit_is_50011(venue: SimulatedVenue) -> None:
    async with hedgekit.connect("okx", base_url=venue.base_url, retry=RetryPolicy.disabled(),
                                **venue.credentials) as hk:
        venue.inject(FaultKind.RATE_LIMIT, method="GET", path="/api/v5/account/config")
        with pytest.raises(RateLimited) as info:
            await hk.position_mode()
    assert (info.value.code, info.value.http_status, info.value.venue_message) == ("50011", 429, "Too Many Requests")
