"""The ``hedgekit`` command line: every hedge-mode operation for a person at a terminal.

Usage (``python -m hedgekit`` works the same; ``hedgekit --help`` and ``hedgekit COMMAND --help``
describe every option)::

    hedgekit demo        [--venue binance]
    hedgekit mode        --venue binance [--symbol BTC/USDT:USDT] [--set hedge|one_way] [--json]
    hedgekit legs        --venue binance [BTC/USDT:USDT] [--json]
    hedgekit orders      --venue binance [BTC/USDT:USDT] [--json]
    hedgekit open        --venue binance long BTC/USDT:USDT 0.01 [--price 60000] [--tif gtc]
    hedgekit close       --venue binance short BTC/USDT:USDT 0.01 [--price 61000]
    hedgekit close-leg   --venue binance long BTC/USDT:USDT
    hedgekit stop        --venue binance long BTC/USDT:USDT 58000 [--quantity 0.01]
    hedgekit take-profit --venue binance short BTC/USDT:USDT 55000 [--quantity 0.01]
    hedgekit trail       --venue binance long BTC/USDT:USDT 1.5 [--quantity 0.01] [--activation-price P]
    hedgekit cancel      --venue binance BTC/USDT:USDT ORDER_ID | --client-id ID | --all
    hedgekit leverage    --venue binance BTC/USDT:USDT 5 [--leg long]
    hedgekit margin-mode --venue binance BTC/USDT:USDT isolated
    hedgekit funding     --venue binance BTC/USDT:USDT [--json]
    hedgekit balance     --venue binance [--json]
    hedgekit watch       --venue binance [BTC/USDT:USDT ...] [--count N] [--seconds S] [--json]

Account commands read credentials from the environment only (``HEDGEKIT_API_KEY``,
``HEDGEKIT_SECRET``, ``HEDGEKIT_PASSWORD``), never from arguments, so they do not show in the
process list or the shell history; ``HEDGEKIT_VENUE`` stands in for ``--venue``. ``--base-url``
points them at a simulator or proxy.

``--json`` (every command but ``demo``; :func:`to_json`) prints the models' fields for scripts,
Decimals as plain strings (``"0.01"``), without the venue's payload; ``watch --json`` a line each.
Every failure is one line on stderr, never a traceback, with an exit status that says what
happened (:data:`EXIT_STATUSES`, printed in ``--help``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import textwrap
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, NoReturn

from pydantic import BaseModel, TypeAdapter

import hedgekit
from hedgekit.client import HedgeClient
from hedgekit.errors import (MISSING_CREDENTIALS, AuthenticationError, ConfigurationError, ExchangeError,
                             HedgekitError, InsufficientMargin, InvalidRequest, ModeChangeBlocked, NetworkError,
                             OrderRejected, OrderStatusUnknown, PositionSideMismatch)
from hedgekit.models import (Leg, LegPair, MarginMode, Order, OrderStatus, PositionMode, PositionSide, TimeInForce,
                             WorkingType)
from hedgekit.payload import plain
from hedgekit.stream import LegChanged, OrderChanged, StreamEvent

__all__ = ["EXIT_BUG", "EXIT_INTERRUPTED", "EXIT_NETWORK", "EXIT_OK", "EXIT_ORDER_UNKNOWN", "EXIT_REFUSED",
           "EXIT_STATUSES", "EXIT_USAGE", "EXIT_VENUE", "describe", "exit_status", "main", "render_legs", "to_json"]

DEMO_SYMBOL = "BTC/USDT:USDT"
CREDENTIALS_HINT = "set HEDGEKIT_API_KEY and HEDGEKIT_SECRET (and HEDGEKIT_PASSWORD for OKX)"

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_VENUE, EXIT_NETWORK, EXIT_ORDER_UNKNOWN = 0, 1, 2, 3, 4, 5
EXIT_BUG = 70  # EX_SOFTWARE of sysexits.h
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

EXIT_STATUSES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "done"),
    (EXIT_REFUSED, "refused: by hedgekit's own checks, before anything was sent (InvalidRequest, "
                   "ModeChangeBlocked, PositionSideMismatch), or by the venue (OrderRejected, "
                   "InsufficientMargin, AuthenticationError, missing credentials)"),
    (EXIT_USAGE, "usage: a bad command line or setting (unknown command, venue or option, a number "
                 "that is not one, ConfigurationError)"),
    (EXIT_VENUE, "venue error: the venue failed rather than refused (ExchangeUnavailable, RateLimited, "
                 "ClockSkew, MalformedResponse, an ExchangeError hedgekit could not classify)"),
    (EXIT_NETWORK, "network: the venue could not be reached or did not answer in time (NetworkError, "
                   "StreamDisconnected)"),
    (EXIT_ORDER_UNKNOWN, "order status unknown: an order was sent and its fate could not be learnt; look "
                         "it up by the client id in the message before sending it again (OrderStatusUnknown)"),
    (EXIT_BUG, "a hedgekit bug: an unexpected exception (please report it)"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
)
"""Every exit status of the command line and what it means (``hedgekit --help`` prints it)."""

_REFUSALS: tuple[type[HedgekitError], ...] = (
    InvalidRequest, ModeChangeBlocked, PositionSideMismatch, AuthenticationError, InsufficientMargin, OrderRejected,
)

ENVIRONMENT: tuple[tuple[str, str], ...] = (
    ("HEDGEKIT_API_KEY", "the API key (Aster v3: the main wallet address); never an argument"),
    ("HEDGEKIT_SECRET", "the API secret (Aster v3: the API wallet's private key)"),
    ("HEDGEKIT_PASSWORD", "the API passphrase (OKX only)"),
    ("HEDGEKIT_VENUE", "the venue when --venue is not given"),
)
"""The environment variables the command line reads (``hedgekit --help`` prints them)."""


def exit_status(exc: BaseException) -> int:
    """The exit status for an error that ended a command (see :data:`EXIT_STATUSES`)."""
    if isinstance(exc, OrderStatusUnknown):
        return EXIT_ORDER_UNKNOWN
    if isinstance(exc, NetworkError):
        return EXIT_NETWORK
    if isinstance(exc, ConfigurationError):
        return EXIT_USAGE
    if isinstance(exc, _REFUSALS):
        return EXIT_REFUSED
    if isinstance(exc, ExchangeError):
        return EXIT_VENUE
    return EXIT_BUG


def _epilog() -> str:
    env = "\n".join(f"  {name:<18} {text}" for name, text in ENVIRONMENT)
    statuses = "\n".join(textwrap.fill(text, 79, initial_indent=f"  {code:<4} ", subsequent_indent=" " * 7)
                         for code, text in EXIT_STATUSES)
    return (
        f"environment:\n{env}\n\n"
        "output:\n  --json prints the pydantic models' fields (Decimals as strings, enums as values,\n"
        "  times in ISO 8601, no venue payload); errors are one line on stderr.\n\n"
        f"exit status:\n{statuses}"
    )


# -- rendering -------------------------------------------------------------------------------------
_DURATION: TypeAdapter[timedelta] = TypeAdapter(timedelta)


def to_json(value: object) -> Any:
    """``value`` (a model, a list or dict of them, a scalar) as the JSON data ``--json`` prints.

    A model gives its fields in declaration order, each converted the same way, without ``raw`` (the
    venue's payload, different on every venue). Decimals are strings in plain notation
    (:func:`~hedgekit.payload.plain`), enums their values, datetimes ISO 8601.
    """
    if isinstance(value, BaseModel):
        return {name: to_json(getattr(value, name)) for name in type(value).model_fields if name != "raw"}
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, Enum):
        return to_json(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _DURATION.dump_python(value, mode="json")  # ISO 8601, as pydantic writes it: "PT8H"
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"no JSON form for {type(value).__name__}")


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
                _num(Decimal(leg.leverage)) if leg.leverage else "-",
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


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds and span == timedelta(seconds=seconds) and seconds % 60 == 0:
        hours, minutes = divmod(seconds // 60, 60)
        return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return str(span)


def _leg_line(leg: Leg) -> str:
    return f"{leg.symbol} {leg.side.value} {_num(leg.size)} entry {_num(leg.entry_price)} uPnL {_num(leg.unrealized_pnl)}"


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


# -- account commands ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Result:
    """What a command produced: ``data`` for ``--json``, ``text`` for a person."""

    data: object
    text: str


_Command = Callable[[HedgeClient, argparse.Namespace], Awaitable[_Result]]


def _connect(args: argparse.Namespace) -> HedgeClient:
    return hedgekit.connect(
        args.venue,
        api_key=os.environ.get("HEDGEKIT_API_KEY") or None,
        secret=os.environ.get("HEDGEKIT_SECRET") or None,
        password=os.environ.get("HEDGEKIT_PASSWORD") or None,
        base_url=args.base_url,
        testnet=args.testnet,
        timeout=args.timeout,
        rate_limit=not args.no_rate_limit,
    )


def _side(args: argparse.Namespace) -> PositionSide:
    return PositionSide(args.leg)


async def _mode(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    if args.set:
        state = await hk.set_position_mode(PositionMode(args.set), args.symbol)
    else:
        state = await hk.position_mode(args.symbol)
    return _Result(state, f"{state.mode.value} ({state.scope.value}{' ' + state.scope_key if state.scope_key else ''})")


async def _legs(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    if args.symbol:
        pair = await hk.legs(args.symbol)
        return _Result(pair, render_legs(pair))
    legs = await hk.positions()
    return _Result(legs, "\n".join(_leg_line(leg) for leg in legs) if legs else "no open legs")


async def _orders(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    orders = await hk.open_orders(args.symbol)
    where = f" on {args.symbol}" if args.symbol else ""
    return _Result(orders, "\n".join(_order_line(o) for o in orders) if orders else f"no open orders{where}")


async def _open_close(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    method = {
        ("open", "long"): hk.open_long, ("open", "short"): hk.open_short,
        ("close", "long"): hk.close_long, ("close", "short"): hk.close_short,
    }[args.command, args.leg]
    tif = TimeInForce(args.tif) if args.tif else None
    order = await method(args.symbol, args.quantity, price=args.price, time_in_force=tif,
                         client_order_id=args.client_id)
    return _Result(order, _order_line(order))


async def _close_leg(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    order = await hk.close_leg(args.symbol, _side(args))
    if order is None:
        return _Result(None, f"the {args.leg} leg of {hk.market(args.symbol).symbol} is already empty: nothing sent")
    return _Result(order, _order_line(order))


async def _stop_or_take_profit(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    method = hk.stop_market if args.command == "stop" else hk.take_profit_market
    order = await method(args.symbol, _side(args), args.trigger_price, args.quantity,
                         working_type=WorkingType(args.working_type), client_order_id=args.client_id,
                         current_price=args.current_price)
    return _Result(order, _order_line(order))


async def _trail(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    side = _side(args)
    quantity: Decimal | None = args.quantity
    if quantity is None:  # the whole leg as it is now (what Bybit's position-wide trailing stop needs)
        leg = (await hk.legs(args.symbol)).leg(side)
        if not leg.is_open:
            raise InvalidRequest(f"the {side.value} leg is empty: nothing to trail (give --quantity for a "
                                 "leg you are about to open)", venue=hk.venue, symbol=leg.symbol)
        quantity = leg.size
    order = await hk.trailing_stop(args.symbol, side, quantity, args.callback_rate,
                                   activation_price=args.activation_price,
                                   working_type=WorkingType(args.working_type), client_order_id=args.client_id,
                                   current_price=args.current_price)
    return _Result(order, _order_line(order))


async def _cancel(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    if args.all:
        canceled = [await hk.cancel_order(order) for order in await hk.open_orders(args.symbol)]
        text = "\n".join(f"canceled {_order_line(o)}" for o in canceled) or f"no open orders on {args.symbol}"
        return _Result(canceled, text)
    # An order listed as open tells which kind it is (regular or conditional: venues cancel them at
    # different endpoints); one no longer open is asked for as the flags say, and comes back with its status.
    wanted = [o for o in await hk.open_orders(args.symbol)
              if (args.order_id is not None and o.order_id == args.order_id)
              or (args.client_id is not None and o.client_order_id == args.client_id)]
    if wanted:
        order = await hk.cancel_order(wanted[0])
    else:
        order = await hk.cancel_order(args.symbol, args.order_id, client_order_id=args.client_id,
                                      conditional=args.conditional)
    return _Result(order, f"canceled {_order_line(order)}" if order.status is OrderStatus.CANCELED else _order_line(order))


async def _leverage(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    side = _side(args) if args.leg else None
    result = await hk.set_leverage(args.symbol, args.leverage, side)
    return _Result(result, f"{result.symbol} leverage: long {_num(result.long)}x, short {_num(result.short)}x")


async def _margin_mode(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    symbol = hk.market(args.symbol).symbol
    await hk.set_margin_mode(symbol, MarginMode(args.margin_mode))
    data = {"venue": hk.venue, "symbol": symbol, "margin_mode": args.margin_mode}
    return _Result(data, f"{symbol} margin mode: {args.margin_mode}")


async def _funding(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    view = await hk.funding(args.symbol)
    every = f" every {_duration(view.interval)}" if view.interval is not None else ""
    lines = [f"{view.symbol} funding rate {plain(view.rate)} ({_num(view.rate * 100)} %), next "
             f"{view.next_funding_time.isoformat()}{every}, mark {_num(view.mark_price)}"]
    for leg in (view.long, view.short):
        paid = "" if leg.accumulated is None else f", so far {_num(leg.accumulated)}"
        lines.append(f"  {leg.side.value:<5} size {_num(leg.size)} notional {_num(leg.notional)} "
                     f"payment {_num(leg.payment)}{paid}")
    lines.append(f"  net {_num(view.net)} (+ received, - paid)")
    return _Result(view, "\n".join(lines))


async def _balance(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    bal = await hk.balance()
    return _Result(bal, f"{bal.asset}: equity {_num(bal.equity)}, wallet {_num(bal.wallet_balance)}, available "
                        f"{_num(bal.available)}, margin used {_num(bal.margin_used)}, uPnL {_num(bal.unrealized_pnl)}")


async def _watch(hk: HedgeClient, args: argparse.Namespace) -> _Result:
    await watch(hk, args.symbols or None, count=args.count, seconds=args.seconds, as_json=args.json)
    return _Result(None, "")


_COMMANDS: dict[str, _Command] = {
    "mode": _mode, "legs": _legs, "orders": _orders, "open": _open_close, "close": _open_close,
    "close-leg": _close_leg, "stop": _stop_or_take_profit, "take-profit": _stop_or_take_profit,
    "trail": _trail, "cancel": _cancel, "leverage": _leverage, "margin-mode": _margin_mode,
    "funding": _funding, "balance": _balance, "watch": _watch,
}


async def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        await run_demo(args.venue)
        return EXIT_OK
    async with _connect(args) as hk:
        result = await _COMMANDS[args.command](hk, args)
    if args.command != "watch":
        print(json.dumps(to_json(result.data), indent=2) if args.json else result.text)
    return EXIT_OK


# -- watch -----------------------------------------------------------------------------------------
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


def event_json(event: StreamEvent) -> dict[str, Any]:
    """A live-stream event as the JSON object ``hedgekit watch --json`` prints on its line.

    ``{"event": "leg_changed", "leg": ..., "pair": ...}``, ``{"event": "order_changed", "order":
    ..., "fill": ... or null}``, ``{"event": "resynced", "reason": ...}``.
    """
    if isinstance(event, LegChanged):
        return {"event": "leg_changed", "leg": to_json(event.leg), "pair": to_json(event.pair)}
    if isinstance(event, OrderChanged):
        return {"event": "order_changed", "order": to_json(event.order), "fill": to_json(event.fill)}
    return {"event": "resynced", "reason": event.reason}


async def watch(hk: HedgeClient, symbols: Sequence[str] | None, *, count: int | None = None,
                seconds: float | None = None, out: Callable[[str], object] = print, as_json: bool = False) -> int:
    """Print the legs and open orders, then every change as it happens (``hedgekit watch``).

    Stops after ``count`` events or ``seconds``, whichever comes first (neither: until interrupted).
    Returns how many events were printed. ``as_json``: one JSON object a line, first
    ``{"event": "legs", "pair": ...}`` for each contract and ``{"event": "open_order", "order": ...}``
    for each open order, then each change as :func:`event_json` gives it.
    """
    seen = 0

    def emit(data: dict[str, Any]) -> None:
        out(json.dumps(data, separators=(",", ":")))

    async with hk.stream(symbols) as stream:
        names = list(symbols) if symbols else sorted({leg.symbol for leg in await hk.positions()})
        for name in names:
            pair = stream.legs(name)
            if as_json:
                emit({"event": "legs", "pair": to_json(pair)})
            else:
                out(render_legs(pair))
        for order in stream.orders():
            if as_json:
                emit({"event": "open_order", "order": to_json(order)})
            else:
                out(f"order {_order_line(order)}")

        async def follow() -> None:
            nonlocal seen
            async for event in stream:
                if as_json:
                    emit(event_json(event))
                else:
                    out(render_event(event))
                seen += 1
                if count is not None and seen >= count:
                    return

        try:
            await asyncio.wait_for(follow(), seconds)
        except asyncio.TimeoutError:
            pass
    return seen


# -- errors and parsing ----------------------------------------------------------------------------
def _one_line(text: str) -> str:
    return " ".join(text.split())


def describe(exc: BaseException) -> str:
    """The one line the command line prints for an error (without the ``error:`` prefix)."""
    if isinstance(exc, HedgekitError):
        line = f"{type(exc).__name__}: {exc}"
        if exc.message == MISSING_CREDENTIALS:
            line = f"{line}; {CREDENTIALS_HINT}"
        if isinstance(exc, OrderStatusUnknown) and exc.client_order_id and exc.client_order_id not in line:
            line = f"{line}; client order id {exc.client_order_id}"
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


def _count(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _seconds(text: str) -> float:
    """An argparse type: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (argparse's own prints the usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


_FORMAT = argparse.RawDescriptionHelpFormatter
_LEGS = ["long", "short"]
_LEG_HELP = "the leg: long or short"
_SYMBOL_HELP = "the contract, unified (BTC/USDT:USDT) or the venue's id (BTCUSDT, BTC-USDT-SWAP)"
_NOTE_DEC = "a decimal number as written, e.g. 0.01 (never read through a float)"


def _account(sub: Any, name: str, help: str, description: str, *, writes: bool = False) -> argparse.ArgumentParser:
    """A subcommand that talks to the account: venue, connection and output options."""
    cmd: argparse.ArgumentParser = sub.add_parser(name, help=help, description=description, epilog=_epilog(),
                                                  formatter_class=_FORMAT)
    venue = os.environ.get("HEDGEKIT_VENUE") or None
    cmd.add_argument("--venue", required=venue is None, default=venue,
                     help="the venue: " + ", ".join(hedgekit.available_venues())
                     + (f" (default from HEDGEKIT_VENUE: {venue})" if venue else " (or set HEDGEKIT_VENUE)"))
    cmd.add_argument("--base-url", default=None, metavar="URL",
                     help="send every request to this http(s) URL instead of the venue's hosts "
                          "(a simulator, a proxy)")
    cmd.add_argument("--testnet", action="store_true", help="use the venue's test environment")
    cmd.add_argument("--timeout", type=_seconds, default=10.0, metavar="SECONDS",
                     help="seconds before one HTTP request is abandoned (default 10)")
    cmd.add_argument("--no-rate-limit", action="store_true",
                     help="do not throttle requests on this side to the venue's documented limits "
                          "(for a simulator; a venue's rate-limit answer is still waited out)")
    if name != "watch":
        what = "the order or setting as the venue reports it" if writes else "the result"
        cmd.add_argument("--json", action="store_true", help=f"print {what} as JSON (see 'output' below)")
    return cmd


def _order_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--client-id", default=None, metavar="ID",
                     help="the client order id to send (default: one hedgekit makes; look an order up by it "
                          "after exit status 5)")


def _conditional_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--working-type", choices=[w.value for w in WorkingType], default=WorkingType.MARK_PRICE.value,
                     help="which price the trigger watches (default mark_price)")
    cmd.add_argument("--current-price", type=_number, default=None, metavar="PRICE",
                     help="the current price of --working-type as you know it, for the check that the order "
                          "would not fire at once (default: the mark a one-way order reads anyway, else the "
                          "venue's own check)")
    _order_options(cmd)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hedgekit", formatter_class=_FORMAT, epilog=_epilog(),
        description="Hedge mode on USDT-margined perpetuals (Aster, Binance, Bybit, OKX): read and switch the "
                    "position mode, trade and protect each leg. 'hedgekit COMMAND --help' describes a command.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser("demo", help="run the hedge-mode cycle on the embedded simulator (no keys, no network)",
                          description="Run the whole hedge-mode cycle on the embedded simulator, printed step by step.")
    demo.add_argument("--venue", default="binance", choices=hedgekit.available_venues(),
                      help="the venue to simulate (default binance)")

    cmd = _account(sub, "mode", "read or set the position mode",
                   "Read the position mode (hedge or one_way) and where the venue keeps it, or switch it. A switch "
                   "is checked first: anything open in the setting's scope refuses it (exit status 1), naming "
                   "every position and order in the way, and nothing is sent.")
    cmd.add_argument("--symbol", default=None, help="the contract whose mode to read or set (venues that keep "
                     "the mode per contract or coin, Bybit; default: the account)")
    cmd.add_argument("--set", choices=[m.value for m in PositionMode], help="switch to this mode")

    cmd = _account(sub, "legs", "show both legs of a contract, or every open leg",
                   "Both legs of a contract, each with its size, entry, mark, unrealised PnL, margin, leverage and "
                   "liquidation price; without a symbol, every open leg on the account. --json prints a LegPair "
                   "for a symbol, a list of Leg otherwise.")
    cmd.add_argument("symbol", nargs="?", metavar="SYMBOL", help=_SYMBOL_HELP + " (default: every open leg)")

    cmd = _account(sub, "orders", "list open orders, regular and conditional",
                   "Open orders, regular and conditional (stops, take-profits, trailing stops) together. --json "
                   "prints a list of Order.")
    cmd.add_argument("symbol", nargs="?", metavar="SYMBOL", help=_SYMBOL_HELP + " (default: every contract)")

    for name, verb in (("open", "Buy into the long leg or sell into the short leg"),
                       ("close", "Sell out of the long leg or buy out of the short leg")):
        cmd = _account(sub, name, f"{name} part of a leg (market, or limit with --price)",
                       f"{verb}: at market, or a limit order with --price. The other leg is untouched. --json "
                       "prints the Order.", writes=True)
        cmd.add_argument("leg", choices=_LEGS, metavar="LEG", help=_LEG_HELP)
        cmd.add_argument("symbol", metavar="SYMBOL", help=_SYMBOL_HELP)
        cmd.add_argument("quantity", type=_number, metavar="QUANTITY", help=f"size in base units, {_NOTE_DEC}")
        cmd.add_argument("--price", type=_number, default=None, help="limit price (default: a market order)")
        cmd.add_argument("--tif", choices=[t.value for t in TimeInForce], default=None,
                         help="time in force of a limit order (default gtc)")
        _order_options(cmd)

    cmd = _account(sub, "close-leg", "close the whole of one leg at market",
                   "Close the whole of one leg at market, whatever its size; nothing is sent when the leg is "
                   "already empty (--json prints null then, else the Order).", writes=True)
    cmd.add_argument("leg", choices=_LEGS, metavar="LEG", help=_LEG_HELP)
    cmd.add_argument("symbol", metavar="SYMBOL", help=_SYMBOL_HELP)

    for name, what, rule in (
        ("stop", "a stop-loss", "a stop closing a long triggers below the current price, one closing a short above"),
        ("take-profit", "a take-profit", "one closing a long triggers above the current price, one closing a "
                                         "short below"),
    ):
        cmd = _account(sub, name, f"protect a leg with {what} at market",
                       f"Place {what} bound to one leg: when the price reaches the trigger, a market order closes "
                       f"that leg ({rule}; checked before sending). --json prints the Order.", writes=True)
        cmd.add_argument("leg", choices=_LEGS, metavar="LEG", help="the leg the order closes: long or short")
        cmd.add_argument("symbol", metavar="SYMBOL", help=_SYMBOL_HELP)
        cmd.add_argument("trigger_price", type=_number, metavar="TRIGGER_PRICE", help="the trigger price")
        cmd.add_argument("--quantity", type=_number, default=None,
                         help="how much of the leg to close (default: whatever the leg holds when it fires)")
        _conditional_options(cmd)

    cmd = _account(sub, "trail", "protect a leg with a trailing stop",
                   "Place a trailing stop bound to one leg, CALLBACK_RATE percent behind the best price since it "
                   "was placed (or activated). The rate must lie in the venue's documented range (each "
                   "venue's own), checked before sending. Bybit's trailing stop is a setting of the position: it covers "
                   "the whole leg, so the quantity must be the leg's size. --json prints the Order.", writes=True)
    cmd.add_argument("leg", choices=_LEGS, metavar="LEG", help="the leg the trailing stop closes: long or short")
    cmd.add_argument("symbol", metavar="SYMBOL", help=_SYMBOL_HELP)
    cmd.add_argument("callback_rate", type=_number, metavar="CALLBACK_RATE",
                     help="the distance behind the best price, in percent (1.5 means 1.5 %%)")
    cmd.add_argument("--quantity", type=_number, default=None,
                     help="how much of the leg to close (default: the leg's size now, read first)")
    cmd.add_argument("--activation-price", type=_number, default=None, metavar="PRICE",
                     help="start trailing once the price reaches this (above the current price for a stop "
                          "closing a long, below for a short); default: at once")
    _conditional_options(cmd)

    cmd = _account(sub, "cancel", "cancel an order by id, by client id, or every open order of a contract",
                   "Cancel an order. An order listed as open is canceled at the right endpoint (regular or "
                   "conditional) by itself; one no longer open comes back with its status (filled, canceled) "
                   "instead of an error. --json prints the Order (a list of Order with --all).", writes=True)
    cmd.add_argument("symbol", metavar="SYMBOL", help=_SYMBOL_HELP)
    cmd.add_argument("order_id", nargs="?", metavar="ORDER_ID", help="the venue's order id (as 'orders' shows it)")
    cmd.add_argument("--client-id", default=None, metavar="ID", help="the client order id instead of ORDER_ID")
    cmd.add_argument("--conditional", action="store_true",
                     help="the order is a conditional one (stop, take-profit, trailing stop); needed only for an "
                          "order that is no longer listed as open")
    cmd.add_argument("--all", action="store_true", help="cancel every open order of the contract")

    cmd = _account(sub, "leverage", "set the leverage of a contract or of one leg",
                   "Set the leverage of a contract (both legs), or of one leg with --leg where the venue keeps "
                   "it per leg. --json prints the Leverage (both legs' leverage afterwards).", writes=True)
    cmd.add_argument("symbol", metavar="SYMBOL", help=_SYMBOL_HELP)
    cmd.add_argument("leverage", type=_number, metavar="LEVERAGE", help="the leverage, from 1 to the contract's maximum: a whole number on Binance and Aster, "
                          "fractions on the venue's 0.01 step on Bybit and OKX (checked before sending)")
    cmd.add_argument("--leg", choices=_LEGS, default=None, help="set only this leg (default: both)")

    cmd = _account(sub, "margin-mode", "choose cross or isolated margin for a contract",
                   "Choose cross or isolated margin for a contract. --json prints {venue, symbol, margin_mode}.",
                   writes=True)
    cmd.add_argument("symbol", metavar="SYMBOL", help=_SYMBOL_HELP)
    cmd.add_argument("margin_mode", choices=[m.value for m in MarginMode], metavar="MARGIN_MODE",
                     help="cross or isolated")

    cmd = _account(sub, "funding", "the funding rate and what each leg pays or receives next",
                   "The current funding rate, the next funding time and interval, and for each leg the payment "
                   "due then from its notional at the mark (a long pays a positive rate, a short receives it), "
                   "with the net of both legs. --json prints the FundingView.")
    cmd.add_argument("symbol", metavar="SYMBOL", help=_SYMBOL_HELP)

    _account(sub, "balance", "the account's balance in the settle coin",
             "Equity, wallet balance, available, margin in use and unrealised PnL, in the settle coin (USDT). "
             "--json prints the Balance.")

    cmd = _account(sub, "watch", "show legs and orders as they change (the venue's private stream)",
                   "Print the legs and open orders, then every change as the venue pushes it, until --count "
                   "changes or --seconds have passed (neither: until Ctrl-C).")
    cmd.add_argument("symbols", nargs="*", metavar="SYMBOL", help="contracts to watch (default: every contract)")
    cmd.add_argument("--count", type=_count, default=None, help="stop after this many changes")
    cmd.add_argument("--seconds", type=_seconds, default=None, help="stop after this many seconds")
    cmd.add_argument("--json", action="store_true",
                     help="print one JSON object a line: 'legs' and 'open_order' first, then 'leg_changed', "
                          "'order_changed' and 'resynced' events")
    return parser


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """What argparse cannot say on its own; a bad combination exits with status 2 (one line)."""
    if args.command != "demo" and args.venue not in hedgekit.available_venues():
        parser.error(f"argument --venue: invalid choice: {args.venue!r} (choose from "
                     + ", ".join(repr(v) for v in hedgekit.available_venues()) + ")")
    if args.command == "cancel":
        given = sum(x is not None for x in (args.order_id, args.client_id)) + bool(args.all)
        if given != 1:
            parser.error("cancel: give one of ORDER_ID, --client-id or --all")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``hedgekit`` and ``python -m hedgekit``; returns the exit status.

    Prints one line on stderr for any failure, never a traceback; the status says what happened
    (:data:`EXIT_STATUSES`).
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        _check(parser, args)
    except SystemExit as exc:  # a bad command line (already printed), or --help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # hedgekit's errors, and the last guard against a traceback
        print(f"error: {describe(exc)}", file=sys.stderr)
        return exit_status(exc)
