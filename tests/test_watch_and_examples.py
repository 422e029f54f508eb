"""``hedgekit watch`` and the examples, as a user runs them, against the simulator of every venue.

``watch`` runs through ``hedgekit.cli.main`` (argument parsing included) in a worker thread, since
``main`` runs an event loop of its own, while this test drives the venue from its own loop. The
examples run in-process (their ``main()``), on the embedded simulator they start themselves.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

import hedgekit
from hedgekit import PositionMode
from hedgekit import cli
from hedgekit.testing import SimulatedVenue

from .conftest import BTC, MARKS, VENUES, run_example

ENV_KEYS = ("HEDGEKIT_API_KEY", "HEDGEKIT_SECRET", "HEDGEKIT_PASSWORD")


class Printed:
    """Everything the command line printed so far (capsys hands each part out once)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self.out = ""
        self.err = ""

    def read(self) -> str:
        out, err = self._capsys.readouterr()
        self.out += out
        self.err += err
        return self.out

    async def until(self, text: str, seconds: float = 15.0) -> None:
        end = time.monotonic() + seconds
        while text not in self.read():
            assert time.monotonic() < end, f"{text!r} never printed; so far:\n{self.out}\n{self.err}"
            await asyncio.sleep(0.02)


@pytest.mark.parametrize("name", VENUES)
async def test_watch_prints_the_legs_then_each_change(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        creds = venue.credentials
        monkeypatch.setenv("HEDGEKIT_API_KEY", creds["api_key"])
        monkeypatch.setenv("HEDGEKIT_SECRET", creds["secret"])
        if "password" in creds:
            monkeypatch.setenv("HEDGEKIT_PASSWORD", creds["password"])
        async with hedgekit.connect(name, base_url=venue.base_url, rate_limit=False, **creds) as hk:
            await hk.set_position_mode(PositionMode.HEDGE, BTC)
            size = hk.market(BTC).min_quantity * 10
            await hk.open_long(BTC, size)
            limit = await hk.open_short(BTC, size, price=Decimal("70000"))
            printed = Printed(capsys)
            command = asyncio.ensure_future(asyncio.to_thread(
                cli.main, ["watch", "--venue", name, "--base-url", venue.base_url, BTC,
                           "--count", "3", "--seconds", "30"]))
            # the legs as the stream holds them, then the open order: the stream is live
            await printed.until(f"(id {limit.order_id},")
            assert "long " in printed.out and "BTC/USDT:USDT (hedge)" in printed.out
            await hk.open_short(BTC, size)
            await hk.close_long(BTC, size)
            status = await asyncio.wait_for(command, 30)
    assert status == 0, printed.read() + printed.err
    printed.read()
    assert printed.err == ""
    head, _, changes = printed.out.partition(f"(id {limit.order_id},")
    events = [line for line in changes.splitlines()[1:] if line.strip()]
    assert len(events) == 3, printed.out  # --count 3: three changes, then it stops
    assert any(line.startswith("order ") for line in events), events
    assert any(line.startswith("leg   BTC/USDT:USDT short") or line.startswith("leg   BTC/USDT:USDT long")
               for line in events), events


@pytest.mark.parametrize("name", VENUES)
async def test_stream_legs_example_follows_both_stops_until_both_legs_are_flat(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = await run_example("stream_legs.py", name, monkeypatch, capsys)
    assert out.startswith(f"{name}: both legs open"), out
    events, _, after = out.partition("both stops fired")
    assert "order stop_market long" in events and "order trailing_stop_market short" in events, out
    assert "long  size 0 " in events and "short size 0 " in events, out
    assert "net 0, gross 0," in after, out


@pytest.mark.parametrize("name", VENUES)
async def test_hedge_cycle_example_runs_on_the_simulator(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = await run_example("hedge_cycle.py", name, monkeypatch, capsys)
    summaries = [line for line in out.splitlines() if line.startswith("BTC/USDT:USDT (hedge)")]
    assert len(summaries) == 2, out  # both legs open and protected, then everything closed
    assert "gross 0," not in summaries[0] and "net 0, gross 0," in summaries[1], out
