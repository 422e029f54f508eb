"""pytest plugin (entry point ``pytest11``): test a bot against the loopback simulator.

Installed with ``pip install "hedgekit[testing]"`` (pytest and pytest-asyncio); nothing to
configure: an ``async def`` test that uses one of these fixtures or the ``hedgekit`` marker runs on
pytest-asyncio's loop whatever ``asyncio_mode`` says (the plugin marks it ``asyncio``).

Fixtures:

``simulated_venue``
    A started :class:`~hedgekit.testing.harness.HarnessVenue` (a
    :class:`~hedgekit.testing.SimulatedVenue` that checks expected requests), stopped at teardown.
``hedge_client``
    An open :class:`~hedgekit.HedgeClient` connected to ``simulated_venue``, closed at teardown.
``make_simulated_venue`` / ``make_hedge_client``
    Factories for tests that need several venues or clients; all are closed at teardown.
``hedgekit_strict``
    The default strictness (``False``, or the ``hedgekit_strict`` ini value); override it in a
    ``conftest.py`` to make a whole directory strict.

The marker ``@pytest.mark.hedgekit(venue, **options)`` configures them:

* the venue (first argument or ``venue=``, default ``"binance"``) and the simulator's
  ``latency=``, ``balance=``, ``mark_prices=`` (or its short name ``marks=``);
* connect options of the clients: ``rate_limit=`` (default ``False``: the client-side limiter
  exists to keep a real venue's budgets, and against the loopback simulator it only makes tests
  wait; ``True`` to test your bot under it), ``retry=``, ``options=``, ``timeout=``,
  ``recv_window=``;
* ``strict=``: ``True`` fails the test on any request it did not declare with
  ``simulated_venue.expect(...)``, ``"writes"`` on any such request but ``GET`` (see
  :mod:`hedgekit.testing.harness`). Declared requests that never came fail the test in any mode.

Markers on the module, class and function merge; the closest wins per option.

Example::

    @pytest.mark.hedgekit("binance", mark_prices={"BTC/USDT:USDT": Decimal("60000")}, strict="writes")
    async def test_my_bot_hedges(hedge_client, simulated_venue):
        simulated_venue.expect("POST", "/fapi/v1/positionSide/dual")
        simulated_venue.expect("POST", "/fapi/v1/order", times=2)
        await my_bot.run_once(hedge_client)
        assert simulated_venue.engine.leg("BTC/USDT:USDT", "SHORT").size > 0
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from hedgekit.client import HedgeClient
    from hedgekit.testing.harness import HarnessVenue, Strictness
    from hedgekit.testing.server import SimulatedVenue

try:
    import pytest_asyncio

    _HAVE_PYTEST_ASYNCIO = True
except ImportError:  # pragma: no cover - exercised only where pytest-asyncio is missing
    _HAVE_PYTEST_ASYNCIO = False

MARKER = "hedgekit"
#: The simulator's own options (keyword arguments of ``SimulatedVenue``).
VENUE_OPTIONS = ("latency", "balance", "mark_prices")
#: Options of ``hedgekit.connect`` the marker passes to the plugin's clients.
CONNECT_OPTIONS = ("rate_limit", "retry", "options", "timeout", "recv_window")
#: The fixtures that make an ``async def`` test an asyncio test without configuration.
FIXTURES = frozenset({"simulated_venue", "hedge_client", "make_simulated_venue", "make_hedge_client"})
_INSTALL_HINT = "hedgekit's fixtures need pytest-asyncio: pip install 'hedgekit[testing]'"

_VENUES = pytest.StashKey["list[HarnessVenue]"]()


@dataclass(frozen=True)
class HarnessOptions:
    """What the ``hedgekit`` markers of a test say.

    Attributes:
        venue: The venue of ``simulated_venue``.
        venue_options: ``SimulatedVenue`` keyword arguments.
        connect_options: ``hedgekit.connect`` keyword arguments for the plugin's clients, the
            plugin's ``rate_limit=False`` default included.
        strict: The marker's strictness; ``None`` when no marker gives one.
    """

    venue: str = "binance"
    venue_options: dict[str, Any] = field(default_factory=dict)
    connect_options: dict[str, Any] = field(default_factory=lambda: {"rate_limit": False})
    strict: Strictness | None = None


def harness_options(node: pytest.Item) -> HarnessOptions:
    """Merge the ``hedgekit`` markers of ``node`` (the closest wins per option) and check them.

    Raises:
        pytest.UsageError: An unknown option, two spellings of one, or a bad ``strict``.
    """
    from hedgekit.testing.harness import parse_strictness

    merged: dict[str, Any] = {}
    for mark in node.iter_markers(MARKER):  # closest first
        given = dict(mark.kwargs)
        if mark.args:
            if len(mark.args) > 1 or "venue" in given:
                raise pytest.UsageError(f"{node.nodeid}: @pytest.mark.hedgekit takes one venue, "
                                        f"as its first argument or venue=, not {mark.args!r} {given!r}")
            given["venue"] = mark.args[0]
        if "marks" in given:
            if "mark_prices" in given:
                raise pytest.UsageError(f"{node.nodeid}: @pytest.mark.hedgekit: give marks= or mark_prices=, not both")
            given["mark_prices"] = given.pop("marks")
        for name, value in given.items():
            merged.setdefault(name, value)
    known = ("venue", "strict", *VENUE_OPTIONS, *CONNECT_OPTIONS)
    unknown = sorted(set(merged) - set(known))
    if unknown:
        raise pytest.UsageError(
            f"{node.nodeid}: @pytest.mark.hedgekit has no option {', '.join(unknown)}; it takes "
            f"{', '.join(known)} (and marks=, short for mark_prices=)"
        )
    venue = merged.get("venue", "binance")
    if not isinstance(venue, str):
        raise pytest.UsageError(f"{node.nodeid}: @pytest.mark.hedgekit venue must be a name, not {venue!r}")
    try:
        strict = parse_strictness(merged["strict"], where=f"{node.nodeid}: @pytest.mark.hedgekit") \
            if "strict" in merged else None
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    return HarnessOptions(
        venue=venue,
        venue_options={k: merged[k] for k in VENUE_OPTIONS if k in merged},
        connect_options={"rate_limit": False, **{k: merged[k] for k in CONNECT_OPTIONS if k in merged}},
        strict=strict,
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``hedgekit_strict`` ini option."""
    parser.addini(
        "hedgekit_strict",
        "hedgekit plugin: default strictness of simulated venues (false, true, writes)",
        default="false",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``hedgekit`` marker."""
    config.addinivalue_line(
        "markers",
        "hedgekit(venue='binance', *, strict=False, rate_limit=False, retry=None, options=None, timeout=, "
        "recv_window=, latency=, balance=, mark_prices=/marks=): configure hedgekit's simulated_venue "
        "and hedge_client fixtures",
    )


def _wants_asyncio(item: pytest.Function) -> bool:
    """An ``async def`` test using hedgekit's fixtures or marker, not yet marked ``asyncio``."""
    if not inspect.iscoroutinefunction(getattr(item, "obj", None)):
        return False
    if item.get_closest_marker("asyncio") is not None:
        return False
    return item.get_closest_marker(MARKER) is not None or not FIXTURES.isdisjoint(item.fixturenames)


if _HAVE_PYTEST_ASYNCIO:

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_pycollect_makeitem(
        collector: pytest.Module | pytest.Class, name: str, obj: object
    ) -> Generator[None, object, object]:
        """Mark the ``async def`` tests that use hedgekit's fixtures ``asyncio``.

        ``trylast`` makes this the innermost wrapper, so the mark is on the items before
        pytest-asyncio's own wrapper turns marked coroutine tests into asyncio items; with
        ``asyncio_mode = auto`` pytest-asyncio marks them anyway and this changes nothing.
        """
        result = yield
        items = result if isinstance(result, (list, tuple)) else [result]
        for item in items:
            if isinstance(item, pytest.Function) and _wants_asyncio(item):
                item.add_marker(pytest.mark.asyncio)
        return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Check the requests of the test body against what the test declared, when the body passed."""
    for venue in item.stash.get(_VENUES, []):
        venue.begin_checking()  # requests of the fixtures' set-up are not the test's
    result = yield
    venues = item.stash.get(_VENUES, [])
    if venues:
        from hedgekit.testing.harness import report

        text = report(venues)
        if text is not None:
            pytest.fail(text, pytrace=False)
    return result


@pytest.fixture
def hedgekit_strict(pytestconfig: pytest.Config) -> Strictness:
    """The strictness of venues whose marker gives none: the ``hedgekit_strict`` ini value.

    Override it in a ``conftest.py`` (``return True`` or ``"writes"``) for a whole directory.
    """
    from hedgekit.testing.harness import parse_strictness

    try:
        return parse_strictness(pytestconfig.getini("hedgekit_strict"), where="ini option hedgekit_strict")
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None


if _HAVE_PYTEST_ASYNCIO:

    @pytest_asyncio.fixture
    async def make_simulated_venue(
        request: pytest.FixtureRequest, hedgekit_strict: Strictness
    ) -> AsyncIterator[Callable[..., Awaitable[HarnessVenue]]]:
        """Start simulated venues on demand: ``await make_simulated_venue("okx", latency=0.01)``.

        Keyword arguments are :class:`~hedgekit.testing.SimulatedVenue`'s, and ``strict=`` (default:
        the marker's, else ``hedgekit_strict``). Every venue is stopped at teardown.
        """
        from hedgekit.testing.harness import HarnessVenue, parse_strictness

        marked = harness_options(request.node).strict
        default = hedgekit_strict if marked is None else marked
        started: list[HarnessVenue] = []
        checked = request.node.stash.setdefault(_VENUES, [])

        async def make(venue: str = "binance", *, strict: object = None, **options: Any) -> HarnessVenue:
            level = default if strict is None else parse_strictness(strict, where="make_simulated_venue")
            sim = HarnessVenue(venue, strict=level, **options)
            await sim.start()
            started.append(sim)
            checked.append(sim)
            return sim

        try:
            yield make
        finally:
            for sim in reversed(started):
                await sim.stop()

    @pytest_asyncio.fixture
    async def make_hedge_client(
        request: pytest.FixtureRequest, make_simulated_venue: Callable[..., Awaitable[HarnessVenue]]
    ) -> AsyncIterator[Callable[..., Awaitable[HedgeClient]]]:
        """Open clients bound to a simulated venue: ``await make_hedge_client(venue, retry=...)``.

        Keyword arguments are :func:`hedgekit.connect`'s; the marker's connect options are the
        defaults, and ``rate_limit`` is ``False`` unless one of them says otherwise. The requests of
        the connect itself are left out of the strict check. Every client is closed at teardown,
        before the venues stop.
        """
        import hedgekit
        from hedgekit.testing.harness import HarnessVenue

        defaults = harness_options(request.node).connect_options
        opened: list[HedgeClient] = []

        async def make(venue: SimulatedVenue, **options: Any) -> HedgeClient:
            client = hedgekit.connect(venue.venue, base_url=venue.base_url, **venue.credentials,
                                      **{**defaults, **options})
            start = len(venue.requests)
            try:
                await client.open()
            finally:
                if isinstance(venue, HarnessVenue):
                    venue.exempt_from(start)
            opened.append(client)
            return client

        try:
            yield make
        finally:
            for client in reversed(opened):
                await client.aclose()

    @pytest_asyncio.fixture
    async def simulated_venue(
        request: pytest.FixtureRequest, make_simulated_venue: Callable[..., Awaitable[HarnessVenue]]
    ) -> HarnessVenue:
        """A started simulated venue, configured by ``@pytest.mark.hedgekit(...)``."""
        options = harness_options(request.node)
        return await make_simulated_venue(options.venue, **options.venue_options)

    @pytest_asyncio.fixture
    async def hedge_client(
        simulated_venue: HarnessVenue, make_hedge_client: Callable[..., Awaitable[HedgeClient]]
    ) -> HedgeClient:
        """An open client connected to ``simulated_venue``, with the marker's connect options."""
        return await make_hedge_client(simulated_venue)

else:  # pragma: no cover - exercised only where pytest-asyncio is missing

    @pytest.fixture
    def make_simulated_venue() -> None:
        """Unavailable: pytest-asyncio is not installed."""
        pytest.fail(_INSTALL_HINT, pytrace=False)

    @pytest.fixture
    def make_hedge_client() -> None:
        """Unavailable: pytest-asyncio is not installed."""
        pytest.fail(_INSTALL_HINT, pytrace=False)

    @pytest.fixture
    def simulated_venue() -> None:
        """Unavailable: pytest-asyncio is not installed."""
        pytest.fail(_INSTALL_HINT, pytrace=False)

    @pytest.fixture
    def hedge_client() -> None:
        """Unavailable: pytest-asyncio is not installed."""
        pytest.fail(_INSTALL_HINT, pytrace=False)
