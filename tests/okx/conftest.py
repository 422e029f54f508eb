"""Fixtures of the OKX tests: a simulated OKX venue and a hedgekit client bound to it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient
from hedgekit.testing import RecordedRequest, SimulatedVenue

BTC = "BTC/USDT:USDT"
ETH = "ETH/USDT:USDT"
ADA = "ADA/USDT:USDT"
MARKS = {BTC: Decimal("60000"), ETH: Decimal("3000"), ADA: Decimal("0.5")}


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("okx", mark_prices=dict(MARKS)) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("okx", base_url=venue.base_url, **venue.credentials) as client:
        yield client


def sent(venue: SimulatedVenue, method: str, path: str) -> list[RecordedRequest]:
    """Every request of ``method path`` the venue received, oldest first."""
    return [r for r in venue.requests if r.method == method and r.path == f"/api/v5/{path}"]


def last_body(venue: SimulatedVenue, path: str) -> Any:
    """The JSON body of the last POST to ``path``."""
    found = sent(venue, "POST", path)
    assert found, f"no POST {path} among {[(r.method, r.path) for r in venue.requests]}"
    return json.loads(found[-1].body)


def posts(venue: SimulatedVenue) -> int:
    """How many writing requests the venue received."""
    return sum(1 for r in venue.requests if r.method != "GET")
