"""No secret ever appears in a log line (any level), a repr, an exception or a recorded request dump."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import hedgekit
from hedgekit import PositionMode, PositionSide
from hedgekit.testing import RecordedRequest, SimulatedVenue

ROOT = Path(__file__).resolve().parents[2]


def test_conformance_suite_under_debug_logging_leaks_no_secret(tmp_path: Path) -> None:
    env = dict(os.environ, HEDGEKIT_SECRET_AUDIT=str(tmp_path))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/conformance", "-x"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    secrets: set[str] = set()
    for line in (tmp_path / "secrets.jsonl").read_text().splitlines():
        creds = json.loads(line)
        venue = creds.pop("venue")
        # API keys too; but an Aster v3 api_key is the user's public wallet address (sent as ``user``)
        secrets |= {v for k, v in creds.items() if v and not (k == "api_key" and venue == "aster")}
    assert len(secrets) >= 10
    on_wire: set[str] = set()
    for line in (tmp_path / "wire.jsonl").read_text().splitlines():
        on_wire |= set(json.loads(line)["values"])
    assert len(on_wire) > 100  # keys and signatures of every signed request
    secrets |= on_wire
    log = (tmp_path / "log.txt").read_text()
    assert log.count("DEBUG hedgekit") > 100  # the run really logged at DEBUG
    # ccxt's own request lines are redacted too: the keys it logs in headers show as ***
    assert "'X-MBX-APIKEY': '***'" in log and "'OK-ACCESS-PASSPHRASE': '***'" in log
    dumps = (tmp_path / "dumps.txt").read_text()
    for text in (log, dumps, run.stdout, run.stderr):
        leaked = [s for s in secrets if s in text]
        assert not leaked


async def test_reprs_and_errors_hold_no_secret() -> None:
    async with SimulatedVenue("binance") as venue:
        creds = dict(venue.credentials)
        client = hedgekit.connect("binance", base_url=venue.base_url, **creds)
        async with client:
            texts = [repr(client), repr(client.adapter), repr(client.adapter.config), str(client.adapter.config)]
        bad = hedgekit.connect("binance", base_url=venue.base_url, api_key=creds["api_key"], secret="wrong-" + creds["secret"])
        async with bad:
            with pytest.raises(hedgekit.AuthenticationError) as info:
                await bad.position_mode()
        texts += [str(info.value), repr(info.value), repr(venue), repr(venue.requests)]
        for text in texts:
            assert creds["secret"] not in text
            assert "wrong-" not in text


#: Where each venue carries its key and its signature on the wire (never its secret or, on OKX, never
#: anything but the passphrase itself), by header and by parameter:
#: * binance: header ``X-MBX-APIKEY``, parameter ``signature`` (USDⓈ-M "General Info" / "SIGNED Endpoint
#:   Security"; coincise docs/binance/usdm/authentication.md).
#: * aster v3: parameter ``signature``, the EIP-712 signature by the API wallet (AST3 "Authentication signature
#:   payload"); ``user`` and ``signer`` are the main and API wallets' public addresses and stay readable.
#: * aster v1 (legacy HMAC keys): header ``X-MBX-APIKEY``, parameter ``signature`` (AST1 "Endpoint security type").
#: * bybit: headers ``X-BAPI-API-KEY`` and ``X-BAPI-SIGN`` (docs/v5/guide.mdx "Authentication").
#: * okx: headers ``OK-ACCESS-KEY``, ``OK-ACCESS-SIGN``, ``OK-ACCESS-PASSPHRASE`` (docs-v5 "REST Authentication").
WIRE_SECRETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "binance": (("X-MBX-APIKEY",), ("signature",)),
    "aster": ((), ("signature",)),
    "aster-v1": (("X-MBX-APIKEY",), ("signature",)),
    "bybit": (("X-BAPI-API-KEY", "X-BAPI-SIGN"), ()),
    "okx": (("OK-ACCESS-KEY", "OK-ACCESS-SIGN", "OK-ACCESS-PASSPHRASE"), ()),
}
BTC = "BTC/USDT:USDT"


def credentials_of(venue: SimulatedVenue, flavour: str) -> dict[str, Any]:
    if flavour == "aster-v1":
        return dict(venue.frontend.legacy_credentials)  # type: ignore[attr-defined]
    return dict(venue.credentials)


def wire_values(request: RecordedRequest, flavour: str) -> dict[str, str]:
    """The key and signature values ``request`` carried, by the name they travelled under."""
    headers, params = WIRE_SECRETS[flavour]
    found = {name: request.headers[name] for name in headers if name in request.headers}
    found.update({name: str(request.params[name]) for name in params if name in request.params})
    return found


@pytest.mark.parametrize("flavour", list(WIRE_SECRETS))
async def test_request_dumps_and_reprs_show_no_key_signature_or_secret(flavour: str) -> None:
    venue_name = flavour.split("-")[0]
    async with SimulatedVenue(venue_name, mark_prices={BTC: Decimal("60000")}) as venue:
        creds = credentials_of(venue, flavour)
        async with hedgekit.connect(venue_name, base_url=venue.base_url, **creds) as hk:
            await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
            await hk.open_long(BTC, Decimal("0.01"))
            await hk.stop_market(BTC, PositionSide.LONG, Decimal("55000"))
            await hk.open_orders(BTC)
            await hk.legs(BTC)
        requests = list(venue.requests)
        whole = repr(venue.requests) + repr(venue)
    secrets = {"secret": creds["secret"], "secret without 0x": creds["secret"].removeprefix("0x")}
    if creds.get("password"):
        secrets["passphrase"] = creds["password"]
    if flavour != "aster":  # an Aster v3 api_key is the user's public wallet address, sent as ``user``
        secrets["api key"] = creds["api_key"]
    signed = 0
    for request in requests:
        on_wire = wire_values(request, flavour)
        signed += bool(on_wire)
        dump = request.dump()
        texts = (repr(request), json.dumps(dump, default=str), str(dump), whole)
        for label, value in {**secrets, **on_wire}.items():
            assert value and not any(value in text for text in texts), (
                f"{label} of {request.method} {request.path} shows in its dump or repr")
        for name in on_wire:  # the name stays, the value goes
            assert (dump["headers"] if name in request.headers else dump["params"])[name] == "***"
    # the requests really were signed: every name the venue documents was seen, on most requests
    seen = {name for request in requests for name in wire_values(request, flavour)}
    assert seen == set(WIRE_SECRETS[flavour][0] + WIRE_SECRETS[flavour][1]), seen
    assert signed >= 5
