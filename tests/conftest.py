"""Shared fixtures: a simulated venue per registered venue, and a client bound to it."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Iterator
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


#: Set by tests/reliability/test_secrets.py: a folder where every log record (DEBUG and up), every
#: credential handed out and every key and signature value sent on the wire is written, so the run
#: can be searched for them afterwards.
AUDIT = os.environ.get("HEDGEKIT_SECRET_AUDIT")

#: Where keys and signatures travel (case-insensitive headers; parameters): Binance/Aster v1
#: ``X-MBX-APIKEY`` + ``signature``, Aster v3 ``signature``, Bybit ``X-BAPI-API-KEY``/``X-BAPI-SIGN``,
#: OKX ``OK-ACCESS-KEY``/``OK-ACCESS-SIGN``/``OK-ACCESS-PASSPHRASE`` (VENUES.md §1.7, 2.7, 3.7, 4.7).
WIRE_SECRET_HEADERS = ("X-MBX-APIKEY", "X-BAPI-API-KEY", "X-BAPI-SIGN", "OK-ACCESS-KEY", "OK-ACCESS-SIGN",
                       "OK-ACCESS-PASSPHRASE")
WIRE_SECRET_PARAMS = ("signature",)


def _wire_secrets(sim: SimulatedVenue) -> list[str]:
    """Every key and signature value the venue received, as sent."""
    found = {r.headers[h] for r in sim.requests for h in WIRE_SECRET_HEADERS if h in r.headers}
    found |= {str(r.params[p]) for r in sim.requests for p in WIRE_SECRET_PARAMS if p in r.params}
    return sorted(found)


@pytest.fixture(autouse=True)
def _audit_log() -> Iterator[None]:
    if not AUDIT:
        yield
        return
    handler = logging.FileHandler(os.path.join(AUDIT, "log.txt"), encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


@pytest_asyncio.fixture
async def venue(venue_name: str) -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue(venue_name, mark_prices=dict(MARKS)) as sim:
        if AUDIT:
            with open(os.path.join(AUDIT, "secrets.jsonl"), "a", encoding="utf-8") as out:
                out.write(json.dumps({"venue": sim.venue, **sim.credentials}) + "\n")
        yield sim
        if AUDIT:
            with open(os.path.join(AUDIT, "dumps.txt"), "a", encoding="utf-8") as out:
                out.write(repr(sim.requests) + "\n" + json.dumps([r.dump() for r in sim.requests], default=str) + "\n")
            with open(os.path.join(AUDIT, "wire.jsonl"), "a", encoding="utf-8") as out:
                out.write(json.dumps({"venue": sim.venue, "values": _wire_secrets(sim)}) + "\n")


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect(venue.venue, base_url=venue.base_url, **venue.credentials) as client:
        yield client


def writes(venue: SimulatedVenue) -> int:
    """Requests that could change state at the venue (anything but GET)."""
    return sum(1 for r in venue.requests if r.method != "GET")


EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


async def run_example(file: str, venue: str, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str], timeout: float = 60.0) -> str:
    """Run ``examples/<file>``'s ``main()`` in this process on ``venue``'s embedded simulator (no
    credentials in the environment) and return what it printed."""
    import asyncio
    import runpy

    for key in ("HEDGEKIT_API_KEY", "HEDGEKIT_SECRET", "HEDGEKIT_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HEDGEKIT_VENUE", venue)
    monkeypatch.syspath_prepend(EXAMPLES)  # the recipes share examples/_venue.py
    module = runpy.run_path(os.path.join(EXAMPLES, file), run_name="example")
    await asyncio.wait_for(module["main"](), timeout)
    return str(capsys.readouterr().out)
