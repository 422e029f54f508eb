"""The demo (``python -m hedgekit demo``) runs the whole cycle and prints each step."""

from __future__ import annotations

import subprocess
import sys

import pytest

import hedgekit
from hedgekit.cli import run_demo


async def test_demo_walks_the_whole_cycle() -> None:
    lines: list[str] = []
    await run_demo("binance", lines.append)
    text = "\n".join(lines)
    rows = text.splitlines()
    assert "mode one_way, kept per account" in text
    assert "refused locally, nothing sent: 3 blockers" in text
    assert "position BTC/USDT:USDT: long leg of 0.006 open" in text
    assert "conditional_order BTC/USDT:USDT: stop_market" in text
    # the legs table after the partial close: long 0.006, short 0.020 untouched
    assert any(line.startswith("long ") and " 0.006 " in line for line in rows)
    assert any(line.startswith("short") and " 0.02 " in line for line in rows)
    assert text.rstrip().splitlines()[-1].startswith("the venue received")
    assert lines.count("mode one_way") == 1 and "mode hedge" in lines


def test_python_m_hedgekit_demo() -> None:
    out = subprocess.run([sys.executable, "-m", "hedgekit", "demo"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "refused locally" in out.stdout and "Traceback" not in out.stderr


def test_cli_account_command_against_the_simulator() -> None:
    code = r'''
import asyncio, os, subprocess, sys
from hedgekit.testing import SimulatedVenue

async def main():
    async with SimulatedVenue("binance") as venue:
        env = dict(os.environ, HEDGEKIT_API_KEY=venue.credentials["api_key"], HEDGEKIT_SECRET=venue.credentials["secret"])
        base = [sys.executable, "-m", "hedgekit"]
        args = ["--venue", "binance", "--base-url", venue.base_url]
        for cmd in (["mode", *args, "--set", "hedge"], ["open", *args, "long", "BTC/USDT:USDT", "0.01"], ["legs", *args, "BTC/USDT:USDT"]):
            proc = await asyncio.create_subprocess_exec(*base, *cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out, err = await proc.communicate()
            print(proc.returncode, out.decode(), err.decode())

asyncio.run(main())
'''
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert "0 hedge (account)" in out.stdout
    assert "market buy 0.01 on the long leg: filled" in out.stdout
    table = out.stdout.split("liq. price")[-1]
    assert [line.split()[:2] for line in table.splitlines() if line.startswith(("long", "short"))] == [
        ["long", "0.01"], ["short", "0"]
    ]


@pytest.mark.parametrize("venue", hedgekit.available_venues())
async def test_demo_runs_on_every_venue(venue: str) -> None:
    lines: list[str] = []
    await run_demo(venue, lines.append)
    text = "\n".join(lines)
    assert "refused locally, nothing sent: 3 blockers" in text
    assert lines.count("mode hedge") == 1 and "mode one_way" in lines
