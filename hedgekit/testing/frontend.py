"""The seam between the venue-neutral loopback server and a venue's wire frontend.

A request flows through one pipeline (:class:`hedgekit.testing.server.SimulatedVenue`)::

    aiohttp -> RecordedRequest (recorded first) -> middleware... -> Frontend.handle -> WireResponse

Frontends never see aiohttp: they take a :class:`RecordedRequest` (method, path, raw query and
body as sent, parsed parameters, headers) and return a :class:`WireResponse`. Middleware has the
same shape plus a ``call_next``, so fault injection (5xx, rate limits, clock skew) is a middleware
returning its own :class:`WireResponse`, and a dropped connection is a middleware raising
:class:`DropConnection`.

A venue package ships a :class:`Frontend` subclass and names it in its
:class:`hedgekit.adapter.VenuePlugin` (``simulator="hedgekit_<venue>.simulator:<Class>"``).

Example (a minimal frontend)::

    class EchoFrontend(Frontend):
        venue = "echo"

        @classmethod
        def create_engine(cls, *, balance=None, mark_prices=None):
            return Engine(MARKETS, mark_prices=mark_prices or DEFAULT_MARKS)

        async def handle(self, request):
            return WireResponse.json({"path": request.path})
"""

from __future__ import annotations

import abc
import json
import re
import secrets
import string
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from multidict import CIMultiDict, CIMultiDictProxy

from hedgekit.testing.engine import Engine

if TYPE_CHECKING:
    from hedgekit.testing.streams import StreamFrontend


@dataclass(frozen=True)
class RecordedRequest:
    """One request the simulated venue received, exactly as sent.

    Attributes:
        method: Upper-case HTTP method, e.g. ``"POST"``.
        path: The URL path, e.g. ``"/fapi/v1/order"``.
        params: Query-string and form/JSON-body parameters merged (the query string wins, as on
            Binance); form values are the strings as sent, JSON values as decoded.
        headers: Request headers (case-insensitive lookup).
        query_string: The raw query string as sent (percent-encoding intact), without ``?``.
        body: The raw body text.
        query_pairs: The query string's ``(name, value)`` pairs in order, duplicates kept.
        body_pairs: A form body's ``(name, value)`` pairs in order, duplicates kept.
        content_type: The body's media type (``""`` when absent).
        time: Receipt time in milliseconds since the epoch.
    """

    method: str
    path: str
    params: dict[str, Any]
    headers: CIMultiDictProxy[str]
    query_string: str = ""
    body: str = ""
    query_pairs: tuple[tuple[str, str], ...] = ()
    body_pairs: tuple[tuple[str, str], ...] = ()
    content_type: str = ""
    time: int = 0

    def __repr__(self) -> str:
        return f"RecordedRequest({self.method} {self.path} params={redacted_params(self.params)!r})"

    def dump(self) -> dict[str, Any]:
        """The request as a plain dict for logs and reports, with credentials redacted.

        Passphrase, key and signature headers and signature parameters show as ``***``; the
        secrets themselves never travel in a request, and the dump never shows what could replay it.
        """
        return {
            "method": self.method,
            "path": self.path,
            "params": redacted_params(self.params),
            "headers": {k: ("***" if _SECRET_NAME.search(k) else v) for k, v in self.headers.items()},
            "time": self.time,
        }


_COMPACT = json.JSONEncoder(separators=(",", ":"))
"""``json.dumps(data, separators=(",", ":"))`` without building an encoder per call."""


@dataclass(frozen=True)
class WireResponse:
    """An HTTP answer: status, body text, content type and extra headers."""

    status: int
    body: str
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> WireResponse:
        """A compact JSON response."""
        return cls(status, _COMPACT.encode(data), "application/json", dict(headers) if headers else {})


class DropConnection(Exception):
    """Raised by middleware or a frontend: the server closes the connection without answering."""


Handler = Callable[[RecordedRequest], Awaitable[WireResponse]]
"""Something that answers a request: the frontend, or the rest of the middleware chain."""

Middleware = Callable[[RecordedRequest, Handler], Awaitable[WireResponse]]
"""``async def middleware(request, call_next) -> WireResponse``: may answer itself, delay,
rewrite, or call ``call_next(request)``."""


class _RequiredCredentials(TypedDict):
    api_key: str
    secret: str


class Credentials(_RequiredCredentials, total=False):
    """Keyword arguments for :func:`hedgekit.connect` (and a frontend's constructor).

    ``password`` is the passphrase of venues that have one (OKX).
    """

    password: str


def random_token(length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    """A random string for API keys and secrets."""
    return "".join(secrets.choice(alphabet) for _ in range(length))


class Frontend(abc.ABC):
    """A venue's wire protocol over the shared :class:`~hedgekit.testing.engine.Engine`.

    Subclasses set :attr:`venue`, build the engine their venue needs (its markets, its position
    mode scope, its default prices) in :meth:`create_engine`, and answer requests in
    :meth:`handle` with the venue's paths, auth checks, payloads and error envelopes.

    Args:
        engine: The engine to drive (from :meth:`create_engine`, possibly set up by a test).
        api_key: The only API key the venue accepts.
        secret: The secret that signs requests for ``api_key``.
        password: The passphrase, on venues that have one (OKX).
    """

    venue: ClassVar[str]
    """The venue name, as registered under the ``hedgekit.adapters`` entry-point group."""

    def __init__(
        self, engine: Engine, api_key: str, secret: str, password: str | None = None
    ) -> None:
        self.engine = engine
        self.api_key = api_key
        self.secret = secret
        self.password = password

    @classmethod
    @abc.abstractmethod
    def create_engine(
        cls,
        *,
        balance: Decimal | None = None,
        mark_prices: Mapping[str, Decimal | str] | None = None,
    ) -> Engine:
        """A new engine listing the venue's markets, in the venue's mode scope.

        Args:
            balance: Initial wallet balance (the venue's default when ``None``).
            mark_prices: Mark prices overriding the defaults, by venue id or unified symbol.
        """

    @classmethod
    def new_credentials(cls) -> Credentials:
        """Fresh random credentials in the venue's format: keyword arguments for ``cls()``."""
        return Credentials(api_key=random_token(64), secret=random_token(64))

    @property
    def credentials(self) -> Credentials:
        """Keyword arguments for :func:`hedgekit.connect` that authenticate to this venue."""
        credentials = Credentials(api_key=self.api_key, secret=self.secret)
        if self.password is not None:
            credentials["password"] = self.password
        return credentials

    @abc.abstractmethod
    async def handle(self, request: RecordedRequest) -> WireResponse:
        """Answer one request exactly as the real venue would."""

    def stream_frontend(self) -> StreamFrontend | None:
        """The venue's private websocket(s) over the same engine, made once; ``None``: no stream.

        Venue frontends override this to return their
        :class:`~hedgekit.testing.streams.StreamFrontend` (the same object on every call).
        """
        return None

    def fault_response(
        self, kind: FaultKindLike, request: RecordedRequest, *, retry_after: float, status: int
    ) -> WireResponse:
        """The venue's answer for an injected fault (see :mod:`hedgekit.testing.faults`).

        ``kind`` is a :class:`~hedgekit.testing.faults.FaultKind` among ``RATE_LIMIT``,
        ``SERVER_ERROR``, ``UNKNOWN`` and ``CLOCK_SKEW``. This default is generic HTTP; venues
        override it with their own codes, messages and headers.
        """
        name = getattr(kind, "value", str(kind))
        if name == "rate_limit":
            return WireResponse.json(
                {"error": "Too Many Requests"}, 429, {"Retry-After": _seconds(retry_after)}
            )
        if name == "clock_skew":
            return WireResponse.json({"error": "request timestamp outside the window"}, 400)
        return WireResponse(status, "Service Unavailable", "text/plain")

    def symbol_id(self, symbol: str) -> str:
        """The venue id of a unified symbol or venue id (``"BTC/USDT:USDT"`` -> ``"BTCUSDT"``)."""
        return self.engine.resolve(symbol)

    def unified_symbol(self, symbol_id: str) -> str:
        """The unified symbol of a venue id (``"BTCUSDT"`` -> ``"BTC/USDT:USDT"``)."""
        return self.engine.market(symbol_id).symbol


_SECRET_NAME = re.compile(r"(?i)(sign|passphrase|secret|key|password|token|auth)")


def redacted_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with signature-like values replaced by ``***``."""
    return {k: ("***" if _SECRET_NAME.search(k) else v) for k, v in params.items()}


FaultKindLike = Any
"""A :class:`hedgekit.testing.faults.FaultKind` (typed loosely to keep this module import-light)."""


def _seconds(value: float) -> str:
    """A Retry-After value: whole seconds when whole, else the exact fraction."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def headers_proxy(headers: Mapping[str, str] | None = None) -> CIMultiDictProxy[str]:
    """A read-only, case-insensitive header mapping (for building requests in tests)."""
    return CIMultiDictProxy(CIMultiDict(headers or {}))
