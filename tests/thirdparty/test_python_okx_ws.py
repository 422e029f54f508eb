"""python-okx 0.4.4 ``WsPrivateAsync`` against the simulator's ``/ws/v5/private``, over TLS.

python-okx cannot dial ``ws://``: ``okx/websocket/WebSocketFactory.py`` always passes
``ssl=ssl_context`` to ``websockets.connect``, which refuses it for a ``ws://`` URL (STREAMS.md §4).
So the test puts a TLS terminator in front of the simulator, with a self-signed certificate made
here (``cryptography``) and trusted through ``SSL_CERT_FILE`` (``ssl.create_default_context()`` reads
it; python-okx adds certifi's bundle on top). python-okx sleeps 5 s after its login before it
subscribes (``WsPrivateAsync.subscribe``), so this test takes about 6 s.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import ssl
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

import hedgekit
from hedgekit import PositionMode
from hedgekit.testing import SimulatedVenue

x509 = pytest.importorskip("cryptography.x509")
pytest.importorskip("okx.websocket.WsPrivateAsync")

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
from okx.websocket.WsPrivateAsync import WsPrivateAsync  # type: ignore[import-untyped]  # noqa: E402

BTC = "BTC/USDT:USDT"


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                     x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


@pytest_asyncio.fixture
async def tls_venue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[SimulatedVenue, str]]:
    cert_file, key_file = _certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    async with SimulatedVenue("okx", mark_prices={BTC: Decimal("60000")}) as venue:
        port = int(venue.base_url.rsplit(":", 1)[1])
        pipes: list[asyncio.Task[None]] = []

        async def terminate(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            pipes.extend([asyncio.ensure_future(_pipe(reader, up_writer)),
                          asyncio.ensure_future(_pipe(up_reader, writer))])

        server = await asyncio.start_server(terminate, "127.0.0.1", 0, ssl=context)
        tls_port = server.sockets[0].getsockname()[1]
        try:
            yield venue, f"wss://127.0.0.1:{tls_port}"
        finally:
            server.close()
            for task in pipes:
                task.cancel()
            await asyncio.gather(*pipes, return_exceptions=True)


async def test_ws_private_async_login_subscribe_and_pushes(tls_venue: tuple[SimulatedVenue, str]) -> None:
    venue, base = tls_venue
    creds = venue.credentials
    received: list[dict[str, Any]] = []
    ws = WsPrivateAsync(apiKey=creds["api_key"], passphrase=creds["password"], secretKey=creds["secret"],
                        url=base + "/ws/v5/private")
    await ws.start()
    try:
        args = [{"channel": "positions", "instType": "SWAP"}, {"channel": "orders", "instType": "SWAP"}]
        await ws.subscribe(args, callback=lambda message: received.append(json.loads(message)))  # sleeps 5 s
        async with hedgekit.connect("okx", base_url=venue.base_url, rate_limit=False, **creds) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            placed = await hk.open_long(BTC, Decimal("0.02"))
            for _ in range(100):
                if any(m.get("arg", {}).get("channel") == "orders" and m.get("data", [{}])[0].get("state") == "filled"
                       for m in received):
                    break
                await asyncio.sleep(0.02)
    finally:
        await ws.stop()
    assert received[0]["event"] == "login" and received[0]["code"] == "0"  # int timestamp accepted
    acks = [m["arg"] for m in received if m.get("event") == "subscribe"]
    assert acks == args
    filled = [m for m in received if "data" in m and m["arg"]["channel"] == "orders" and m["data"][0]["state"] == "filled"]
    assert filled and filled[0]["data"][0]["ordId"] == placed.order_id
    positions = [m for m in received if m.get("arg", {}).get("channel") == "positions" and m.get("data")]
    assert positions and positions[-1]["data"][0]["pos"] == "2"
