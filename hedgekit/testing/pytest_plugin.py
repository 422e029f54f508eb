"""pytest plugin (entry point ``pytest11``): test a bot against the loopback simulator.

Fixtures (async, through pytest-asyncio):

``simulated_venue``
    A started :class:`~hedgekit.testing.SimulatedVenue`, stopped at teardown. Configure it with the
    marker ``@pytest.mark.hedgekit(venue="binance", latency=0.0, ...)``; the marker's keyword
    arguments go to ``SimulatedVenue``.
``hedge_client``
    An open :class:`~hedgekit.HedgeClient` connected to ``simulated_venue``.
``make_simulated_venue`` / ``make_hedge_client``
    Factories for tests that need several venues or clients; all are closed at teardown.

Example::

    @pytest.mark.hedgekit(venue="binance")
    async def test_my_bot_hedges(hedge_client, simulated_venue):
        await my_bot.run_once(hedge_client)
        assert simulated_venue.engine.leg("BTC/USDT:USDT", "SHORT").size > 0
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from hedgekit.client import HedgeClient
    from hedgekit.testing.server import SimulatedVenue

try:
    import pytest_asyncio

    _HAVE_PYTEST_ASYNCIO = True
except ImportError:  # pragma: no cover - the fixtures need pytest-asyncio
    _HAVE_PYTEST_ASYNCIO = False


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "hedgekit(venue='binance', **options): configure the simulated_venue fixture of hedgekit's plugin",
    )


if _HAVE_PYTEST_ASYNCIO:

    @pytest_asyncio.fixture
    async def make_simulated_venue() -> AsyncIterator[Callable[..., Awaitable[SimulatedVenue]]]:
        """Start simulated venues on demand: ``await make_simulated_venue("binance", latency=0.01)``."""
        from hedgekit.testing.server import SimulatedVenue

        started: list[SimulatedVenue] = []

        async def make(venue: str = "binance", **options: Any) -> SimulatedVenue:
            sim = SimulatedVenue(venue, **options)
            await sim.start()
            started.append(sim)
            return sim

        try:
            yield make
        finally:
            for sim in reversed(started):
                await sim.stop()

    @pytest_asyncio.fixture
    async def make_hedge_client() -> AsyncIterator[Callable[..., Awaitable[HedgeClient]]]:
        """Open clients bound to a simulated venue: ``await make_hedge_client(venue)``."""
        import hedgekit

        opened: list[HedgeClient] = []

        async def make(venue: SimulatedVenue, **options: Any) -> HedgeClient:
            client = hedgekit.connect(venue.venue, base_url=venue.base_url, **venue.credentials, **options)
            await client.open()
            opened.append(client)
            return client

        try:
            yield make
        finally:
            for client in reversed(opened):
                await client.aclose()

    @pytest_asyncio.fixture
    async def simulated_venue(
        request: pytest.FixtureRequest, make_simulated_venue: Callable[..., Awaitable[SimulatedVenue]]
    ) -> SimulatedVenue:
        """A started simulated venue, configured by ``@pytest.mark.hedgekit(...)``."""
        marker = request.node.get_closest_marker("hedgekit")
        options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
        if marker is not None and marker.args:
            options.setdefault("venue", marker.args[0])
        venue = options.pop("venue", "binance")
        return await make_simulated_venue(venue, **options)

    @pytest_asyncio.fixture
    async def hedge_client(
        simulated_venue: SimulatedVenue, make_hedge_client: Callable[..., Awaitable[HedgeClient]]
    ) -> HedgeClient:
        """An open client connected to ``simulated_venue``."""
        return await make_hedge_client(simulated_venue)
