"""Lifecycle: idempotent close, closed clients refuse use, no leaked sessions or connections."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest

import hedgekit
from hedgekit.testing import SimulatedVenue

SCRIPT = r'''
import asyncio, gc, warnings
from decimal import Decimal
import hedgekit
from hedgekit.testing import SimulatedVenue

warnings.simplefilter("always")

async def main():
    async with SimulatedVenue("binance") as venue:
        # a normal session
        async with hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials) as hk:
            await hk.open_long("BTC/USDT:USDT", Decimal("0.01"))
        await hk.aclose()
        # a client whose open fails
        try:
            async with hedgekit.connect("binance", base_url="http://127.0.0.1:9", **venue.credentials):
                pass
        except hedgekit.HedgekitError as exc:
            print("open failed:", type(exc).__name__)
        # a client never opened
        hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials)
        # a request cancelled mid-flight
        venue.latency = 0.5
        hk = hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials)
        venue.latency = 0.0
        await hk.open()
        venue.latency = 0.5
        task = asyncio.create_task(hk.position_mode())
        await asyncio.sleep(0.1)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            print("cancelled")
        await hk.aclose()
    gc.collect()

asyncio.run(main())
gc.collect()
print("done")
'''


def test_no_unclosed_session_warning_ever() -> None:
    run = subprocess.run([sys.executable, "-X", "dev", "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "open failed: " in run.stdout and "cancelled" in run.stdout and "done" in run.stdout
    for noise in ("Unclosed", "unclosed", "requires to release all resources", "Task was destroyed"):
        assert noise not in run.stderr, run.stderr


async def test_aclose_is_idempotent_and_final() -> None:
    async with SimulatedVenue("binance") as venue:
        client = hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials)
        await client.open()
        await client.open()  # idempotent while open
        await client.aclose()
        await client.aclose()
        assert client.closed
        for call in (client.position_mode(), client.legs("BTC/USDT:USDT"), client.open_long("BTC/USDT:USDT", Decimal("0.01"))):
            with pytest.raises(hedgekit.ConfigurationError, match="closed"):
                await call
        with pytest.raises(hedgekit.ConfigurationError, match="closed"):
            async with client:
                pass


async def test_unopened_client_says_how_to_open() -> None:
    async with SimulatedVenue("binance") as venue:
        client = hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials)
        with pytest.raises(hedgekit.ConfigurationError, match="async with"):
            await client.position_mode()
        await client.aclose()


async def test_cancelling_mid_request_leaves_no_half_open_connection() -> None:
    async with SimulatedVenue("binance") as venue:
        async with hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials) as hk:
            venue.latency = 0.5
            task = asyncio.create_task(hk.position_mode())
            await asyncio.sleep(0.1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            venue.latency = 0.0
            session = hk.adapter._exchange.session  # type: ignore[attr-defined]
            connector = session.connector
            assert not connector._acquired  # nothing still held by the cancelled request
            assert (await hk.position_mode()).mode is hedgekit.PositionMode.ONE_WAY  # the client still works
        assert session.closed
        await asyncio.sleep(0.6)  # the venue finishes its (slow) answer to nobody
        server = venue._runner.server if venue._runner is not None else None  # type: ignore[attr-defined]
        assert server is None or not server.connections


@pytest.mark.parametrize("venue_name", hedgekit.available_venues())
def test_closing_skips_the_tls_wait_only_without_tls(venue_name: str) -> None:
    """ccxt sleeps 250 ms in close() for TLS shutdown; a plain-http base_url has no TLS to wait for."""
    plain = hedgekit.connect(venue_name, base_url="http://127.0.0.1:9")
    secure = hedgekit.connect(venue_name, base_url="https://example.invalid")
    default = hedgekit.connect(venue_name)
    assert [_exchange_of(client).timeout_on_exit for client in (plain, secure, default)] == [0, 250, 250]


def _exchange_of(client: hedgekit.HedgeClient) -> Any:
    """The ccxt exchange the client's adapter makes (not opened: no session, no request)."""
    adapter: Any = client.adapter
    transport = getattr(adapter, "_transport", None)
    if transport is not None:  # OKX keeps its exchange in its transport
        transport.open()
        return transport.exchange
    return adapter._make_exchange()
