"""The loopback simulated venue: a real HTTP server on 127.0.0.1 speaking a venue's wire format.

:class:`SimulatedVenue` is venue-neutral. It finds the venue's wire frontend through the plugin
registry (entry-point group ``hedgekit.adapters``), gives it a fresh
:class:`~hedgekit.testing.engine.Engine`, binds a port the OS picks, records every request and
runs each one through a middleware pipeline (latency, hooks, then anything added with
:meth:`SimulatedVenue.add_middleware`) before the frontend answers.

Example::

    async with SimulatedVenue("binance") as venue:
        client = hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials)
        venue.set_mark_price("BTC/USDT:USDT", Decimal("61000"))
        assert venue.requests[-1].path == "/fapi/v1/positionSide/dual"
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect
import json
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qsl

from aiohttp import web

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_account import FundingRecord
from hedgekit.testing.faults import Fault, FaultInjector, FaultKind, InjectedFault
from hedgekit.testing.streams import StreamHub
from hedgekit.testing.frontend import (
    Credentials,
    DropConnection,
    Frontend,
    Handler,
    Middleware,
    RecordedRequest,
    WireResponse,
)

ENTRY_POINT_GROUP = "hedgekit.adapters"

HookCallback = Callable[[Engine], Any]
"""A hook: ``callback(engine)``, sync or async, run before the hooked request is handled."""


@dataclass
class _Hook:
    method: str
    path: str
    callback: HookCallback
    once: bool


def known_venues() -> list[str]:
    """Names of the venues registered under the ``hedgekit.adapters`` entry-point group."""
    return sorted({ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)})


_FRONTENDS: dict[str, type[Frontend]] = {}
"""Frontends found so far, by venue: reading the installed distributions' entry points costs about
4 ms, a fifth of a whole bot test against the simulator, so each venue is looked up once."""


def load_frontend(venue: str) -> type[Frontend]:
    """The wire frontend class of ``venue``, found through its registered plugin (once per process).

    Raises:
        ValueError: No plugin of that name is registered.
    """
    found = _FRONTENDS.get(venue)
    if found is not None:
        return found
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name == venue:
            frontend = entry_point.load().load_simulator()
            if not (isinstance(frontend, type) and issubclass(frontend, Frontend)):
                raise TypeError(f"{venue} simulator {frontend!r} is not a Frontend subclass")
            _FRONTENDS[venue] = frontend
            return frontend
    raise ValueError(f"unknown venue {venue!r}; known venues: {', '.join(known_venues())}")


def _form_like(content_type: str, body: str) -> bool:
    return bool(body) and content_type in ("", "application/x-www-form-urlencoded", "text/plain")


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """``tuple(parse_qsl(text, keep_blank_values=True))``, cheaper for plain pairs.

    A pair without ``%`` or ``+`` needs no decoding, so it is split here; any other pair goes
    through ``parse_qsl`` on its own (pairs are parsed independently, so the result is the same).
    """
    if not text:
        return ()
    pairs: list[tuple[str, str]] = []
    for part in text.split("&"):
        if not part:
            continue
        if "%" in part or "+" in part:
            pairs.extend(parse_qsl(part, keep_blank_values=True))
        else:
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return tuple(pairs)


async def _read(request: web.Request, now_ms: int) -> RecordedRequest:
    """Capture a request exactly as sent: raw query string and body, parsed parameters."""
    path, _, query = request.raw_path.partition("?")
    body = (await request.read()).decode("utf-8", errors="replace")
    content_type = request.content_type if request.body_exists else ""
    if content_type == "application/octet-stream" and not request.headers.get("Content-Type"):
        content_type = ""
    query_pairs = _pairs(query)
    body_pairs: tuple[tuple[str, str], ...] = ()
    params: dict[str, Any] = {}
    if content_type == "application/json" and body.strip():
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            params.update(decoded)
    elif _form_like(content_type, body):
        body_pairs = _pairs(body)
        params.update(body_pairs)
    params.update(query_pairs)  # a parameter in both places: the query string wins
    return RecordedRequest(
        method=request.method.upper(),
        path=request.path,
        params=params,
        headers=request.headers,  # already a read-only view that nothing changes after parsing
        query_string=query,
        body=body,
        query_pairs=query_pairs,
        body_pairs=body_pairs,
        content_type=content_type,
        time=now_ms,
    )


class SimulatedVenue:
    """A loopback HTTP server speaking one venue's wire protocol over a simulated account.

    Args:
        venue: A registered venue name, e.g. ``"binance"``.
        latency: Seconds to wait before answering each request.
        balance: Initial wallet balance (the venue's default when ``None``).
        mark_prices: Initial mark prices by unified symbol or venue id, overriding defaults.

    Attributes:
        venue: The venue name.
        engine: The simulated account and markets; inspect or drive it directly in tests.
        frontend: The venue's wire frontend.
        requests: Every request received, in order, recorded before it is answered.
        latency: Seconds added before each answer (may be changed at any time).

    Raises:
        ValueError: ``venue`` is not a registered venue.
    """

    def __init__(
        self,
        venue: str = "binance",
        *,
        latency: float = 0.0,
        balance: Decimal | int | str | None = None,
        mark_prices: Mapping[str, Decimal | str] | None = None,
    ) -> None:
        frontend_class = load_frontend(venue)
        self.venue = venue
        self.latency = latency
        self.engine: Engine = frontend_class.create_engine(
            balance=None if balance is None else Decimal(balance), mark_prices=mark_prices
        )
        self.frontend: Frontend = frontend_class(self.engine, **frontend_class.new_credentials())
        self.requests: list[RecordedRequest] = []
        self._hooks: list[_Hook] = []
        self._middleware: list[Middleware] = []
        self._chain: tuple[Frontend, Handler] | None = None
        self.faults = FaultInjector()
        self._base_clock = self.engine.clock
        self._clock_skew_ms = 0
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopped = False
        self.streams = StreamHub(self.engine, lambda: self.frontend.stream_frontend())
        """The venue's private websockets on the same host and port (``ws://`` + base_url)."""

    def __repr__(self) -> str:
        where = self.base_url if self._runner is not None else "not running"
        return f"SimulatedVenue({self.venue!r}, {where}, {len(self.requests)} requests)"

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving.

        Raises:
            RuntimeError: The venue was already started or stopped.
        """
        if self._runner is not None or self._stopped:
            raise RuntimeError("a SimulatedVenue starts once; create a new one")
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._serve)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = cast(int, sock.getsockname()[1])
        await web.SockSite(runner, sock).start()
        self._runner = runner

    async def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        self._stopped = True
        self.streams.resume()
        self.streams.disconnect()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> SimulatedVenue:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # ----------------------------------------------------------------- public surface

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` once started.

        Raises:
            RuntimeError: The venue is not running.
        """
        if self._runner is None or self._port is None:
            raise RuntimeError("the simulated venue is not running; call start() first")
        return f"http://127.0.0.1:{self._port}"

    @property
    def credentials(self) -> Credentials:
        """Keyword arguments for :func:`hedgekit.connect` (random per venue)."""
        return self.frontend.credentials

    def set_mark_price(self, symbol: str, price: Decimal | int | str) -> None:
        """Move a mark price (unified symbol or venue id); fills, triggers and liquidates."""
        self.engine.set_mark_price(symbol, price)

    def settle_funding(self, symbol: str, rate: Decimal | int | str | None = None) -> list[FundingRecord]:
        """Settle one funding payment of ``symbol`` now, at ``rate`` (default: the current rate).

        Each open leg pays ``size * mark * rate`` when long and receives it when short; the venue's
        own records (income rows, transaction log, bills) appear on its history endpoints. Scheduled
        settlements also happen by themselves at each venue's interval (see
        :mod:`hedgekit.testing.engine_account`). Returns the records of the legs it settled.
        """
        return self.engine.settle_funding(symbol, rate)

    def add_hook(
        self, method: str, path: str, callback: HookCallback, *, once: bool = False
    ) -> None:
        """Run ``callback(engine)`` before each request to ``method path`` is handled.

        Useful to make exposure appear between a client's check and its write::

            venue.add_hook("POST", "/fapi/v1/positionSide/dual",
                           lambda engine: engine.place_order("BTCUSDT", "BUY", "0.01"),
                           once=True)

        Args:
            method: HTTP method (any case).
            path: Exact URL path.
            callback: Sync or async callable taking the engine.
            once: Remove the hook after its first run.
        """
        self._hooks.append(_Hook(method.upper(), path, callback, once))

    def inject(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        path: str | None = None,
        count: int = 1,
        skip: int = 0,
        delay: float = 0.0,
        retry_after: float = 1.0,
        status: int = 503,
        body: str = "truncated",
    ) -> Fault:
        """Script a fault: the next ``count`` matching requests (after ``skip``) hit ``kind``.

        Example, "the next 2 order requests are taken and their answers lost"::

            venue.inject(FaultKind.DROP_AFTER, method="POST", path="/fapi/v1/order", count=2)
        """
        return self.faults.add(
            Fault(kind, method, path, count=count, skip=skip, delay=delay, retry_after=retry_after, status=status,
                  body=body)
        )

    def inject_random(
        self,
        rate: float,
        kinds: list[FaultKind] | tuple[FaultKind, ...] = tuple(FaultKind),
        *,
        methods: list[str] | None = None,
        paths: list[str] | None = None,
        seed: int | None = None,
        delay: float = 0.05,
        retry_after: float = 0.01,
    ) -> None:
        """Hit a fraction ``rate`` of matching requests with a fault drawn from ``kinds``."""
        self.faults.set_random(
            rate, kinds, methods=methods, paths=paths, seed=seed, delay=delay, retry_after=retry_after
        )

    @property
    def injected(self) -> list[InjectedFault]:
        """Every fault that hit a request, in order."""
        return self.faults.injected

    def skew_clock(self, milliseconds: int) -> None:
        """Run the venue's clock ``milliseconds`` ahead (negative: behind) of this machine's."""
        base = self._base_clock
        self._clock_skew_ms = int(milliseconds)
        self.engine.clock = lambda: base() + self._clock_skew_ms

    @property
    def ws_url(self) -> str:
        """``ws://127.0.0.1:<port>``: the same server, for the venue's private websockets."""
        return "ws" + self.base_url[len("http"):]

    def disconnect_streams(self) -> int:
        """Close every private websocket from the venue's side; returns how many were open."""
        return self.streams.disconnect()

    def stall_streams(self) -> None:
        """Stall every private websocket: no events, no replies, no pongs until :meth:`resume_streams`."""
        self.streams.stall()

    def resume_streams(self) -> None:
        """End a stall."""
        self.streams.resume()

    def drop_stream_events(self, count: int = 1) -> None:
        """Lose the next ``count`` event frames on the private websockets."""
        self.streams.drop_events(count)

    def expire_listen_keys(self) -> int:
        """Expire the streams' credentials the venue's way (Binance/Aster ``listenKeyExpired``;
        a venue without listen keys closes the connection). Returns how many were expired."""
        return self.streams.expire()

    def add_middleware(self, middleware: Middleware) -> None:
        """Add a middleware; the first added runs outermost (right after latency and hooks)."""
        self._middleware.append(middleware)
        self._chain = None

    # ----------------------------------------------------------------- pipeline

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        if self.streams.accepts(request):
            return await self.streams.serve(request)
        recorded = await _read(request, self.engine.clock())
        self.engine.settle_due_funding()  # funding falls due at the venue's interval
        self.requests.append(recorded)
        try:
            answer = await self._pipeline()(recorded)
        except DropConnection:
            if request.transport is not None:
                request.transport.close()
            raise asyncio.CancelledError from None
        headers = answer.headers
        return web.Response(
            status=answer.status,
            text=answer.body,
            content_type=answer.content_type,
            # aiohttp copies the headers it is given: a plain dict needs no copy of its own
            headers=(headers if type(headers) is dict else dict(headers)) if headers else None,
        )

    def _pipeline(self) -> Handler:
        """The middleware chain, built once per frontend and middleware list."""
        chain = self._chain
        if chain is None or chain[0] is not self.frontend:
            chain = self._chain = (self.frontend, self._build_pipeline())
        return chain[1]

    def _build_pipeline(self) -> Handler:
        handler: Handler = self.frontend.handle
        for middleware in reversed(self._middleware):
            handler = _bind(middleware, handler)
        return _bind(self._delay, _bind(self._inject, _bind(self._run_hooks, handler)))

    def _inject(self, request: RecordedRequest, call_next: Handler) -> Awaitable[WireResponse]:
        return self.faults(request, call_next, self.frontend)

    async def _delay(self, request: RecordedRequest, call_next: Handler) -> WireResponse:
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        return await call_next(request)

    async def _run_hooks(self, request: RecordedRequest, call_next: Handler) -> WireResponse:
        for hook in list(self._hooks):
            if hook.method == request.method and hook.path == request.path:
                if hook.once:
                    self._hooks.remove(hook)
                result = hook.callback(self.engine)
                if inspect.isawaitable(result):
                    await result
        return await call_next(request)


def _bind(middleware: Middleware, call_next: Handler) -> Handler:
    def handler(request: RecordedRequest) -> Awaitable[WireResponse]:
        return middleware(request, call_next)  # the middleware's own awaitable: no extra frame

    return handler
