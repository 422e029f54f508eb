"""Funding, bills, fills and amendment endpoints of the simulated OKX v5 venue (SWAP).

Sources (OKX = rosssaunders/coincise ``docs/okx`` mirror of docs-v5, by anchor; shared/ACCOUNT.md §4):

* ``GET /api/v5/public/funding-rate?instId=`` (#get-funding-rate; ``ANY`` = every swap):
  ``instType, instId, method (current_period), formulaType, fundingRate`` (the rate of the coming
  settlement), ``fundingTime`` (that settlement), ``nextFundingTime`` (the one after: the interval
  is their difference, OKX has no interval field), ``min/maxFundingRate, interestRate, impactValue,
  settState (settled), settFundingRate`` (the last settled rate), ``premium, ts``; all strings.
* ``GET /api/v5/public/funding-rate-history?instId&before&after&limit`` (#get-funding-rate-history):
  newest first, ``before``/``after`` by ``fundingTime``, ``limit`` ≤ 400 (default 400); ``fundingRate``
  (predicted) and ``realizedRate`` (actual) are the same number here.
* ``GET /api/v5/account/bills`` and ``/account/bills-archive`` (#get-bills-details-last-7-days,
  #…-last-3-months): ``instType, instId, ccy, mgnMode, ctType, type, subType, after/before
  (billId), begin/end (ts), limit`` ≤ 100; newest first. One bill per leg settled: ``type`` ``8``
  (funding fee), ``subType`` ``173`` funding expense / ``174`` funding income, ``balChg`` = ``pnl`` =
  the signed amount, ``sz`` the position in contracts, ``px`` the mark, ``mgnMode`` the leg's. The
  bill has **no** ``posSide`` (the documented field list has none). Trade bills (``type`` 2) are not
  written by the simulator: fills are on ``trade/fills``.
* ``GET /api/v5/trade/fills`` (3 days) and ``/trade/fills-history`` (``instType`` required)
  (#get-transaction-details-*): ``instId, ordId, subType, after/before (billId), begin/end, limit``
  ≤ 100; newest first; rows with ``fillPx, fillSz`` (contracts), ``fillPnl``, ``fillMarkPx``,
  ``side``, ``posSide`` (each fill names its leg), ``execType`` T/M and ``fee`` (negative when
  charged).
* ``POST /api/v5/trade/amend-order`` (#post-amend-order): ``instId, ordId|clOrdId, newSz``
  (contracts, the filled part included), ``newPx, cxlOnFail, reqId`` (echoed); ``sCode "0"``.
  Errors: ``51603 Order does not exist.``, ``51503 Your order has already been filled or canceled.``,
  ``51506 Order modification unavailable for the order type.``, ``51000 Parameter newSz error`` when
  neither ``newSz`` nor ``newPx`` is sent (the parameter named is UNCONFIRMED); an amendment that
  changes nothing is accepted as it is (what OKX answers then is UNCONFIRMED).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hedgekit.testing.engine_account import FillRecord, FundingRecord
from hedgekit.testing.engine_types import ZERO, EngineError, OrderStatus, PositionSide, Reason

from hedgekit_okx.simulator_markets import SPECS, SPECS_BY_ID
from hedgekit_okx.simulator_trade import _find, _order_keys, named
from hedgekit_okx.simulator_wire import (
    OkxError,
    OrderFailure,
    Params,
    SimState,
    contracts,
    figure,
    instrument_of,
    ms,
    order_failure,
    param_error,
    plain,
    to_base,
)

POS_SIDE = {PositionSide.LONG: "long", PositionSide.SHORT: "short", PositionSide.BOTH: "net"}
DAY_MS = 86_400_000


def _limit(params: Params, maximum: int, default: int) -> int:
    text = params.get("limit")
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= maximum:
        raise param_error("limit")
    return int(text)


def _paged(rows: list[dict[str, Any]], params: Params, key: str, maximum: int, default: int) -> list[dict[str, Any]]:
    """Newest first by ``key``; ``after`` = older than, ``before`` = newer than; ``limit``."""
    limit = _limit(params, maximum, default)
    rows = sorted(rows, key=lambda row: int(row[key]), reverse=True)
    for name, older in (("after", True), ("before", False)):
        value = params.get(name)
        if value is None:
            continue
        if not value.isdigit():
            raise param_error(name)
        rows = [row for row in rows if (int(row[key]) < int(value)) == older and int(row[key]) != int(value)]
    return rows[:limit]


def _times(params: Params) -> tuple[int | None, int | None]:
    begin, end = params.get("begin"), params.get("end")
    for name, value in (("begin", begin), ("end", end)):
        if value is not None and not value.isdigit():
            raise param_error(name)
    return (None if begin is None else int(begin)), (None if end is None else int(end))


# ----------------------------------------------------------------------- funding rate


def funding_rate(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/public/funding-rate``: one row, or every swap for ``instId=ANY``."""
    wanted = params.required("instId")
    book = state.engine.account_book
    now = state.engine.clock()
    if wanted == "ANY":
        specs = list(SPECS)
    else:
        specs = [instrument_of(params)]
    rows = []
    for spec in specs:
        sid = spec.inst_id
        coming = book.next_funding_time(sid)
        settled = book.rates_of(sid)
        rows.append({
            "instType": "SWAP", "instId": sid, "method": "current_period", "formulaType": "withRate",
            "fundingRate": plain(book.funding_rates[sid]), "nextFundingRate": "",
            "fundingTime": ms(coming), "nextFundingTime": ms(coming + book.interval_ms(sid)),
            "minFundingRate": "-0.0075", "maxFundingRate": "0.0075", "interestRate": "0.0001",
            "impactValue": "20000", "settState": "settled",
            "settFundingRate": plain(settled[-1].rate if settled else book.funding_rates[sid]),
            "premium": "0", "ts": ms(now), "sign": "",
        })
    return rows


def funding_rate_history(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/public/funding-rate-history``: settled rates, newest first."""
    spec = instrument_of(params)
    rows = [{"instType": "SWAP", "instId": spec.inst_id, "formulaType": "withRate", "fundingRate": plain(r.rate),
             "realizedRate": plain(r.rate), "fundingTime": ms(r.time), "method": "current_period"}
            for r in state.engine.account_book.rates_of(spec.inst_id)]
    return _paged(rows, params, "fundingTime", 400, 400)


# ----------------------------------------------------------------------- bills


def _bill(record: FundingRecord) -> dict[str, Any]:
    spec = SPECS_BY_ID[record.symbol]
    amount = plain(record.amount)
    return {
        "bal": figure(record.wallet_after), "balChg": amount, "billId": str(700_000_000_000 + record.funding_id),
        "ccy": "USDT", "clOrdId": "", "earnAmt": "", "earnApr": "", "execType": "", "fee": "0",
        "fillFwdPx": "", "fillIdxPx": "", "fillMarkPx": "", "fillMarkVol": "", "fillPxUsd": "", "fillPxVol": "",
        "fillTime": ms(record.time), "from": "", "instId": record.symbol, "instType": "SWAP", "interest": "0",
        "mgnMode": "isolated" if record.isolated else "cross", "notes": "", "ordId": "",
        "pnl": amount, "posBal": "0", "posBalChg": "0", "px": plain(record.mark_price),
        "subType": "173" if record.amount < ZERO else "174", "sz": contracts(spec, abs(record.size)),
        "tag": "", "to": "", "tradeId": "", "ts": ms(record.time), "type": "8",
    }


def _bills(state: SimState, params: Params, days: int) -> list[dict[str, Any]]:
    inst_type = params.get("instType")
    if inst_type not in (None, "SWAP"):
        return []
    only = instrument_of(params).inst_id if params.get("instId") else None
    begin, end = _times(params)
    now = state.engine.clock()
    oldest = now - days * DAY_MS
    rows = [_bill(r) for r in state.engine.account_book.funding_of(only) if r.time >= oldest]
    wanted = {name: params.get(name) for name in ("ccy", "mgnMode", "type", "subType")}
    ct_type = params.get("ctType")
    rows = [row for row in rows if all(value in (None, row[name]) for name, value in wanted.items())
            and ct_type in (None, "linear") and (begin is None or int(row["ts"]) >= begin)
            and (end is None or int(row["ts"]) <= end)]
    return _paged(rows, params, "billId", 100, 100)


def bills(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/account/bills`` (the last 7 days)."""
    return _bills(state, params, 7)


def bills_archive(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/account/bills-archive`` (the last 3 months)."""
    return _bills(state, params, 92)


# ----------------------------------------------------------------------- fills


def _fill_row(state: SimState, fill: FillRecord) -> dict[str, Any]:
    spec = SPECS_BY_ID[fill.symbol]
    order = state.engine.get_order(fill.symbol, order_id=fill.order_id)
    opening = (fill.side.value == "BUY") == (fill.position_side is not PositionSide.SHORT)
    sub_type = {(True, True): "3", (True, False): "6", (False, True): "4", (False, False): "5"}[
        (fill.side.value == "BUY", opening)] if fill.position_side is not PositionSide.BOTH else (
        "1" if fill.side.value == "BUY" else "2")
    return {
        "instType": "SWAP", "instId": fill.symbol, "tradeId": str(fill.trade_id), "ordId": str(fill.order_id),
        "clOrdId": order.client_order_id if named(state, order) else "", "billId": str(600_000_000_000 + fill.trade_id), "subType": sub_type,
        "tag": order.extra.get("tag", ""), "fillPx": plain(fill.price), "fillSz": contracts(spec, fill.quantity),
        "fillIdxPx": plain(fill.mark_price), "fillPnl": figure(fill.realized_pnl), "fillPxVol": "",
        "fillPxUsd": "", "fillMarkVol": "", "fillFwdPx": "", "fillMarkPx": plain(fill.mark_price),
        "side": fill.side.value.lower(), "posSide": POS_SIDE[fill.position_side],
        "execType": "M" if fill.maker else "T", "feeCcy": "USDT", "fee": plain(-fill.fee),
        "ts": ms(fill.time), "fillTime": ms(fill.time), "feeRate": "", "tradeQuoteCcy": "",
    }


def _fills(state: SimState, params: Params, days: int) -> list[dict[str, Any]]:
    inst_type = params.get("instType")
    if inst_type not in (None, "SWAP"):
        return []
    only = instrument_of(params).inst_id if params.get("instId") else None
    begin, end = _times(params)
    oldest = state.engine.clock() - days * DAY_MS
    order_id, sub_type = params.get("ordId"), params.get("subType")
    rows = [_fill_row(state, f) for f in state.engine.account_book.fills_of(only, begin, end) if f.time >= oldest]
    rows = [row for row in rows if order_id in (None, row["ordId"]) and sub_type in (None, row["subType"])]
    return _paged(rows, params, "billId", 100, 100)


def fills(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/trade/fills`` (the last 3 days)."""
    return _fills(state, params, 3)


def fills_history(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/trade/fills-history`` (the last 3 months; ``instType`` required)."""
    params.required("instType")
    return _fills(state, params, 92)


# ----------------------------------------------------------------------- amendment


def amend_order(state: SimState, params: Params) -> dict[str, Any]:
    """``POST /api/v5/trade/amend-order``: one row with ``sCode "0"``, or an :class:`OrderFailure`."""
    spec = instrument_of(params, order=True)
    try:
        order_id, client_id = _order_keys(params)
    except OkxError as exc:
        raise OrderFailure(exc.code, exc.msg) from exc
    new_size, new_price = params.get("newSz"), params.get("newPx")
    if not new_size and not new_price:
        raise OrderFailure("51000", "Parameter newSz error")
    try:
        order = _find(state, spec.inst_id, order_id, client_id, open_only=False)
    except OkxError as exc:
        raise OrderFailure(exc.code, exc.msg) from exc
    if order.status is not OrderStatus.NEW:
        raise OrderFailure("51503", "Your order has already been filled or canceled.")
    quantity = None if not new_size else to_base(spec, _decimal(new_size, "newSz"))
    price = None if not new_price else _decimal(new_price, "newPx")
    try:
        state.engine.amend_order(spec.inst_id, order_id=order.order_id, quantity=quantity, price=price)
    except EngineError as exc:
        if exc.reason is Reason.AMEND_UNCHANGED:
            pass  # accepted as it is (UNCONFIRMED)
        elif exc.reason is Reason.ORDER_NOT_AMENDABLE:
            raise OrderFailure("51506", "Order modification unavailable for the order type.") from exc
        else:
            raise order_failure(exc) from exc
    return {"clOrdId": params.get("clOrdId") or "", "ordId": str(order.order_id), "reqId": params.get("reqId") or "",
            "ts": ms(state.engine.clock()), "sCode": "0", "sMsg": ""}


def _decimal(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise OrderFailure("51000", f"Parameter {name} error") from None
    if not value.is_finite() or value <= 0:
        raise OrderFailure("51000", f"Parameter {name} error")
    return value
