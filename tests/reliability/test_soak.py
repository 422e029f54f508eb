"""Soak: 2,000 order intents per venue with 10% of requests hit by every kind of fault.

At the end: no duplicate orders at the venue, every intent either confirmed exactly once or reported
as failed with certainty (its client order id is not at the venue), and the legs hedgekit reads
equal the simulator's own books. Not a timed test: the faults' waits are kept small.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from decimal import ROUND_CEILING, Decimal

import pytest

import hedgekit
from hedgekit import HedgeClient, OrderStatusUnknown, PositionMode, PositionSide, RetryPolicy
from hedgekit.testing import SimulatedVenue
from hedgekit.testing import engine_types as E
from hedgekit.testing.faults import FaultKind

from ..conftest import VENUES

INTENTS = 2000
SYMBOLS = ("BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT")
FAILURES: Counter[str] = Counter()
POLICY = RetryPolicy(attempts=8, backoff_initial=0.001, backoff_cap=0.004, retry_after_cap=0.005)


MARKS = {"BTC/USDT:USDT": Decimal("60000"), "ETH/USDT:USDT": Decimal("3000"), "SOL/USDT:USDT": Decimal("150")}


async def _worker(hk: HedgeClient, symbol: str, count: int, seed: int, outcome: dict[str, str]) -> None:
    rng = random.Random(seed)
    market = hk.market(symbol)
    # the smallest size on the lot step that meets the minimum quantity and notional
    smallest = max(market.min_quantity, market.min_notional / (MARKS[symbol] * market.contract_size))
    unit = (smallest / market.lot_step).to_integral_value(rounding=ROUND_CEILING) * market.lot_step
    held = {PositionSide.LONG: Decimal(0), PositionSide.SHORT: Decimal(0)}
    for n in range(count):
        side = rng.choice((PositionSide.LONG, PositionSide.SHORT))
        steps = rng.randint(1, 5)
        size = unit * steps
        closing = held[side] >= size and rng.random() < 0.45
        name = f"{'close' if closing else 'open'}_{side.value}"
        cid = f"s{seed}n{n}" + "x" * 3
        try:
            order = await getattr(hk, name)(symbol, size, client_order_id=cid)
        except OrderStatusUnknown:
            outcome[cid] = "unknown"
            continue
        except hedgekit.HedgekitError as exc:
            outcome[cid] = "failed"
            FAILURES[type(exc).__name__ + " " + str(exc)[:90]] += 1
            continue
        assert order.client_order_id == cid
        outcome[cid] = "confirmed"
        held[side] += -size if closing else size


@pytest.mark.parametrize("venue_name", VENUES)
async def test_soak_exactly_once_under_faults(venue_name: str) -> None:
    async with SimulatedVenue(venue_name, mark_prices=MARKS, balance=Decimal("10000000")) as venue:
        async with hedgekit.connect(
            venue_name, base_url=venue.base_url, retry=POLICY, rate_limit=False, **venue.credentials
        ) as hk:
            for symbol in SYMBOLS:
                hk.market(symbol)
            await hk.set_position_mode(PositionMode.HEDGE, symbol=SYMBOLS[0])
            for symbol in SYMBOLS[1:]:
                await hk.set_position_mode(PositionMode.HEDGE, symbol=symbol)
            venue.inject_random(0.10, tuple(FaultKind), seed=7, delay=0.002, retry_after=0.002)
            outcome: dict[str, str] = {}
            per_worker = INTENTS // len(SYMBOLS)
            counts = [per_worker] * len(SYMBOLS)
            counts[0] += INTENTS - per_worker * len(SYMBOLS)
            await asyncio.gather(
                *(_worker(hk, symbol, count, seed, outcome) for seed, (symbol, count) in enumerate(zip(SYMBOLS, counts)))
            )
            venue.faults.clear()
            kinds = Counter(f.kind for f in venue.injected)
            assert set(kinds) == set(FaultKind), kinds  # every kind of fault was exercised
            assert len(outcome) == INTENTS
            assert "unknown" not in outcome.values()

            at_venue = Counter(o.client_order_id for o in venue.engine.all_orders())
            duplicates = {cid: n for cid, n in at_venue.items() if n > 1}
            assert not duplicates
            for cid, result in outcome.items():
                expected = 1 if result == "confirmed" else 0
                assert at_venue.get(cid, 0) == expected, (cid, result)
            confirmed = sum(1 for r in outcome.values() if r == "confirmed")
            assert confirmed > INTENTS * 0.9, FAILURES.most_common(5)

            for symbol in SYMBOLS:
                pair = await hk.legs(symbol)
                for side in (PositionSide.LONG, PositionSide.SHORT):
                    book = venue.engine.leg(symbol, E.PositionSide[side.name])
                    assert pair.leg(side).size == book.size, (symbol, side)
                    if book.size:
                        assert pair.leg(side).entry_price == book.entry_price
