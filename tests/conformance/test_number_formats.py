"""Every number the simulator writes reads like its venue's: the venue's decimals, no exponent, no
Python ``Decimal`` quotient (``"3000.666666666666666666666667"``).

One scenario per venue, through the public API: hedge mode, each leg opened in three fills at three
marks (so the average entries do not terminate), a mark move, a partial close, a stop, a trailing
stop, another mark move, a funding settlement and the account reads. Every JSON answer (a middleware
on the venue) and every stream frame (the hub's connections) is captured, and each numeric string in
it is checked against its venue's rule:

* Binance, Aster, Bybit: at most 8 decimals (their money and price scale: Binance positionRisk
  ``"entryPrice": "0.385"`` / ``"unRealizedProfit": "0.00000000"``, Bybit position.mdx
  ``"avgPrice": "27464.50441675"``); quantities at most the lot's decimals (BTCUSDT: 3).
* OKX: every figure is the shortest text of a double (its samples: ``"liqPx": "12608.959083877446"``),
  hence at most 17 significant digits; contract counts at most the lot's decimals (0.01: 2).
* Everywhere: no exponent, at most 17 significant digits; an order's own price on the tick.

Static documents the simulator reproduces verbatim from captures (exchangeInfo, instruments) are not
scanned. The account views' endpoints (funding, fills, bills, Aster's accountWithJoinMargin) are
checked separately, since their rows are rendered elsewhere.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

import hedgekit
from hedgekit import HedgeClient, PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.frontend import RecordedRequest, WireResponse
from hedgekit.testing.numbers import at_most, double, padded, scaled

from ..conftest import BTC, VENUES

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
LOOKS_NUMERIC = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
#: Identifiers and times written as digit strings (ordId, posId, uid, cTime, ts, seq): not figures.
LABEL = re.compile(r"(?i)(id|time|ts|seq)$")

#: Captured documents served verbatim (their padding is the capture's, e.g. OKX's maxIcebergSz).
STATIC = {"/fapi/v1/exchangeInfo", "/fapi/v3/exchangeInfo", "/fapi/v1/exchangeInfo", "/dapi/v1/exchangeInfo",
          "/fapi/v1/leverageBracket", "/fapi/v3/leverageBracket", "/v5/market/instruments-info",
          "/api/v5/public/instruments"}

#: The account views' endpoints (funding, fills, bills, balances with positions), rendered by the
#: simulators' account-view modules (simulator_funding.py).
ACCOUNT_VIEWS = {
    "binance": {"/fapi/v1/premiumIndex", "/fapi/v1/fundingInfo", "/fapi/v1/fundingRate", "/fapi/v1/income",
                "/fapi/v1/userTrades"},
    "aster": {"/fapi/v3/premiumIndex", "/fapi/v3/fundingInfo", "/fapi/v3/fundingRate", "/fapi/v3/income",
              "/fapi/v3/userTrades", "/fapi/v3/accountWithJoinMargin", "/fapi/v4/account"},
    "bybit": set(),
    "okx": {"/api/v5/public/funding-rate", "/api/v5/public/funding-rate-history", "/api/v5/account/bills",
            "/api/v5/account/bills-archive", "/api/v5/trade/fills", "/api/v5/trade/fills-history"},
}

#: Quantity fields (base units; OKX: contracts) and the lot's decimals of BTC on each venue.
QUANTITY_FIELDS = {
    "binance": {"positionAmt", "origQty", "executedQty", "cumQty", "qty", "quantity", "q", "l", "z", "pa"},
    "aster": {"positionAmt", "origQty", "executedQty", "cumQty", "qty", "quantity", "q", "l", "z", "pa"},
    "bybit": {"size", "qty", "leavesQty", "cumExecQty", "execQty", "orderQty", "closedSize"},
    "okx": {"sz", "accFillSz", "fillSz", "pos", "availPos"},
}
LOT_DECIMALS = {"binance": 3, "aster": 3, "bybit": 3, "okx": 2}
#: An order's own prices, on the tick (BTC: Binance 0.10, Aster 0.1, Bybit 0.10, OKX 0.1).
OWN_PRICE_FIELDS = {
    "binance": {"price", "stopPrice", "triggerPrice", "activatePrice", "p", "sp"},
    "aster": {"price", "stopPrice", "activatePrice", "p", "sp"},
    "bybit": {"price", "triggerPrice", "orderPrice"},
    "okx": {"px", "slTriggerPx", "tpTriggerPx", "activePx"},
}
TICK = {"binance": Decimal("0.1"), "aster": Decimal("0.1"), "bybit": Decimal("0.1"), "okx": Decimal("0.1")}


@dataclass
class Capture:
    """What the simulator sent: (path, JSON) per answer, and the stream frames."""

    answers: list[tuple[str, Any]] = field(default_factory=list)
    frames: list[Any] = field(default_factory=list)

    def middleware(self) -> Callable[[RecordedRequest, Callable[[RecordedRequest], Awaitable[WireResponse]]],
                                     Awaitable[WireResponse]]:
        async def capture(request: RecordedRequest,
                          call_next: Callable[[RecordedRequest], Awaitable[WireResponse]]) -> WireResponse:
            response = await call_next(request)
            try:
                self.answers.append((request.path, json.loads(response.body)))
            except ValueError:
                pass
            return response
        return capture


def numbers(document: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every (field, text) of ``document`` whose text looks like a number."""
    if isinstance(document, dict):
        for name, value in document.items():
            yield from numbers(value, str(name))
    elif isinstance(document, list):
        for value in document:
            yield from numbers(value, key)
    elif isinstance(document, str) and LOOKS_NUMERIC.match(document) and not LABEL.search(key):
        yield key, document


def decimals(text: str) -> int:
    return len(text.partition(".")[2])


def significant(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0")
    return len(digits) if digits else 1


def problems(venue: str, where: str, key: str, text: str) -> list[str]:
    """What is wrong with ``text`` in field ``key`` on ``venue`` (empty when nothing)."""
    found: list[str] = []
    if not NUMBER.match(text):
        return [f"{where} {key}={text!r}: not a plain decimal (exponent or bare point)"]
    if significant(text) > 17:
        found.append(f"{where} {key}={text!r}: more than 17 significant digits")
    if key in QUANTITY_FIELDS[venue]:
        if decimals(text) > LOT_DECIMALS[venue]:
            found.append(f"{where} {key}={text!r}: more decimals than the lot")
    elif venue == "okx":
        if Decimal(repr(float(text))) != Decimal(text):
            found.append(f"{where} {key}={text!r}: not the shortest form of a double")
    elif decimals(text) > 8:
        found.append(f"{where} {key}={text!r}: more than 8 decimals")
    if key in OWN_PRICE_FIELDS[venue] and Decimal(text) % TICK[venue] != 0:
        found.append(f"{where} {key}={text!r}: an order price off the tick")
    return found


def size(venue: str, base: str) -> Decimal:
    """A base quantity for ``venue``: OKX trades contracts of 0.01 BTC, so 5x (0.002 is 1 contract)."""
    return Decimal(base) * (5 if venue == "okx" else 1)


async def scenario(venue: SimulatedVenue, hk: HedgeClient) -> None:
    """Both legs in three fills at three marks, a partial close, a stop, a trailing stop, a mark
    move, a funding settlement and the reads a bot makes."""
    name = venue.venue
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    await hk.set_leverage(BTC, 7)
    async with hk.stream([BTC], heartbeat=1.0):
        for step, mark in enumerate(("60000", "60000.1", "60000.3"), start=1):
            venue.set_mark_price(BTC, Decimal(mark))
            await hk.open_long(BTC, size(name, "0.002") * step)
            await hk.open_short(BTC, size(name, "0.002") * (step + 1))
        venue.set_mark_price(BTC, Decimal("60100.7"))
        await hk.legs(BTC)
        await hk.close_long(BTC, size(name, "0.004"))
        await hk.stop_market(BTC, PositionSide.LONG, Decimal("55000.1"))
        short = (await hk.legs(BTC)).short.size  # Bybit's trailing stop covers the whole leg
        await hk.trailing_stop(BTC, PositionSide.SHORT, short, Decimal("1"),
                               activation_price=None if name == "okx" else Decimal("59000"))
        venue.set_mark_price(BTC, Decimal("60123.3"))
        venue.settle_funding(BTC, Decimal("0.0001"))
        await hk.legs(BTC)
        await hk.open_orders(BTC)
        await hk.fills(BTC)
        await hk.funding_history(BTC)
        await hk.balance()
        await hk.funding(BTC)
        await asyncio.sleep(0.2)  # the last events reach the stream before it closes


async def run(name: str) -> Capture:
    captured = Capture()
    async with SimulatedVenue(name, mark_prices={BTC: Decimal("60000")}) as venue:
        venue.add_middleware(captured.middleware())
        async with hedgekit.connect(name, base_url=venue.base_url, rate_limit=False, **venue.credentials) as hk:
            await scenario(venue, hk)
            await asyncio.sleep(0.1)
        for conn in [*venue.streams.connections, *venue.streams.ended]:
            for frame in conn.sent:
                try:
                    captured.frames.append(json.loads(frame))
                except ValueError:
                    pass
    return captured


_RUNS: dict[str, Capture] = {}


@pytest.fixture
async def captured(venue_name: str) -> Capture:
    if venue_name not in _RUNS:
        _RUNS[venue_name] = await run(venue_name)
    return _RUNS[venue_name]


def scanned(capture: Capture, venue: str, *, account_views: bool) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for path, body in capture.answers:
        if path in STATIC or (path in ACCOUNT_VIEWS[venue]) is not account_views:
            continue
        out.extend((path, key, text) for key, text in numbers(body))
    if not account_views:
        out.extend(("stream", key, text) for frame in capture.frames for key, text in numbers(frame))
    return out


async def test_every_number_has_the_venue_format(captured: Capture, venue_name: str) -> None:
    rows = scanned(captured, venue_name, account_views=False)
    fields = {key for _, key, _ in rows}
    # the scenario reached what it is about: average entries, fills and PnL in REST and the stream
    expected = {"binance": {"entryPrice", "avgPrice", "cumQuote", "ep", "ap", "rp", "unRealizedProfit"},
                "aster": {"entryPrice", "avgPrice", "cumQuote", "ep", "ap", "rp", "unRealizedProfit"},
                "bybit": {"avgPrice", "positionValue", "execPnl", "closedPnl", "execValue", "entryPrice"},
                "okx": {"avgPx", "liqPx", "upl", "fillPnl", "pnl", "fillNotionalUsd", "notionalUsd", "eq"}}
    assert expected[venue_name] <= fields, expected[venue_name] - fields
    assert any(where == "stream" for where, _, _ in rows)
    found = [p for where, key, text in rows for p in problems(venue_name, where, key, text)]
    assert not found, "\n".join(sorted(set(found)))


@pytest.mark.parametrize("venue_name", ["aster", "okx"])
async def test_account_views_numbers_have_the_venue_format(captured: Capture, venue_name: str) -> None:
    rows = scanned(captured, venue_name, account_views=True)
    assert rows
    found = [p for where, key, text in rows for p in problems(venue_name, where, key, text)]
    assert not found, "\n".join(sorted(set(found)))


@pytest.mark.parametrize("venue_name", ["binance", "bybit"])
async def test_account_views_numbers_of_binance_and_bybit(captured: Capture, venue_name: str) -> None:
    rows = scanned(captured, venue_name, account_views=True) + scanned(captured, venue_name, account_views=False)
    found = [p for where, key, text in rows for p in problems(venue_name, where, key, text)]
    assert not found, "\n".join(sorted(set(found)))


# ----------------------------------------------------------------------- exact values, by hand


def answers(capture: Capture, path: str) -> list[Any]:
    return [body for where, body in capture.answers if where == path]


def rows_of(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, dict):
        for key in ("data", "result", "list"):
            if key in document:
                return rows_of(document[key])
        return [document]
    return [row for item in document for row in rows_of(item)] if isinstance(document, list) else []


async def test_binance_entry_price_by_hand() -> None:
    """Long fills 0.002 @ 60000, 0.004 @ 60000.1, 0.006 @ 60000.3: entry 720.0022 / 0.012 =
    60000.183333..., written to 8 decimals."""
    capture = _RUNS.get("binance") or await run("binance")
    _RUNS["binance"] = capture
    longs = [row for body in answers(capture, "/fapi/v3/positionRisk") for row in body
             if row["positionSide"] == "LONG" and Decimal(row["positionAmt"]) == Decimal("0.012")]
    assert longs and {row["entryPrice"] for row in longs} == {"60000.18333333"}
    assert {row["breakEvenPrice"] for row in longs} == {"60000.18333333"}
    eps = {p["ep"] for frame in capture.frames if isinstance(frame, dict) and frame.get("e") == "ACCOUNT_UPDATE"
           for p in frame["a"]["P"] if p["ps"] == "LONG" and p["pa"] == "0.012"}
    assert eps == {"60000.18333333"}


async def test_bybit_average_and_realised_pnl_by_hand() -> None:
    """Bybit keeps 8 decimals for an average entry (position.mdx ``"avgPrice": "27464.50441675"``) and
    for the realised PnL of a partial close: 0.004 closed at 60100.7 against 60000.183333...: 0.40206666..."""
    capture = _RUNS.get("bybit") or await run("bybit")
    _RUNS["bybit"] = capture
    longs = [row for body in answers(capture, "/v5/position/list") for row in rows_of(body)
             if row.get("positionIdx") == 1 and row.get("size") == "0.012"]
    assert longs and {row["avgPrice"] for row in longs} == {"60000.18333333"}
    pnls = {row.get("execPnl") for frame in capture.frames if isinstance(frame, dict)
            and frame.get("topic") == "execution" for row in frame["data"] if row.get("closedSize") == "0.004"}
    assert pnls == {"0.40206667"}


async def test_okx_liquidation_price_by_hand() -> None:
    """One short of 0.03 BTC (3 contracts) filled at 60000, 60000.1 and 60000.3 on a 10000 USDT cross
    account, maintenance rate 0.004: avgPx = 1800.004 / 0.03 = 60000.1333...; liqPx = (1800.004 + 10000) /
    (0.03 * 1.004) = 391766.40106241699867...; both written as the shortest form of the double."""
    async with SimulatedVenue("okx", mark_prices={BTC: Decimal("60000")}, balance=Decimal(10000)) as venue:
        async with hedgekit.connect("okx", base_url=venue.base_url, rate_limit=False, **venue.credentials) as hk:
            await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
            for mark in ("60000", "60000.1", "60000.3"):
                venue.set_mark_price(BTC, Decimal(mark))
                await hk.open_short(BTC, Decimal("0.01"))
            raw = (await hk.legs(BTC)).short.raw
            assert venue.engine.market(BTC).maintenance_margin_rate == Decimal("0.004")
    assert raw["avgPx"] == "60000.13333333333"
    assert raw["liqPx"] == "391766.401062417"


# ----------------------------------------------------------------------- the helpers


def test_the_rules_refuse_what_the_simulator_used_to_write() -> None:
    assert problems("binance", "x", "entryPrice", "3000.666666666666666666666667")
    assert problems("okx", "x", "liqPx", "10019681.27490039840637450199")
    assert problems("bybit", "x", "avgPrice", "1E+2") and problems("okx", "x", "px", "60000.05")
    assert problems("binance", "x", "origQty", "0.0010") and problems("okx", "x", "sz", "0.001")
    assert not problems("okx", "x", "liqPx", "12608.959083877446")
    assert not problems("bybit", "x", "avgPrice", "27464.50441675")


def test_number_helpers() -> None:
    third = Decimal(180001) / 3
    assert at_most(third, 8) == "60000.33333333" and at_most(Decimal("2.50"), 8) == "2.5"
    assert at_most(Decimal("-0.000000001"), 8) == "0"
    assert padded(Decimal("1.5"), 3) == "1.500" and padded(Decimal("-0.0000001"), 2) == "0.00"
    assert scaled(Decimal("60000.1"), 2, 8) == "60000.10" and scaled(third, 2, 8) == "60000.33333333"
    assert double(third) == "60000.333333333336" and double(Decimal("1E-7")) == "0.0000001"
    assert double(Decimal(10) ** 20) == "100000000000000000000" and double(Decimal(0)) == "0"
