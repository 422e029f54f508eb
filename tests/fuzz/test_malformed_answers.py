"""Fuzz each adapter's response parsing: malformed and truncated venue answers give hedgekit errors only.

A middleware in the simulator mangles the venue's real answers (drops fields, changes types,
truncates the body); whatever the facade is asked, nothing but a ``HedgekitError`` may escape: no
``KeyError``, ``TypeError`` or ccxt exception.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hedgekit
from hedgekit import HedgeClient, PositionMode, PositionSide, RetryPolicy
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.frontend import Handler, RecordedRequest, WireResponse

from ..conftest import VENUES

BTC = "BTC/USDT:USDT"
WEIRD: list[Any] = [None, "", "abc", "NaN", "-1e999", 0, -1, 1.5, True, [], {}, [1, 2], {"x": 1}, "1" * 400]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node[:5]):
            out += _paths(value, prefix + (index,))
    return out


def mangle(body: str, rng: random.Random) -> str:
    """One random corruption of a JSON answer."""
    choice = rng.random()
    if choice < 0.15:
        return body[: rng.randrange(0, max(1, len(body)))]  # truncated
    if choice < 0.25:
        return rng.choice(["", "null", "[]", "{}", "<html><body>502 Bad Gateway</body></html>", '"ok"', "0"])
    try:
        data = json.loads(body)
    except ValueError:
        return body
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _paths(data) if p]
        if not paths:
            return json.dumps(rng.choice(WEIRD))
        path = rng.choice(paths)
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and rng.random() < 0.4:
            del parent[path[-1]]
        else:
            parent[path[-1]] = rng.choice(WEIRD)
    return json.dumps(data)


@pytest_asyncio.fixture(params=VENUES)
async def setup(request: Any) -> AsyncIterator[tuple[HedgeClient, SimulatedVenue, dict[str, Any]]]:
    state: dict[str, Any] = {"rng": None}

    async def corrupt(req: RecordedRequest, call_next: Handler) -> WireResponse:
        answer = await call_next(req)
        rng = state["rng"]
        if rng is None or rng.random() < 0.3:
            return answer
        return WireResponse(answer.status, mangle(answer.body, rng), answer.content_type, answer.headers)

    async with SimulatedVenue(request.param, mark_prices={BTC: Decimal("60000")}) as venue:
        venue.add_middleware(corrupt)
        policy = RetryPolicy(attempts=2, backoff_initial=0.0005, backoff_cap=0.001, retry_after_cap=0.001)
        async with hedgekit.connect(request.param, base_url=venue.base_url, retry=policy, rate_limit=False,
                                    **venue.credentials) as hk:
            await hk.set_position_mode(PositionMode.HEDGE, BTC)
            await hk.open_long(BTC, Decimal("0.01"))
            await hk.open_short(BTC, Decimal("0.01"), price=Decimal("70000"))
            yield hk, venue, state


CALLS = [
    lambda hk: hk.position_mode(BTC),
    lambda hk: hk.legs(BTC),
    lambda hk: hk.positions(),
    lambda hk: hk.open_orders(),
    lambda hk: hk.exposure(BTC),
    lambda hk: hk.set_position_mode(PositionMode.ONE_WAY, BTC),
    lambda hk: hk.open_long(BTC, Decimal("0.01")),
    lambda hk: hk.close_long(BTC, Decimal("0.01")),
    lambda hk: hk.open_short(BTC, Decimal("0.01"), price=Decimal("71000")),
    lambda hk: hk.stop_market(BTC, PositionSide.LONG, Decimal("50000")),
    lambda hk: hk.set_leverage(BTC, 21),
    lambda hk: hk.adjust_margin(BTC, PositionSide.LONG, Decimal("5")),
    lambda hk: hk.fetch_order(BTC, client_order_id="nope"),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), picks=st.lists(st.integers(0, len(CALLS) - 1), min_size=1, max_size=4))
async def test_only_hedgekit_errors_escape(setup: tuple[HedgeClient, SimulatedVenue, dict[str, Any]], seed: int,
                                           picks: list[int]) -> None:
    hk, _venue, state = setup
    state["rng"] = random.Random(seed)
    try:
        for pick in picks:
            try:
                await CALLS[pick](hk)
            except hedgekit.HedgekitError as exc:
                assert isinstance(str(exc), str)
    finally:
        state["rng"] = None


async def test_malformed_answers_become_hedgekit_errors(setup: tuple[HedgeClient, SimulatedVenue, dict[str, Any]]) -> None:
    """The corruption really reaches the parsers: over fixed seeds, many calls fail, all cleanly."""
    hk, _venue, state = setup
    seen: Counter[str] = Counter()
    for seed in range(30):
        state["rng"] = random.Random(seed)
        for call in CALLS:
            try:
                await call(hk)
            except hedgekit.HedgekitError as exc:
                seen[type(exc).__name__] += 1
    state["rng"] = None
    assert sum(seen.values()) >= 60, seen
    assert seen["ExchangeError"] > 0, seen
    assert seen["MalformedResponse"] > 0, seen  # reads that could not be read completely say so
