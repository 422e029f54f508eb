"""The ccxt ``okx`` exchange underneath the OKX adapter, and the one call path through it.

ccxt signs (``OK-ACCESS-*`` headers, base64 HMAC-SHA256 of timestamp + method + path + body), times,
rate-limits and sends; every answer flagged by :func:`hedgekit_okx.errors.is_error` comes back whole
as a :class:`~hedgekit.ccxt_bridge.VenueReply` and is translated by the OKX code table. Nothing
here parses a payload.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError

from hedgekit.adapter import ConnectConfig
from hedgekit.ccxt_bridge import VenueReply, from_ccxt, install_reply_hook, redact, route_logs
from hedgekit.errors import ConfigurationError, ExchangeError, HedgekitError

from hedgekit_okx import wire
from hedgekit_okx.errors import error_from_reply, is_error

log = logging.getLogger("hedgekit_okx.adapter")


PAGE_LIMIT = 100
"""``limit`` of /trade/orders-pending and /trade/orders-algo-pending: "The maximum is 100"."""
MAX_PAGES = 200
"""A guard against a venue that keeps answering full pages: 20 000 open orders of one kind."""
RATE_WINDOW_MS = 10_000
"""ccxt's rolling window. OKX limits each endpoint per 2 s (e.g. 5 requests / 2 s for account/config,
20 / 2 s for orders-algo-pending); ccxt prices each call as ``cost × 110 ms``. A 10-second window
lets one exposure check (about ten endpoints at once) pass in a burst while the average stays at
ccxt's pace."""


def make_exchange(config: ConnectConfig) -> Any:
    """The ccxt ``okx`` exchange for ``config``: USDT swaps only, no currency or spot loading.

    * ``options.fetchMarkets.types = ['swap']`` and ``has['fetchCurrencies'] = False``: ccxt would
      otherwise call ``public/instruments`` five times and the private ``asset/currencies``
      (shared/VENUES.md §5);
    * ``options.createOrder = 'privatePostTradeOrder'``: ccxt's default single order goes to
      ``/trade/batch-orders`` (okx.py ``describe``);
    * ``testnet=True``: ccxt's sandbox mode keeps the host and adds ``x-simulated-trading: 1``
      (okx.py ``set_sandbox_mode``; OKX overview #overview-demo-trading-services);
    * ``base_url``: replaces ``urls['api']['rest']`` (paths are ``/api/v5/...``);
    * the exchange logs through ``hedgekit_okx.transport``, redacted: ccxt's own DEBUG lines print
      every header, ``OK-ACCESS-KEY`` and ``OK-ACCESS-PASSPHRASE`` included (a user's exchange too).
    """
    import ccxt.async_support as ccxt_async

    if config.exchange is not None:
        exchange = config.exchange
    else:
        exchange = ccxt_async.okx(
            {
                "apiKey": config.api_key.get_secret_value() if config.api_key else None,
                "secret": config.secret.get_secret_value() if config.secret else None,
                "password": config.password.get_secret_value() if config.password else None,
                "timeout": int(config.timeout * 1000),
                "enableRateLimit": config.rate_limit,
                "rateLimiterAlgorithm": "rollingWindow",
                "rollingWindowSize": RATE_WINDOW_MS,
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
    if config.testnet:
        exchange.set_sandbox_mode(True)
    if config.base_url:
        api = dict(exchange.urls["api"])
        api["rest"] = config.base_url
        exchange.urls["api"] = api
    install_reply_hook(exchange, is_error)
    return exchange


class Transport:
    """Calls ccxt's implicit OKX endpoints and translates every failure into a hedgekit error."""

    def __init__(self, config: ConnectConfig) -> None:
        self.config = config
        self.exchange: Any = None

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
        shown = sorted(params) if isinstance(params, dict) else [sorted(p) for p in params]
        log.debug("okx %s -> %s %s", operation, method, redact(repr(shown)))
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
            import ccxt

            if isinstance(exc, ccxt.BaseError):
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


@contextmanager
def parsing(what: str) -> Iterator[None]:
    """Turn a malformed payload into an ExchangeError naming what was being read."""
    try:
        yield
    except HedgekitError:
        raise
    except (ValidationError, KeyError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError) as exc:
        raise ExchangeError(f"malformed answer to {what}: {type(exc).__name__}", venue=wire.VENUE) from None
