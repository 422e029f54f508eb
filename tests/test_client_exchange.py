"""``hk.exchange``: the documented way to the ccxt exchange underneath, on every venue."""

from __future__ import annotations

import pytest

import hedgekit
from hedgekit import ConfigurationError, HedgeClient
from hedgekit.testing import SimulatedVenue


async def test_the_exchange_is_ccxt_and_talks_to_the_same_venue(hk: HedgeClient, venue: SimulatedVenue) -> None:
    exchange = hk.exchange
    assert type(exchange).__module__.startswith("ccxt.async_support.")
    assert exchange is hk.exchange
    # hedgekit's set-up: the hosts hedgekit calls are the simulator's
    hosts = [url for url in exchange.urls["api"].values() if isinstance(url, str)]
    assert any(url.startswith(venue.base_url) for url in hosts), hosts
    with pytest.raises(AttributeError):
        hk.exchange = None  # type: ignore[misc]  # read-only


async def test_the_exchange_exists_only_while_the_client_is_open(venue: SimulatedVenue) -> None:
    client = hedgekit.connect(venue.venue, base_url=venue.base_url, rate_limit=False, **venue.credentials)
    with pytest.raises(ConfigurationError, match="while the client is open"):
        client.exchange
    async with client:
        exchange = client.exchange
    assert exchange.session is None  # closed with the client
    with pytest.raises(ConfigurationError, match="while the client is open"):
        client.exchange


async def test_a_users_own_exchange_is_the_one_returned(venue: SimulatedVenue) -> None:
    if venue.venue != "binance":
        pytest.skip("one venue is enough for the identity")
    import ccxt.async_support as ccxt_async

    mine = ccxt_async.binanceusdm({"apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"]})
    async with hedgekit.connect("binance", base_url=venue.base_url, exchange=mine) as client:
        assert client.exchange is mine
