"""Glue between ccxt (the transport) and hedgekit, shared by every ccxt-based adapter.

Imported by adapters only, so ``import hedgekit`` does not import ccxt. It does three things:

* :func:`install_reply_hook`: replaces the exchange's ``handle_errors`` on that one instance, so a
  venue's error answer reaches the adapter whole (HTTP status, headers, parsed body) as a
  :class:`VenueReply`, and the adapter's own code table decides what it means;
* :func:`from_ccxt`: the one translation point from ccxt exceptions (transport failures) to
  hedgekit errors;
* :func:`redact` / :class:`Redactor`: strips signatures, keys and the client's own credential
  values from any text before it goes into an error or a log;
* :func:`new_exchange`: builds a ccxt exchange without redoing, on every instance, the class-level
  half of ccxt's camelCase pass;
* :func:`call_endpoint`: the one call path of the ccxt-based adapters: pacing
  (:mod:`hedgekit.throttle`), the call, and the translation of every failure into a hedgekit
  error that carries no credential and no chained ccxt exception or venue answer.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import socket
import ssl
import types
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import ValidationError

from hedgekit.ccxt_loader import errors_module
from hedgekit.errors import (
    AuthenticationError,
    ClockSkew,
    ExchangeError,
    ExchangeUnavailable,
    HedgekitError,
    InsufficientMargin,
    InvalidRequest,
    MalformedResponse,
    NetworkError,
    OrderRejected,
    RateLimited,
)

if TYPE_CHECKING:
    from hedgekit.throttle import Backoff, Limiter, Pacer, Table, Weight

__all__ = [
    "RedactingFilter",
    "Redactor",
    "VenueReply",
    "account_key",
    "from_ccxt",
    "install_reply_hook",
    "is_ccxt_error",
    "redact",
    "route_logs",
    "call_endpoint",
    "ccxt_urlencode",
    "is_hmac_secret",
    "make_pacer",
    "new_exchange",
    "parsing",
    "secrets_of",
    "no_close_wait_without_tls",
    "share_ssl_context",
]

_LOG = logging.getLogger("hedgekit.transport")

_SECRET_PARAMS = re.compile(
    r"(?i)((?:signature|sign|apikey|api_key|secret|passphrase|password|privatekey|private_key"
    r"|x-mbx-apikey|x-bapi-api-key|ok-access-key)[\"']?\s*[=:]\s*[\"']?)"
    r"[^&\s\"',}]+"
)
_QUERY = re.compile(r"(https?://[^\s?\"']+)\?[^\s\"']*")


def _camelcase_candidate(name: str) -> bool:
    """The names ccxt's ``Exchange.__init__`` gives a camelCase twin (its own filter, verbatim)."""
    return name[0] != "_" and name[-1] != "_" and "_" in name


class _QuickConstruction:
    """Mixin of the classes :func:`new_exchange` builds: ccxt's constructor, minus repeated class work.

    ``ccxt.base.exchange.Exchange.__init__`` ends with a pass over ``dir(self)`` (about 2,200 to
    4,000 names) that gives every ``foo_bar`` a ``fooBar`` twin. For a name that resolves to a bound
    method the twin goes on the *class* (``setattr(cls, camel, getattr(cls, name))``), the same
    function every time; only the other names (instance attributes, class data, static methods)
    give the *instance* something. The first instance of a class runs the whole pass, which puts
    the method twins on that class; from then on, while ``__init__`` runs, ``dir`` lists only the
    names that can give an instance something: the class's non-method candidates, recorded from
    that first instance, and whatever the instance itself holds by then. Every instance still runs
    ccxt's whole constructor on its own config: nothing is shared between instances but that
    tuple of names. After construction ``dir`` is ccxt's again.
    """

    _hk_names: tuple[str, ...] | None = None

    def __init__(self, config: Any = None) -> None:
        cls = type(self)
        if cls._hk_names is None:
            super().__init__({} if config is None else config)  # type: ignore[call-arg]
            names = [n for n in dir(self) if _camelcase_candidate(n) and n not in vars(self)]
            cls._hk_names = tuple(n for n in names if not isinstance(getattr(self, n), types.MethodType))
            return
        vars(self)["_hk_building_"] = True  # ccxt's filter skips names that start with "_"
        try:
            super().__init__({} if config is None else config)  # type: ignore[call-arg]
        finally:
            vars(self).pop("_hk_building_", None)

    def __dir__(self) -> Iterable[str]:
        names = type(self)._hk_names
        if names is not None and vars(self).get("_hk_building_"):
            return sorted(set(names).union(vars(self)))
        return super().__dir__()


_QUICK_CLASSES: dict[type, type] = {}


def new_exchange(cls: type, config: Mapping[str, Any]) -> Any:
    """``cls(config)`` for a ccxt exchange class, about half the cost after the first instance.

    The instance is of a subclass of ``cls`` with ``cls``'s name and module (see
    :class:`_QuickConstruction`), built by ccxt's own constructor from ``config``; it is
    independent of every other instance, as ``cls(config)`` would be.
    """
    quick = _QUICK_CLASSES.get(cls)
    if quick is None:
        quick = type(cls.__name__, (_QuickConstruction, cls), {"__module__": cls.__module__,
                                                             "__qualname__": cls.__qualname__})
        _QUICK_CLASSES[cls] = quick
    return quick(dict(config))


#: Characters ``urlencode(..., quote_via=quote)`` leaves alone: the unreserved set (it passes ``safe=""``).
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def ccxt_urlencode(params: Mapping[str, Any]) -> str:
    """A query string exactly as ccxt's ``urlencode`` writes it, for adapters that sign requests.

    ``urllib.parse.urlencode(params, quote_via=quote)`` with booleans as ``true``/``false``; symbols,
    sides, numbers and client ids need no quoting, so the usual value skips ``quote``.
    """
    out = []
    for key, value in params.items():
        if value.__class__ is not str:
            value = ("true" if value else "false") if isinstance(value, bool) else str(value)
        out.append(f"{key if _UNRESERVED(key) else quote(key, safe='')}={value if _UNRESERVED(value) else quote(value, safe='')}")
    return "&".join(out)


def is_hmac_secret(secret: Any) -> bool:
    """Whether ``secret`` is an HMAC secret key, not an RSA or Ed25519 private key in PEM (ccxt's test)."""
    return isinstance(secret, str) and bool(secret) and "PRIVATE KEY" not in secret


class Redactor:
    """Scrubs text of query strings, signature/key parameters and one client's credential values.

    Values are matched case-insensitively (a venue may echo a hex key or a wallet address in
    another case), and a ``0x`` value also without its prefix. Built once per client, used only
    on the error and logging paths.
    """

    __slots__ = ("_values",)

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        variants: set[str] = set()
        for value in secrets:
            if not value:
                continue
            variants.add(value)
            if value[:2].lower() == "0x" and len(value) > 2:
                variants.add(value[2:])
        ordered = sorted(variants, key=len, reverse=True)  # the longest first: no partial leftovers
        self._values = re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE) if ordered else None

    def __call__(self, text: str) -> str:
        out = _QUERY.sub(r"\1?…", text)
        out = _SECRET_PARAMS.sub(r"\1***", out)
        if self._values is not None:
            out = self._values.sub("***", out)
        return out

    def deep(self, value: Any) -> Any:
        """``value`` (parsed JSON) with every string in it scrubbed."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {self(str(k)) if isinstance(k, str) else k: self.deep(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.deep(v) for v in value]
        return value


def redact(text: str, *secrets: str | None) -> str:
    """Remove query strings, signature/key parameters and the given secret values from ``text``."""
    return Redactor(secrets)(text)


class RedactingFilter(logging.Filter):
    """Scrubs a log record: keys, signatures and passphrases in its text become ``***``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        return True


class _ExchangeLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """One exchange's logger: its lines are formatted, then scrubbed of that client's credentials.

    ccxt calls ``exchange.logger.debug(fmt, *args)``; nothing is formatted unless the level is on.
    """

    def __init__(self, logger: logging.Logger, secrets: Callable[[], Iterable[str | None]]) -> None:
        super().__init__(logger, {})
        self._secrets = secrets
        self._redactor: Redactor | None = None

    def debug(self, msg: object, *args: object, **kwargs: Any) -> None:
        # ccxt's two lines per request: the level test first, as Logger.debug does
        if self.logger.isEnabledFor(logging.DEBUG):
            self.log(logging.DEBUG, msg, *args, **kwargs)

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.logger.isEnabledFor(level):
            return
        try:
            if self._redactor is None:
                self._redactor = Redactor(self._secrets())
            text = self._redactor(str(msg) % args if args else str(msg))
        except Exception:  # a line that cannot be scrubbed (a bad format, interpreter shutdown) is dropped
            return
        kwargs.pop("exc_info", None)  # a traceback's text would escape the scrubbing
        kwargs.pop("stack_info", None)
        self.logger.log(level, "%s", text, **kwargs)


def route_logs(exchange: Any, venue: str,
               secrets: Callable[[], Iterable[str | None]] = tuple) -> logging.Logger:
    """Send ``exchange``'s own DEBUG request lines to ``hedgekit_<venue>.transport``, redacted.

    ccxt logs every request with its headers (API keys, OKX's passphrase) and every answer with
    its body (which may echo the key: Bybit's ``error sign! origin_string[...]``) through
    ``exchange.logger``; this gives it a logger that scrubs them with this client's own
    credential values (``secrets``, called once, on the first line shown) and the patterns of
    :class:`RedactingFilter`, so clients with different keys in one process each scrub their own.
    """
    logger = logging.getLogger(f"hedgekit_{venue}.transport")
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    exchange.logger = _ExchangeLog(logger, secrets)
    return logger


@functools.lru_cache(maxsize=1)
def _default_ssl_context() -> ssl.SSLContext:
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def no_close_wait_without_tls(exchange: Any, config: Any) -> None:
    """No 250 ms sleep in ``close()`` when hedgekit's own exchange talks plain HTTP.

    ccxt's ``close()`` sleeps ``timeout_on_exit`` (250 ms) so that TLS connections can finish
    their shutdown (ccxt pull request 23470). A plain ``http://`` ``base_url`` (the simulator, a
    local proxy) opens no TLS connection, so there is nothing to wait for; every venue host over
    ``https`` keeps ccxt's wait, and so does an exchange the user passes in.
    """
    base_url = getattr(config, "base_url", None)
    if getattr(config, "exchange", None) is None and isinstance(base_url, str) and base_url.startswith("http://"):
        exchange.timeout_on_exit = 0


def share_ssl_context(exchange: Any) -> None:
    """Give ``exchange`` the process-wide TLS context ccxt would otherwise build for each instance.

    ccxt's ``open()`` builds ``ssl.create_default_context(cafile=certifi.where())`` per exchange,
    reading the whole CA bundle each time (about 45 ms, most of a connect to a nearby host). The
    context is the same one, built once. An exchange with its own context, its own CA file or
    verification turned off is left alone.
    """
    import certifi

    if getattr(exchange, "ssl_context", None) is not None or getattr(exchange, "verify", True) is not True:
        return
    if getattr(exchange, "cafile", None) not in (None, certifi.where()):
        return
    if exchange.safe_bool(exchange.options, "include_OS_certificates", False):
        return
    exchange.ssl_context = _default_ssl_context()


class VenueReply(Exception):
    """A venue's error answer, carried out of ccxt unchanged (internal to adapters)."""

    def __init__(
        self, status: int, reason: str, headers: Mapping[str, str], body: str, payload: Any, url: str, method: str
    ) -> None:
        bare_url = _QUERY.sub(r"\1", url)
        super().__init__(f"HTTP {status} {method} {bare_url}")
        self.status = status
        self.reason = reason
        self.headers = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        self.body = body
        self.payload = payload
        self.url = url
        self.method = method

    def redacted(self, redactor: Redactor) -> VenueReply:
        """The same answer with every text scrubbed: body, parsed payload, reason, headers, URL."""
        return VenueReply(
            self.status, redactor(self.reason), {k: redactor(v) for k, v in self.headers.items()},
            redactor(self.body), redactor.deep(self.payload), _QUERY.sub(r"\1", redactor(self.url)), self.method,
        )


def install_reply_hook(exchange: Any, is_error: Callable[[int, Any], bool]) -> None:
    """Make ``exchange`` raise :class:`VenueReply` for every answer ``is_error(status, payload)`` flags.

    ``is_error`` sees the HTTP status and the parsed JSON (``None`` when the body is not JSON).
    """

    def handle_errors(
        self: Any, code: int, reason: str, url: str, method: str, headers: Any, body: str, response: Any,
        request_headers: Any, request_body: Any,
    ) -> None:
        payload = response
        if payload is None and body:
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
        if is_error(int(code), payload):
            raise VenueReply(int(code), reason or "", headers or {}, body or "", payload, url, method)
        return None

    exchange.handle_errors = types.MethodType(handle_errors, exchange)


def _ccxt_table() -> list[tuple[type[BaseException], type[HedgekitError]]]:
    ccxt = errors_module()

    # Most specific first: the first isinstance match wins.
    return [
        (ccxt.InvalidNonce, ClockSkew),
        (ccxt.RateLimitExceeded, RateLimited),
        (ccxt.DDoSProtection, RateLimited),
        (ccxt.OnMaintenance, ExchangeUnavailable),
        (ccxt.ExchangeNotAvailable, ExchangeUnavailable),
        (ccxt.RequestTimeout, NetworkError),
        # an answer ccxt could not read (BadResponse, NullResponse) is an unreadable answer: the venue
        # may have acted; these rows come before OperationFailed, their parent class
        (ccxt.BadResponse, MalformedResponse),
        (ccxt.NullResponse, MalformedResponse),
        (ccxt.NetworkError, NetworkError),
        (ccxt.OperationFailed, NetworkError),
        (ccxt.PermissionDenied, AuthenticationError),
        (ccxt.AccountNotEnabled, AuthenticationError),
        (ccxt.AccountSuspended, AuthenticationError),
        (ccxt.AuthenticationError, AuthenticationError),
        (ccxt.InsufficientFunds, InsufficientMargin),
        (ccxt.InvalidOrder, OrderRejected),
        (ccxt.BadSymbol, InvalidRequest),
        (ccxt.ArgumentsRequired, InvalidRequest),
        (ccxt.BadRequest, OrderRejected),
        (ccxt.NotSupported, ExchangeError),
        (ccxt.ExchangeError, ExchangeError),
        (ccxt.BaseError, ExchangeError),
    ]


def _no_connection(exc: BaseException) -> bool:
    """Whether ccxt's ``ExchangeNotAvailable`` stands for no answer at all: ccxt raises it from a
    failed DNS lookup and from aiohttp's connection errors (refused, reset, closed before the
    answer; ``async_support/base/exchange.py`` ``fetch``), with that error as its cause, and from a
    venue's own "unavailable" answer without one."""
    if not isinstance(exc, errors_module().ExchangeNotAvailable):
        return False
    import aiohttp

    return isinstance(exc.__cause__, (aiohttp.ClientConnectionError, socket.gaierror))


def is_ccxt_error(exc: BaseException) -> bool:
    """Whether ``exc`` is one of ccxt's exceptions."""
    return isinstance(exc, errors_module().BaseError)


def from_ccxt(exc: BaseException, *, venue: str, operation: str, secrets: tuple[str | None, ...] = ()) -> HedgekitError:
    """Translate a ccxt exception into the hedgekit error of the same meaning (message redacted)."""
    message = redact(str(exc) or type(exc).__name__, *secrets)
    if _no_connection(exc):
        return NetworkError(message, venue=venue, operation=operation)
    for ccxt_cls, ours in _ccxt_table():
        if isinstance(exc, ccxt_cls):
            if ours is MalformedResponse:  # ccxt could not read the body at all
                return MalformedResponse(message, venue=venue, operation=operation, unreadable=True)
            return ours(message, venue=venue, operation=operation)
    return ExchangeError(message, venue=venue, operation=operation)


#: Credential attributes of a ccxt exchange (a user's own exchange passed to ``connect``).
_EXCHANGE_CREDENTIALS = ("apiKey", "secret", "password", "privateKey", "walletAddress", "uid", "token")


def secrets_of(config: Any) -> tuple[str | None, ...]:
    """The secret values of a :class:`~hedgekit.adapter.ConnectConfig`, for redaction: its key,
    secret and passphrase, and the credentials of a ccxt exchange passed in."""
    values = [
        s.get_secret_value() if s is not None else None
        for s in (config.api_key, config.secret, config.password)
    ]
    exchange = getattr(config, "exchange", None)
    if exchange is not None:
        for name in _EXCHANGE_CREDENTIALS:
            value = getattr(exchange, name, None)
            if isinstance(value, str) and value:
                values.append(value)
    return tuple(values)


def account_key(config: Any) -> str | None:
    """What names the account of a client: its API key, else the key, wallet or private key of the
    ccxt exchange passed in (only ever digested, by :func:`hedgekit.throttle.account`)."""
    if config.api_key is not None:
        return str(config.api_key.get_secret_value())
    exchange = getattr(config, "exchange", None)
    for name in ("apiKey", "walletAddress", "privateKey"):
        value = getattr(exchange, name, None) if exchange is not None else None
        if isinstance(value, str) and value:
            return value
    return None


def make_pacer(exchange: Any, config: Any, *, url_key: str, table: Table, default: Weight, backoff: Backoff,
               make_limiter: Callable[[], Limiter] | None = None) -> Pacer:
    """The :class:`~hedgekit.throttle.Pacer` of a client whose requests go to ``exchange.urls['api'][url_key]``."""
    from hedgekit.throttle import Pacer

    url = str(exchange.urls["api"].get(url_key, ""))
    hostname = getattr(exchange, "hostname", None)
    if isinstance(hostname, str):
        url = url.replace("{hostname}", hostname)
    return Pacer(config.venue, url, account_key(config), table=table, default=default, backoff=backoff,
                 rate_limit=bool(config.rate_limit), make_limiter=make_limiter)


def _scrub(err: HedgekitError, redactor: Redactor) -> HedgekitError:
    """``err`` with its texts scrubbed (they are built from a scrubbed answer; this is the last net)."""
    err.message = redactor(err.message)
    if err.venue_message is not None:
        err.venue_message = redactor(err.venue_message)
    err.args = tuple(redactor(a) if isinstance(a, str) else a for a in err.args)
    return err


async def call_endpoint(
    exchange: Any,
    method: str,
    params: Any,
    *,
    venue: str,
    operation: str,
    translate: Callable[[VenueReply], HedgekitError],
    secrets: Callable[[], Iterable[str | None]] = tuple,
    symbol: str | None = None,
    client_order_id: str | None = None,
    pacer: Pacer | None = None,
) -> Any:
    """Call one of ``exchange``'s implicit endpoint methods and return the venue's parsed JSON.

    ``pacer`` (:class:`hedgekit.throttle.Pacer`) holds the request back while the account is
    paused or, when limiting, until its counters have room, and learns of every rate-limit answer.

    The venue's error answers go through ``translate`` (the adapter's code table); ccxt's
    transport errors through :func:`from_ccxt`. Either way the error carries the operation, the
    symbol and the client order id, and nothing but a hedgekit error leaves. ``secrets`` gives the
    values to redact; it is called only when there is an error. The answer is scrubbed of them
    before ``translate`` sees it, and the error is raised outside the ``except`` block: it chains
    neither the :class:`VenueReply` (signed URL, body) nor ccxt's exception (whose text has the URL).
    """
    if _LOG.isEnabledFor(logging.DEBUG):  # the redacted line costs ~20 µs: only when it is shown
        shown = sorted(params) if isinstance(params, dict) else [sorted(p) for p in params]
        _LOG.debug("%s %s -> %s %s", venue, operation, method, redact(repr(shown)))
    if pacer is not None and (pacer.gate.until or pacer.limiter is not None):
        await pacer.before(method, params, operation=operation, symbol=symbol, client_order_id=client_order_id)
    try:
        return await getattr(exchange, method)(params)
    except VenueReply as reply:
        redactor = Redactor(secrets())
        err = _scrub(translate(reply.redacted(redactor)), redactor)
    except HedgekitError as exc:
        exc.operation = exc.operation or operation
        raise
    except Exception as exc:  # ccxt's transport errors, translated in one place
        if not is_ccxt_error(exc):
            raise
        redactor = Redactor(secrets())
        err = _scrub(from_ccxt(exc, venue=venue, operation=operation), redactor)
        err.symbol, err.client_order_id = symbol, client_order_id
    if pacer is not None:
        pacer.after(err)
    raise err  # outside the except blocks: no __context__ holding the answer or ccxt's exception


class parsing(contextlib.AbstractContextManager[None]):
    """Turn any slip while parsing an answer into an :class:`ExchangeError` naming it.

    ``with parsing("binance", "order"): ...``. A class rather than a generator context manager:
    it runs on every answer, and entering it costs a third as much.
    """

    __slots__ = ("venue", "what")

    def __init__(self, venue: str, what: str) -> None:
        self.venue = venue
        self.what = what

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: types.TracebackType | None
    ) -> None:
        if exc is None or isinstance(exc, HedgekitError):
            return
        if isinstance(exc, (ValidationError, KeyError, TypeError, ValueError, AttributeError, IndexError,
                            ArithmeticError)):
            raise MalformedResponse(
                f"malformed answer to {self.what}: {type(exc).__name__}", venue=self.venue
            ) from None
