"""Shared fixtures: a simulated venue per registered venue, and a client bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient
from hedgekit.testing import SimulatedVenue

VENUES = hedgekit.available_venues()
BTC = "BTC/USDT:USDT"
ETH = "ETH/USDT:USDT"
MARKS = {BTC: Decimal("60000"), ETH: Decimal("3000")}


@pytest.fixture(params=VENUES)
def venue_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest_asyncio.fixture
async def venue(venue_name: str) -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue(venue_name, mark_prices=dict(MARKS)) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect(venue.venue, base_url=venue.base_url, **venue.credentials) as client:
        yield client


def writes(venue: SimulatedVenue) -> int:
    """Requests that could change state at the venue (anything but GET)."""
    return sum(1 for r in venue.requests if r.method != "GET")
