"""The pytest plugin's venue: a :class:`SimulatedVenue` that also checks which requests a test sent.

Imported by the plugin's fixtures only when a test uses them, so loading the plugin (it loads in
every pytest run where hedgekit is installed) imports neither aiohttp nor the simulator.

A test declares the requests it expects; at the end of the test body the plugin checks them:

* every expectation must have been met (at least once, or exactly ``times``);
* in strict mode, every request the venue received while the test body ran must match an
  expectation (``strict="writes"``: every request but ``GET``), as ``pytest_httpx`` fails a test on
  a request it did not expect. Requests sent while the plugin connects a client (the market load
  of ``hedge_client`` and ``make_hedge_client``) are never counted: they are the harness's, not the
  bot's.

Example::

    @pytest.mark.hedgekit("binance", strict=True)
    async def test_bot_sends_two_orders(hedge_client, simulated_venue):
        simulated_venue.expect("POST", "/fapi/v1/order", times=2)
        simulated_venue.expect("GET", "*")            # any read hedgekit makes on its own
        simulated_venue.expect("POST", "/fapi/v1/positionSide/dual")
        await my_bot.run_once(hedge_client)
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from hedgekit.testing.frontend import RecordedRequest, redacted_params
from hedgekit.testing.server import SimulatedVenue

__all__ = ["Expectation", "HarnessVenue", "Strictness", "parse_strictness", "report"]

Strictness = Literal[False, True, "writes"]
"""``False``: requests nobody expected pass; ``True``: every request must be expected;
``"writes"``: every request but ``GET`` must be expected."""


def parse_strictness(value: object, *, where: str) -> Strictness:
    """Read a strictness setting (a marker argument, the ``hedgekit_strict`` ini value, a fixture).

    Accepts ``True``/``False``, ``"writes"`` and the ini spellings ``true``/``false``/``1``/``0``/
    ``yes``/``no``/``on``/``off`` (any case).

    Raises:
        ValueError: Anything else; the message names ``where`` the value came from.
    """
    if value is True or value is False:
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("1", "true", "yes", "on", "all"):
            return True
        if text in ("", "0", "false", "no", "off"):
            return False
        if text == "writes":
            return "writes"
    raise ValueError(f"{where}: strict must be True, False or 'writes', not {value!r}")


@dataclass
class Expectation:
    """A request a test expects the venue to receive.

    Attributes:
        method: Upper-case HTTP method, or ``"*"`` for any.
        path: The URL path (``"/fapi/v1/order"``) or a shell-style pattern (``"/fapi/v1/*"``).
        params: Parameters the request must carry with these values (compared as text, so
            ``Decimal("0.01")`` matches ``"0.01"``); other parameters may be present too.
        times: How many matching requests there must be; ``None``: at least one.
        matched: The requests that matched, in order.
    """

    method: str
    path: str
    params: Mapping[str, Any] = field(default_factory=dict)
    times: int | None = None
    matched: list[RecordedRequest] = field(default_factory=list)

    def matches(self, request: RecordedRequest) -> bool:
        """Whether ``request`` is one of the requests this expectation describes."""
        if self.method != "*" and self.method != request.method:
            return False
        if self.path != request.path and not fnmatch.fnmatchcase(request.path, self.path):
            return False
        return all(name in request.params and _text(request.params[name]) == _text(value)
                   for name, value in self.params.items())

    @property
    def met(self) -> bool:
        """Whether the venue received what was expected (so far)."""
        return len(self.matched) >= 1 if self.times is None else len(self.matched) == self.times

    def describe(self) -> str:
        """``POST /fapi/v1/order {'side': 'BUY'} x2``: the expectation as a failure report shows it."""
        params = f" {dict(self.params)!r}" if self.params else ""
        times = "at least once" if self.times is None else f"x{self.times}"
        return f"{self.method} {self.path}{params} {times}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _show(request: RecordedRequest) -> str:
    params = redacted_params(request.params)
    shown = {k: v for k, v in params.items() if k not in ("timestamp", "recvWindow", "signature")}
    return f"{request.method} {request.path}" + (f" {shown!r}" if shown else "")


class HarnessVenue(SimulatedVenue):
    """A :class:`SimulatedVenue` whose test declares the requests it expects (the plugin's venue).

    Args:
        venue: A registered venue name.
        strict: Whether a request no expectation matches fails the test (see :data:`Strictness`).
        **options: :class:`SimulatedVenue`'s own (``latency``, ``balance``, ``mark_prices``).

    Attributes:
        strict: The strictness in force; a test may change it.
        expectations: The expectations declared so far.
    """

    def __init__(self, venue: str = "binance", *, strict: Strictness = False, **options: Any) -> None:
        super().__init__(venue, **options)
        self.strict: Strictness = strict
        self.expectations: list[Expectation] = []
        self._checked_from = 0
        self._exempt: list[tuple[int, int]] = []

    def expect(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
               times: int | None = None) -> Expectation:
        """Declare a request this test expects; checked when the test body ends.

        Args:
            method: The HTTP method (any case), or ``"*"`` for any.
            path: The exact URL path, or a shell-style pattern (``"*"`` for every path).
            params: Parameters the request must carry with these values.
            times: The exact number of such requests; ``None``: at least one.

        Raises:
            ValueError: ``times`` is negative or ``method``/``path`` is empty.
        """
        if not method or not path:
            raise ValueError("expect() needs a method and a path")
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 0):
            raise ValueError(f"times must be a count >= 0 or None, not {times!r}")
        expectation = Expectation(method.upper() if method != "*" else "*", path, dict(params or {}), times)
        self.expectations.append(expectation)
        return expectation

    # -- used by the plugin ----------------------------------------------------------------
    def begin_checking(self) -> None:
        """Count only the requests from now on (the plugin calls it when the test body starts)."""
        self._checked_from = len(self.requests)

    def exempt_from(self, start: int) -> None:
        """Leave requests ``start`` up to now out of the check (the harness's own, e.g. a connect)."""
        self._exempt.append((start, len(self.requests)))

    def checked_requests(self) -> list[RecordedRequest]:
        """The requests the check counts: since :meth:`begin_checking`, less the exempt ones."""
        out = []
        for index in range(self._checked_from, len(self.requests)):
            if not any(lo <= index < hi for lo, hi in self._exempt):
                out.append(self.requests[index])
        return out

    def problems(self) -> list[str]:
        """What the test did not do as it declared: unmet expectations, and in strict mode the
        requests nobody expected. Empty when all is as declared."""
        for expectation in self.expectations:
            expectation.matched.clear()
        unexpected: list[RecordedRequest] = []
        for request in self.checked_requests():
            hits = [e for e in self.expectations if e.matches(request)]
            for expectation in hits:
                expectation.matched.append(request)
            if not hits and (self.strict is True or (self.strict == "writes" and request.method != "GET")):
                unexpected.append(request)
        out = [f"expected {e.describe()}, received {len(e.matched)}" for e in self.expectations if not e.met]
        if unexpected:
            rule = "every request" if self.strict is True else "every request but GET"
            out.append(f"{len(unexpected)} unexpected request(s) (strict={self.strict!r}: {rule} must match "
                       f"an expect()):")
            out += [f"  {_show(r)}" for r in unexpected]
        return out


def report(venues: Sequence[HarnessVenue]) -> str | None:
    """The failure text for ``venues``' problems, ``None`` when every venue is as declared."""
    parts = []
    for venue in venues:
        found = venue.problems()
        if found:
            parts.append(f"simulated {venue.venue} venue:\n" + "\n".join(f"  {line}" for line in found))
    return "\n".join(parts) if parts else None
