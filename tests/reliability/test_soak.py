"""Soak: 2,000 order intents per venue under every kind of fault, impatient callers and closes.

10% of requests are hit by a fault drawn from every kind (a venue slower than the client's
timeout, answers lost before and after the venue acted, unreadable 200s, 5xx, "status unknown",
rate limits, clock refusals); one call in ten is made with a deadline shorter than the venue's
slowness and abandoned by its caller; and the client is closed and replaced while orders are in
flight, several times. At the end:

* no client order id is at the venue twice;
* every intent its caller was told failed is not at the venue, and every confirmed one is there
  exactly once;
* every order at the venue was returned to its caller, or its caller found it in ``hk.in_flight``;
* the legs hedgekit reads equal the simulator's own books.

Not a timed test: the faults' waits are kept small.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

import pytest

import hedgekit
from hedgekit import HedgeClient, OrderStatusUnknown, PositionMode, PositionSide, RetryPolicy
from hedgekit.testing import SimulatedVenue
from hedgekit.testing import engine_types as E
from hedgekit.testing.faults import FaultKind

from ..conftest import VENUES

INTENTS = 2000
SESSIONS = 4  # the client is closed (with orders in flight) and replaced three times
SYMBOLS = ("BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT")
POLICY = RetryPolicy(attempts=8, backoff_initial=0.001, backoff_cap=0.004, retry_after_cap=0.005,
                     resolve_timeout=5.0, lookup_interval=0.02)
TIMEOUT = 0.1  # the client's HTTP timeout
SLOW = 0.2  # a LATENCY fault: the venue acts this long after it took the request
IMPATIENT = 0.0005  # a caller that gives up this soon: most of them before the answer
WINDOW_MS = 250  # recv_window (Binance recvWindow, OKX expTime window): some slow orders outlive it
MARKS = {"BTC/USDT:USDT": Decimal("60000"), "ETH/USDT:USDT": Decimal("3000"), "SOL/USDT:USDT": Decimal("150")}


@dataclass
class Run:
    """What the callers were told, and the client they use now."""

    client: HedgeClient
    outcome: dict[str, str] = field(default_factory=dict)
    failures: Counter[str] = field(default_factory=Counter)
    abandoned: int = 0
    closed_while_busy: int = 0
    done: int = 0


def connect(venue: SimulatedVenue) -> HedgeClient:
    return hedgekit.connect(venue.venue, base_url=venue.base_url, retry=POLICY, rate_limit=False, timeout=TIMEOUT,
                            recv_window=WINDOW_MS, **venue.credentials)


async def _call(run: Run, name: str, symbol: str, size: Decimal, cid: str, impatient: bool) -> None:
    hk = run.client
    call = getattr(hk, name)(symbol, size, client_order_id=cid)
    try:
        if not impatient:
            order = await call
        else:
            try:
                order = await asyncio.wait_for(call, IMPATIENT)
            except asyncio.TimeoutError:
                run.abandoned += 1
                task = hk.in_flight.get(cid)
                if task is None:  # settled in the meantime: the venue knows
                    found = await run.client.fetch_order(symbol, client_order_id=cid)
                    run.outcome[cid] = "confirmed" if found is not None else "failed"
                    return
                order = await task
    except OrderStatusUnknown:
        run.outcome[cid] = "unknown"
        return
    except hedgekit.HedgekitError as exc:
        run.outcome[cid] = "failed"
        run.failures[f"{type(exc).__name__} {str(exc)[:80]}"] += 1
        return
    assert order.client_order_id == cid
    run.outcome[cid] = "confirmed"


async def _worker(run: Run, symbol: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    market = run.client.market(symbol)
    # the smallest size on the lot step that meets the minimum quantity and notional
    smallest = max(market.min_quantity, market.min_notional / (MARKS[symbol] * market.contract_size))
    unit = (smallest / market.lot_step).to_integral_value(rounding=ROUND_CEILING) * market.lot_step
    held = {PositionSide.LONG: Decimal(0), PositionSide.SHORT: Decimal(0)}
    for n in range(count):
        side = rng.choice((PositionSide.LONG, PositionSide.SHORT))
        size = unit * rng.randint(1, 5)
        closing = held[side] >= size and rng.random() < 0.45
        cid = f"s{seed}n{n}xxx"
        await _call(run, f"{'close' if closing else 'open'}_{side.value}", symbol, size, cid, rng.random() < 0.1)
        run.done += 1
        if run.outcome[cid] == "confirmed":
            held[side] += -size if closing else size


async def _replace_clients(run: Run, venue: SimulatedVenue) -> None:
    """Close the client while its callers have orders in flight, and give them a new one."""
    for session in range(1, SESSIONS):
        while run.done < INTENTS * session // SESSIONS:
            await asyncio.sleep(0.01)
        old, new = run.client, connect(venue)
        await new.open()
        run.client = new
        run.closed_while_busy += len(old.in_flight)
        await old.aclose()  # waits for what is in flight; their callers get their orders
    assert run.closed_while_busy > 0  # closes did meet orders in flight


@pytest.mark.parametrize("venue_name", VENUES)
async def test_soak_exactly_once_under_faults(venue_name: str) -> None:
    async with SimulatedVenue(venue_name, mark_prices=MARKS, balance=Decimal("10000000")) as venue:
        run = Run(connect(venue))
        await run.client.open()
        for symbol in SYMBOLS:
            await run.client.set_position_mode(PositionMode.HEDGE, symbol=symbol)
        venue.inject_random(0.10, tuple(FaultKind), seed=7, delay=SLOW, retry_after=0.002)
        per_worker = INTENTS // len(SYMBOLS)
        counts = [per_worker] * len(SYMBOLS)
        counts[0] += INTENTS - per_worker * len(SYMBOLS)
        await asyncio.gather(
            _replace_clients(run, venue),
            *(_worker(run, symbol, count, seed) for seed, (symbol, count) in enumerate(zip(SYMBOLS, counts))),
        )
        venue.faults.clear()
        kinds = Counter(f.kind for f in venue.injected)
        assert set(kinds) == set(FaultKind), kinds  # every kind of fault was exercised
        assert len(run.outcome) == INTENTS
        assert "unknown" not in run.outcome.values()
        assert run.abandoned > 0

        at_venue = Counter(o.client_order_id for o in venue.engine.all_orders())
        duplicates = {cid: n for cid, n in at_venue.items() if n > 1}
        assert not duplicates
        for cid, result in run.outcome.items():
            expected = 1 if result == "confirmed" else 0
            assert at_venue.get(cid, 0) == expected, (cid, result)
        ours = {cid for cid in at_venue if cid and cid.startswith("s")}
        assert ours <= set(run.outcome)  # nothing at the venue that no caller heard of
        confirmed = sum(1 for r in run.outcome.values() if r == "confirmed")
        assert confirmed > INTENTS * 0.9, run.failures.most_common(5)

        hk = run.client
        for symbol in SYMBOLS:
            pair = await hk.legs(symbol)
            for side in (PositionSide.LONG, PositionSide.SHORT):
                book = venue.engine.leg(symbol, E.PositionSide[side.name])
                assert pair.leg(side).size == book.size, (symbol, side)
                if book.size:
                    assert pair.leg(side).entry_price == book.entry_price
        await hk.aclose()
