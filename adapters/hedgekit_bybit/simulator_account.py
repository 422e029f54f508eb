"""Funding, transaction-log, execution-list and amendment endpoints of the simulated Bybit v5 venue.

Sources (BYB = bybit-exchange/docs ``docs/v5``; shared/ACCOUNT.md §3):

* ``GET /v5/market/tickers`` (market/tickers.mdx): the listing's row with the engine's current
  ``fundingRate``, ``nextFundingTime`` (ms, a string) and ``fundingIntervalHour`` (``"8"``).
* ``GET /v5/market/funding/history`` (market/history-fund-rate.mdx): ``category`` and ``symbol``
  required, ``startTime``/``endTime``, ``limit`` [1, 200] default 200; rows ``symbol, fundingRate,
  fundingRateTimestamp``, newest first. ``startTime`` without ``endTime`` is refused ("only
  startTime ⇒ error", ACCOUNT.md; the code and text are UNCONFIRMED: 10001).
* ``GET /v5/account/transaction-log`` (account/transaction-log.mdx): ``accountType``, ``category``,
  ``currency``, ``type``, ``startTime``/``endTime`` (neither: the last 24 h; at most 7 days apart),
  ``limit`` [1, 50] default 20, ``cursor``. One ``SETTLEMENT`` row per leg settled, in the doc
  example's field order: ``side`` ``Buy`` for the long leg and ``Sell`` for the short (inferred from
  the ``feeRate`` rule and the samples; UNCONFIRMED), ``funding`` + received / − paid, ``size`` the
  position (short with −), ``feeRate`` the rate on a Buy and −rate on a Sell, ``tradePrice`` the
  mark, ``change`` = ``funding``, ``cashBalance`` the wallet after. The simulator writes no
  ``TRADE`` rows (fills are on ``execution/list``).
* ``GET /v5/execution/list`` (order/execution.mdx): ``category`` required; ``symbol, orderId,
  orderLinkId, startTime, endTime`` (neither: 7 days; at most 7 days apart), ``execType``, ``limit``
  [1, 100] default 50, ``cursor``; newest first. ``Trade`` rows for fills, ``Funding`` rows for
  settlements (enum.mdx#execType: ``execFee`` + paid, ``feeRate`` signed by side, ``execQty`` the
  position size). No ``positionIdx`` and no PnL on either.
* ``POST /v5/order/amend`` (order/amend-order.mdx): ``category, symbol, orderId|orderLinkId, qty,
  price`` (strings, unchanged ones left out); answer ``{orderId, orderLinkId}``. A missing order is
  ``110001 order not exists or too late to replace`` (seen live, sieblyio/bybit-api issue 289); an
  amendment that changes nothing ``10001`` (the code and text are UNCONFIRMED); a conditional order
  (``triggerPrice``, ``qty``) is amended on the engine (``Engine.amend_conditional``), its trigger
  checked against its ``triggerDirection`` (110092 / 110093, error.mdx); its ``price`` is not
  (10001, a simplification).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_account import FillRecord, FundingRecord
from hedgekit.testing.engine_types import ZERO, EngineError, OrderType, PositionSide, Reason

from hedgekit_bybit.simulator_markets import SETTLE, price, qty
from hedgekit_bybit.simulator_markets import tickers as listing_tickers
from hedgekit_bybit.simulator_position import eight
from hedgekit_bybit.simulator_trade import FALLS, RISES, State, find, linear, page, symbol_of
from hedgekit_bybit.simulator_wire import BybitError, Params, engine_error, order_id, param_error, parse_order_id, plain

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS

NOT_FOUND = BybitError(110001, "order not exists or too late to replace")
UNCHANGED = BybitError(10001, "The order remains unchanged as the parameters entered match the existing ones.")  # UNCONFIRMED


def _window(engine: Engine, params: Params, default_ms: int) -> tuple[int, int]:
    """``startTime``/``endTime``; neither: the last ``default_ms``; at most 7 days apart (10001)."""
    start, end = params.integer("startTime"), params.integer("endTime")
    now = engine.clock()
    if start is None and end is None:
        return now - default_ms, now
    if start is None:
        assert end is not None
        start = end - default_ms
    if end is None:
        end = min(start + WEEK_MS, now)
    if end - start > WEEK_MS:
        raise param_error("params error: the time range between startTime and endTime must be within 7 days")  # UNCONFIRMED text
    return start, end


# ----------------------------------------------------------------------- public


def tickers(state: State, params: Params) -> dict[str, Any]:
    """``GET /v5/market/tickers``: the listing's rows with the engine's funding figures."""
    engine = state.engine
    result = listing_tickers(engine, params)
    book = engine.account_book
    for row in result["list"]:
        sid = row["symbol"]
        row["fundingRate"] = plain(book.funding_rates[sid])
        row["nextFundingTime"] = str(book.next_funding_time(sid))
        row["fundingIntervalHour"] = str(book.interval_hours[sid])
    return result


def funding_history(state: State, params: Params) -> dict[str, Any]:
    """``GET /v5/market/funding/history``: settled rates, newest first."""
    linear(params)
    engine = state.engine
    sid = symbol_of(engine, params)
    start, end = params.integer("startTime"), params.integer("endTime")
    if start is not None and end is None:
        raise param_error("params error: endTime is required when startTime is passed")  # UNCONFIRMED text
    limit = params.integer("limit", default=200)
    if limit is None or not 1 <= limit <= 200:
        raise param_error("params error: limit invalid")  # UNCONFIRMED text
    rows = [r for r in engine.account_book.rates_of(sid, start, end)]
    rows.reverse()
    return {"category": "linear", "list": [
        {"symbol": r.symbol, "fundingRate": plain(r.rate), "fundingRateTimestamp": str(r.time)}
        for r in rows[:limit]]}


# ----------------------------------------------------------------------- transaction log


def _settlement_row(record: FundingRecord) -> dict[str, Any]:
    long = record.position_side is not PositionSide.SHORT and record.size >= ZERO
    signed = record.size if long else -abs(record.size)
    rate = record.rate if long else -record.rate
    return {
        "transSubType": "", "id": f"{record.funding_id}_{record.symbol}_{record.time}",
        "symbol": record.symbol, "side": "Buy" if long else "Sell", "funding": eight(record.amount),
        "orderLinkId": "", "orderId": f"{record.time // 1000}-{record.funding_id}", "fee": "0.00000000",
        "change": eight(record.amount), "cashFlow": "0", "transactionTime": str(record.time),
        "type": "SETTLEMENT", "feeRate": plain(rate), "bonusChange": "", "size": qty(record.symbol, signed),
        "qty": qty(record.symbol, abs(record.size)), "cashBalance": eight(record.wallet_after),
        "currency": SETTLE, "category": "linear", "tradePrice": price(record.symbol, record.mark_price),
        "tradeId": "", "extraFees": "",
    }


def transaction_log(state: State, params: Params) -> dict[str, Any]:
    """``GET /v5/account/transaction-log``: SETTLEMENT rows, newest first."""
    engine = state.engine
    account_type = params.text("accountType")
    if account_type not in (None, "UNIFIED"):
        raise param_error("accountType only support UNIFIED")  # UNCONFIRMED text
    category = params.text("category")
    kind = params.text("type")
    currency = params.text("currency")
    start, end = _window(engine, params, DAY_MS)
    rows = [_settlement_row(r) for r in engine.account_book.funding_of(None, start, end)]
    rows = [r for r in rows if category in (None, "linear") and kind in (None, "SETTLEMENT")
            and currency in (None, SETTLE) and (params.text("baseCoin") in (None, r["symbol"][:-len(SETTLE)]))]
    rows.reverse()
    result = page(state, rows, params, style="translog", max_limit=50)
    del result["category"]  # the transaction log's result has no category (the doc example)
    return result


# ----------------------------------------------------------------------- executions


def _trade_row(engine: Engine, fill: FillRecord) -> dict[str, Any]:
    sid = fill.symbol
    order = engine.get_order(sid, order_id=fill.order_id)
    rate = engine.account_book.maker_fee_rate if fill.maker else engine.account_book.taker_fee_rate
    return {
        "symbol": sid, "orderType": "Limit" if order.order_type is OrderType.LIMIT else "Market",
        "underlyingPrice": "", "orderLinkId": order.extra.get("orderLinkId", ""), "side": fill.side.value.title(),
        "indexPrice": "", "orderId": order_id("regular", fill.order_id), "stopOrderType": "UNKNOWN",
        "leavesQty": "0", "execTime": str(fill.time), "feeCurrency": "", "isMaker": fill.maker,
        "execFee": plain(fill.fee), "feeRate": plain(rate), "execId": _exec_id(fill.trade_id), "tradeIv": "",
        "blockTradeId": "", "markPrice": price(sid, fill.mark_price), "execPrice": price(sid, fill.price),
        "markIv": "", "orderQty": qty(sid, order.quantity), "orderPrice": price(sid, order.price),
        "execValue": plain(fill.price * fill.quantity), "execType": "Trade", "execQty": qty(sid, fill.quantity),
        "closedSize": qty(sid, fill.closed_size), "extraFees": "", "seq": 4_688_000_000 + fill.trade_id,
    }


def _funding_exec_row(record: FundingRecord) -> dict[str, Any]:
    sid = record.symbol
    long = record.position_side is not PositionSide.SHORT and record.size >= ZERO
    rate = record.rate if long else -record.rate
    return {
        "symbol": sid, "orderType": "UNKNOWN", "underlyingPrice": "", "orderLinkId": "",
        "side": "Buy" if long else "Sell", "indexPrice": "", "orderId": "", "stopOrderType": "UNKNOWN",
        "leavesQty": "0", "execTime": str(record.time), "feeCurrency": "", "isMaker": False,
        "execFee": plain(-record.amount), "feeRate": plain(rate), "execId": _exec_id(1_000_000 + record.funding_id),
        "tradeIv": "", "blockTradeId": "", "markPrice": price(sid, record.mark_price),
        "execPrice": price(sid, record.mark_price), "markIv": "", "orderQty": "0", "orderPrice": "0",
        "execValue": plain(abs(record.size) * record.mark_price), "execType": "Funding",
        "execQty": qty(sid, abs(record.size)), "closedSize": "", "extraFees": "",
        "seq": 5_000_000_000 + record.funding_id,
    }


def _exec_id(number: int) -> str:
    return f"e0cbe81d-0f18-5866-9415-{number:012x}"


def execution_list(state: State, params: Params) -> dict[str, Any]:
    """``GET /v5/execution/list``: Trade and Funding executions, newest first."""
    linear(params)
    engine = state.engine
    sid = symbol_of(engine, params) if params.has("symbol") else None
    start, end = _window(engine, params, WEEK_MS)
    kind = params.text("execType")
    wanted_order, wanted_link = params.text("orderId"), params.text("orderLinkId")
    timed: list[tuple[int, int, dict[str, Any]]] = []
    if kind in (None, "Trade"):
        for fill in engine.account_book.fills_of(sid, start, end):
            row = _trade_row(engine, fill)
            if wanted_order not in (None, row["orderId"]) or wanted_link not in (None, row["orderLinkId"]):
                continue
            timed.append((fill.time, row["seq"], row))
    if kind in (None, "Funding") and wanted_order is None and wanted_link is None:
        for record in engine.account_book.funding_of(sid, start, end):
            row = _funding_exec_row(record)
            timed.append((record.time, row["seq"], row))
    timed.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return page(state, [row for _, _, row in timed], params, style="execution", max_limit=100)


# ----------------------------------------------------------------------- amendment


def amend_order(state: State, params: Params) -> dict[str, Any]:
    """``POST /v5/order/amend``: a regular open order's ``qty`` and/or ``price``."""
    linear(params)
    engine = state.engine
    sid = symbol_of(engine, params)
    if not params.has("orderId") and not params.has("orderLinkId"):
        raise param_error("params error: orderId or orderLinkId is required")  # UNCONFIRMED text
    rows = [r for r in find(state, sid, params) if r["orderStatus"] in ("New", "PartiallyFilled", "Untriggered")]
    if not rows:
        raise NOT_FOUND
    decoded = parse_order_id(rows[0]["orderId"])
    if decoded is not None and decoded[0] == "conditional":
        _amend_conditional(state, sid, decoded[1], params)
        return {"orderId": rows[0]["orderId"], "orderLinkId": rows[0]["orderLinkId"]}
    if decoded is None or decoded[0] != "regular" or params.has("triggerPrice"):
        raise param_error("params error: triggerPrice is only for conditional orders")  # UNCONFIRMED text
    quantity: Decimal | None = params.decimal("qty")
    new_price: Decimal | None = params.decimal("price")
    if quantity is None and new_price is None:
        raise UNCHANGED
    try:
        engine.amend_order(sid, order_id=decoded[1], quantity=quantity, price=new_price)
    except EngineError as exc:
        if exc.reason is Reason.AMEND_UNCHANGED:
            raise UNCHANGED from exc
        if exc.reason is Reason.ORDER_NOT_FOUND:
            raise NOT_FOUND from exc
        if exc.reason is Reason.ORDER_NOT_AMENDABLE:
            raise param_error("params error: only limit orders can be amended") from exc  # UNCONFIRMED text
        raise engine_error(exc) from exc
    return {"orderId": rows[0]["orderId"], "orderLinkId": rows[0]["orderLinkId"]}


def _amend_conditional(state: State, sid: str, number: int, params: Params) -> None:
    """A waiting conditional order's ``triggerPrice`` and/or ``qty`` (amend-order.mdx).

    The trigger keeps the order's ``triggerDirection``: "If you expect the price to rise to trigger
    your conditional order, make sure triggerPrice > market price. Else, triggerPrice < market
    price" (amend-order.mdx), refused as on create with 110092 / 110093 (error.mdx). A new
    ``price`` (a conditional limit order's) is not simulated: 10001 (a simplification); so are
    ``triggerBy`` and the TP/SL fields. A TP/SL/trailing stop of a position is amended through
    ``/v5/position/trading-stop``, not here: 10001 (UNCONFIRMED text).
    """
    engine = state.engine
    conditional = engine.get_conditional(conditional_id=number)
    if params.has("price"):
        raise param_error("params error: amending the price of a conditional order is not simulated")
    if conditional.extra.get("stopOrderType", "Stop") != "Stop":
        raise param_error("params error: amend a position's TP/SL with position/trading-stop")  # UNCONFIRMED
    trigger: Decimal | None = params.decimal("triggerPrice")
    quantity: Decimal | None = params.decimal("qty")
    if trigger is None and quantity is None:
        raise UNCHANGED
    if trigger is not None:
        direction = int(conditional.extra.get("triggerDirection", "0"))
        mark = engine.mark_price(sid)
        if direction == RISES and trigger <= mark:  # error.mdx 110092, as on create
            raise BybitError(110092, f"expect Rising, but trigger_price[{price(sid, trigger)}] <= current[{price(sid, mark)}]")
        if direction == FALLS and trigger >= mark:  # 110093
            raise BybitError(110093, f"expect Falling, but trigger_price[{price(sid, trigger)}] >= current[{price(sid, mark)}]")
    try:
        engine.amend_conditional(conditional_id=number, quantity=quantity, trigger_price=trigger)
    except EngineError as exc:
        if exc.reason is Reason.AMEND_UNCHANGED:
            raise UNCHANGED from exc
        if exc.reason is Reason.ORDER_NOT_FOUND:
            raise NOT_FOUND from exc
        if exc.reason is Reason.ORDER_NOT_AMENDABLE:
            raise param_error("params error: qty of a close-on-trigger order cannot be amended") from exc  # UNCONFIRMED text
        if exc.reason is Reason.WOULD_IMMEDIATELY_TRIGGER:  # the engine's own rule (a trigger at the mark)
            raise BybitError(110092 if trigger is not None and trigger > engine.mark_price(sid) else 110093,
                             "the trigger price would trigger immediately") from exc
        raise engine_error(exc) from exc
