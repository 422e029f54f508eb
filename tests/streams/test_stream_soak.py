"""Stream fault soak, on every venue: trading with disconnects, stalls, dropped events and expiries at random.

Orders, closes, resting orders, cancels, stops and mark moves run through the public API while the
simulator disconnects the private stream, stalls it (no frames, no pongs), loses event frames and
expires its credential. Afterwards, with no help from the test, the stream's legs and open orders
must equal the engine's books (read through REST) within a few seconds: by pushes, by the resync
after each reconnect, or by the periodic check that finds what a lost frame left out.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, HedgekitError, LiveStream, PositionMode, PositionSide, Resynced
from hedgekit.testing import SimulatedVenue

from ..conftest import BTC, MARKS, VENUES

STEPS = 60


@pytest_asyncio.fixture(params=VENUES)
async def venue(request: pytest.FixtureRequest) -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue(str(request.param), mark_prices=dict(MARKS)) as sim:
        yield sim


async def books(hk: HedgeClient) -> tuple[tuple[Decimal, Decimal], set[str]]:
    pair = await hk.legs(BTC)
    orders = await hk.open_orders(BTC)
    return (pair.long.size, pair.short.size), {o.order_id for o in orders}


def live(stream: LiveStream) -> tuple[tuple[Decimal, Decimal], set[str]]:
    pair = stream.legs(BTC)
    return (pair.long.size, pair.short.size), {o.order_id for o in stream.orders(BTC)}


async def test_stream_state_equals_the_books_after_random_faults(venue: SimulatedVenue) -> None:
    rng = random.Random(f"stream-soak-{venue.venue}")
    async with hedgekit.connect(venue.venue, base_url=venue.base_url, rate_limit=False,
                                **venue.credentials) as hk:
        await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        async with hk.stream([BTC], heartbeat=0.25, reconnect_wait=0.02, reconnect_wait_max=0.2,
                             connect_timeout=1.0, reconcile_every=1.0) as stream:
            events: list[object] = []

            async def consume() -> None:
                async for event in stream:
                    events.append(event)

            consumer = asyncio.ensure_future(consume())
            faults = {"disconnect": 0, "stall": 0, "drop": 0, "expire": 0}
            mark = Decimal("60000")
            resting: list[hedgekit.Order] = []
            for _ in range(STEPS):
                roll = rng.random()
                try:
                    if roll < 0.08:
                        faults["disconnect"] += venue.disconnect_streams() > 0
                    elif roll < 0.13:
                        venue.stall_streams()
                        await asyncio.sleep(0.7)
                        venue.resume_streams()
                        faults["stall"] += 1
                    elif roll < 0.23:
                        venue.drop_stream_events(rng.randint(1, 3))
                        faults["drop"] += 1
                    elif roll < 0.27:
                        faults["expire"] += venue.expire_listen_keys() > 0
                    elif roll < 0.45:
                        await (hk.open_long if rng.random() < 0.5 else hk.open_short)(BTC, Decimal("0.010"))
                    elif roll < 0.58:
                        pair = await hk.legs(BTC)
                        side = rng.choice([PositionSide.LONG, PositionSide.SHORT])
                        if pair.leg(side).size >= Decimal("0.010"):
                            close = hk.close_long if side is PositionSide.LONG else hk.close_short
                            await close(BTC, Decimal("0.010"))
                    elif roll < 0.70:
                        price = mark - Decimal(rng.randint(5, 20) * 100)
                        resting.append(await hk.open_long(BTC, Decimal("0.010"), price=price))
                    elif roll < 0.78 and resting:
                        await hk.cancel_order(resting.pop(rng.randrange(len(resting))))
                    elif roll < 0.86:
                        pair = await hk.legs(BTC)
                        if pair.long.size:
                            await hk.stop_market(BTC, PositionSide.LONG, mark - Decimal(1500))
                    else:
                        mark += Decimal(rng.randint(-8, 8) * 100)
                        venue.set_mark_price(BTC, mark)
                except HedgekitError as exc:  # a venue refusal (margin, a filled order's cancel) is fine
                    assert not isinstance(exc, hedgekit.StreamDisconnected)
                await asyncio.sleep(0.01)
            venue.resume_streams()
            expected = await books(hk)
            for _ in range(80):
                if live(stream) == expected:
                    break
                await asyncio.sleep(0.1)
                expected = await books(hk)
            assert live(stream) == expected, (faults, stream.reconnects, consumer.done() and consumer.exception())
            assert not consumer.done() or consumer.exception() is None
            consumer.cancel()
    assert faults["disconnect"] + faults["stall"] + faults["expire"] > 0
    assert stream.reconnects > 0
    assert any(isinstance(e, Resynced) for e in events)
