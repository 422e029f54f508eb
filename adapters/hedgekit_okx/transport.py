"""The ccxt ``okx`` exchange underneath the OKX adapter, and the one call path through it.

:mod:`hedgekit_okx.auth` signs (``OK-ACCESS-*`` headers, base64 HMAC-SHA256 of timestamp + method +
path + body; ccxt signs a ccxt exchange the user passes in), ccxt times and sends; every answer
flagged by :func:`hedgekit_okx.errors.is_error` comes back whole as a
:class:`~hedgekit.ccxt_bridge.VenueReply` and is translated by the OKX code table. Nothing here
parses a payload.

Rate limiting (``connect(..., rate_limit=True)``, the default) is done here, per endpoint, by
:class:`EndpointLimiter`, not by ccxt's throttler. Why:

* OKX counts **each endpoint on its own**: "The rate limit is different for each endpoint. You can
  find the limit for each endpoint from the endpoint details" (OKX docs, Overview › Rate Limits).
  E.g. "GET / Algo order list — Rate Limit: 20 requests per 2 seconds — Rate limit rule: User ID"
  (``#order-book-trading-algo-trading-get-algo-order-list``); ``account/config`` and
  ``account/set-position-mode`` 5 per 2 s, ``account/positions`` 10, ``trade/order`` 60 (shared
  VENUES.md §4). Placing and cancelling orders is counted per instrument ("Rate limits are defined
  on the Instrument ID level"), and new orders also count against the sub-account's "maximum of
  1000 order requests per 2 seconds" (Rate Limits › Sub-account rate limit; code 50061).
* ccxt models all of that as **one shared budget**: ``rateLimit`` 110 ms per unit ("100 plus 10%
  tolerance because of #26973", ccxt ``okx.py``) and a cost per endpoint of ``20 / N`` for an
  endpoint allowed N requests per 2 s (``account/config`` cost 4, ``orders-algo-pending`` 1,
  ``account/positions`` 2, ``trade/order`` 1/3, ``account/set-position-mode`` 4). Every endpoint's
  requests then slow every other endpoint's, although OKX keeps them apart.
* ccxt's own default for OKX is the leaky bucket (``rollingWindowSize: 0.0`` "okx always receives
  rateLimitExceeded with rolling window"): no burst at all, each request ``cost × 110 ms`` after the
  previous one, so the exposure check's ten parallel reads (13.3 units) would take about 1.5 s.
  hedgekit used a 10-second rolling window over ccxt's costs instead (90.9 units), which is wrong
  both ways: a validated mode switch costs 17-21 units (the 7 ``orders-algo-pending`` reads alone
  are 7), so one client switching back and forth got four switches through at once, two of them
  already over OKX's 20 algo lists per 2 s, and then stalled about 9 s until the first switch left
  the window, although OKX would have taken the next one about 2 s after the first.

:class:`EndpointLimiter` keeps OKX's own rule: a rolling window per endpoint (and per instrument
where OKX counts per instrument) of ``N`` requests, widened by ccxt's 10 % margin to 2.2 s for
clock and network jitter. A burst within an endpoint's limit goes out at once; a request waits only
when the venue would refuse it, and never longer than one window. Back-to-back switches now run
about three per 2.2 s (20 algo lists per window, 7 a switch: two go at once, the third waits up to
2.2 s) instead of four at once and then a 9-second stall. ``LIMITS`` holds N per implicit method; ``tests/okx`` checks it against ccxt's
costs (``N = 20 / cost``) and against the endpoints the adapter calls. The limiter sees this
client's requests only: several clients on one API key share OKX's budget and can still meet 50011,
which the facade retries after a wait.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from hedgekit.adapter import ConnectConfig
from hedgekit.ccxt_bridge import (
    VenueReply,
    from_ccxt,
    install_reply_hook,
    is_ccxt_error,
    redact,
    route_logs,
    share_ssl_context,
)
from hedgekit.ccxt_bridge import parsing as bridge_parsing
from hedgekit.ccxt_loader import exchange_class
from hedgekit.errors import ConfigurationError, ExchangeError, HedgekitError

from hedgekit_okx import wire
from hedgekit_okx.auth import install_hmac_signer
from hedgekit_okx.errors import error_from_reply, is_error

log = logging.getLogger("hedgekit_okx.adapter")


PAGE_LIMIT = 100
"""``limit`` of /trade/orders-pending and /trade/orders-algo-pending: "The maximum is 100"."""
MAX_PAGES = 200
"""A guard against a venue that keeps answering full pages: 20 000 open orders of one kind."""
RATE_WINDOW_S = 2.0 * 1.1
"""OKX counts "N requests per 2 seconds"; the window is widened by ccxt's 10 % margin (okx.py
``rateLimit`` 110 "100 plus 10% tolerance because of #26973") so that jitter between sending here and
arriving there cannot put N + 1 requests into one of OKX's 2-second windows."""

SUB_ACCOUNT_ORDERS = 1000
"""New orders of all instruments per 2 s: "At the sub-account level, we allow a maximum of 1000 order
requests per 2 seconds" (OKX docs, Rate Limits › Sub-account rate limit; code 50061)."""

#: OKX's limit per implicit method: (requests per 2 s, counted per instrument). From OKX's endpoint
#: pages ("Rate Limit: N requests per 2 seconds", "Rate limit rule: User ID [+ Instrument ID]");
#: ccxt prices the same endpoints at ``20 / N`` units (checked in tests/okx). An endpoint that is
#: not listed gets ``DEFAULT_LIMIT``.
LIMITS: dict[str, tuple[int, bool]] = {
    "publicGetPublicInstruments": (20, False),  # IP + instType
    "publicGetPublicTime": (10, False),  # IP
    "privateGetAccountConfig": (5, False),
    "privatePostAccountSetPositionMode": (5, False),
    "privateGetAccountPositions": (10, False),
    "privateGetAccountLeverageInfo": (20, False),
    "privatePostAccountSetLeverage": (20, False),
    "privatePostAccountPositionMarginBalance": (20, False),
    "privateGetTradeOrdersPending": (60, False),
    "privateGetTradeOrdersAlgoPending": (20, False),
    "privateGetTradeOrder": (60, False),  # counted per user here: at most as often as OKX allows
    "privateGetTradeOrderAlgo": (20, False),
    "privatePostTradeOrder": (60, True),  # "Rate limits are defined on the Instrument ID level"
    "privatePostTradeCancelOrder": (60, True),
    "privatePostTradeOrderAlgo": (20, False),
    "privatePostTradeCancelAlgos": (20, False),
    "privatePostTradeClosePosition": (20, False),
}
DEFAULT_LIMIT = 5
"""Requests per 2 s for an endpoint missing from ``LIMITS``: the smallest limit above."""

Bucket = tuple[str, str]
"""A rate-limit counter: the implicit method and the instrument (``""`` when counted per user)."""


class EndpointLimiter:
    """Rolling windows of OKX's per-endpoint limits: a request waits only when its endpoint is full.

    Each bucket remembers the send times of its last ``limit`` requests; a request may go when the
    oldest of them left the window (``RATE_WINDOW_S``). A request that counts against several
    buckets (a new order: its instrument and the sub-account) waits for all of them. Waiting
    requests reserve nothing, so a burst after a pause goes out at once.
    """

    def __init__(self, window: float = RATE_WINDOW_S, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self._sent: dict[Bucket, deque[float]] = {}

    @staticmethod
    def buckets(method: str, params: dict[str, Any] | list[dict[str, Any]]) -> list[tuple[Bucket, int]]:
        """The counters a call of ``method`` with ``params`` takes a place in, with their limits."""
        limit, per_instrument = LIMITS.get(method, (DEFAULT_LIMIT, False))
        inst = ""
        if per_instrument and isinstance(params, dict):
            inst = str(params.get("instId", ""))
        out = [((method, inst), limit)]
        if method == "privatePostTradeOrder":
            out.append((("sub-account orders", ""), SUB_ACCOUNT_ORDERS))
        return out

    def delay(self, buckets: Sequence[tuple[Bucket, int]]) -> float:
        """Seconds until every bucket has a free place (0 when the request may go now)."""
        now = self.clock()
        wait = 0.0
        for key, limit in buckets:
            sent = self._sent.get(key)
            if sent is not None and len(sent) >= limit:
                wait = max(wait, sent[0] + self.window - now)
        return wait

    async def acquire(self, buckets: Sequence[tuple[Bucket, int]]) -> None:
        """Wait until the request may go, then count it in each of its buckets."""
        while (wait := self.delay(buckets)) > 0:
            log.debug("okx rate limit: %s waits %.3f s", buckets[0][0][0], wait)
            await self.sleep(wait)
        now = self.clock()
        for key, limit in buckets:
            sent = self._sent.get(key)
            if sent is None:
                sent = self._sent[key] = deque(maxlen=limit)
            sent.append(now)


def make_exchange(config: ConnectConfig) -> Any:
    """The ccxt ``okx`` exchange for ``config``: USDT swaps only, no currency or spot loading.

    * ``options.fetchMarkets.types = ['swap']`` and ``has['fetchCurrencies'] = False``: ccxt would
      otherwise call ``public/instruments`` five times and the private ``asset/currencies``
      (shared/VENUES.md §5);
    * ``enableRateLimit = False``: the transport's :class:`EndpointLimiter` limits instead (module
      docstring). A ccxt exchange passed in by the user keeps its own throttle settings, and
      hedgekit's limiter works on top of it when ``rate_limit`` is on;
    * ``options.createOrder = 'privatePostTradeOrder'``: ccxt's default single order goes to
      ``/trade/batch-orders`` (okx.py ``describe``);
    * ``testnet=True``: ccxt's sandbox mode keeps the host and adds ``x-simulated-trading: 1``
      (okx.py ``set_sandbox_mode``; OKX overview #overview-demo-trading-services);
    * ``base_url``: replaces ``urls['api']['rest']`` (paths are ``/api/v5/...``);
    * the exchange logs through ``hedgekit_okx.transport``, redacted: ccxt's own DEBUG lines print
      every header, ``OK-ACCESS-KEY`` and ``OK-ACCESS-PASSPHRASE`` included (a user's exchange too);
    * requests are signed by :func:`hedgekit_okx.auth.install_hmac_signer` (the request ccxt's
      ``okx.sign`` builds, for less CPU); a user's exchange keeps its own signing.
    """
    if config.exchange is not None:
        exchange = config.exchange
    else:
        exchange = exchange_class("okx")(
            {
                "apiKey": config.api_key.get_secret_value() if config.api_key else None,
                "secret": config.secret.get_secret_value() if config.secret else None,
                "password": config.password.get_secret_value() if config.password else None,
                "timeout": int(config.timeout * 1000),
                "enableRateLimit": False,  # EndpointLimiter in Transport.call
                "options": {
                    "fetchMarkets": {"types": ["swap"]},
                    "createOrder": "privatePostTradeOrder",
                    "defaultType": "swap",
                    "adjustForTimeDifference": False,
                    **dict(config.options.get("ccxt_options", {})),
                },
            }
        )
    exchange.has["fetchCurrencies"] = False
    route_logs(exchange, "okx")  # ccxt's default logger would print the key and the passphrase
    share_ssl_context(exchange)
    if config.testnet:
        exchange.set_sandbox_mode(True)
    if config.base_url:
        api = dict(exchange.urls["api"])
        api["rest"] = config.base_url
        exchange.urls["api"] = api
    install_reply_hook(exchange, is_error)
    if config.exchange is None:
        install_hmac_signer(exchange, wire.VENUE)  # a user's own exchange keeps its own signing
    return exchange


class Transport:
    """Calls ccxt's implicit OKX endpoints and translates every failure into a hedgekit error."""

    def __init__(self, config: ConnectConfig) -> None:
        self.config = config
        self.exchange: Any = None
        self.limiter: EndpointLimiter | None = EndpointLimiter() if config.rate_limit else None

    def open(self) -> None:
        """Make the ccxt exchange (once)."""
        if self.exchange is None:
            self.exchange = make_exchange(self.config)

    async def close(self) -> None:
        """Close the ccxt exchange; idempotent."""
        exchange, self.exchange = self.exchange, None
        if exchange is not None:
            await exchange.close()

    def secrets(self) -> tuple[str | None, ...]:
        """The credentials, so that error texts can be scrubbed of them."""
        cfg = self.config
        return tuple(s.get_secret_value() if s else None for s in (cfg.api_key, cfg.secret, cfg.password))

    async def call(
        self, operation: str, method: str, params: dict[str, Any] | list[dict[str, Any]], *,
        symbol: str | None = None, client_order_id: str | None = None,
    ) -> Any:
        """Call one implicit endpoint (``privateGetAccountConfig``, ...) and return its parsed JSON."""
        if self.exchange is None:
            raise ConfigurationError("the adapter is not open", venue=wire.VENUE, operation=operation)
        if log.isEnabledFor(logging.DEBUG):  # the redacted line costs ~20 µs: only when it is shown
            shown = sorted(params) if isinstance(params, dict) else [sorted(p) for p in params]
            log.debug("okx %s -> %s %s", operation, method, redact(repr(shown)))
        if self.limiter is not None:
            await self.limiter.acquire(self.limiter.buckets(method, params))
        try:
            fn: Callable[[Any], Awaitable[Any]] = getattr(self.exchange, method)
            return await fn(params)
        except VenueReply as reply:
            raise error_from_reply(
                reply, operation=operation, symbol=symbol, client_order_id=client_order_id
            ) from None
        except HedgekitError:
            raise
        except Exception as exc:  # ccxt's transport errors, translated in one place
            if is_ccxt_error(exc):
                err = from_ccxt(exc, venue=wire.VENUE, operation=operation, secrets=self.secrets())
                err.symbol, err.client_order_id = symbol, client_order_id
                raise err from None
            raise

    async def pages(
        self, operation: str, method: str, params: dict[str, Any], id_key: str, *, symbol: str | None = None,
    ) -> list[dict[str, Any]]:
        """Every row of a paged list: ``limit=100``, then ``after=<last id>`` until a short page."""
        rows: list[dict[str, Any]] = []
        after: str | None = None
        for _ in range(MAX_PAGES):
            request = dict(params, limit=str(PAGE_LIMIT))
            if after is not None:
                request["after"] = after
            payload = await self.call(operation, method, request, symbol=symbol)
            with parsing(method):
                page = wire.data_rows(payload, method)
                rows.extend(page)
                if len(page) < PAGE_LIMIT:
                    return rows
                after = wire.text(page[-1], id_key)
        raise ExchangeError(f"{method} kept answering full pages after {MAX_PAGES}", venue=wire.VENUE)


def parsing(what: str) -> AbstractContextManager[None]:
    """Turn a malformed payload into an ExchangeError naming what was being read."""
    return bridge_parsing(wire.VENUE, what)
