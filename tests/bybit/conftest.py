"""Fixtures of the Bybit tests: a simulated Bybit venue, a hedgekit client on it, a signed raw client."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.frontend import RecordedRequest

from hedgekit_bybit.simulator import sign

BTC = "BTC/USDT:USDT"
ETH = "ETH/USDT:USDT"
SOL = "SOL/USDT:USDT"
MARKS = {BTC: Decimal("60000"), ETH: Decimal("3000")}


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("bybit", mark_prices=dict(MARKS)) as sim:
        yield sim


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("bybit", base_url=venue.base_url, **venue.credentials) as client:
        yield client


class RawClient:
    """Signs v5 requests the way Bybit's guide says, for wire-level tests of the simulator."""

    def __init__(self, venue: SimulatedVenue, session: aiohttp.ClientSession) -> None:
        self.venue, self.session = venue, session
        self.key, self.secret = venue.credentials["api_key"], venue.credentials["secret"]

    def headers(self, payload: str, *, key: str | None = None, secret: str | None = None,
                timestamp: int | None = None, window: str = "5000") -> dict[str, str]:
        ts = str(timestamp if timestamp is not None else int(time.time() * 1000))
        key = self.key if key is None else key
        origin = ts + key + window + payload
        return {"X-BAPI-API-KEY": key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-RECV-WINDOW": window,
                "X-BAPI-SIGN": sign(self.secret if secret is None else secret, origin),
                "Content-Type": "application/json"}

    async def get(self, path: str, params: dict[str, Any] | None = None, *, signed: bool = True,
                  **auth: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        query = urlencode(params or {})
        headers = self.headers(query, **auth) if signed else {}
        url = f"{self.venue.base_url}{path}" + (f"?{query}" if query else "")
        async with self.session.get(url, headers=headers) as resp:
            return resp.status, await resp.json(content_type=None), dict(resp.headers)

    async def post(self, path: str, body: dict[str, Any], **auth: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        text = json.dumps(body)
        async with self.session.post(f"{self.venue.base_url}{path}", data=text,
                                     headers=self.headers(text, **auth)) as resp:
            return resp.status, await resp.json(content_type=None), dict(resp.headers)


@pytest_asyncio.fixture
async def raw(venue: SimulatedVenue) -> AsyncIterator[RawClient]:
    async with aiohttp.ClientSession() as session:
        yield RawClient(venue, session)


def last(venue: SimulatedVenue, method: str, path: str) -> RecordedRequest:
    found = [r for r in venue.requests if r.method == method and r.path == path]
    assert found, f"no {method} {path} among {[(r.method, r.path) for r in venue.requests]}"
    return found[-1]


def body(request: RecordedRequest) -> dict[str, Any]:
    """The JSON body exactly as sent (types included)."""
    decoded = json.loads(request.body)
    assert isinstance(decoded, dict)
    return decoded


def writes(venue: SimulatedVenue) -> list[str]:
    return [r.path for r in venue.requests if r.method == "POST"]
