"""OKX v5 wire format, part one: the envelope, field readers, sizes, markets, mode and legs.

Orders live in :mod:`.wire_orders`. Parsing is tolerant of unknown fields and strict about the ones
it reads: every field a parser reads must be present and a string (OKX sends every value as one),
or the answer raises :class:`~hedgekit.errors.MalformedResponse` naming the field, never
``KeyError``. Every number is read from the venue's string into a Decimal. OKX writes ``""`` where
a field does not apply (``margin`` "Only applicable to isolated", ``avgPx`` empty "If none is filled"):
that reads as "no value" only for the fields whose doc says so, each marked where it is read.

**Sizes.** OKX trades SWAP in contracts: ``sz`` and ``pos`` count contracts of ``ctVal`` base units
(https://www.okx.com/docs-v5/en/#order-book-trading-trade-post-place-order, ``sz``;
#trading-account-rest-api-get-positions, ``pos``). hedgekit's API stays in base units:
:func:`to_contracts` converts on the way out and refuses a size that is not a whole number of lots
(``lotSz`` contracts), naming the nearest valid sizes; :func:`from_contracts` converts on the way
in. Both are exact Decimal arithmetic.

Sources: the OKX v5 docs mirrored in ``rosssaunders/coincise docs/okx/*.md`` and
``qiuham/crypto-api-docs docs/okx/**`` (official ``#anchors`` kept); shared/VENUES.md §4.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hedgekit.errors import InvalidRequest
from hedgekit.models import Leg, MarginMode, Market, PositionMode, PositionSide, leverage_value
from hedgekit.payload import PayloadReader, plain

VENUE = "okx"
ZERO = Decimal(0)

#: ``posMode`` of /api/v5/account/config and /account/set-position-mode (#trading-account-rest-api-set-position-mode).
POS_MODE = {PositionMode.HEDGE: "long_short_mode", PositionMode.ONE_WAY: "net_mode"}
POS_MODE_IN = {v: k for k, v in POS_MODE.items()}
#: ``posSide``: long/short in long/short mode, net in net mode (#order-book-trading-trade-post-place-order).
POS_SIDE = {PositionSide.LONG: "long", PositionSide.SHORT: "short", PositionSide.BOTH: "net"}
POS_SIDE_IN = {v: k for k, v in POS_SIDE.items()}
#: ``tdMode`` (orders) and ``mgnMode`` (positions, leverage, close-position): cross | isolated.
MARGIN_MODE = {MarginMode.CROSS: "cross", MarginMode.ISOLATED: "isolated"}
MARGIN_MODE_IN = {v: k for k, v in MARGIN_MODE.items()}

#: ``acctLv`` of /api/v5/account/config (#trading-account-rest-api-get-account-configuration).
ACCOUNT_LEVELS = {
    "1": "Spot mode",
    "2": "Futures mode",
    "3": "Multi-currency margin",
    "4": "Portfolio margin",
}
FUTURES_MODE = "2"
"""The only account level with isolated margin for SWAP (place-algo-order ``tdMode``: "isolated is not
available in multi-currency margin mode and portfolio margin mode"; error 50072)."""
PORTFOLIO_MARGIN = "4"
"""Net mode only: "Portfolio margin mode: FUTURES and SWAP only support net mode" (set-position-mode)."""
SPOT_MODE = "1"
"""No derivatives at all (51010 "Request unsupported under current account mode")."""


# -- field readers ------------------------------------------------------------------------------

_READ = PayloadReader(VENUE, empty_text=False, floats=False)  # OKX sends every number as a string
bad = _READ.bad
text, opt_text, dec, req_dec = _READ.text, _READ.opt_text, _READ.dec, _READ.req_dec
blank_dec, blank_text = _READ.blank_dec, _READ.blank_text
flag, when, enum_of = _READ.flag, _READ.when, _READ.enum_of


def str_flag(row: dict[str, Any], key: str) -> bool:
    """A required boolean OKX sends as a string: ``reduceOnly`` "Valid options: true or false"
    (String in every order table), so a JSON boolean is not one."""
    value = row.get(key)
    if value not in ("true", "false"):
        raise bad(f"field {key!r} missing or not \"true\"/\"false\"", row)
    return bool(value == "true")


def data_rows(payload: Any, what: str) -> list[dict[str, Any]]:
    """The ``data`` list of a ``{"code": "0", "msg": "", "data": [...]}`` envelope."""
    if not isinstance(payload, dict):
        raise bad(f"expected an envelope object for {what}", payload)
    rows = payload.get("data")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise bad(f"expected a data list of objects for {what}", payload)
    return rows


def first_row(payload: Any, what: str) -> dict[str, Any]:
    """The single row of a one-result answer."""
    rows = data_rows(payload, what)
    if not rows:
        raise bad(f"empty data for {what}", payload)
    return rows[0]


#: A Decimal as OKX takes it: plain notation, no exponent, no trailing zeros.
fmt = plain


# -- sizes: base units <-> contracts --------------------------------------------------------------
def lot_contracts(market: Market) -> Decimal:
    """The instrument's ``lotSz`` in contracts (the market keeps it in base units)."""
    return market.lot_step / market.contract_size


def to_contracts(market: Market, quantity: Decimal) -> Decimal:
    """Base units -> contracts, exact; :class:`InvalidRequest` with the nearest valid sizes otherwise.

    Example: BTC-USDT-SWAP has ``ctVal`` 0.01 BTC and ``lotSz`` 0.01 contracts, so 0.0123 BTC is
    1.23 contracts and 0.01234 BTC is refused ("nearest valid sizes: 0.0123 or 0.0124").
    """
    try:
        contracts = quantity / market.contract_size
        lot = lot_contracts(market)
        exact = contracts * market.contract_size == quantity and (lot <= 0 or contracts % lot == 0)
    except ArithmeticError:  # decimal's DivisionImpossible: more lots than Decimal's 28 digits count
        exact = False
    if not exact:
        step = market.lot_step
        try:
            below = (quantity // step) * step
            nearest = f"; nearest valid sizes: {fmt(below)} or {fmt(below + step)}"
        except ArithmeticError:
            nearest = ""
        raise InvalidRequest(
            f"quantity {fmt(quantity)} {market.base} is not a whole number of lots of {market.symbol} "
            f"(1 contract = {fmt(market.contract_size)} {market.base}, lot = {fmt(lot_contracts(market))} "
            f"contracts = {fmt(step)} {market.base}){nearest}",
            venue=VENUE, symbol=market.symbol,
        )
    return contracts


def from_contracts(market: Market, contracts: Decimal) -> Decimal:
    """Contracts -> base units (``contracts × ctVal``), exact."""
    return contracts * market.contract_size


# -- markets (GET /api/v5/public/instruments?instType=SWAP) -------------------------------------
def parse_markets(payload: Any) -> list[Market]:
    """Live, linear, USDT-settled perpetual swaps.

    Field facts (#public-data-rest-api-get-instruments and a live 2026 record): ``baseCcy`` and
    ``quoteCcy`` are ``""`` on swaps, so the pair comes from ``instFamily``/``uly`` (``BTC-USDT``);
    ``ctType`` is ``linear`` or ``inverse``; ``state`` is ``live`` when tradable; ``lever`` is the
    maximum leverage.
    """
    out: list[Market] = []
    for row in data_rows(payload, "public/instruments"):
        if row.get("instType") != "SWAP" or row.get("state") != "live":
            continue
        if row.get("ctType") != "linear" or row.get("settleCcy") != "USDT":
            continue
        inst_id = text(row, "instId")
        family = opt_text(row, "instFamily") or opt_text(row, "uly") or inst_id.rsplit("-", 1)[0]
        base, _, quote = family.partition("-")
        if not base or quote != "USDT":
            continue
        ct_val = req_dec(row, "ctVal")
        lot = req_dec(row, "lotSz")
        min_sz = req_dec(row, "minSz")
        if ct_val <= 0 or lot <= 0:
            raise bad("ctVal and lotSz must be positive", row)
        lever = dec(row, "lever")
        out.append(
            Market(
                symbol=f"{base}/{quote}:USDT",
                venue_symbol=inst_id,
                base=base,
                quote=quote,
                settle="USDT",
                tick_size=req_dec(row, "tickSz"),
                lot_step=lot * ct_val,
                min_quantity=min_sz * ct_val,
                min_notional=ZERO,  # OKX swaps have a minimum size (minSz), no minimum notional
                contract_size=ct_val,
                max_leverage=int(lever) if lever is not None and lever >= 1 else None,
                # lever is a decimal string (leverage-info answers "5.00000000", ccxt okx.py
                # fetch_leverage's sample); OKX publishes no step: 0.01 (UNCONFIRMED)
                leverage_step=Decimal("0.01"),
            )
        )
    return out


# -- account configuration (GET /api/v5/account/config) -----------------------------------------
def parse_config(payload: Any) -> tuple[PositionMode, str]:
    """``posMode`` and ``acctLv`` of the account, both required strings (#get-account-configuration);
    no other field of the row is read."""
    row = first_row(payload, "account/config")
    mode = enum_of(POS_MODE_IN, row, "posMode")
    level = text(row, "acctLv")
    if not (level.isdigit() and level.isascii()):  # "1" to "4" today; a new level still reads
        raise bad("field 'acctLv' is not an account level", row)
    return mode, level


def describe_level(level: str) -> str:
    """``"acctLv 4 (Portfolio margin)"``."""
    return f"acctLv {level} ({ACCOUNT_LEVELS.get(level, 'unknown account mode')})"


# -- legs (GET /api/v5/account/positions) -------------------------------------------------------
def leg_side(row: dict[str, Any]) -> tuple[PositionSide, Decimal]:
    """The leg a position row belongs to and its signed size in contracts.

    ``posSide`` long/short: ``pos`` is positive; ``net``: ``pos`` is signed (#get-positions).
    """
    venue_side = enum_of(POS_SIDE_IN, row, "posSide")
    pos = req_dec(row, "pos")
    if venue_side is PositionSide.BOTH:
        return (PositionSide.SHORT if pos < 0 else PositionSide.LONG), pos
    return venue_side, pos


def _entry(row: dict[str, Any], pos: Decimal) -> Decimal | None:
    """``avgPx``, required on an open position; a position of ``pos`` 0 (made by a manual margin
    transfer, #get-positions) has no open price and may leave it ``""``."""
    return req_dec(row, "avgPx") if pos != 0 else blank_dec(row, "avgPx")


def parse_leg(row: dict[str, Any], market: Market) -> Leg:
    """One position row (SWAP) as a leg, sizes in base units.

    ``margin`` is the isolated margin ("only applicable to isolated"); under cross margin the leg's
    margin is its initial margin requirement ``imr`` ("only applicable to cross"). Each field read
    is in #get-positions' table and required; ``""`` is taken for: ``margin`` on a cross leg and
    ``imr`` on an isolated one (not applicable), ``lever`` ("Not applicable to ... positions of
    cross margin mode under Portfolio margin"), ``avgPx`` on a zero position (:func:`_entry`) and
    ``liqPx``, which OKX leaves ``""`` when there is no liquidation price (UNCONFIRMED in the docs,
    which only say "Estimated liquidation price"). ``instType`` is checked by the adapter.
    """
    side, pos = leg_side(row)
    size = from_contracts(market, abs(pos))
    mark = req_dec(row, "markPx")
    margin_mode = enum_of(MARGIN_MODE_IN, row, "mgnMode")
    if margin_mode is MarginMode.ISOLATED:
        margin, _ = req_dec(row, "margin"), blank_dec(row, "imr")
    else:
        _, margin = blank_dec(row, "margin"), req_dec(row, "imr")
    lever = blank_dec(row, "lever")
    liq = blank_dec(row, "liqPx")
    entry = _entry(row, pos)
    return Leg(
        venue=VENUE,
        symbol=market.symbol,
        side=side,
        size=size,
        entry_price=entry if size != 0 else None,
        mark_price=mark,
        unrealized_pnl=req_dec(row, "upl"),
        liquidation_price=liq if liq else None,
        margin=margin,
        margin_mode=margin_mode,
        leverage=leverage_value(lever) if lever is not None and lever >= 1 else None,
        notional=size * mark,  # in USDT; ``notionalUsd`` is converted to USD
        updated_at=when(row, "uTime", required=True),
        raw=row,
    )


def parse_foreign_leg(row: dict[str, Any]) -> Leg:
    """A FUTURES or non-USDT SWAP position: it blocks an account-wide mode switch too.

    hedgekit does not list the instrument, so its ``ctVal`` is unknown: the leg carries the venue's
    instrument id as its symbol and its size in contracts (see the adapter's docstring). The fields
    read are required as in :func:`parse_leg`.
    """
    side, pos = leg_side(row)
    return Leg(
        venue=VENUE, symbol=text(row, "instId"), side=side, size=abs(pos),
        entry_price=_entry(row, pos), mark_price=req_dec(row, "markPx"),
        unrealized_pnl=req_dec(row, "upl"), updated_at=when(row, "uTime", required=True), raw=row,
    )
