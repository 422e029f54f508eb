"""How the Binance adapter sets ccxt up: hosts, test environment, linear-only, a user's own exchange."""

from __future__ import annotations

from decimal import Decimal

import ccxt.async_support as ccxt_async

import hedgekit
from hedgekit.testing import SimulatedVenue


async def test_base_url_replaces_every_host() -> None:
    client = hedgekit.connect("binance", api_key="k", secret="s", base_url="http://127.0.0.1:9/")
    exchange = client.adapter._make_exchange()  # type: ignore[attr-defined]
    try:
        fapi = {k: v for k, v in exchange.urls["api"].items() if k.startswith("fapi")}
        assert fapi and all(v.startswith("http://127.0.0.1:9/") for v in fapi.values())
        assert exchange.options["fetchCurrencies"] is False
    finally:
        await exchange.close()
        await client.aclose()


async def test_testnet_uses_the_demo_environment() -> None:
    client = hedgekit.connect("binance", api_key="k", secret="s", testnet=True)
    exchange = client.adapter._make_exchange()  # type: ignore[attr-defined]
    try:
        assert exchange.urls["api"]["fapiPrivate"].startswith("https://demo-fapi.binance.com/")
    finally:
        await exchange.close()
        await client.aclose()


async def test_base_url_and_testnet_together_are_refused() -> None:
    try:
        hedgekit.connect("binance", base_url="http://127.0.0.1:9", testnet=True)
    except hedgekit.ConfigurationError as exc:
        assert "not both" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("accepted")


async def test_a_users_own_ccxt_exchange_is_used_and_closed() -> None:
    async with SimulatedVenue("binance") as venue:
        mine = ccxt_async.binanceusdm({"apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"]})
        async with hedgekit.connect("binance", exchange=mine, base_url=venue.base_url) as hk:
            await hk.open_long("BTC/USDT:USDT", Decimal("0.01"))
            assert hk.adapter._exchange is mine  # type: ignore[attr-defined]
        assert mine.session is None or mine.session.closed
