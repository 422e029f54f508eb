"""The ``hedgekit`` command line: a demo on the embedded simulator, and a few account commands.

Usage::

    python -m hedgekit demo [--venue binance]
    python -m hedgekit mode   --venue binance [--symbol BTC/USDT:USDT] [--set hedge|one_way]
    python -m hedgekit legs   --venue binance BTC/USDT:USDT
    python -m hedgekit open   --venue binance long BTC/USDT:USDT 0.01 [--price 60000]
    python -m hedgekit close  --venue binance short BTC/USDT:USDT 0.01
    python -m hedgekit watch  --venue binance [BTC/USDT:USDT ...] [--count N] [--seconds S]

Account commands read credentials from the environment only (``HEDGEKIT_API_KEY``,
``HEDGEKIT_SECRET``, ``HEDGEKIT_PASSWORD``), never from arguments, so they do not show in the
process list or the shell history. ``--base-url`` points them at a simulator or proxy.

Every failure is one line on stderr and a non-zero exit status, never a traceback: 2 for a bad
command line (unknown venue, a quantity that is not a number), 1 for anything hedgekit or the venue
refused (missing credentials, a venue's refusal, a venue that cannot be reached), 130 when
interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import NoReturn

import hedgekit
from hedgekit.client import HedgeClient
from hedgekit.errors import MISSING_CREDENTIALS, HedgekitError, ModeChangeBlocked
from hedgekit.models import Leg, LegPair, Order, PositionMode, PositionSide
from hedgekit.payload import plain
from hedgekit.stream import LegChanged, OrderChanged, StreamEvent

__all__ = ["describe", "main", "render_legs"]

DEMO_SYMBOL = "BTC/USDT:USDT"
CREDENTIALS_HINT = "set HEDGEKIT_API_KEY and HEDGEKIT_SECRET (and HEDGEKIT_PASSWORD for OKX)"


def _num(value: Decimal | None, places: int | None = None) -> str:
    if value is None:
        return "-"
    if places is not None:
        return format(value.quantize(Decimal(1).scaleb(-places)), "f")
    return plain(value)


def render_legs(pair: LegPair) -> str:
    """Both legs of a contract as a small text table."""
    head = ("leg", "size", "entry", "mark", "uPnL", "margin", "mode", "lev", "liq. price")
    rows = [head]
    for leg in (pair.long, pair.short):
        rows.append(
            (
                leg.side.value,
                _num(leg.size),
                _num(leg.entry_price, 2) if leg.is_open else "-",
                _num(leg.mark_price, 2),
                _num(leg.unrealized_pnl, 4),
                _num(leg.margin, 4) if leg.is_open else "-",
                leg.margin_mode.value if leg.margin_mode else "-",
                str(leg.leverage) if leg.leverage else "-",
                _num(leg.liquidation_price, 2),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(
        f"{pair.symbol} ({pair.mode.value}): net {_num(pair.net_size)}, gross {_num(pair.gross_size)}, "
        f"net notional {_num(pair.net_notional, 2)}, gross notional {_num(pair.gross_notional, 2)}"
    )
    return "\n".join(lines)


def _order_line(order: Order) -> str:
    qty = "whole leg" if order.quantity is None else _num(order.quantity)
    price = f" @ {_num(order.price)}" if order.price is not None else ""
    trigger = f" trigger {_num(order.trigger_price)}" if order.trigger_price is not None else ""
    filled = f", filled {_num(order.filled_quantity)}" if order.filled_quantity else ""
    avg = f" at {_num(order.average_price)}" if order.average_price else ""
    return (
        f"{order.type.value} {order.side.value} {qty}{price}{trigger} on the {order.position_side.value} leg: "
        f"{order.status.value}{filled}{avg} (id {order.order_id}, client id {order.client_order_id})"
    )


async def run_demo(venue_name: str = "binance", out: Callable[[str], object] = print) -> None:
    """The whole hedge-mode cycle on the embedded simulator, printed step by step.

    ``out`` receives each line (``print`` by default).
    """
    from hedgekit.testing import SimulatedVenue

    write = out

    def step(title: str) -> None:
        write(f"\n== {title}")

    async with SimulatedVenue(venue_name, mark_prices={DEMO_SYMBOL: Decimal("60000")}) as venue:
        write(f"simulated {venue_name} listening on {venue.base_url}")
        async with hedgekit.connect(venue_name, base_url=venue.base_url, **venue.credentials) as hk:
            step("read the position mode")
            state = await hk.position_mode()
            write(f"mode {state.mode.value}, kept per {state.scope.value}")

            step("switch to hedge mode (validated first: nothing open, so the switch is sent)")
            state = await hk.set_position_mode(PositionMode.HEDGE)
            write(f"mode {state.mode.value}")

            step(f"open a long of 0.010 at market on {DEMO_SYMBOL}")
            write(_order_line(await hk.open_long(DEMO_SYMBOL, Decimal("0.010"))))

            step("open a short of 0.020 with a limit at 61000 (rests above the 60000 mark)")
            write(_order_line(await hk.open_short(DEMO_SYMBOL, Decimal("0.020"), price=Decimal("61000"))))

            step("the mark rises to 61000: the short's limit fills")
            venue.set_mark_price(DEMO_SYMBOL, Decimal("61000"))
            write(render_legs(await hk.legs(DEMO_SYMBOL)))

            step("protect the long leg with a stop at 58000")
            write(_order_line(await hk.stop_market(DEMO_SYMBOL, PositionSide.LONG, Decimal("58000"))))

            step("close 0.004 of the long leg: the short leg is untouched")
            write(_order_line(await hk.close_long(DEMO_SYMBOL, Decimal("0.004"))))
            write(render_legs(await hk.legs(DEMO_SYMBOL)))

            step("try to switch back to one-way mode while exposure is open")
            try:
                await hk.set_position_mode(PositionMode.ONE_WAY)
            except ModeChangeBlocked as exc:
                write(f"refused locally, nothing sent: {len(exc.blockers)} blockers")
                for blocker in exc.blockers:
                    write(f"  - {blocker}")

            step("clean up: cancel the stop, close both legs, then switch")
            for order in await hk.open_orders(DEMO_SYMBOL):
                await hk.cancel_order(order)
                write(f"canceled {order.type.value} {order.order_id}")
            for side in (PositionSide.LONG, PositionSide.SHORT):
                closed = await hk.close_leg(DEMO_SYMBOL, side)
                if closed is not None:
                    write(f"closed the {side.value} leg: {_order_line(closed)}")
            state = await hk.set_position_mode(PositionMode.ONE_WAY)
            write(f"mode {state.mode.value}")
            write(render_legs(await hk.legs(DEMO_SYMBOL)))
        writes = sum(1 for r in venue.requests if r.method != "GET")
        write(f"\nthe venue received {len(venue.requests)} requests ({writes} writes)")


def _connect(args: argparse.Namespace) -> HedgeClient:
    return hedgekit.connect(
        args.venue,
        api_key=os.environ.get("HEDGEKIT_API_KEY") or None,
        secret=os.environ.get("HEDGEKIT_SECRET") or None,
        password=os.environ.get("HEDGEKIT_PASSWORD") or None,
        base_url=args.base_url,
        testnet=args.testnet,
    )


def _print_leg(leg: Leg) -> None:
    print(f"{leg.symbol} {leg.side.value} {_num(leg.size)} entry {_num(leg.entry_price)} uPnL {_num(leg.unrealized_pnl)}")


async def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        await run_demo(args.venue)
        return 0
    async with _connect(args) as hk:
        if args.command == "mode":
            if args.set:
                state = await hk.set_position_mode(PositionMode(args.set), args.symbol)
            else:
                state = await hk.position_mode(args.symbol)
            print(f"{state.mode.value} ({state.scope.value}{' ' + state.scope_key if state.scope_key else ''})")
        elif args.command == "legs":
            if args.symbol:
                print(render_legs(await hk.legs(args.symbol)))
            else:
                for leg in await hk.positions():
                    _print_leg(leg)
        elif args.command in ("open", "close"):
            method = getattr(hk, f"{args.command}_{args.leg}")
            print(_order_line(await method(args.symbol, args.quantity, price=args.price)))
        elif args.command == "watch":
            await watch(hk, args.symbols or None, count=args.count, seconds=args.seconds)
    return 0


def render_event(event: StreamEvent) -> str:
    """One line for a live-stream event (``hedgekit watch``)."""
    if isinstance(event, LegChanged):
        leg = event.leg
        return (f"leg   {leg.symbol} {leg.side.value:<5} size {_num(leg.size)} entry {_num(leg.entry_price)} "
                f"uPnL {_num(leg.unrealized_pnl)} liq {_num(leg.liquidation_price)}")
    if isinstance(event, OrderChanged):
        line = f"order {_order_line(event.order)}"
        if event.fill is not None:
            fee = "" if event.fill.fee is None else f" fee {_num(event.fill.fee)}"
            line += f" | fill {_num(event.fill.quantity)} @ {_num(event.fill.price)}{fee}"
        return line
    return f"resynced ({event.reason})"


async def watch(hk: HedgeClient, symbols: Sequence[str] | None, *, count: int | None = None,
                seconds: float | None = None, out: Callable[[str], object] = print) -> int:
    """Print the legs and open orders, then every change as it happens (``hedgekit watch``).

    Stops after ``count`` events or ``seconds``, whichever comes first (neither: until interrupted).
    Returns how many events were printed.
    """
    seen = 0
    async with hk.stream(symbols) as stream:
        names = list(symbols) if symbols else sorted({leg.symbol for leg in await hk.positions()})
        for name in names:
            out(render_legs(stream.legs(name)))
        for order in stream.orders():
            out(f"order {_order_line(order)}")

        async def follow() -> None:
            nonlocal seen
            async for event in stream:
                out(render_event(event))
                seen += 1
                if count is not None and seen >= count:
                    return

        try:
            await asyncio.wait_for(follow(), seconds)
        except asyncio.TimeoutError:
            pass
    return seen


def _one_line(text: str) -> str:
    return " ".join(text.split())


def describe(exc: BaseException) -> str:
    """The one line the command line prints for an error (without the ``error:`` prefix)."""
    if isinstance(exc, HedgekitError):
        line = f"{type(exc).__name__}: {exc}"
        if exc.message == MISSING_CREDENTIALS:
            line = f"{line}; {CREDENTIALS_HINT}"
        return _one_line(line)
    return _one_line(f"unexpected {type(exc).__name__}: {exc}")


def _number(text: str) -> Decimal:
    """An argparse type: a finite decimal number, as written (no float on the way)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (argparse's own prints the usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hedgekit", description="Hedge mode on USDT perpetuals.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the hedge-mode cycle on the embedded simulator")
    demo.add_argument("--venue", default="binance", choices=hedgekit.available_venues())
    for name, text in (("mode", "read or set the position mode"), ("legs", "show legs"),
                       ("open", "open a leg"), ("close", "close part of a leg"),
                       ("watch", "show legs and orders as they change (the venue's private stream)")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--venue", required=True, choices=hedgekit.available_venues())
        cmd.add_argument("--base-url", default=None)
        cmd.add_argument("--testnet", action="store_true")
        if name == "mode":
            cmd.add_argument("--symbol", default=None)
            cmd.add_argument("--set", choices=[m.value for m in PositionMode])
        elif name == "legs":
            cmd.add_argument("symbol", nargs="?")
        elif name == "watch":
            cmd.add_argument("symbols", nargs="*", metavar="SYMBOL",
                             help="contracts to watch (default: every contract)")
            cmd.add_argument("--count", type=int, default=None, help="stop after this many changes")
            cmd.add_argument("--seconds", type=float, default=None, help="stop after this many seconds")
        else:
            cmd.add_argument("leg", choices=["long", "short"])
            cmd.add_argument("symbol")
            cmd.add_argument("quantity", type=_number)
            cmd.add_argument("--price", default=None, type=_number)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``hedgekit`` and ``python -m hedgekit``; returns the exit status.

    Prints one line on stderr for any failure, never a traceback (module docstring).
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # a bad command line (already printed), or --help
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # hedgekit's errors, and the last guard against a traceback
        print(f"error: {describe(exc)}", file=sys.stderr)
        return 1
