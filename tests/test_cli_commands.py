"""Every ``hedgekit`` command end to end against the simulator: text, ``--json`` and exit statuses.

Each command runs in-process through ``hedgekit.cli.main`` (argument parsing included) against a
simulated venue on a background loop (``ThreadedVenue``: ``main`` runs an event loop of its own),
with the credentials in the ``HEDGEKIT_*`` variables, as a person at a terminal runs it. The JSON
a command prints is parsed and compared with what the venue's own books hold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import hedgekit
from hedgekit import PositionMode, cli, errors
from hedgekit.payload import plain
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.faults import FaultKind

from .conftest import BTC, MARKS, VENUES
from .test_cli import ENV_KEYS, ThreadedVenue, closed_port, one_error_line


class Cli:
    """``hedgekit`` against one simulated venue, with its credentials in the environment."""

    def __init__(self, sim: ThreadedVenue, name: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.sim = sim
        self.venue = sim.venue
        self.name = name
        self._capsys = capsys

    def argv(self, command: str, *rest: str) -> list[str]:
        return [command, "--venue", self.name, "--base-url", self.venue.base_url, "--no-rate-limit", *rest]

    def ok(self, command: str, *rest: str) -> str:
        """Run a command that must succeed; its stdout (stderr must stay empty)."""
        status = cli.main(self.argv(command, *rest))
        out, err = self._capsys.readouterr()
        assert status == 0, err
        assert err == "" and "Traceback" not in out
        return out

    def json(self, command: str, *rest: str) -> Any:
        """Run a command with ``--json``; its output parsed."""
        return json.loads(self.ok(command, *rest, "--json"))

    def fails(self, status: int, command: str, *rest: str) -> str:
        """Run a command that must fail with ``status``; its one error line."""
        got = cli.main(self.argv(command, *rest))
        line = one_error_line(self._capsys)
        assert got == status, line
        return line


def _set_env(monkeypatch: pytest.MonkeyPatch, sim: ThreadedVenue) -> None:
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("HEDGEKIT_VENUE", raising=False)
    for key, value in sim.env().items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def binance(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Cli]:
    sim = ThreadedVenue("binance")
    _set_env(monkeypatch, sim)
    try:
        yield Cli(sim, "binance", capsys)
    finally:
        sim.close()


def minimum(hk_cli: Cli) -> Decimal:
    """Ten times the contract's minimum quantity, as the venue lists it."""
    return Decimal(plain(Decimal(hk_cli.venue.engine.market(BTC).min_qty) * 10))  # as a person types it


# -- help ------------------------------------------------------------------------------------------
def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli._parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_command_of_the_issue_exists() -> None:
    wanted = {"mode", "legs", "orders", "open", "close", "close-leg", "stop", "take-profit", "trail", "cancel",
              "leverage", "margin-mode", "demo", "watch"}
    assert wanted <= set(_subcommands())


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_every_option_and_argument_has_help(name: str) -> None:
    command = _subcommands()[name]
    assert command.description, name
    for action in command._actions:
        assert action.help and action.help != argparse.SUPPRESS, f"{name} {action.dest} has no help"
    if name != "demo":  # the account commands name the variables and the statuses in their own --help
        text = command.format_help()
        assert all(key in text for key in ("HEDGEKIT_API_KEY", "HEDGEKIT_SECRET", "HEDGEKIT_PASSWORD")), text
        assert "exit status" in text
    if name not in ("demo", "watch"):
        assert any(a.dest == "json" for a in command._actions), name


def test_help_names_the_environment_and_every_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for key in ("HEDGEKIT_API_KEY", "HEDGEKIT_SECRET", "HEDGEKIT_PASSWORD", "HEDGEKIT_VENUE"):
        assert key in out
    lines = out.split("exit status:")[1].splitlines()
    codes = [int(line.split()[0]) for line in lines if line.startswith("  ") and line.split()[0].isdigit()]
    assert codes == [code for code, _ in cli.EXIT_STATUSES] == [0, 1, 2, 3, 4, 5, 70, 130]


# -- exit statuses ---------------------------------------------------------------------------------
def _error_classes() -> list[type[errors.HedgekitError]]:
    found: list[type[errors.HedgekitError]] = []
    todo: list[type[errors.HedgekitError]] = [errors.HedgekitError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


EXPECTED_STATUS = {
    "HedgekitError": cli.EXIT_BUG, "ConfigurationError": 2, "InvalidRequest": 1, "ModeChangeBlocked": 1,
    "PositionSideMismatch": 1, "ExchangeError": 3, "AuthenticationError": 1, "InsufficientMargin": 1,
    "OrderRejected": 1, "MalformedResponse": 3, "ExchangeUnavailable": 3, "RateLimited": 3, "ClockSkew": 3,
    "NetworkError": 4, "StreamDisconnected": 4, "OrderStatusUnknown": 5,
}


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_every_hedgekit_error_has_its_exit_status(cls: type[errors.HedgekitError]) -> None:
    # a new error class fails here until the table (and --help) says what it means
    assert cls.__name__ in EXPECTED_STATUS, f"{cls.__name__} has no exit status in this table"
    exc = cls("x", venue="binance", code=-1, http_status=400)
    assert cli.exit_status(exc) == EXPECTED_STATUS[cls.__name__]


def test_an_unavailable_venue_is_a_venue_error_and_no_connection_is_the_network() -> None:
    answered = errors.ExchangeUnavailable("Service Unavailable", venue="binance", http_status=503)
    unanswered = errors.NetworkError("binanceusdm GET http://127.0.0.1:1/fapi/v1/exchangeInfo", venue="binance")
    assert (cli.exit_status(answered), cli.exit_status(unanswered)) == (cli.EXIT_VENUE, cli.EXIT_NETWORK)
    assert cli.exit_status(RuntimeError("boom")) == cli.EXIT_BUG


def test_refused_locally_is_1_and_nothing_is_sent(binance: Cli) -> None:
    tiny = str(Decimal(binance.venue.engine.market(BTC).min_qty) / 10)
    line = binance.fails(1, "open", "long", BTC, tiny)
    assert line.startswith("error: InvalidRequest: ")
    line = binance.fails(1, "trail", "long", BTC, "50", "--quantity", "0.01")  # Binance takes 0.1-20
    assert line.startswith("error: InvalidRequest: ") and "callback" in line
    assert [r for r in binance.venue.requests if r.method != "GET"] == []


def test_a_blocked_mode_change_is_1_naming_the_blockers(binance: Cli) -> None:
    binance.ok("mode", "--set", "hedge")
    binance.ok("open", "long", BTC, str(minimum(binance)))
    line = binance.fails(1, "mode", "--set", "one_way")
    assert line.startswith("error: ModeChangeBlocked: binance set_position_mode cannot switch the account")
    assert "1 blocker" in line and BTC in line
    assert json.loads(binance.ok("mode", "--json"))["mode"] == "hedge"


def test_a_venue_failure_is_3(binance: Cli) -> None:
    binance.venue.inject(FaultKind.SERVER_ERROR, method="GET", path="/fapi/v1/openOrders", count=20)
    line = binance.fails(3, "orders", BTC)
    assert line.startswith("error: ExchangeUnavailable: binance open_orders")


def test_a_dropped_connection_is_4(binance: Cli) -> None:
    binance.venue.inject(FaultKind.DROP_BEFORE, method="GET", path="/fapi/v1/openOrders", count=20)
    line = binance.fails(4, "orders", BTC)
    assert line.startswith("error: ") and "open_orders" in line


def test_a_closed_port_is_4_on_every_venue(capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    for name in VENUES:
        status = cli.main(["legs", "--venue", name, "--base-url", f"http://127.0.0.1:{port}", BTC])
        line = one_error_line(capsys)
        assert status == cli.EXIT_NETWORK, line
        assert str(port) in line or "connect" in line


def test_an_order_of_unknown_fate_is_5(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    async def lost(args: object) -> int:
        raise errors.OrderStatusUnknown("the order's fate is unknown; look it up", venue="binance",
                                        operation="place_order", client_order_id="hk-1")

    monkeypatch.setattr(cli, "_run", lost)
    assert cli.main(["open", "--venue", "binance", "long", BTC, "0.01"]) == 5
    assert one_error_line(capsys) == ("error: OrderStatusUnknown: binance place_order the order's fate is unknown; "
                                      "look it up; client order id hk-1")


@pytest.mark.parametrize("argv, text", [
    (["cancel", BTC], "give one of ORDER_ID, --client-id or --all"),
    (["cancel", BTC, "1", "--all"], "give one of ORDER_ID, --client-id or --all"),
    (["watch", "--count", "0"], "must be at least 1"),
    (["stop", "long", BTC, "x"], "argument TRIGGER_PRICE: not a number: 'x'"),
])
def test_a_bad_combination_is_2_before_connecting(binance: Cli, argv: list[str], text: str) -> None:
    assert text in binance.fails(2, *argv)
    assert binance.venue.requests == []


def test_a_bad_setting_is_2(binance: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["legs", "--venue", "binance", "--base-url", "ftp://127.0.0.1", BTC]) == 2
    assert one_error_line(capsys).startswith("error: ConfigurationError: binance base_url must start with http")
    assert cli.main(["legs", "--venue", "binance", "--base-url", binance.venue.base_url, "--testnet", BTC]) == 2
    assert "give base_url or testnet=True, not both" in one_error_line(capsys)


def test_the_venue_comes_from_hedgekit_venue(binance: Cli, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HEDGEKIT_VENUE", "binance")
    assert cli.main(["mode", "--base-url", binance.venue.base_url]) == 0
    assert capsys.readouterr().out == "one_way (account)\n"
    monkeypatch.setenv("HEDGEKIT_VENUE", "nowhere")
    assert cli.main(["mode", "--base-url", binance.venue.base_url]) == 2
    assert "argument --venue: invalid choice: 'nowhere'" in one_error_line(capsys)


# -- the commands, end to end ----------------------------------------------------------------------
def test_a_whole_session_on_binance_in_json(binance: Cli) -> None:
    engine = binance.venue.engine
    size = minimum(binance)
    assert binance.json("margin-mode", BTC, "isolated") == {"venue": "binance", "symbol": BTC, "margin_mode": "isolated"}
    lev = binance.json("leverage", BTC, "7")
    assert (lev["symbol"], lev["long"], lev["short"]) == (BTC, "7", "7")

    state = binance.json("mode", "--set", "hedge")
    assert (state["mode"], state["scope"], state["scope_key"]) == ("hedge", "account", None) and "raw" not in state

    bought = binance.json("open", "long", BTC, str(size))
    assert (bought["type"], bought["side"], bought["position_side"], bought["status"]) == ("market", "buy", "long", "filled")
    assert Decimal(bought["filled_quantity"]) == size and isinstance(bought["average_price"], str)
    limit = binance.json("open", "short", BTC, str(size), "--price", "70000", "--tif", "gtc",
                         "--client-id", "cli-limit-1")
    assert (limit["status"], limit["price"], limit["client_order_id"]) == ("new", "70000", "cli-limit-1")

    pair = binance.json("legs", BTC)
    assert (pair["symbol"], pair["mode"], pair["long"]["side"], pair["short"]["size"]) == (BTC, "hedge", "long", "0")
    assert Decimal(pair["long"]["size"]) == size and pair["long"]["margin_mode"] == "isolated"
    assert pair["long"]["leverage"] == "7" and "raw" not in pair["long"]
    assert [leg["side"] for leg in binance.json("legs")] == ["long"]

    stop = binance.json("stop", "long", BTC, "50000")
    assert (stop["type"], stop["trigger_price"], stop["quantity"], stop["conditional"]) == (
        "stop_market", "50000", None, True)
    tp = binance.json("take-profit", "long", BTC, "65000", "--quantity", str(size), "--working-type", "contract_price",
                      "--current-price", "60000")
    assert (tp["type"], Decimal(tp["quantity"])) == ("take_profit_market", size)
    trail = binance.json("trail", "long", BTC, "1.5")  # the whole leg, read first
    assert (trail["type"], trail["callback_rate"], Decimal(trail["quantity"])) == ("trailing_stop_market", "1.5", size)

    listed = binance.json("orders", BTC)
    assert sorted(o["order_id"] for o in listed) == sorted(o["order_id"] for o in (limit, stop, tp, trail))

    canceled = binance.json("cancel", BTC, stop["order_id"])  # a conditional order, found among the open ones
    assert (canceled["order_id"], canceled["status"], canceled["conditional"]) == (stop["order_id"], "canceled", True)
    by_client = binance.json("cancel", BTC, "--client-id", "cli-limit-1")
    assert (by_client["order_id"], by_client["status"]) == (limit["order_id"], "canceled")
    again = binance.json("cancel", BTC, limit["order_id"])  # no longer open: its status, not an error
    assert again["status"] == "canceled"
    rest = binance.json("cancel", BTC, "--all")
    assert sorted(o["order_id"] for o in rest) == sorted([tp["order_id"], trail["order_id"]])
    assert all(o["status"] == "canceled" for o in rest) and binance.json("orders") == []

    binance.json("open", "short", BTC, str(size * 2))
    part = binance.json("close", "short", BTC, str(size))
    assert (part["side"], part["position_side"], part["status"]) == ("buy", "short", "filled")
    closed = binance.json("close-leg", "long", BTC)
    assert (closed["side"], closed["position_side"], Decimal(closed["quantity"])) == ("sell", "long", size)
    assert binance.json("close-leg", "long", BTC) is None  # already empty: nothing sent
    pair = binance.json("legs", BTC)
    assert (pair["long"]["size"], Decimal(pair["short"]["size"])) == ("0", size)
    short = engine.leg(BTC, "SHORT")  # the venue's own book agrees with what the command printed
    assert (short.size, Decimal(pair["short"]["entry_price"])) == (size, short.entry_price)
    assert engine.leg(BTC, "LONG").size == 0


def test_the_text_a_person_reads(binance: Cli) -> None:
    size = minimum(binance)
    assert binance.ok("mode", "--set", "hedge") == "hedge (account)\n"
    assert binance.ok("orders") == "no open orders\n"
    assert binance.ok("legs") == "no open legs\n"
    assert binance.ok("open", "long", BTC, str(size)).startswith(f"market buy {size} on the long leg: filled")
    out = binance.ok("stop", "long", BTC, "50000")
    assert out.startswith("stop_market sell whole leg trigger 50000 on the long leg: new (id ")
    assert binance.ok("orders", BTC) == out
    order_id = out.split("(id ")[1].split(",")[0]
    assert binance.ok("cancel", BTC, order_id).startswith("canceled stop_market sell whole leg trigger 50000")
    table = binance.ok("legs", BTC)
    assert "liq. price" in table and f"{BTC} (hedge): net {size}, gross {size}" in table
    assert binance.ok("leverage", BTC, "3") == f"{BTC} leverage: long 3x, short 3x\n"
    assert binance.ok("close-leg", "long", BTC).startswith(f"market sell {size} on the long leg: filled")
    assert binance.ok("close-leg", "long", BTC) == f"the long leg of {BTC} is already empty: nothing sent\n"


def test_a_fractional_leverage_is_refused_locally(binance: Cli) -> None:
    line = binance.fails(1, "leverage", BTC, "2.5")
    assert line.startswith("error: InvalidRequest: binance ") and "binance takes whole-number leverage only, not 2.5" in line
    assert [r for r in binance.venue.requests if r.method != "GET"] == []


@pytest.mark.parametrize("name", VENUES)
def test_the_leg_commands_on_every_venue(name: str, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    sim = ThreadedVenue(name)
    _set_env(monkeypatch, sim)
    try:
        run = Cli(sim, name, capsys)
        size = minimum(run)
        assert run.json("mode", "--set", "hedge", *(["--symbol", BTC] if name == "bybit" else []))["mode"] == "hedge"
        run.json("open", "long", BTC, str(size))
        run.json("open", "short", BTC, str(size * 2))
        stop = run.json("stop", "short", BTC, "70000", "--quantity", str(size))
        assert (stop["position_side"], stop["type"]) == ("short", "stop_market")
        trail = run.json("trail", "long", BTC, "1")  # the whole leg, read first
        # Bybit's trailing stop is a setting of the position: it covers the whole leg, with no quantity
        assert (trail["position_side"], trail["quantity"]) == ("long", None if name == "bybit" else plain(size))
        assert {o["order_id"] for o in run.json("orders", BTC)} == {stop["order_id"], trail["order_id"]}
        assert {o["status"] for o in run.json("cancel", BTC, "--all")} == {"canceled"}
        pair = run.json("legs", BTC)
        assert (Decimal(pair["long"]["size"]), Decimal(pair["short"]["size"])) == (size, size * 2)
        assert run.json("close-leg", "short", BTC)["position_side"] == "short"
        pair = run.json("legs", BTC)
        assert (Decimal(pair["long"]["size"]), pair["short"]["size"]) == (size, "0")
        assert run.json("orders") == []
    finally:
        sim.close()


# -- as a program ----------------------------------------------------------------------------------
def test_the_program_prints_json_a_script_can_read(binance: Cli) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in (*ENV_KEYS, "HEDGEKIT_VENUE")}
    env = {**clean, **binance.sim.env(), "HEDGEKIT_VENUE": "binance"}
    proc = subprocess.run([sys.executable, "-m", "hedgekit", "legs", "--base-url", binance.venue.base_url, BTC,
                           "--json"], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    pair = json.loads(proc.stdout)
    assert (pair["venue"], pair["symbol"], pair["long"]["size"], pair["short"]["size"]) == ("binance", BTC, "0", "0")
    assert hedgekit.LegPair.model_validate(pair).symbol == BTC  # the JSON reads back as the model


@pytest.mark.parametrize("name", ["binance", "aster"])  # the venues whose adapters have account views so far
def test_funding_and_balance(name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    sim = ThreadedVenue(name)
    _set_env(monkeypatch, sim)
    try:
        _funding_and_balance(Cli(sim, name, capsys))
    finally:
        sim.close()


def _funding_and_balance(run: Cli) -> None:
    size = minimum(run)
    run.ok("mode", "--set", "hedge")
    run.ok("open", "long", BTC, str(size))
    run.ok("open", "short", BTC, str(size * 3))
    view = run.json("funding", BTC)
    rate, long, short = Decimal(view["rate"]), view["long"], view["short"]
    assert (view["symbol"], long["side"], short["side"], view["interval"]) == (BTC, "long", "short", "PT8H")
    assert Decimal(long["payment"]) == -Decimal(long["notional"]) * rate  # a long pays a positive rate
    assert Decimal(short["payment"]) == Decimal(short["notional"]) * rate  # a short receives it
    assert Decimal(view["net"]) == Decimal(long["payment"]) + Decimal(short["payment"])
    text = run.ok("funding", BTC)
    assert text.startswith(f"{BTC} funding rate {view['rate']} (") and " every 8h, mark " in text
    assert f"  net {view['net']} (+ received, - paid)" in text

    before = run.json("balance")
    assert set(before) == {"venue", "asset", "equity", "wallet_balance", "available", "margin_used", "unrealized_pnl"}
    assert Decimal(before["equity"]) == Decimal(before["wallet_balance"]) + Decimal(before["unrealized_pnl"])
    run.venue.settle_funding(BTC, rate)  # the venue pays at the rate the view announced
    after = run.json("balance")
    assert Decimal(after["wallet_balance"]) - Decimal(before["wallet_balance"]) == Decimal(view["net"])
    assert run.ok("balance").startswith(f"USDT: equity {after['equity']}, wallet {after['wallet_balance']}")


async def test_watch_json_prints_one_object_a_line(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    async with SimulatedVenue("binance", mark_prices=dict(MARKS)) as venue:
        for key in ENV_KEYS:
            monkeypatch.delenv(key, raising=False)
        monkeypatch.setenv("HEDGEKIT_API_KEY", venue.credentials["api_key"])
        monkeypatch.setenv("HEDGEKIT_SECRET", venue.credentials["secret"])
        async with hedgekit.connect("binance", base_url=venue.base_url, rate_limit=False, **venue.credentials) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            size = hk.market(BTC).min_quantity * 10
            limit = await hk.open_short(BTC, size, price=Decimal("70000"))
            command = asyncio.ensure_future(asyncio.to_thread(
                cli.main, ["watch", "--venue", "binance", "--base-url", venue.base_url, BTC, "--json",
                           "--count", "2", "--seconds", "30"]))
            printed = ""
            end = time.monotonic() + 15
            while '"event":"open_order"' not in printed:  # the stream is live once its state is printed
                assert time.monotonic() < end, printed
                printed += capsys.readouterr().out
                await asyncio.sleep(0.02)
            await hk.open_long(BTC, size)
            status = await asyncio.wait_for(command, 30)
    out, err = capsys.readouterr()
    assert status == 0 and err == "", err
    events = [json.loads(line) for line in (printed + out).splitlines()]
    assert [e["event"] for e in events[:2]] == ["legs", "open_order"]
    assert events[0]["pair"]["symbol"] == BTC and events[0]["pair"]["mode"] == "hedge"
    assert events[1]["order"]["order_id"] == limit.order_id and events[1]["order"]["price"] == "70000"
    changes = events[2:]
    assert len(changes) == 2 and {e["event"] for e in changes} <= {"leg_changed", "order_changed"}
    assert any(e["event"] == "order_changed" and e["order"]["position_side"] == "long" for e in changes) or \
        any(e["event"] == "leg_changed" and e["leg"]["side"] == "long" for e in changes)


# -- the README's command-line section -------------------------------------------------------------
README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def _readme_section() -> str:
    with open(README, encoding="utf-8") as f:
        text = f.read()
    return text.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_lists_every_exit_status() -> None:
    rows = [line.split("|")[1:3] for line in _readme_section().splitlines() if line.startswith("| ")]
    table = {int(code): text.strip() for code, text in rows[1:]}  # past the header
    assert list(table) == [code for code, _ in cli.EXIT_STATUSES]


def test_every_command_line_in_the_readme_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEDGEKIT_VENUE", "binance")
    block = _readme_section().split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [line.split("#", 1)[0].replace("[--leg long]", "--leg long").split()
             for line in block.splitlines() if line.startswith("hedgekit ")]
    assert {argv[1] for argv in lines} >= set(_subcommands())
    for argv in lines:
        args = cli._parser().parse_args(argv[1:])
        cli._check(cli._parser(), args)
