"""``hedgekit.connect``: build a :class:`~hedgekit.client.HedgeClient` for a named venue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from hedgekit.adapter import ConnectConfig, load_plugin
from hedgekit.client import HedgeClient
from hedgekit.errors import ConfigurationError
from hedgekit.retry import RetryPolicy

__all__ = ["connect"]


def _secret(name: str, value: str | SecretStr | None) -> SecretStr | None:
    if value is None or isinstance(value, SecretStr):
        return value
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be a str, not {type(value).__name__}")
    return SecretStr(value)


def connect(
    venue: str,
    *,
    api_key: str | SecretStr | None = None,
    secret: str | SecretStr | None = None,
    password: str | SecretStr | None = None,
    base_url: str | None = None,
    testnet: bool = False,
    exchange: Any = None,
    timeout: float = 10.0,
    recv_window: int = 5000,
    rate_limit: bool = True,
    retry: RetryPolicy | None = None,
    options: Mapping[str, Any] | None = None,
) -> HedgeClient:
    """Make a client for ``venue`` ("binance", ...); use it as ``async with``.

    Args:
        venue: a registered venue name (see :func:`hedgekit.available_venues`).
        api_key: the API key; held as a secret, never logged.
        secret: the API secret (or signing key); held as a secret, never logged.
        password: the API passphrase, on venues that have one.
        base_url: replaces every host of the venue: a simulator, proxy or mirror.
        testnet: use the venue's test environment.
        exchange: a ccxt exchange you already have; hedgekit uses it instead of making one, and
            closes it on exit.
        timeout: seconds before one HTTP request is abandoned.
        recv_window: the venue's validity window for signed requests, in milliseconds.
        rate_limit: throttle on the client side to the venue's own documented request weights and
            limits (``hedgekit_<venue>/limits.py``; bursts pass, a sustained rate is held under the
            limit); ``False`` for a simulator or your own limiter. Either way, after a rate-limit
            answer every client of the same account in the process waits the venue's named wait
            (``Retry-After``, Bybit's reset time) before sending again.
        retry: how transient failures of reads and mode switches are retried.
        options: venue-specific settings, documented by each adapter.

    Example::

        async with hedgekit.connect("binance", api_key=KEY, secret=SECRET) as hk:
            print(await hk.position_mode())
    """
    plugin = load_plugin(venue)
    if base_url is not None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ConfigurationError(f"base_url must start with http:// or https://, not {base_url!r}", venue=plugin.name)
        if testnet:
            raise ConfigurationError("give base_url or testnet=True, not both", venue=plugin.name)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds, not {timeout!r}", venue=plugin.name)
    if isinstance(recv_window, bool) or not isinstance(recv_window, int) or not 1 <= recv_window <= 60000:
        raise ConfigurationError(f"recv_window must be 1..60000 ms, not {recv_window!r}", venue=plugin.name)
    config = ConnectConfig(
        venue=plugin.name,
        api_key=_secret("api_key", api_key),
        secret=_secret("secret", secret),
        password=_secret("password", password),
        base_url=base_url.rstrip("/") if base_url else None,
        testnet=bool(testnet),
        exchange=exchange,
        timeout=float(timeout),
        recv_window=recv_window,
        rate_limit=bool(rate_limit),
        options=dict(options or {}),
    )
    adapter_cls = plugin.load_adapter()
    return HedgeClient(adapter_cls(config), retry=retry)
