"""Client-side pacing, venue-neutral: each venue's documented request budgets, and one pause per
account after the venue answers "too many requests".

* :class:`Gate`, one per **account**: every client of one venue, host and API key in this process
  shares it (the registry is keyed by a SHA-256 digest of the key, never the key itself). A
  rate-limit answer (HTTP 429/418, Binance/Aster ``-1003``, Bybit ``10006``, OKX
  ``50011``/``50061``; each adapter lists its own in a :class:`Backoff`) closes the account's gate
  for the venue's wait (its ``Retry-After``, Bybit's reset timestamp) or, when the venue names none,
  the documented default of that venue. While it is closed nothing of that account is sent: every
  call waits at the gate, and one that would wait longer than :data:`MAX_GATE_WAIT` (an IP ban of
  minutes or days) is refused at once with :class:`~hedgekit.errors.RateLimited`, nothing sent, so
  the retry policy and the order loop decide what to do with it.
* :class:`Limiter`, one per client: rolling windows per counter (:class:`Limit`: "N units per W
  seconds", counted apart per value of one request parameter where the venue does, e.g. OKX's
  instrument), and a cost per implicit endpoint method in one or more counters (:class:`Weight`).
  The tables are the venues' own documentation, one per adapter package
  (``hedgekit_<venue>.limits``), not ccxt's cost table; ccxt's own throttle is off on the exchanges
  hedgekit makes. It counts its own client's requests: clients of one key that together exceed the
  venue's budget meet its rate-limit answer, and the account's gate then holds all of them.

:class:`Pacer` is one client's view of both: :meth:`Pacer.before` runs before each request (a
single attribute test while the gate is open and the limiter is off), :meth:`Pacer.after` after a
refusal. This module imports no adapter.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from hedgekit.errors import HedgekitError, RateLimited

__all__ = [
    "MAX_GATE_WAIT",
    "Account",
    "Backoff",
    "ByParam",
    "Gate",
    "Limit",
    "Limiter",
    "Pacer",
    "Weight",
    "account",
    "padded",
    "weight_of",
]

log = logging.getLogger(__name__)

MAX_GATE_WAIT = 60.0
"""The longest a call waits at a closed gate; a longer pause refuses the call at once instead."""

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


def padded(window: float) -> float:
    """A venue's window widened for jitter between sending here and counting there: 10 %, at most 1 s.

    (ccxt's OKX margin: ``rateLimit`` 110 ms, "100 plus 10% tolerance because of #26973".) 2 s
    becomes 2.2 s, 1 s 1.1 s, 60 s 61 s.
    """
    return window + min(window * 0.1, 1.0)


@dataclass(frozen=True, slots=True)
class Limit:
    """One of a venue's counters: at most ``limit`` units in any ``window`` seconds.

    ``per`` names a request parameter whose values are counted apart (OKX counts orders per
    ``instId``); ``None`` counts every request of the account together.
    """

    name: str
    limit: int
    window: float
    per: str | None = None


@dataclass(frozen=True, slots=True)
class Weight:
    """What one call of an endpoint costs: ``units`` in each of its counters, and the doc saying so."""

    charges: tuple[tuple[Limit, int], ...]
    source: str = ""

    def units(self, name: str) -> int:
        """The units this call takes in the counter called ``name`` (0 when it takes none)."""
        return sum(units for limit, units in self.charges if limit.name == name)


@dataclass(frozen=True, slots=True)
class ByParam:
    """An endpoint whose cost depends on whether a parameter is sent ("1 for a single symbol; 40
    when the symbol parameter is omitted")."""

    param: str
    given: Weight
    missing: Weight


Entry = Union[Weight, ByParam]
Table = Mapping[str, Entry]
Charge = tuple[tuple[str, str], int, float, int]
"""``((counter name, split value), limit, padded window, units)``."""


def weight_of(table: Table, method: str, params: Any, default: Weight | None = None) -> Weight:
    """The :class:`Weight` of a call of ``method`` with ``params`` (``default`` for an unlisted one).

    Raises:
        KeyError: ``method`` is not in ``table`` and there is no default.
    """
    entry = table.get(method)
    if entry is None:
        if default is None:
            raise KeyError(method)
        return default
    if isinstance(entry, ByParam):
        given = isinstance(params, Mapping) and params.get(entry.param) not in (None, "")
        return entry.given if given else entry.missing
    return entry


def _split(params: Any, name: str) -> str:
    """The value of ``name`` in a request's parameters (a one-item list: in its item), else ``""``."""
    if isinstance(params, list) and len(params) == 1:
        params = params[0]
    if isinstance(params, Mapping):
        value = params.get(name)
        return "" if value is None else str(value)
    return ""


class Limiter:
    """Rolling windows of a venue's counters: a request waits only when one of its counters is full.

    Each counter remembers when its last requests went and how many units each took; a request
    may go once every counter it charges has room for its units within the (padded) window. A
    burst within the budget goes out at once; waiting requests reserve nothing.
    """

    def __init__(self, table: Table, default: Weight, *, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.table = table
        self.default = default
        self.clock = clock
        self.sleep = sleep
        self._sent: dict[tuple[str, str], deque[tuple[float, int]]] = {}
        self._used: dict[tuple[str, str], int] = {}

    def charges(self, method: str, params: Any) -> list[Charge]:
        """The counters a call of ``method`` with ``params`` takes units in."""
        out: list[Charge] = []
        for limit, units in weight_of(self.table, method, params, self.default).charges:
            split = "" if limit.per is None else _split(params, limit.per)
            out.append(((limit.name, split), limit.limit, padded(limit.window), units))
        return out

    def delay(self, charges: Sequence[Charge]) -> float:
        """Seconds until every counter has room (0 when the request may go now)."""
        now = self.clock()
        wait = 0.0
        for key, limit, window, units in charges:
            sent = self._sent.get(key)
            if not sent:
                continue
            used = self._used[key]
            while sent and sent[0][0] <= now - window:  # left the window
                used -= sent.popleft()[1]
            self._used[key] = used
            excess = used + units - limit
            if excess <= 0:
                continue
            freed = 0
            for at, cost in sent:  # the oldest first: wait until enough of them left the window
                freed += cost
                if freed >= excess:
                    wait = max(wait, at + window - now)
                    break
        return wait

    def record(self, charges: Sequence[Charge]) -> None:
        """Count a request that goes now in each of its counters."""
        now = self.clock()
        for key, _limit, _window, units in charges:
            sent = self._sent.get(key)
            if sent is None:
                sent = self._sent[key] = deque()
                self._used[key] = 0
            sent.append((now, units))
            self._used[key] += units

    async def acquire(self, charges: Sequence[Charge]) -> None:
        """Wait until the request may go, then count it."""
        while (wait := self.delay(charges)) > 0:
            log.debug("rate limit: %s waits %.3f s", charges[0][0][0] if charges else "?", wait)
            await self.sleep(wait)
        self.record(charges)


class Gate:
    """Closed after a rate-limit answer until the venue's wait is over; open otherwise.

    ``until`` is 0 while open, so the test before each request is one attribute read.
    """

    __slots__ = ("clock", "reason", "sleep", "until")

    def __init__(self, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self.clock = clock
        self.sleep = sleep
        self.until = 0.0
        self.reason = ""

    def close(self, seconds: float, reason: str = "") -> None:
        """Keep every request of the account back for ``seconds`` (a longer closing stays)."""
        until = self.clock() + max(0.0, seconds)
        if until > self.until:
            self.until, self.reason = until, reason

    def remaining(self) -> float:
        """Seconds until the gate opens (0 when open)."""
        if not self.until:
            return 0.0
        left = self.until - self.clock()
        if left <= 0:
            self.until, self.reason = 0.0, ""
            return 0.0
        return left

    async def wait(self, *, limit: float = MAX_GATE_WAIT) -> float:
        """Wait until the gate opens; returns the seconds left instead when that is over ``limit``."""
        while (left := self.remaining()) > 0:
            if left > limit:
                return left
            await self.sleep(left)
        return 0.0


@dataclass(frozen=True)
class Backoff:
    """Which of a venue's rate-limit answers pause the whole account, and for how long by default.

    ``statuses`` (HTTP) and ``codes`` (the venue's own) pause the account for the wait the venue
    names (:attr:`RateLimited.retry_after <hedgekit.errors.RateLimited.retry_after>`), or
    ``default_wait`` seconds when it names none. ``source`` is the doc behind the numbers.
    """

    statuses: frozenset[int]
    codes: frozenset[Any]
    default_wait: float
    source: str = ""

    def pauses(self, error: HedgekitError) -> bool:
        """Whether ``error`` is one of the answers that pause the account."""
        return isinstance(error, RateLimited) and (
            error.http_status in self.statuses or error.code in self.codes
        )


@dataclass(eq=False)
class Account:
    """What every client of one account shares: its gate."""

    gate: Gate = field(default_factory=Gate)


_ACCOUNTS: weakref.WeakValueDictionary[tuple[str, str, str], Account] = weakref.WeakValueDictionary()


def _digest(api_key: str | None) -> str:
    return hashlib.sha256((api_key or "").encode("utf-8")).hexdigest()


def account(venue: str, host: str, api_key: str | None) -> Account:
    """The pacing state of ``api_key`` at ``venue`` on ``host``; made on first use, dropped with its
    last client."""
    key = (venue, host, _digest(api_key))
    found = _ACCOUNTS.get(key)
    if found is None:
        found = _ACCOUNTS[key] = Account()
    return found


class Pacer:
    """One client's pacing: its account's gate, and its own limiter.

    Args:
        venue: the venue's name (for errors and log lines).
        host: where the requests go (the account is per host: a testnet key is another account).
        api_key: the key that names the account (digested, never kept).
        table: the venue's weights per implicit method (``hedgekit_<venue>.limits``).
        default: the weight of a method missing from ``table``.
        backoff: which rate-limit answers pause the account.
        rate_limit: ``connect(rate_limit=...)``: limit to the table's budgets, and pause for the
            venue's documented default where a rate-limit answer names no wait. With ``False`` the
            account still pauses for a wait the venue names.
        make_limiter: builds the client's limiter (default ``Limiter(table, default)``).
    """

    __slots__ = ("account", "backoff", "gate", "limiter", "rate_limit", "venue")

    def __init__(self, venue: str, host: str, api_key: str | None, *, table: Table, default: Weight,
                 backoff: Backoff, rate_limit: bool,
                 make_limiter: Callable[[], Limiter] | None = None) -> None:
        self.venue = venue
        self.account = account(venue, host, api_key)
        self.gate = self.account.gate
        self.backoff = backoff
        self.rate_limit = rate_limit
        self.limiter: Limiter | None = None
        if rate_limit:
            self.limiter = make_limiter() if make_limiter is not None else Limiter(table, default)

    async def before(self, method: str, params: Any, *, operation: str, symbol: str | None = None,
                     client_order_id: str | None = None) -> None:
        """Wait until the request may go: the gate open and, when limiting, room in its counters.

        Raises:
            RateLimited: the account is paused for longer than :data:`MAX_GATE_WAIT`; nothing sent.
        """
        gate, limiter = self.gate, self.limiter
        if limiter is None:
            if gate.until:
                await self._wait_gate(operation, symbol, client_order_id)
            return
        charges = limiter.charges(method, params)
        while True:
            if gate.until:
                await self._wait_gate(operation, symbol, client_order_id)
            wait = limiter.delay(charges)
            if wait > 0:
                log.debug("%s rate limit: %s waits %.3f s", self.venue, method, wait)
                await limiter.sleep(wait)
                continue
            if gate.until and gate.remaining() > 0:  # closed while this request waited
                continue
            limiter.record(charges)
            return

    async def _wait_gate(self, operation: str, symbol: str | None, client_order_id: str | None) -> None:
        left = await self.gate.wait()
        if left > 0:
            raise RateLimited(
                f"the venue paused this account for {left:.0f} s more ({self.gate.reason}); nothing was sent",
                retry_after=left, venue=self.venue, operation=operation, symbol=symbol,
                client_order_id=client_order_id,
            )

    def after(self, error: HedgekitError) -> None:
        """Close the account's gate when ``error`` is a rate-limit answer that pauses the account."""
        if not self.backoff.pauses(error):
            return
        wait = error.retry_after if isinstance(error, RateLimited) else None
        if wait is None:
            if not self.rate_limit:
                return
            wait = self.backoff.default_wait
        reason = f"HTTP {error.http_status} [{error.code}]"
        log.debug("%s account paused %.3f s after a rate-limit answer (%s)", self.venue, wait, reason)
        self.gate.close(wait, reason)
