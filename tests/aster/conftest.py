"""Fixtures of the Aster tests: a simulated Aster venue and a hedgekit client bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient
from hedgekit.testing import RecordedRequest, SimulatedVenue
from hedgekit_aster.auth import MAINNET_CHAIN_ID, V3Signer, private_key_bytes
from hedgekit_aster.simulator import AsterFrontend

BTC = "BTC/USDT:USDT"
ETH = "ETH/USDT:USDT"


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("aster", mark_prices={BTC: Decimal("60000"), ETH: Decimal("3000")}) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("aster", base_url=venue.base_url, **venue.credentials) as client:
        yield client


def frontend(venue: SimulatedVenue) -> AsterFrontend:
    """The venue's Aster frontend (agents, builders, legacy keys)."""
    assert isinstance(venue.frontend, AsterFrontend)
    return venue.frontend


def sent(venue: SimulatedVenue, method: str, path: str) -> list[RecordedRequest]:
    """Every ``method path`` request the venue received, oldest first."""
    return [r for r in venue.requests if r.method == method and r.path == path]


def last(venue: SimulatedVenue, method: str, path: str) -> RecordedRequest:
    """The last ``method path`` request, with a clear failure when there was none."""
    found = sent(venue, method, path)
    assert found, f"no {method} {path} among {[(r.method, r.path) for r in venue.requests]}"
    return found[-1]


async def v3(venue: SimulatedVenue, method: str, path: str, **params: str) -> tuple[int, Any]:
    """One request signed as the venue's API wallet (query string for GET, form body otherwise)."""
    creds = venue.credentials
    query, _ = V3Signer(creds["api_key"], private_key_bytes(creds["secret"]), MAINNET_CHAIN_ID).sign(params)
    async with aiohttp.ClientSession() as session:
        if method == "GET":
            request = session.request(method, f"{venue.base_url}{path}?{query}")
        else:
            request = session.request(method, f"{venue.base_url}{path}", data=query,
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        async with request as resp:
            return resp.status, await resp.json(content_type=None)
