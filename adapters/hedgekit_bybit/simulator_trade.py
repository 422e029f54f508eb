"""Order endpoints of the simulated Bybit venue: create, cancel, cancel-all, realtime, history.

Shapes follow create-order.mdx, cancel-order.mdx, cancel-all.mdx, open-order.mdx and
order-list.mdx. Conditional orders share the order list and the id space (``stopOrderType``
``Stop`` for create-order ones; ``TakeProfit``/``StopLoss``/``TrailingStop`` for those the
trading-stop endpoint makes, see :mod:`.simulator_position`); a waiting one is ``Untriggered``.

Simplifications (documented): a triggered conditional order places a new order with its own id
(live Bybit keeps the id); a PostOnly order that would take and an unfillable FOK order are
accepted and listed as ``Cancelled`` (``EC_PostOnlyWillTakeLiquidity`` / ``EC_CancelForNoFullFill``),
as Bybit does, without touching the engine; triggers watch the engine's single price whatever
``triggerBy`` says.
"""

from __future__ import annotations

import re
from urllib.parse import unquote
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import (
    ZERO,
    ConditionalOrder,
    ConditionalStatus,
    ConditionalType,
    EngineError,
    Order,
    OrderStatus,
    OrderType,
    PositionSide,
    Reason,
    Side,
    TimeInForce,
)

from hedgekit_bybit.simulator_markets import BY_ID, SETTLE, average, price, qty
from hedgekit_bybit.simulator_wire import (
    KINDS,
    BybitError,
    Params,
    engine_error,
    order_id,
    param_error,
    parse_order_id,
    quantity_above_max,
)

IDX = {0: PositionSide.BOTH, 1: PositionSide.LONG, 2: PositionSide.SHORT}
IDX_OUT = {v: k for k, v in IDX.items()}
TIF = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK, "PostOnly": TimeInForce.GTX}
TIF_OUT = {v: k for k, v in TIF.items()}
RISES, FALLS = 1, 2  # triggerDirection (create-order.mdx)
LINK_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")  # orderLinkId: max 36 of letters, digits, - and _
MAX_CONDITIONAL = 10  # "conditional orders: ... a maximum of 10 active orders ... per symbol"
CLOSED_KEPT = 500  # openOnly=1 keeps "a maximum of recent 500 closed status records"
STATUS = {OrderStatus.NEW: "New", OrderStatus.FILLED: "Filled", OrderStatus.CANCELED: "Cancelled",
          OrderStatus.EXPIRED: "Cancelled"}


@dataclass
class State:
    """What the Bybit frontend keeps beside the engine."""

    engine: Engine
    margin_mode: str = "REGULAR_MARGIN"
    """Account-wide ``marginMode`` (account-info.mdx); cross ("regular") by default."""
    rejected: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Rows of orders accepted then cancelled at once (PostOnly that would take, FOK unfilled)."""
    rejected_links: dict[str, list[int]] = field(default_factory=dict)
    """The numbers of :attr:`rejected` rows by ``orderLinkId`` (non-empty ones)."""
    on_rejected: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)
    """Called with each :attr:`rejected` row as it is made (the private stream pushes it)."""
    cursors: dict[str, int] = field(default_factory=dict)
    """Offsets of the ``nextPageCursor`` tokens handed out, by the token as it arrives back (decoded)."""
    cursor_seq: int = 39_380
    """Numbers the tokens (order-list.mdx's example token is ``page_token%3D39380%26``)."""
    open_times: dict[tuple[str, PositionSide], int] = field(default_factory=dict)
    """``openTime`` of each open leg (ms): when it was first seen holding a position."""
    created_times: dict[str, int] = field(default_factory=dict)
    """``createdTime`` of each symbol: "the first time a position was created on this symbol"."""


def symbol_of(engine: Engine, params: Params) -> str:
    """The mandatory ``symbol`` as an engine id (10001 when missing or unknown)."""
    try:
        return engine.resolve(params.required("symbol"))
    except EngineError as exc:
        raise engine_error(exc) from exc


def linear(params: Params) -> None:
    """Only ``category=linear`` is simulated."""
    if params.required("category") != "linear":
        raise param_error("params error: category only support linear")  # UNCONFIRMED text


def position_side(params: Params) -> PositionSide:
    """``positionIdx`` 0/1/2 (default 0); the engine checks it against the symbol's mode."""
    idx = params.integer("positionIdx", default=0)
    if idx not in IDX:
        raise param_error("params error: positionIdx invalid")  # UNCONFIRMED text
    return IDX[idx]


# ----------------------------------------------------------------------- rows
def _common(now_id: str, link: str, sid: str) -> dict[str, Any]:
    return {"orderId": now_id, "orderLinkId": link, "blockTradeId": "", "symbol": sid}


def order_row(engine: Engine, order: Order) -> dict[str, Any]:
    """A regular order in open-order.mdx's field order."""
    sid = order.symbol
    leaves = order.quantity - order.executed_qty if order.status is OrderStatus.NEW else ZERO
    child = order.orig_type not in ("LIMIT", "MARKET")
    row = _common(order_id("regular", order.order_id), order.extra.get("orderLinkId", ""), sid)
    row.update({
        "price": price(sid, order.price), "qty": qty(sid, order.quantity), "side": order.side.value.title(),
        "isLeverage": "", "positionIdx": IDX_OUT[order.position_side], "orderStatus": STATUS[order.status],
        "createType": "CreateByStopOrder" if child else "CreateByUser",
        "cancelType": "CancelByUser" if order.status is OrderStatus.CANCELED else "UNKNOWN",
        "rejectReason": "EC_NoError", "avgPrice": average(sid, order.avg_price) if order.executed_qty else "",
        "leavesQty": qty(sid, leaves), "leavesValue": price(sid, leaves * order.price),
        "cumExecQty": qty(sid, order.executed_qty), "cumExecValue": price(sid, order.cum_quote),
        "cumExecFee": "0", "timeInForce": TIF_OUT.get(order.time_in_force, "GTC"),
        "orderType": "Limit" if order.order_type is OrderType.LIMIT else "Market",
        "stopOrderType": "", "orderIv": "", "marketUnit": "",
        "triggerPrice": price(sid, order.stop_price), "takeProfit": "", "stopLoss": "", "tpslMode": "",
        "ocoTriggerBy": "", "tpLimitPrice": "", "slLimitPrice": "", "tpTriggerBy": "", "slTriggerBy": "",
        "triggerDirection": 0, "triggerBy": "", "lastPriceOnCreated": order.extra.get("lastPriceOnCreated", ""),
        "basePrice": "", "reduceOnly": order.reduce_only, "closeOnTrigger": order.extra.get("closeOnTrigger") == "true",
        "placeType": "", "smpType": "None", "smpGroup": 0, "smpOrderId": "",
        "createdTime": str(order.create_time), "updatedTime": str(order.update_time), "cumFeeDetail": {},
    })
    return row


def _conditional_status(engine: Engine, c: ConditionalOrder) -> tuple[str, Decimal, Decimal]:
    """orderStatus, executed qty and average price of a conditional order (enum.mdx #orderstatus)."""
    if c.status is ConditionalStatus.NEW:
        return "Untriggered", ZERO, ZERO
    if c.status in (ConditionalStatus.CANCELED, ConditionalStatus.EXPIRED):
        return "Deactivated", ZERO, ZERO
    if c.status is ConditionalStatus.REJECTED:
        return "Rejected", ZERO, ZERO
    if c.triggered_order_id is None:
        return "Triggered", ZERO, ZERO
    child = engine.get_order(c.symbol, order_id=c.triggered_order_id)
    if c.status is ConditionalStatus.TRIGGERED:
        return "Triggered", ZERO, ZERO
    return STATUS[child.status], child.executed_qty, child.avg_price


def conditional_row(engine: Engine, c: ConditionalOrder) -> dict[str, Any]:
    """A conditional order row (``stopOrderType`` set; ``triggerPrice`` is the activation price of
    a trailing stop, open-order.mdx)."""
    sid, x = c.symbol, c.extra
    status, executed, average = _conditional_status(engine, c)
    limit = c.conditional_type in (ConditionalType.STOP, ConditionalType.TAKE_PROFIT)
    trailing = c.conditional_type is ConditionalType.TRAILING_STOP_MARKET
    trigger = c.activation_price if trailing else c.trigger_price
    quantity = c.quantity if c.quantity is not None else ZERO
    leaves = quantity if status == "Untriggered" else ZERO
    row = _common(order_id("conditional", c.conditional_id), x.get("orderLinkId", ""), sid)
    row.update({
        "price": price(sid, c.price or ZERO), "qty": qty(sid, quantity), "side": c.side.value.title(),
        "isLeverage": "", "positionIdx": IDX_OUT[c.position_side], "orderStatus": status,
        "createType": x.get("createType", "CreateByUser"),
        "cancelType": "CancelByUser" if c.status is ConditionalStatus.CANCELED else "UNKNOWN",
        "rejectReason": "EC_NoError", "avgPrice": price(sid, average) if executed else "",
        "leavesQty": qty(sid, leaves), "leavesValue": price(sid, leaves * (c.price or trigger or ZERO)),
        "cumExecQty": qty(sid, executed), "cumExecValue": price(sid, executed * average), "cumExecFee": "0",
        "timeInForce": "GTC" if limit else "IOC", "orderType": "Limit" if limit else "Market",
        "stopOrderType": x.get("stopOrderType", "Stop"), "orderIv": "", "marketUnit": "",
        "triggerPrice": price(sid, trigger or ZERO), "takeProfit": "", "stopLoss": "",
        "tpslMode": x.get("tpslMode", ""), "ocoTriggerBy": "", "tpLimitPrice": "", "slLimitPrice": "",
        "tpTriggerBy": "", "slTriggerBy": "", "triggerDirection": int(x.get("triggerDirection", "0")),
        "triggerBy": x.get("triggerBy", "LastPrice"), "lastPriceOnCreated": x.get("lastPriceOnCreated", ""),
        "basePrice": "", "reduceOnly": c.reduce_only, "closeOnTrigger": x.get("closeOnTrigger") == "true",
        "placeType": "", "smpType": "None", "smpGroup": 0, "smpOrderId": "",
        "createdTime": str(c.create_time), "updatedTime": str(c.update_time), "cumFeeDetail": {},
    })
    return row


# ----------------------------------------------------------------------- create
def reducible(engine: Engine, sid: str, side: Side, pos_side: PositionSide) -> Decimal:
    """How much of its leg an order on ``side`` can close (0 when it would open)."""
    size = engine.leg(sid, pos_side).size
    if pos_side is PositionSide.BOTH:
        return abs(size) if size != 0 and (size < 0) == (side is Side.BUY) else ZERO
    return size if (pos_side is PositionSide.LONG) == (side is Side.SELL) else ZERO


def conditional_type(side: Side, direction: int, limit: bool) -> ConditionalType:
    """The engine type whose trigger rule matches Bybit's ``triggerDirection`` for this side."""
    stop = (direction == RISES) == (side is Side.BUY)  # a stop buys rising / sells falling
    if limit:
        return ConditionalType.STOP if stop else ConditionalType.TAKE_PROFIT
    return ConditionalType.STOP_MARKET if stop else ConditionalType.TAKE_PROFIT_MARKET


def _linked(state: State, link: str, sid: str | None = None) -> tuple[list[Order], list[ConditionalOrder]]:
    """The engine's regular and conditional orders whose ``orderLinkId`` is ``link``, oldest first.

    This frontend places every order with its ``orderLinkId`` as the engine's client id, so they
    are found through the engine's client-id index instead of a scan of every order ever placed;
    an order a conditional one placed when it fired carries its parent's ``orderLinkId``.
    """
    engine = state.engine
    regular = [o for o in engine.orders_by_client_id(link, sid) if o.extra.get("orderLinkId") == link]
    conditional = [c for c in engine.conditionals_by_client_id(link, sid) if c.extra.get("orderLinkId") == link]
    seen = {o.order_id for o in regular}
    for c in conditional:
        if c.triggered_order_id is not None and c.triggered_order_id not in seen:
            child = engine.get_order(c.symbol, order_id=c.triggered_order_id)
            if child.extra.get("orderLinkId") == link:
                regular.append(child)
                seen.add(child.order_id)
    regular.sort(key=lambda o: o.order_id)
    return regular, conditional


def _link_id(state: State, params: Params) -> str:
    link = params.text("orderLinkId") or ""
    if link and not LINK_ID.match(link):
        raise param_error("params error: orderLinkId invalid")  # UNCONFIRMED text
    if link and (any(_linked(state, link)) or link in state.rejected_links):
        raise engine_error(EngineError(Reason.DUPLICATE_CLIENT_ID))  # "always unique"
    return link


def _price_filter(sid: str, limit_price: Decimal) -> None:
    """A limit price within the contract's published ``priceFilter`` ``minPrice``..``maxPrice``
    (instrument.mdx); outside it, error.mdx 110003 "Order price exceeds the allowable range."
    (UNCONFIRMED that the venue answers the listing's bounds with this code, and not 10001: the
    code names its price-limit rules). Off-tick and non-positive prices stay the engine's 10001."""
    spec = BY_ID[sid]
    if limit_price > 0 and not Decimal(spec.min_price) <= limit_price <= Decimal(spec.max_price):
        raise BybitError(110003, "Order price exceeds the allowable range.")


def create_order(state: State, params: Params) -> dict[str, Any]:
    """``POST /v5/order/create``: market, limit and conditional (``triggerPrice``) orders."""
    engine = state.engine
    linear(params)
    sid = symbol_of(engine, params)
    side_text = params.required("side")
    if side_text not in ("Buy", "Sell"):
        raise param_error("params error: side invalid")  # captured (ccxt issue comments)
    side = Side(side_text.upper())
    kind = params.required("orderType")
    if kind not in ("Market", "Limit"):
        raise param_error("params error: orderType invalid")  # UNCONFIRMED text
    pos_side = position_side(params)
    quantity = params.decimal("qty", required=True)
    assert quantity is not None
    limit_price = params.decimal("price", required=kind == "Limit") if kind == "Limit" else None
    if limit_price is not None:
        _price_filter(sid, limit_price)
    tif = TIF.get(params.text("timeInForce") or "GTC") if kind == "Limit" else TimeInForce.IOC
    if tif is None:
        raise param_error("params error: timeInForce invalid")  # UNCONFIRMED text
    reduce_only, close_on_trigger = params.boolean("reduceOnly"), params.boolean("closeOnTrigger")
    link = _link_id(state, params)
    mark = engine.mark_price(sid)
    extra = {"orderLinkId": link, "closeOnTrigger": str(close_on_trigger).lower(),
             "lastPriceOnCreated": price(sid, mark)}
    close_all = quantity == 0 and reduce_only and close_on_trigger
    trigger = params.decimal("triggerPrice")
    try:
        if trigger:
            return _conditional(state, params, sid, side, kind, pos_side, quantity, limit_price, trigger,
                                reduce_only, close_all, link, extra)
        if close_all:  # qty "0" + reduceOnly + closeOnTrigger closes up to the max order qty
            quantity = reducible(engine, sid, side, pos_side)
            if not quantity:
                raise EngineError(Reason.REDUCE_ONLY_REJECTED)
        order = engine.place_order(
            sid, side, quantity, order_type=OrderType.LIMIT if kind == "Limit" else OrderType.MARKET,
            price=limit_price, position_side=pos_side, time_in_force=tif, reduce_only=reduce_only,
            client_order_id=link or None, extra=extra,
        )
    except EngineError as exc:
        if exc.reason in (Reason.POST_ONLY_WOULD_TAKE, Reason.FOK_NOT_FILLED):
            return _accept_cancelled(state, params, sid, exc.reason, link, extra)
        if exc.reason is Reason.QUANTITY_ABOVE_MAX:
            raise quantity_above_max(quantity, exc.values["max_qty"]) from exc
        raise engine_error(exc) from exc
    return {"orderId": order_id("regular", order.order_id), "orderLinkId": link}


def _conditional(
    state: State, params: Params, sid: str, side: Side, kind: str, pos_side: PositionSide, quantity: Decimal,
    limit_price: Decimal | None, trigger: Decimal, reduce_only: bool, close_all: bool, link: str,
    extra: dict[str, str],
) -> dict[str, Any]:
    engine = state.engine
    direction = params.integer("triggerDirection")
    if direction not in (RISES, FALLS):
        raise param_error("params error: triggerDirection invalid")  # UNCONFIRMED text
    mark = engine.mark_price(sid)
    if direction == RISES and trigger <= mark:  # ccxt bybit.py exceptions, 110092
        raise BybitError(110092, f"expect Rising, but trigger_price[{price(sid, trigger)}] <= current[{price(sid, mark)}]")
    if direction == FALLS and trigger >= mark:  # 110093
        raise BybitError(110093, f"expect Falling, but trigger_price[{price(sid, trigger)}] >= current[{price(sid, mark)}]")
    if len(engine.conditional_orders(sid)) >= MAX_CONDITIONAL:
        raise BybitError(110009, "The number of stop orders exceeds the maximum allowable limit.")
    extra.update(stopOrderType="Stop", triggerDirection=str(direction),
                 triggerBy=params.text("triggerBy") or "LastPrice")
    made = engine.place_conditional(
        sid, side, conditional_type(side, direction, kind == "Limit"),
        quantity=None if close_all else quantity, trigger_price=trigger, price=limit_price,
        position_side=pos_side, reduce_only=reduce_only, close_position=close_all,
        client_id=link or None, extra=extra,
    )
    return {"orderId": order_id("conditional", made.conditional_id), "orderLinkId": link}


def _accept_cancelled(state: State, params: Params, sid: str, reason: Reason, link: str,
                      extra: dict[str, str]) -> dict[str, Any]:
    """Bybit accepts a PostOnly that would take (or an unfillable FOK) and cancels it at once."""
    number = len(state.rejected) + 1
    now = state.engine.clock()
    row = _common(order_id("rejected", number), link, sid)
    qty_text = qty(sid, params.decimal("qty") or ZERO)
    row.update({
        "price": price(sid, params.decimal("price") or ZERO), "qty": qty_text, "side": params.required("side"),
        "isLeverage": "", "positionIdx": IDX_OUT[position_side(params)], "orderStatus": "Cancelled",
        "createType": "CreateByUser", "cancelType": "UNKNOWN",
        "rejectReason": "EC_PostOnlyWillTakeLiquidity" if reason is Reason.POST_ONLY_WOULD_TAKE
        else "EC_CancelForNoFullFill",
        "avgPrice": "", "leavesQty": qty(sid, ZERO), "leavesValue": "0", "cumExecQty": qty(sid, ZERO),
        "cumExecValue": "0", "cumExecFee": "0", "timeInForce": params.text("timeInForce") or "GTC",
        "orderType": "Limit", "stopOrderType": "", "triggerPrice": price(sid, ZERO), "triggerDirection": 0,
        "triggerBy": "", "lastPriceOnCreated": extra["lastPriceOnCreated"], "reduceOnly": params.boolean("reduceOnly"),
        "closeOnTrigger": False, "createdTime": str(now), "updatedTime": str(now), "cumFeeDetail": {},
    })
    state.rejected[number] = row
    if link:
        state.rejected_links.setdefault(link, []).append(number)
    for listener in state.on_rejected:
        listener(row)
    return {"orderId": row["orderId"], "orderLinkId": link}


# ----------------------------------------------------------------------- lookups, cancel
def all_rows(state: State, sid: str | None) -> list[dict[str, Any]]:
    """Every order ever placed (regular, conditional, cancelled-at-once), newest first."""
    engine = state.engine
    rows = [order_row(engine, o) for o in engine.all_orders(sid)]
    rows += [conditional_row(engine, c) for c in engine.all_conditional_orders(sid)]
    rows += [r for r in state.rejected.values() if sid in (None, r["symbol"])]
    rows.sort(key=lambda r: (int(r["createdTime"]), r["orderId"]), reverse=True)
    return rows


def open_rows(state: State, sid: str | None) -> list[dict[str, Any]]:
    """The open rows of :func:`all_rows` (``New`` regular and ``Untriggered`` conditional orders),
    newest first, formatting only those: O(open orders), not O(orders ever placed)."""
    engine = state.engine
    rows = [order_row(engine, o) for o in engine.open_orders(sid)]
    rows += [conditional_row(engine, c) for c in engine.conditional_orders(sid)]
    rows.sort(key=lambda r: (int(r["createdTime"]), r["orderId"]), reverse=True)
    return rows


def _open(row: dict[str, Any]) -> bool:
    return row["orderStatus"] in ("New", "PartiallyFilled", "Untriggered")


_PREFIXES = {kind: order_id(kind, 0)[:-12] for kind in KINDS}


def _decode(wire_id: str) -> tuple[str, int] | None:
    """``(kind, number)`` of a wire id this venue could have made (``order_id`` inverted)."""
    for kind, prefix in _PREFIXES.items():
        digits = wire_id[len(prefix):]
        if wire_id.startswith(prefix) and digits and all(d in "0123456789abcdef" for d in digits):
            number = int(digits, 16)
            return (kind, number) if order_id(kind, number) == wire_id else None
    return None


def find(state: State, sid: str, params: Params) -> list[dict[str, Any]]:
    """Rows matching ``orderId`` (priority) or ``orderLinkId`` in any status (open-order.mdx).

    Matches are looked up by id or through the client-id index, and only they are formatted, so
    a lookup costs the same however many orders the account has placed.
    """
    wanted_id, wanted_link = params.text("orderId"), params.text("orderLinkId")
    if wanted_id is None and wanted_link is None:
        return []
    engine = state.engine
    rows: list[dict[str, Any]] = []
    if wanted_id is not None:
        decoded = _decode(wanted_id)
        kind, number = decoded if decoded is not None else ("", 0)
        try:
            if kind == "regular":
                rows.append(order_row(engine, engine.get_order(sid, order_id=number)))
            elif kind == "conditional":
                found = engine.get_conditional(conditional_id=number)
                if found.symbol == sid:
                    rows.append(conditional_row(engine, found))
        except EngineError:
            pass
        row = state.rejected.get(number) if kind == "rejected" else None
        if row is not None and row["symbol"] == sid:
            rows.append(row)
    else:
        assert wanted_link is not None
        regular, conditionals = _linked(state, wanted_link, sid)
        rows = [order_row(engine, o) for o in regular] + [conditional_row(engine, c) for c in conditionals]
        rows += [r for n in state.rejected_links.get(wanted_link, []) if (r := state.rejected[n])["symbol"] == sid]
    rows.sort(key=lambda r: (int(r["createdTime"]), r["orderId"]), reverse=True)
    return rows[:1]


def _scope(engine: Engine, params: Params) -> str | None:
    """``symbol``, or all symbols under ``settleCoin``/``baseCoin`` (one is required for linear)."""
    if params.has("symbol"):
        return symbol_of(engine, params)
    if params.text("settleCoin") == SETTLE:
        return None
    base = params.text("baseCoin")
    if base is not None:
        matches = [m.symbol_id for m in engine.markets() if m.base == base]
        if len(matches) != 1:
            raise param_error("params error: baseCoin invalid")  # UNCONFIRMED text
        return matches[0]
    raise param_error("Missing some parameters that must be filled in, symbol or settleCoin or baseCoin")


def _filtered(rows: list[dict[str, Any]], params: Params) -> list[dict[str, Any]]:
    kind = params.text("orderFilter")
    if kind == "Order":
        return [r for r in rows if r["stopOrderType"] == ""]
    if kind == "StopOrder":
        return [r for r in rows if r["stopOrderType"] != ""]
    if kind is None:
        return rows  # "all kinds of orders by default"
    return []  # tpslOrder, OcoOrder, BidirectionalTpslOrder: spot only


CURSOR_STYLES = {
    # position.mdx's example before 2025 (one row, this cursor): "updateAt%3D1672279322668"
    "position": "updateAt%3D{ms}%2C{seq}",
    # open-order.mdx: "page_args%3Dfd4300ae-7847-404e-b947-b46980a4d140%26symbol%3D6%26"
    "realtime": "page_args%3D{uuid}%26symbol%3D{seq}%26",
    # order-list.mdx: "page_token%3D39380%26"
    "history": "page_token%3D{seq}%26",
    # transaction-log.mdx: "21963%3A1%2C14954%3A1"; execution.mdx: "132766%3A2%2C132766%3A2"
    "translog": "{seq}%3A1%2C{seq}%3A1",
    "execution": "{seq}%3A2%2C{seq}%3A2",
}
"""``nextPageCursor`` shapes by listing, from the docs' example answers. The tokens are opaque: the
simulator keeps what each stands for (:attr:`State.cursors`). UNCONFIRMED: the part after the
documented shape (``%2C{seq}`` of the position token) is this simulator's own, to keep tokens unique."""
MAX_CURSORS = 10_000  # tokens remembered; older ones are forgotten (and then refused)


def _new_cursor(state: State, style: str, offset: int) -> str:
    state.cursor_seq += 1
    seq = state.cursor_seq
    token = CURSOR_STYLES[style].format(ms=state.engine.clock(), seq=seq,
                                        uuid=f"{seq:08x}-7847-404e-b947-b46980a4d140")
    if len(state.cursors) >= MAX_CURSORS:
        del state.cursors[next(iter(state.cursors))]
    state.cursors[unquote(token)] = offset
    return token


def page(state: State, rows: list[dict[str, Any]], params: Params, *, style: str,
         max_limit: int = 50) -> dict[str, Any]:
    """One page of at most ``limit`` rows ([1, max_limit], default 20), as Bybit pages.

    Bybit hands out a non-empty ``nextPageCursor`` with every page that has rows, the last one
    too (the docs' examples show one-row answers with a cursor; captured answers the same): the
    request with that cursor answers an empty ``list`` and ``nextPageCursor: ""``. The token is
    percent-encoded as Bybit writes it; clients send it back as they got it, so it arrives decoded
    (``page_token=39381&``), and one sent encoded once more is read as well.
    """
    limit = params.integer("limit", default=20)
    if limit is None or not 1 <= limit <= max_limit:
        raise param_error("params error: limit invalid")  # UNCONFIRMED text
    sent = params.text("cursor")
    start = 0
    if sent is not None:
        found = state.cursors.get(unquote(sent))
        if found is None:
            raise param_error("params error: cursor invalid")  # UNCONFIRMED text
        start = found
    chunk = rows[start:start + limit]
    cursor = _new_cursor(state, style, start + len(chunk)) if chunk else ""
    return {"category": "linear", "list": chunk, "nextPageCursor": cursor}


def realtime(state: State, params: Params) -> dict[str, Any]:
    """``GET /v5/order/realtime``: open orders of every kind by default; ``openOnly=1`` for recent
    closed ones; ``orderId``/``orderLinkId`` find an order in any status."""
    linear(params)
    sid = _scope(state.engine, params)
    if params.has("orderId") or params.has("orderLinkId"):
        rows = find(state, sid, params) if sid else []
    elif params.integer("openOnly", default=0) == 1:
        rows = [r for r in all_rows(state, sid) if not _open(r)][:CLOSED_KEPT]
    else:
        rows = open_rows(state, sid)
    return page(state, _filtered(rows, params), params, style="realtime")


def history(state: State, params: Params) -> dict[str, Any]:
    """``GET /v5/order/history``: orders in any status, newest first (order-list.mdx)."""
    linear(params)
    sid = symbol_of(state.engine, params) if params.has("symbol") else None
    if params.has("orderId") or params.has("orderLinkId"):
        rows = find(state, sid, params) if sid else []
    else:
        rows = all_rows(state, sid)
        status = params.text("orderStatus")
        if status is not None:
            rows = [r for r in rows if r["orderStatus"] == status]
    return page(state, _filtered(rows, params), params, style="history")


def cancel(state: State, sid: str, wanted: dict[str, Any]) -> dict[str, Any]:
    """Cancel one open order (regular or conditional) given its row; 110001 when it is not open."""
    engine = state.engine
    decoded = parse_order_id(wanted["orderId"])
    if not _open(wanted) or decoded is None:
        raise engine_error(EngineError(Reason.ORDER_NOT_FOUND))
    kind, number = decoded
    if kind == "regular":
        engine.cancel_order(sid, order_id=number)
    else:
        engine.cancel_conditional(conditional_id=number)
    return {"orderId": wanted["orderId"], "orderLinkId": wanted["orderLinkId"]}


def cancel_order(state: State, params: Params) -> dict[str, Any]:
    """``POST /v5/order/cancel`` by ``orderId`` (priority) or ``orderLinkId``."""
    linear(params)
    sid = symbol_of(state.engine, params)
    if not params.has("orderId") and not params.has("orderLinkId"):
        raise param_error("params error: orderId or orderLinkId is required")  # UNCONFIRMED text
    rows = find(state, sid, params)
    if not rows:
        raise engine_error(EngineError(Reason.ORDER_NOT_FOUND))
    return cancel(state, sid, rows[0])


def cancel_all(state: State, params: Params) -> dict[str, Any]:
    """``POST /v5/order/cancel-all`` (``symbol``, ``baseCoin`` or ``settleCoin``; ``orderFilter``)."""
    linear(params)
    sid = _scope(state.engine, params)
    done = [cancel(state, r["symbol"], r) for r in _filtered(open_rows(state, sid), params)]
    return {"list": done, "success": "1"}
