"""No secret ever appears in a log line (any level), a repr, an exception or a recorded request dump."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import hedgekit
from hedgekit.testing import SimulatedVenue

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
        secrets |= {v for k, v in creds.items() if k != "api_key" and v}
    assert len(secrets) >= 10
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
