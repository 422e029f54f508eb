"""Regular-order endpoints of the simulated OKX venue: place, cancel, query, list, close a position.

Request parameters and row shapes: #order-book-trading-trade-post-place-order, -post-cancel-order,
-get-order-details, -get-order-list, -post-close-positions. Sizes arrive and leave as contracts
(``sz``, ``accFillSz``); the engine works in base units (contracts × ``ctVal``).

Hedge-mode rules (place-order ``posSide``): in long/short mode ``posSide`` is required and is
``long`` or ``short``; open long = buy+long, close long = sell+long, open short = sell+short, close
short = buy+short; ``reduceOnly`` is ignored there ("all closing orders apply the reduce-only
feature"). In net mode ``posSide`` is omitted or ``net``.

A post-only order that would take liquidity and a FOK order that cannot fill at once are accepted
(``sCode "0"``) and canceled at once, as OKX reports them: ``state "canceled"`` with
``cancelSource`` ``"31"`` / ``"13"`` (the cancelSource enum, order_book_trading.md), readable with
``GET /trade/order`` and listed by ``GET /trade/orders-history``; they never reach the engine.
An IOC order's unfilled rest is canceled with ``cancelSource "14"``, a user's cancel with ``"1"``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hedgekit.testing.engine_types import (
    ZERO,
    EngineError,
    Order,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    Reason,
    Side,
    TimeInForce,
)

from hedgekit_okx.simulator_account import MGN_MODE, POS_SIDE, align_margin
from hedgekit_okx.simulator_markets import SPECS_BY_ID, InstrumentSpec
from hedgekit_okx.simulator_wire import (
    CANCEL_FAILED,
    CANCEL_SOURCES,
    IOC_CANCELED,
    USER_CANCELED,
    CLIENT_ID,
    CLOSE_EXCEEDS,
    NO_POSITION_TO_CLOSE,
    ORDER_NOT_FOUND,
    REDUCE_SAME_DIRECTION,
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
    param_failure,
    plain,
    size_above_max,
    to_base,
)

SIDES = {"buy": Side.BUY, "sell": Side.SELL}
#: place-order ``ordType`` -> engine type and time in force. ``optimal_limit_ioc`` fills at the
#: best price the price limit allows: at the mark here.
ORD_TYPES = {
    "market": (OrderType.MARKET, TimeInForce.GTC),
    "optimal_limit_ioc": (OrderType.MARKET, TimeInForce.GTC),
    "limit": (OrderType.LIMIT, TimeInForce.GTC),
    "post_only": (OrderType.LIMIT, TimeInForce.GTX),
    "fok": (OrderType.LIMIT, TimeInForce.FOK),
    "ioc": (OrderType.LIMIT, TimeInForce.IOC),
}
STATES = {OrderStatus.NEW: "live", OrderStatus.FILLED: "filled", OrderStatus.CANCELED: "canceled",
          OrderStatus.EXPIRED: "canceled"}
MAX_LIMIT = 100


def side_of(params: Params) -> Side:
    """``side``: buy | sell."""
    value = params.required("side")
    if value not in SIDES:
        raise param_failure("side")
    return SIDES[value]


def position_side_of(state: SimState, params: Params) -> PositionSide:
    """``posSide`` checked against the account's mode (51000 "Parameter posSide error")."""
    value = params.get("posSide")
    if state.engine.position_mode() is PositionMode.HEDGE:
        if value not in ("long", "short"):
            raise param_failure("posSide")
        return PositionSide.LONG if value == "long" else PositionSide.SHORT
    if value not in (None, "net"):
        raise param_failure("posSide")
    return PositionSide.BOTH


def closes(side: Side, position_side: PositionSide, reduce_only: bool) -> bool:
    """Whether an order closes exposure (hedge: sell+long or buy+short; net: reduce-only)."""
    if position_side is PositionSide.BOTH:
        return reduce_only
    return (position_side is PositionSide.LONG) == (side is Side.SELL)


def check_close(state: SimState, sid: str, side: Side, position_side: PositionSide, quantity: Decimal | None) -> None:
    """The venue's own reasons for refusing a closing order, checked before the engine's generic one."""
    size = state.engine.leg(sid, position_side).size
    if position_side is PositionSide.BOTH and size != 0 and (size > 0) == (side is Side.BUY):
        raise REDUCE_SAME_DIRECTION
    if size == 0:
        raise NO_POSITION_TO_CLOSE
    if quantity is not None and quantity > abs(size):
        raise CLOSE_EXCEEDS


def client_id_of(params: Params, name: str) -> str | None:
    """A client id: 1-32 letters and digits, else 51000 "Parameter clOrdId error"."""
    value = params.get(name)
    if value is not None and not CLIENT_ID.match(value):
        raise param_failure(name)
    return value


# ----------------------------------------------------------------------- rows


def named(state: SimState, order: Order) -> bool:
    """Whether the order carries a client id the user gave (the engine names every order)."""
    return order.order_id not in state.quiet_ids and "algoKey" not in order.extra


def order_row(state: SimState, order: Order, algo_id: str = "") -> dict[str, Any]:
    """An order as ``GET /trade/order`` and ``/trade/orders-pending`` show it."""
    spec = SPECS_BY_ID[order.symbol]
    filled = order.executed_qty
    kind = order.extra.get("ordType", "")
    if kind not in ORD_TYPES:  # an order an algo order placed when it fired
        kind = "market" if order.order_type is OrderType.MARKET else "limit"
    source, source_reason = _cancel_source(order)
    return {
        "accFillSz": contracts(spec, filled), "algoClOrdId": "", "algoId": algo_id or state.algo_keys.get(order.extra.get("algoKey", ""), ""),
        "attachAlgoClOrdId": "", "attachAlgoOrds": [], "avgPx": figure(order.avg_price) if filled else "",
        "cTime": ms(order.create_time), "cancelSource": source, "cancelSourceReason": source_reason,
        "category": "normal",
        "ccy": "", "clOrdId": order.client_order_id if named(state, order) else "",
        "fee": "0", "feeCcy": "USDT", "fillPx": figure(order.avg_price) if filled else "",
        "fillSz": contracts(spec, filled) if filled else "0", "fillTime": ms(order.update_time) if filled else "",
        "instId": spec.inst_id, "instType": "SWAP", "isTpLimit": "false",
        "lever": str(state.engine.leverage(order.symbol, order.position_side)), "linkedAlgoOrd": {"algoId": ""},
        "ordId": str(order.order_id), "ordType": kind, "pnl": "0", "posSide": POS_SIDE[order.position_side],
        "px": plain(order.price) if order.order_type is OrderType.LIMIT else "", "pxType": "", "pxUsd": "",
        "pxVol": "", "quickMgnType": "", "rebate": "0", "rebateCcy": "USDT",
        "reduceOnly": "true" if order.reduce_only else "false", "side": order.side.value.lower(), "slOrdPx": "",
        "slTriggerPx": "", "slTriggerPxType": "", "source": "", "state": STATES[order.status], "stpId": "",
        "stpMode": "cancel_maker", "sz": contracts(spec, order.quantity), "tag": order.extra.get("tag", ""),
        "tdMode": order.extra.get("tdMode", MGN_MODE[state.engine.margin_type(order.symbol, order.position_side)]), "tgtCcy": "",
        "tpOrdPx": "", "tpTriggerPx": "", "tpTriggerPxType": "", "tradeId": "", "uTime": ms(order.update_time),
    }


def _cancel_source(order: Order) -> tuple[str, str]:
    """``cancelSource`` and ``cancelSourceReason`` of a canceled order (``""`` while it is not)."""
    if "cancelSource" in order.extra:
        return order.extra["cancelSource"], order.extra.get("cancelSourceReason", "")
    if order.status is OrderStatus.EXPIRED:  # the engine ends an IOC order's unfilled rest so
        return IOC_CANCELED
    if order.status is OrderStatus.CANCELED:
        return USER_CANCELED
    return "", ""


def ack(order: Order, client_id: str | None, tag: str, now: int) -> dict[str, Any]:
    """The per-order success row of ``POST /trade/order`` and ``/trade/cancel-order``."""
    return {"clOrdId": client_id or "", "ordId": str(order.order_id), "tag": tag, "ts": ms(now),
            "sCode": "0", "sMsg": "", "subCode": ""}


# ----------------------------------------------------------------------- endpoints


def place_order(state: SimState, params: Params) -> dict[str, Any]:
    """``POST /api/v5/trade/order``: one order; refusals are raised as :class:`OrderFailure`."""
    spec = instrument_of(params, order=True)
    sid = spec.inst_id
    td_mode = params.required("tdMode")
    side = side_of(params)
    kind = params.required("ordType")
    if kind not in ORD_TYPES:
        raise param_failure("ordType")
    order_type, time_in_force = ORD_TYPES[kind]
    count = params.decimal("sz", required=True, order=True)
    assert count is not None
    position_side = position_side_of(state, params)
    reduce_only = position_side is PositionSide.BOTH and params.boolean("reduceOnly")
    client_id = client_id_of(params, "clOrdId")
    price = params.decimal("px", order=True)
    if order_type is OrderType.LIMIT and price is None:
        raise OrderFailure("51204", "The price for the limit order cannot be empty.")
    quantity = to_base(spec, count)
    closing = closes(side, position_side, reduce_only)
    align_margin(state, sid, td_mode, position_side, closing=closing)
    if closing:
        check_close(state, sid, side, position_side, quantity)
    tag = params.get("tag") or ""
    try:
        order = state.engine.place_order(
            sid, side, quantity, order_type=order_type, price=price if order_type is OrderType.LIMIT else None,
            position_side=position_side, time_in_force=time_in_force, reduce_only=reduce_only,
            client_order_id=client_id, extra={"ordType": kind, "tdMode": td_mode, "tag": tag},
        )
    except EngineError as exc:
        if exc.reason is Reason.QUANTITY_ABOVE_MAX:
            raise size_above_max(spec, market=order_type is OrderType.MARKET) from exc
        if exc.reason in CANCEL_SOURCES:  # accepted, then canceled at once
            order = _kill(state, exc.reason, sid, side, quantity, price, position_side, time_in_force,
                          reduce_only, client_id, {"ordType": kind, "tdMode": td_mode, "tag": tag})
            return ack(order, client_id, tag, state.engine.clock())
        raise order_failure(exc) from exc
    if client_id is None:
        state.quiet_ids.add(order.order_id)
    return ack(order, client_id, tag, state.engine.clock())


def _kill(state: SimState, reason: Reason, sid: str, side: Side, quantity: Decimal, price: Decimal | None,
          position_side: PositionSide, time_in_force: TimeInForce, reduce_only: bool, client_id: str | None,
          extra: dict[str, str]) -> Order:
    """The record of an order OKX accepted and canceled at once (:data:`CANCEL_SOURCES`)."""
    now = state.engine.clock()
    source, source_reason = CANCEL_SOURCES[reason]
    order_id = state.next_killed_id()
    order = Order(
        order_id=order_id, client_order_id=client_id or "", symbol=sid, side=side, position_side=position_side,
        order_type=OrderType.LIMIT, time_in_force=time_in_force, quantity=quantity, price=price or ZERO,
        reduce_only=reduce_only, close_position=False, status=OrderStatus.EXPIRED, executed_qty=ZERO,
        avg_price=ZERO, cum_quote=ZERO, orig_type="LIMIT", stop_price=ZERO, create_time=now, update_time=now,
        extra={**extra, "cancelSource": source, "cancelSourceReason": source_reason},
    )
    if client_id is None:
        state.quiet_ids.add(order_id)
    state.kill(order)
    return order


def _order_keys(params: Params) -> tuple[int | None, str | None]:
    order_id = params.get("ordId")
    client_id = params.get("clOrdId")
    if order_id is None and client_id is None:
        raise OkxError("51003", "Either client order ID or order ID is required.")
    if order_id is not None and not order_id.isdigit():
        raise ORDER_NOT_FOUND
    return (int(order_id) if order_id is not None else None), (None if order_id is not None else client_id)


def _find(state: SimState, sid: str, order_id: int | None, client_id: str | None, *, open_only: bool) -> Order:
    """The order with this ordId, or else the newest with this clOrdId (one the user named)."""
    engine = state.engine
    if order_id is not None:
        try:
            if open_only:
                return engine.open_order(sid, order_id=order_id)
            return engine.get_order(sid, order_id=order_id)
        except EngineError:
            pass
    elif client_id is not None:
        for order in reversed(engine.orders_by_client_id(client_id, sid, open_only=open_only)):
            if named(state, order):
                return order
    if not open_only:  # an order accepted and canceled at once
        found = [o for o in state.killed.values() if o.symbol == sid and (
            o.order_id == order_id if order_id is not None else named(state, o) and o.client_order_id == client_id)]
        if found:
            return found[-1]
    raise ORDER_NOT_FOUND


def get_order(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/trade/order``: any order of the instrument; 51603 "Order does not exist."."""
    spec = instrument_of(params)
    order_id, client_id = _order_keys(params)
    return [order_row(state, _find(state, spec.inst_id, order_id, client_id, open_only=False))]


def cancel_order(state: SimState, params: Params) -> dict[str, Any]:
    """``POST /api/v5/trade/cancel-order``: 51400 unless the order is live."""
    spec = instrument_of(params, order=True)
    try:
        order_id, client_id = _order_keys(params)
        order = _find(state, spec.inst_id, order_id, client_id, open_only=True)
    except OkxError as exc:
        if exc.code == "51003":
            raise
        raise CANCEL_FAILED from exc
    canceled = state.engine.cancel_order(spec.inst_id, order_id=order.order_id)
    row = ack(canceled, params.get("clOrdId") or None, "", state.engine.clock())
    row["clOrdId"] = order.client_order_id if named(state, order) else ""
    del row["tag"]
    return row


def page(rows: list[dict[str, Any]], params: Params, id_key: str) -> list[dict[str, Any]]:
    """Newest first; ``after`` = older than that id, ``before`` = newer; ``limit`` ≤ 100 (default 100)."""
    limit_text = params.get("limit")
    limit = MAX_LIMIT
    if limit_text is not None:
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
            raise param_error("limit")
        limit = int(limit_text)
    rows = sorted(rows, key=lambda row: int(row[id_key]), reverse=True)
    after, before = params.get("after"), params.get("before")
    if after is not None:
        if not after.isdigit():
            raise param_error("after")
        rows = [row for row in rows if int(row[id_key]) < int(after)]
    if before is not None:
        if not before.isdigit():
            raise param_error("before")
        rows = [row for row in rows if int(row[id_key]) > int(before)]
    return rows[:limit]


def orders_pending(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/trade/orders-pending``: live orders, optionally of one type or instrument."""
    inst_type = params.get("instType")
    if inst_type is not None and inst_type not in ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION", "EVENTS"):
        raise param_error("instType")
    if inst_type not in (None, "SWAP"):
        return []
    only = instrument_of(params).inst_id if params.get("instId") else None
    kind = params.get("ordType")
    rows = [order_row(state, order) for order in state.engine.open_orders(only)]
    if kind is not None:
        rows = [row for row in rows if row["ordType"] in kind.split(",")]
    return page(rows, params, "ordId")


def orders_history(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/trade/orders-history`` (last 7 days): orders that ended, newest first.

    ``instType`` is required; ``instId``, ``ordType`` and ``state`` (``canceled``/``filled``)
    filter; ``after``/``before``/``limit`` page by ordId. Filled, canceled and accepted-then-canceled
    orders are listed (the simulator keeps them all; OKX keeps 7 days here).
    """
    inst_type = params.required("instType")
    if inst_type not in ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION", "EVENTS"):
        raise param_error("instType")
    if inst_type != "SWAP":
        return []
    only = instrument_of(params).inst_id if params.get("instId") else None
    ended = [o for o in state.engine.all_orders(only) if o.status is not OrderStatus.NEW]
    ended += [o for o in state.killed.values() if only in (None, o.symbol)]
    rows = [order_row(state, order) for order in ended]
    kind, wanted = params.get("ordType"), params.get("state")
    if kind is not None:
        rows = [row for row in rows if row["ordType"] in kind.split(",")]
    if wanted is not None:
        if wanted not in ("canceled", "filled", "mmp_canceled"):
            raise param_error("state")
        rows = [row for row in rows if row["state"] == wanted]
    return page(rows, params, "ordId")


def close_position(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``POST /api/v5/trade/close-position``: the whole leg at market.

    ``posSide`` "must be filled in under the long/short mode"; in net mode it may only be ``net``.
    ``mgnMode`` names the position to close. No position: 51023 "Position doesn't exist.".
    """
    spec: InstrumentSpec = instrument_of(params)
    sid = spec.inst_id
    mgn_mode = params.required("mgnMode")
    if mgn_mode not in ("cross", "isolated"):
        raise param_error("mgnMode")
    hedge = state.engine.position_mode() is PositionMode.HEDGE
    value = params.get("posSide")
    if hedge and value not in ("long", "short"):
        raise param_error("posSide")
    if not hedge and value not in (None, "net"):
        raise param_error("posSide")
    position_side = {"long": PositionSide.LONG, "short": PositionSide.SHORT}.get(value or "", PositionSide.BOTH)
    client_id = params.get("clOrdId")
    if client_id is not None and not CLIENT_ID.match(client_id):
        raise param_error("clOrdId")
    size = state.engine.leg(sid, position_side).size
    if size == ZERO or MGN_MODE[state.engine.margin_type(sid, position_side)] != mgn_mode:
        raise OkxError("51023", "Position doesn't exist.")
    if params.boolean("autoCxl"):
        for order in state.engine.open_orders(sid):
            if order.position_side is position_side:
                state.engine.cancel_order(sid, order_id=order.order_id)
    long_side = position_side is PositionSide.LONG or (position_side is PositionSide.BOTH and size > 0)
    tag = params.get("tag") or ""
    try:
        order = state.engine.place_order(
            sid, Side.SELL if long_side else Side.BUY, abs(size), position_side=position_side,
            reduce_only=position_side is PositionSide.BOTH, client_order_id=client_id,
            extra={"ordType": "market", "tdMode": mgn_mode, "tag": tag},
        )
    except EngineError as exc:
        failure = order_failure(exc)
        raise OkxError(failure.s_code, failure.s_msg) from exc
    if client_id is None:
        state.quiet_ids.add(order.order_id)
    return [{"clOrdId": client_id or "", "instId": sid, "posSide": value or "net", "tag": tag}]


def place_batch(state: SimState, body: Any) -> list[dict[str, Any]]:
    """``POST /api/v5/trade/batch-orders``: up to 20 orders, each answered in its own row.

    ccxt's ``createOrder`` sends single orders here unless told otherwise (okx.py ``describe``:
    ``'createOrder': 'privatePostTradeBatchOrders'``).
    """
    if not isinstance(body, list) or not body or not all(isinstance(item, dict) for item in body):
        raise OkxError("50002", "JSON syntax error", 400)
    if len(body) > 20:
        raise OkxError("51111", "Maximum 20 orders can be placed in bulk.")
    rows = []
    for item in body:
        params = Params(item)
        try:
            rows.append(place_order(state, params))
        except OrderFailure as failure:
            rows.append({"clOrdId": params.get("clOrdId") or "", "ordId": "", "sCode": failure.s_code,
                         "sMsg": failure.s_msg, "subCode": failure.sub_code, "tag": params.get("tag") or "",
                         "ts": ms(state.engine.clock())})
    return rows
