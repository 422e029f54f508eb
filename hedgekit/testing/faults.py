"""Fault injection for the simulated venue: the failures real venues produce, on cue.

Faults are scripted per request (method, path, which matching requests, how many) or drawn at
random at a given rate. Each kind is answered in the venue's own wire format by the frontend
(:meth:`hedgekit.testing.frontend.Frontend.fault_response`), so the client sees exactly what the real
venue would send.

Example: "the next 2 order requests are taken and their answers lost"::

    venue.inject(FaultKind.DROP_AFTER, method="POST", path="/fapi/v1/order", count=2)

Kinds:

``LATENCY``       the venue is slow: it takes the request (its arrival time is recorded), acts on it
                  ``delay`` seconds later and then answers. A client whose timeout is shorter
                  gives up before the venue acts; each frontend applies its venue's own deadlines
                  at arrival or when it acts, as the venue does (Binance's ``-5028``, OKX's
                  ``expTime``, Aster's nonce window).
``RATE_LIMIT``    the venue's rate-limit answer, with its retry-after header (not processed).
``SERVER_ERROR``  an HTTP 5xx with the venue's body (``status``, default 503; not processed).
``UNKNOWN``       the venue processed the request but answers that the outcome is unknown
                  (Binance 503 "Unknown error…", OKX 50004 …).
``DROP_BEFORE``   the connection closes before the venue sees the request.
``DROP_AFTER``    the venue processes the request, then the connection closes unanswered.
``CLOCK_SKEW``    the venue's timestamp refusal (not processed).
``UNREADABLE``    the venue processes the request and answers HTTP 200 with a body the client
                  cannot read: the real answer cut in half, an empty body, or an HTML page
                  (``body`` picks one: ``"truncated"``, ``"empty"``, ``"html"``; drawn at random
                  by :meth:`FaultInjector.set_random`).
"""

from __future__ import annotations

import asyncio
import enum
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from hedgekit.testing.frontend import DropConnection, Handler, RecordedRequest, WireResponse

__all__ = ["UNREADABLE_BODIES", "Fault", "FaultInjector", "FaultKind", "InjectedFault", "unreadable"]


class FaultKind(enum.Enum):
    """What goes wrong."""

    LATENCY = "latency"
    RATE_LIMIT = "rate_limit"
    SERVER_ERROR = "server_error"
    UNKNOWN = "unknown"
    DROP_BEFORE = "drop_before"
    DROP_AFTER = "drop_after"
    CLOCK_SKEW = "clock_skew"
    UNREADABLE = "unreadable"

    @property
    def processed(self) -> bool:
        """Whether the venue acted on the request before the fault."""
        return self in (FaultKind.LATENCY, FaultKind.UNKNOWN, FaultKind.DROP_AFTER, FaultKind.UNREADABLE)


UNREADABLE_BODIES = ("truncated", "empty", "html")
"""The kinds of unreadable success :attr:`FaultKind.UNREADABLE` answers with."""

_HTML_PAGE = "<!DOCTYPE html><html><head><title>Please wait</title></head><body><p>Checking your browser.</p></body></html>"


def unreadable(answer: WireResponse, body: str) -> WireResponse:
    """``answer`` turned into an HTTP 200 whose body cannot be read (see :data:`UNREADABLE_BODIES`)."""
    if body == "empty":
        return WireResponse(200, "", answer.content_type, answer.headers)
    if body == "html":
        return WireResponse(200, _HTML_PAGE, "text/html", answer.headers)
    if body != "truncated":
        raise ValueError(f"unknown unreadable body {body!r}; one of {UNREADABLE_BODIES}")
    text = answer.body
    return WireResponse(200, text[: max(1, len(text) // 2)], answer.content_type, answer.headers)


@dataclass
class Fault:
    """A scripted fault: hits ``count`` matching requests after skipping ``skip`` of them.

    ``method``/``path`` of ``None`` match any request.
    """

    kind: FaultKind
    method: str | None = None
    path: str | None = None
    count: int = 1
    skip: int = 0
    delay: float = 0.0
    retry_after: float = 1.0
    status: int = 503
    body: str = "truncated"

    def matches(self, request: RecordedRequest) -> bool:
        """Whether ``request`` is one this fault watches."""
        return (self.method is None or self.method.upper() == request.method) and (
            self.path is None or self.path == request.path
        )


@dataclass(frozen=True)
class InjectedFault:
    """A record of one fault that hit one request."""

    kind: FaultKind
    method: str
    path: str
    params: dict[str, object]


@dataclass
class _Random:
    rate: float
    kinds: tuple[FaultKind, ...]
    methods: frozenset[str] | None
    paths: frozenset[str] | None
    rng: random.Random
    delay: float
    retry_after: float


@dataclass
class FaultInjector:
    """Middleware that applies scripted and random faults (see :meth:`SimulatedVenue.inject`)."""

    scripted: list[Fault] = field(default_factory=list)
    injected: list[InjectedFault] = field(default_factory=list)
    _random: _Random | None = None

    def add(self, fault: Fault) -> Fault:
        """Queue a scripted fault."""
        if fault.count < 1 or fault.skip < 0:
            raise ValueError("a fault needs count >= 1 and skip >= 0")
        self.scripted.append(fault)
        return fault

    def set_random(
        self,
        rate: float,
        kinds: Iterable[FaultKind],
        *,
        methods: Iterable[str] | None = None,
        paths: Iterable[str] | None = None,
        seed: int | None = None,
        delay: float = 0.05,
        retry_after: float = 0.01,
    ) -> None:
        """Hit a fraction ``rate`` of matching requests with a fault drawn from ``kinds``."""
        if not 0 <= rate <= 1:
            raise ValueError("rate must be within [0, 1]")
        chosen = tuple(kinds)
        if not chosen:
            raise ValueError("give at least one fault kind")
        self._random = _Random(
            rate,
            chosen,
            frozenset(m.upper() for m in methods) if methods is not None else None,
            frozenset(paths) if paths is not None else None,
            random.Random(seed),
            delay,
            retry_after,
        )

    def clear(self) -> None:
        """Remove every scripted and random fault."""
        self.scripted.clear()
        self._random = None

    def _pick(self, request: RecordedRequest) -> Fault | None:
        for fault in list(self.scripted):
            if not fault.matches(request):
                continue
            if fault.skip:
                fault.skip -= 1
                continue
            fault.count -= 1
            if fault.count == 0:
                self.scripted.remove(fault)
            return fault
        chance = self._random
        if chance is None:
            return None
        if chance.methods is not None and request.method not in chance.methods:
            return None
        if chance.paths is not None and request.path not in chance.paths:
            return None
        if chance.rng.random() >= chance.rate:
            return None
        kind = chance.rng.choice(chance.kinds)
        body = chance.rng.choice(UNREADABLE_BODIES) if kind is FaultKind.UNREADABLE else "truncated"
        return Fault(kind, delay=chance.delay, retry_after=chance.retry_after, body=body)

    async def __call__(self, request: RecordedRequest, call_next: Handler, frontend: object) -> WireResponse:
        fault = self._pick(request)
        if fault is None:
            return await call_next(request)
        self.injected.append(InjectedFault(fault.kind, request.method, request.path, dict(request.params)))
        kind = fault.kind
        if kind is FaultKind.LATENCY:
            await asyncio.sleep(fault.delay)
            return await call_next(request)
        if kind is FaultKind.DROP_BEFORE:
            raise DropConnection()
        if kind is FaultKind.DROP_AFTER:
            await call_next(request)
            raise DropConnection()
        if kind is FaultKind.UNREADABLE:
            return unreadable(await call_next(request), fault.body)
        if kind is FaultKind.UNKNOWN:
            await call_next(request)
        respond = getattr(frontend, "fault_response")
        answer: WireResponse = respond(kind, request, retry_after=fault.retry_after, status=fault.status)
        return answer
