"""Testing a bot that calls the venue through hedgekit *and* its own services through httpx.

respx mocks httpx (it patches httpx's transports); hedgekit and ccxt speak aiohttp, which respx
never sees. So each side gets its own double: respx answers the bot's httpx calls (here, a
signal service), and hedgekit's loopback simulator is the venue. Neither gets in the other's way:
respx leaves aiohttp alone, and the simulator is a real HTTP server on 127.0.0.1.

Run it with ``pytest examples/test_bot_with_respx.py`` (``pip install "hedgekit[testing]" respx``);
no pytest configuration is needed.
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
import respx

from hedgekit import HedgeClient, PositionMode
from hedgekit.testing.harness import HarnessVenue

BTC = "BTC/USDT:USDT"
SIGNALS = "https://signals.example.com"


async def hedge_bot(hk: HedgeClient, signals: httpx.AsyncClient) -> str:
    """The bot under test: asks its signal service which leg to open, and opens it in hedge mode."""
    answer = await signals.get("/v1/signal", params={"symbol": "BTCUSDT"})
    answer.raise_for_status()
    signal = answer.json()
    await hk.set_position_mode(PositionMode.HEDGE)
    size = Decimal(signal["size"])
    if signal["side"] == "long":
        await hk.open_long(BTC, size)
    else:
        await hk.open_short(BTC, size)
    return str(signal["side"])


@pytest.mark.hedgekit("binance", strict="writes")
@respx.mock(base_url=SIGNALS, assert_all_called=True)
async def test_bot_opens_the_leg_its_signal_names(
    respx_mock: respx.MockRouter, hedge_client: HedgeClient, simulated_venue: HarnessVenue
) -> None:
    respx_mock.get("/v1/signal", params={"symbol": "BTCUSDT"}).respond(json={"side": "short", "size": "0.01"})
    simulated_venue.expect("POST", "/fapi/v1/positionSide/dual")
    simulated_venue.expect("POST", "/fapi/v1/order", params={"side": "SELL", "positionSide": "SHORT"}, times=1)
    async with httpx.AsyncClient(base_url=SIGNALS) as signals:
        assert await hedge_bot(hedge_client, signals) == "short"
    pair = await hedge_client.legs(BTC)
    assert pair.short.size == Decimal("0.01") and pair.long.size == 0


@pytest.mark.hedgekit("okx")
@respx.mock(base_url=SIGNALS)
async def test_bot_sends_nothing_to_the_venue_when_its_signal_fails(
    respx_mock: respx.MockRouter, hedge_client: HedgeClient, simulated_venue: HarnessVenue
) -> None:
    respx_mock.get("/v1/signal").respond(503)
    sent_before = len(simulated_venue.requests)
    async with httpx.AsyncClient(base_url=SIGNALS) as signals:
        with pytest.raises(httpx.HTTPStatusError):
            await hedge_bot(hedge_client, signals)
    assert len(simulated_venue.requests) == sent_before
    assert hedge_client.venue == "okx"
    assert (await hedge_client.legs(BTC)).long.size == 0
