"""The ccxt ``okx`` exchange underneath the OKX adapter, and the one call path through it.

:mod:`hedgekit_okx.auth` signs (``OK-ACCESS-*`` headers, base64 HMAC-SHA256 of timestamp + method +
path + body; ccxt signs a ccxt exchange the user passes in), ccxt times and sends; every answer
flagged by :func:`hedgekit_okx.errors.is_error` comes back whole as a
:class:`~hedgekit.ccxt_bridge.VenueReply` and is translated by the OKX code table. Nothing here
parses a payload.

Rate limiting (``connect(..., rate_limit=True)``, the default) is done by
:class:`hedgekit.throttle.Limiter` with OKX's own limit per endpoint (:mod:`hedgekit_okx.limits`:
"N requests per 2 seconds" per user, per instrument where OKX counts so, and the sub-account's 1000
orders per 2 s), not by ccxt's throttler. Why:

* OKX counts **each endpoint on its own** ("The rate limit is different for each endpoint", OKX
  docs, Overview › Rate Limits), where ccxt models all of it as **one shared budget**
  (``rateLimit`` 110 ms per unit, ``20 / N`` units an endpoint): every endpoint's requests then
  slow every other endpoint's, although OKX keeps them apart.
* ccxt's own default for OKX is the leaky bucket (no burst at all: the exposure check's ten
  parallel reads would take about 1.5 s); a 10-second rolling window over ccxt's costs is wrong
  both ways (four validated switches at once, two of them over OKX's 20 algo lists per 2 s, then a
  9-second stall).

Each endpoint keeps a rolling window of its ``N`` requests, widened by ccxt's 10 % margin to 2.2 s:
a burst within an endpoint's limit goes out at once, a request waits only when the venue would
refuse it, and never longer than one window; back-to-back switches run about three per 2.2 s (7
algo lists a switch, 20 per window). The windows count this client's requests; several clients on
one API key share OKX's budget and can meet 50011/50061 together, which pauses every client of that
key on that host for 2 s (:class:`hedgekit.throttle.Gate`, :data:`hedgekit_okx.limits.BACKOFF`).
``tests/okx`` checks ``LIMITS`` against ccxt's costs (``N = 20 / cost``) and against the endpoints
the adapter calls.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any

from hedgekit.adapter import ConnectConfig
from hedgekit.ccxt_bridge import (
    call_endpoint,
    install_reply_hook,
    make_pacer,
    new_exchange,
    no_close_wait_without_tls,
    route_logs,
    secrets_of,
    share_ssl_context,
)
from hedgekit.ccxt_bridge import parsing as bridge_parsing
from hedgekit.ccxt_loader import exchange_class
from hedgekit.errors import ConfigurationError, ExchangeError
from hedgekit.throttle import Limiter, Pacer

from hedgekit_okx import limits, wire
from hedgekit_okx.auth import install_hmac_signer
from hedgekit_okx.deadline import install_exp_time
from hedgekit_okx.errors import error_from_reply, is_error

log = logging.getLogger("hedgekit_okx.adapter")


PAGE_LIMIT = 100
"""``limit`` of /trade/orders-pending and /trade/orders-algo-pending: "The maximum is 100"."""
MAX_PAGES = 200
"""A guard against a venue that keeps answering full pages: 20 000 open orders of one kind."""
RATE_WINDOW_S = limits.RATE_WINDOW_S
"""OKX counts "N requests per 2 seconds"; the window is widened by ccxt's 10 % margin (okx.py
``rateLimit`` 110 "100 plus 10% tolerance because of #26973") so that jitter between sending here and
arriving there cannot put N + 1 requests into one of OKX's 2-second windows."""
SUB_ACCOUNT_ORDERS = limits.SUB_ACCOUNT_ORDERS
LIMITS = limits.LIMITS
"""OKX's limit per implicit method: (requests per 2 s, counted per instrument); see :mod:`hedgekit_okx.limits`."""
DEFAULT_LIMIT = limits.DEFAULT_LIMIT


class EndpointLimiter(Limiter):
    """Rolling windows of OKX's per-endpoint limits (:mod:`hedgekit_okx.limits`): a request waits
    only when one of its counters is full; a new order waits for its instrument and the sub-account."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        super().__init__(limits.WEIGHTS, limits.DEFAULT, clock=clock, sleep=sleep)

    buckets = Limiter.charges
    """The counters a call of ``method`` with ``params`` takes a place in."""


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
        exchange = new_exchange(exchange_class("okx"),
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
    # ccxt's default logger would print the key and the passphrase; answers may echo them
    route_logs(exchange, "okx", lambda: secrets_of(config))
    share_ssl_context(exchange)
    if config.testnet:
        exchange.set_sandbox_mode(True)
    if config.base_url:
        api = dict(exchange.urls["api"])
        api["rest"] = config.base_url
        exchange.urls["api"] = api
    no_close_wait_without_tls(exchange, config)
    install_reply_hook(exchange, is_error)
    if config.exchange is None:
        install_hmac_signer(exchange, wire.VENUE)  # a user's own exchange keeps its own signing
    install_exp_time(exchange, lambda: config.recv_window)  # every order carries OKX's deadline
    return exchange


class Transport:
    """Calls ccxt's implicit OKX endpoints and translates every failure into a hedgekit error."""

    def __init__(self, config: ConnectConfig) -> None:
        self.config = config
        self.exchange: Any = None
        self.pacer: Pacer | None = None

    @property
    def limiter(self) -> Limiter | None:
        """This client's limiter (``None`` with ``rate_limit=False`` or before :meth:`open`)."""
        return self.pacer.limiter if self.pacer is not None else None

    def open(self) -> None:
        """Make the ccxt exchange and join the account's pacing (once)."""
        if self.exchange is None:
            self.exchange = make_exchange(self.config)
            self.pacer = make_pacer(self.exchange, self.config, url_key="rest", table=limits.WEIGHTS,
                                    default=limits.DEFAULT, backoff=limits.BACKOFF, make_limiter=EndpointLimiter)

    async def close(self) -> None:
        """Close the ccxt exchange; idempotent."""
        exchange, self.exchange = self.exchange, None
        if exchange is not None:
            await exchange.close()

    def secrets(self) -> tuple[str | None, ...]:
        """The credentials, so that error texts can be scrubbed of them."""
        return secrets_of(self.config)

    async def call(
        self, operation: str, method: str, params: dict[str, Any] | list[dict[str, Any]], *,
        symbol: str | None = None, client_order_id: str | None = None,
    ) -> Any:
        """Call one implicit endpoint (``privateGetAccountConfig``, ...) and return its parsed JSON.

        Through :func:`hedgekit.ccxt_bridge.call_endpoint`, as every adapter: pacing, then the call,
        then one translation of any failure (OKX's code table for the venue's answers), scrubbed of
        the credentials and with no chained venue answer or ccxt exception.
        """
        if self.exchange is None:
            raise ConfigurationError("the adapter is not open", venue=wire.VENUE, operation=operation)
        return await call_endpoint(
            self.exchange, method, params, venue=wire.VENUE, operation=operation,
            translate=lambda reply: error_from_reply(
                reply, operation=operation, symbol=symbol, client_order_id=client_order_id
            ),
            secrets=self.secrets, symbol=symbol, client_order_id=client_order_id, pacer=self.pacer,
        )

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
