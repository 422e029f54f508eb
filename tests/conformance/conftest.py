"""The conformance suite's client: the public API with hedgekit's defaults, less the client-side limiter.

These scenarios test what each venue does with hedge-mode calls, not pacing. With ``rate_limit``
on, OKX's own budgets (five ``GET /api/v5/account/config`` or ``set-position-mode`` per 2 s,
hedgekit_okx/limits.py) make a scenario that reads the mode a few times wait out the limiter's
2.2 s window, which tells nothing about the venue. The limiter itself is tested on its own
(tests/okx/test_okx_rate_limit.py, tests/unit/test_request_weights.py, tests/reliability/
test_backoff.py), and the pause after a rate-limit answer applies with ``rate_limit=False`` too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

import hedgekit
from hedgekit import HedgeClient
from hedgekit.testing import SimulatedVenue


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect(venue.venue, base_url=venue.base_url, rate_limit=False, **venue.credentials) as client:
        yield client
