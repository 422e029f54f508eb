"""Funding, income, fill-history and order-amendment endpoints of the simulated Binance USDⓈ-M venue.

Sources (shared/ACCOUNT.md §1; BND = ``rosssaunders/coincise docs/binance/usdm/endpoints``):

* ``GET /fapi/v1/premiumIndex`` (BND public/get_fapi_v1_premiumindex.md): ``markPrice, indexPrice,
  estimatedSettlePrice, lastFundingRate, interestRate`` strings, ``nextFundingTime, time`` numbers.
  ``lastFundingRate`` carries the engine's current rate, the one the next settlement applies (as
  ccxt reads it, binance.py fetch_funding_rate; its exact meaning is UNCONFIRMED).
* ``GET /fapi/v1/fundingInfo`` (BND public/get_fapi_v1_fundinginfo.md): only the symbols whose cap,
  floor or interval was adjusted; ``fundingIntervalHours`` a number. The simulator lists the
  symbols whose interval is not 8 h (:data:`ADJUSTED_INTERVALS`), with the doc example's cap and floor.
* ``GET /fapi/v1/fundingRate`` (BND public/get_fapi_v1_fundingrate.md): ``symbol, fundingRate,
  fundingTime, markPrice`` ascending; ``startTime``/``endTime`` inclusive, ``limit`` default 100 max
  1000; without times the most recent 200.
* ``GET /fapi/v1/income`` (BND private/get_fapi_v1_income.md): ``symbol, incomeType, income, asset,
  info, time, tranId, tradeId``; without times the last 7 days; ``limit`` default 100 max 1000;
  ``page``. The simulator books ``FUNDING_FEE`` (one row per leg settled: whether a hedge-mode
  account gets one row per leg or one netted row is UNCONFIRMED, ACCOUNT.md), ``REALIZED_PNL`` and
  ``COMMISSION`` rows. No ``positionSide`` on any of them.
* ``GET /fapi/v1/userTrades`` (BND private/get_fapi_v1_usertrades.md): ``symbol`` mandatory;
  ``orderId, startTime, endTime, fromId, limit`` (default 500, max 1000); without times the last 7
  days; the window may not exceed 7 days; ``fromId`` not with times. Rows ``buyer, commission,
  commissionAsset, id, maker, orderId, price, qty, quoteQty, realizedPnl, side, positionSide,
  symbol, time``. ``commission`` is written positive for a charge (the doc example shows
  ``"-0.07819010"``; the sign is UNCONFIRMED, ccxt reads the value as the fee cost).
* ``PUT /fapi/v1/order`` (BND private/put_fapi_v1_order.md): ``orderId|origClientOrderId`` (orderId
  prevails), ``symbol``, ``side``, ``quantity`` and ``price`` all mandatory; LIMIT only (``-5025 Only
  limit order is supported.``); an unchanged order ``-5027 No need to modify the order.``; a GTX
  order the new price would execute is canceled; the answer is the full order. Whether a ``side``
  different from the order's is refused is UNCONFIRMED: the simulator ignores it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_account import FillRecord, FundingRecord, RateRecord
from hedgekit.testing.engine_types import ZERO, EngineError, Reason

from hedgekit_binance.simulator_markets import SPECS_BY_ID
from hedgekit_binance.simulator_trade import order_json, symbol_of
from hedgekit_binance.simulator_wire import BinanceError, Params, eight, engine_error, fixed, mandatory, plain

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS

ADJUSTED_INTERVALS = {"DOGEUSDT": 4}
"""Symbols whose funding interval the simulated venue has moved from 8 h (fundingInfo lists them)."""

ONLY_LIMIT = BinanceError(-5025, "Only limit order is supported.")  # BND error_codes.md -5025 LIMIT_ORDER_ONLY
SAME_ORDER = BinanceError(-5027, "No need to modify the order.")  # -5027 SAME_ORDER


def configure(engine: Engine, intervals: dict[str, int]) -> None:
    """Give the engine's markets the venue's funding intervals (hours)."""
    for sid, hours in intervals.items():
        engine.account_book.set_interval(sid, hours)


def _limit(params: Params, default: int, maximum: int) -> int:
    limit = params.integer("limit")
    if limit is None:
        return default
    if not 1 <= limit <= maximum:
        raise BinanceError(-1130, "Data sent for parameter 'limit' is not valid.")
    return limit


def _window(engine: Engine, params: Params, default_ms: int) -> tuple[int, int]:
    """``startTime``/``endTime`` inclusive; neither sent: the last ``default_ms``."""
    start, end = params.integer("startTime"), params.integer("endTime")
    now = engine.clock()
    if start is None and end is None:
        return now - default_ms, now
    if start is None:
        assert end is not None
        return end - default_ms, end
    return start, now if end is None else end


# ----------------------------------------------------------------------- funding rate


def premium_index(engine: Engine, params: Params) -> Any:
    """``GET /fapi/v1/premiumIndex``: mark = index = the engine's mark, the current funding rate."""
    now = engine.clock()
    book = engine.account_book

    def row(sid: str) -> dict[str, Any]:
        mark = eight(engine.mark_price(sid))
        return {"symbol": sid, "markPrice": mark, "indexPrice": mark, "estimatedSettlePrice": mark,
                "lastFundingRate": eight(book.funding_rates[sid]), "interestRate": "0.00010000",
                "nextFundingTime": book.next_funding_time(sid), "time": now}

    if params.get("symbol"):
        return row(symbol_of(engine, params))
    return [row(m.symbol_id) for m in engine.markets()]


def funding_info(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v1/fundingInfo``: the symbols whose interval was adjusted (no parameters)."""
    book = engine.account_book
    return [
        {"symbol": m.symbol_id, "adjustedFundingRateCap": "0.02500000",
         "adjustedFundingRateFloor": "-0.02500000", "fundingIntervalHours": book.interval_hours[m.symbol_id],
         "disclaimer": False}
        for m in engine.markets() if book.interval_hours[m.symbol_id] != 8
    ]


def rate_rows(engine: Engine, params: Params, row: Callable[[RateRecord], dict[str, Any]]) -> list[dict[str, Any]]:
    """Settled rates, ascending: ``startTime``+``limit`` when many; the most recent 200 without times."""
    limit = _limit(params, 100, 1000)
    sid = symbol_of(engine, params) if params.get("symbol") else None
    start, end = params.integer("startTime"), params.integer("endTime")
    records = [r for r in engine.account_book.rates if sid in (None, r.symbol)]
    if start is None and end is None:
        return [row(r) for r in records[-(limit if params.get("limit") else 200):]]
    chosen = [r for r in records if (start is None or r.time >= start) and (end is None or r.time <= end)]
    return [row(r) for r in chosen[:limit]]


def funding_rate(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v1/fundingRate``: ``{symbol, fundingRate, fundingTime, markPrice}``."""
    return rate_rows(engine, params, lambda r: {
        "symbol": r.symbol, "fundingRate": eight(r.rate), "fundingTime": r.time, "markPrice": eight(r.mark_price)})


# ----------------------------------------------------------------------- income


def income_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every income row the account has, oldest first (``tranId`` as a number)."""
    rows: list[tuple[int, int, dict[str, Any]]] = []
    for record in engine.account_book.funding:
        rows.append((record.time, 0, _funding_row(record)))
    for fill in engine.account_book.fills:
        if fill.realized_pnl != ZERO:
            rows.append((fill.time, 1, _fill_income(fill, "REALIZED_PNL", fill.realized_pnl)))
        if fill.fee != ZERO:
            rows.append((fill.time, 2, _fill_income(fill, "COMMISSION", -fill.fee)))
    rows.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in rows]


def _funding_row(record: FundingRecord) -> dict[str, Any]:
    return {"symbol": record.symbol, "incomeType": "FUNDING_FEE", "income": eight(record.amount),
            "asset": "USDT", "info": "FUNDING_FEE", "time": record.time,
            "tranId": 9_000_000_000 + record.funding_id, "tradeId": ""}


def _fill_income(fill: FillRecord, kind: str, amount: Decimal) -> dict[str, Any]:
    return {"symbol": fill.symbol, "incomeType": kind, "income": eight(amount), "asset": "USDT",
            "info": kind, "time": fill.time, "tranId": 8_000_000_000 + fill.trade_id * 10 + (kind == "COMMISSION"),
            "tradeId": str(fill.trade_id)}


def select_income(engine: Engine, params: Params, *, paged: bool) -> list[dict[str, Any]]:
    """Income rows by ``symbol``, ``incomeType`` and time (inclusive; 7 days without times), ``limit`` and ``page``."""
    sid = symbol_of(engine, params) if params.get("symbol") else None
    kind = params.get("incomeType")
    start, end = _window(engine, params, WEEK_MS)
    limit = _limit(params, 100, 1000)
    page = params.integer("page") if paged else None
    rows = [row for row in income_rows(engine)
            if sid in (None, row["symbol"]) and kind in (None, row["incomeType"]) and start <= row["time"] <= end]
    offset = (max(page, 1) - 1) * limit if page is not None else 0
    return rows[offset:offset + limit]


def income(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v1/income``."""
    return select_income(engine, params, paged=True)


# ----------------------------------------------------------------------- fills


def trade_row(fill: FillRecord, price_places: int, quantity_places: int) -> dict[str, Any]:
    """One ``userTrades`` row (BNC models/account_trade_list_response_inner.py field order)."""
    return {
        "buyer": fill.side.value == "BUY", "commission": eight(fill.fee), "commissionAsset": "USDT",
        "id": fill.trade_id, "maker": fill.maker, "orderId": fill.order_id,
        "price": fixed(fill.price, price_places), "qty": fixed(fill.quantity, quantity_places),
        "quoteQty": plain(fill.price * fill.quantity), "realizedPnl": eight(fill.realized_pnl),
        "side": fill.side.value, "positionSide": fill.position_side.value, "symbol": fill.symbol,
        "time": fill.time,
    }


def select_trades(engine: Engine, params: Params, *, order_filter: bool) -> list[FillRecord]:
    """Fills by the ``userTrades`` rules shared by Binance and Aster (Aster has no ``orderId``)."""
    if not params.get("symbol"):
        raise mandatory("symbol")
    sid = symbol_of(engine, params)
    limit = _limit(params, 500, 1000)
    from_id = params.integer("fromId")
    if from_id is not None and (params.has("startTime") or params.has("endTime")):
        raise BinanceError(-1128, "Combination of optional parameters invalid.")  # -1128 OPTIONAL_PARAMS_BAD_COMBO
    fills = engine.account_book.fills_of(sid)
    if order_filter and params.get("orderId"):
        order_id = params.integer("orderId")
        fills = [f for f in fills if f.order_id == order_id]
    if from_id is not None:
        return [f for f in fills if f.trade_id >= from_id][:limit]
    start, end = _window(engine, params, WEEK_MS)
    if end - start > WEEK_MS:
        # "The time between startTime and endTime cannot be longer than 7 days"; -1127
        # MORE_THAN_XX_HOURS's text (error_codes.md; that userTrades answers -1127 is UNCONFIRMED)
        raise BinanceError(-1127, "More than 168 hours between startTime and endTime.")
    chosen = [f for f in fills if start <= f.time <= end]
    return chosen[-limit:]


def user_trades(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v1/userTrades``."""
    rows = []
    for fill in select_trades(engine, params, order_filter=True):
        spec = SPECS_BY_ID[fill.symbol]
        rows.append(trade_row(fill, spec.price_precision, spec.quantity_precision))
    return rows


# ----------------------------------------------------------------------- amendment


def amend(engine: Engine, params: Params, *, side_required: bool) -> Any:
    """Amend an order by the ``PUT …/order`` rules; returns the engine's order after it."""
    sid = symbol_of(engine, params)
    if side_required and not params.get("side"):
        raise mandatory("side")
    quantity = params.decimal("quantity", required=True)
    price = params.decimal("price", required=True)
    order_id = params.integer("orderId")
    client_id = None if order_id is not None else params.get("origClientOrderId")
    if order_id is None and client_id is None:
        raise BinanceError(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
    try:
        return engine.amend_order(sid, order_id=order_id, client_order_id=client_id, quantity=quantity, price=price)
    except EngineError as exc:
        if exc.reason is Reason.ORDER_NOT_AMENDABLE:
            raise ONLY_LIMIT from exc
        if exc.reason is Reason.AMEND_UNCHANGED:
            raise SAME_ORDER from exc
        raise engine_error(exc) from exc


def modify_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``PUT /fapi/v1/order``: the full order after the amendment."""
    return order_json(amend(engine, params, side_required=True), "QUERY")
