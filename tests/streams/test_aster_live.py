"""End to end: ``hk.stream()`` on the simulated Aster venue agrees with REST after each step."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient, PositionMode
from hedgekit.testing import SimulatedVenue

from tests.streams.live_steps import BTC, run_steps


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("aster", mark_prices={BTC: Decimal("60000")}) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("aster", base_url=venue.base_url, **venue.credentials) as client:
        await client.set_position_mode(PositionMode.HEDGE)
        yield client


async def test_live_stream_agrees_with_rest(venue: SimulatedVenue, hk: HedgeClient) -> None:
    await run_steps(venue, hk)
