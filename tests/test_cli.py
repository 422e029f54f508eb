"""The command line fails in one line on stderr, with a non-zero status, and never with a traceback.

Each case runs ``hedgekit.cli.main([...])`` in-process, and a few also as ``python -m hedgekit`` in a
subprocess, against a simulated venue served from a thread of its own (``main`` runs its own event
loop, so the venue cannot share the test's).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Coroutine, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from hedgekit import cli
from hedgekit.errors import MISSING_CREDENTIALS
from hedgekit.testing import SimulatedVenue

from .conftest import BTC, MARKS, VENUES

T = TypeVar("T")
ENV_KEYS = ("HEDGEKIT_API_KEY", "HEDGEKIT_SECRET", "HEDGEKIT_PASSWORD")


class ThreadedVenue:
    """A :class:`SimulatedVenue` running on an event loop in a background thread."""

    def __init__(self, name: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.venue = SimulatedVenue(name, mark_prices=dict(MARKS))
        self._run(self.venue.__aenter__())

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    def env(self) -> dict[str, str]:
        """The ``HEDGEKIT_*`` variables with this venue's credentials."""
        c = self.venue.credentials
        out = {"HEDGEKIT_API_KEY": c["api_key"], "HEDGEKIT_SECRET": c["secret"]}
        if "password" in c:
            out["HEDGEKIT_PASSWORD"] = c["password"]
        return out

    def close(self) -> None:
        self._run(self.venue.__aexit__(None, None, None))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def binance(no_credentials: None) -> Iterator[ThreadedVenue]:
    sim = ThreadedVenue("binance")
    try:
        yield sim
    finally:
        sim.close()


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert out == ""
    return lines[0]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed when the block ends: nothing listens there


# -- in-process ----------------------------------------------------------------------------------
def test_an_unknown_venue_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["mode", "--venue", "nowhere"]) == 2
    line = one_error_line(capsys)
    assert "invalid choice: 'nowhere'" in line and "binance" in line


def test_no_command_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "required: COMMAND" in one_error_line(capsys)


@pytest.mark.parametrize("quantity, price, expected", [
    ("abc", None, "argument QUANTITY: not a number: 'abc'"),
    ("0.01", "nan", "argument --price: not a finite number: 'nan'"),
    ("inf", None, "argument QUANTITY: not a finite number: 'inf'"),
])
def test_a_bad_number_is_one_line_and_nothing_is_sent(
    binance: ThreadedVenue, capsys: pytest.CaptureFixture[str], quantity: str, price: str | None, expected: str
) -> None:
    argv = ["open", "--venue", "binance", "--base-url", binance.venue.base_url, "long", BTC, quantity]
    if price is not None:
        argv += ["--price", price]
    assert cli.main(argv) == 2
    assert expected in one_error_line(capsys)
    assert binance.venue.requests == []  # refused before connecting


@pytest.mark.parametrize("name", VENUES)
def test_missing_credentials_are_one_line_naming_the_variables(
    name: str, no_credentials: None, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = ThreadedVenue(name)
    try:
        assert cli.main(["legs", "--venue", name, "--base-url", sim.venue.base_url, BTC]) == 1
        line = one_error_line(capsys)
        assert line.startswith(f"error: AuthenticationError: {name} ")
        assert MISSING_CREDENTIALS in line and cli.CREDENTIALS_HINT in line
        assert all(r.method == "GET" for r in sim.venue.requests)  # the markets only
    finally:
        sim.close()


def test_a_venue_refusal_is_one_line(
    binance: ThreadedVenue, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in binance.env().items():
        monkeypatch.setenv(key, value)
    too_many = binance.venue.engine.market(BTC).market_max_qty * 2
    argv = ["open", "--venue", "binance", "--base-url", binance.venue.base_url, "long", BTC, str(too_many)]
    assert cli.main(argv) == 1
    line = one_error_line(capsys)
    assert line == "error: OrderRejected: binance place_order [-4005] Quantity greater than max quantity."


def test_an_unreachable_venue_is_one_line(no_credentials: None, capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    assert cli.main(["legs", "--venue", "binance", "--base-url", f"http://127.0.0.1:{port}", BTC]) == cli.EXIT_NETWORK
    line = one_error_line(capsys)
    assert line.startswith("error: ") and "binance connect" in line and str(port) in line


def test_a_multi_line_venue_text_is_still_one_line(
    binance: ThreadedVenue, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def refuse(args: object) -> int:
        from hedgekit import OrderRejected
        raise OrderRejected("first line\nsecond line", venue="binance", operation="place_order", code=-1)

    monkeypatch.setattr(cli, "_run", refuse)
    assert cli.main(["legs", "--venue", "binance"]) == 1
    assert one_error_line(capsys) == "error: OrderRejected: binance place_order [-1] first line second line"


def test_an_unexpected_failure_is_still_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def broken(args: object) -> int:
        raise RuntimeError("something hedgekit did not foresee")

    monkeypatch.setattr(cli, "_run", broken)
    assert cli.main(["legs", "--venue", "binance"]) == cli.EXIT_BUG == 70
    assert one_error_line(capsys) == "error: unexpected RuntimeError: something hedgekit did not foresee"


def test_success_prints_to_stdout_only(
    binance: ThreadedVenue, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in binance.env().items():
        monkeypatch.setenv(key, value)
    assert cli.main(["mode", "--venue", "binance", "--base-url", binance.venue.base_url]) == 0
    out, err = capsys.readouterr()
    assert out == "one_way (account)\n" and err == ""


# -- as a program --------------------------------------------------------------------------------
def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    return subprocess.run([sys.executable, "-m", "hedgekit", *argv], capture_output=True, text=True,
                          timeout=120, env={**clean, **env})


@pytest.mark.parametrize("case", ["unknown venue", "bad number", "missing credentials", "refusal", "closed port"])
def test_the_program_prints_one_line_and_no_traceback(binance: ThreadedVenue, case: str) -> None:
    url = binance.venue.base_url
    too_many = str(binance.venue.engine.market(BTC).market_max_qty * Decimal(2))
    argv, env, status, text = {
        "unknown venue": (["legs", "--venue", "nowhere"], {}, 2, "invalid choice: 'nowhere'"),
        "bad number": (["open", "--venue", "binance", "--base-url", url, "short", BTC, "1,5"], {}, 2,
                       "not a number: '1,5'"),
        "missing credentials": (["mode", "--venue", "binance", "--base-url", url], {}, 1, MISSING_CREDENTIALS),
        "refusal": (["open", "--venue", "binance", "--base-url", url, "long", BTC, too_many], binance.env(), 1,
                    "[-4005] Quantity greater than max quantity."),
        "closed port": (["legs", "--venue", "binance", "--base-url", f"http://127.0.0.1:{closed_port()}"], {}, 4,
                        "binance connect"),
    }[case]
    proc = run(argv, env)
    assert proc.returncode == status, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and text in proc.stderr, proc.stderr
