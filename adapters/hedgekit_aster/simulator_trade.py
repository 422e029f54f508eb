"""Order endpoints of the simulated Aster venue: one order endpoint for every type.

Unlike Binance since 2025-12, Aster keeps stops, take-profits and trailing stops on the order
endpoint (asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` §New Order, AST3):
``stopPrice`` is the trigger, ``activationPrice``/``callbackRate`` (0.1–5, 1 = 1 %) shape a trailing
stop, and answers and ``openOrders`` rows echo ``activatePrice``/``priceRate``. Order ids form one
sequence on the venue; the engine keeps conditional orders apart, so the simulator numbers them in a
separate range and shows a fired conditional under its own id (its resulting order inherits the id,
as on the venue: ``type`` becomes MARKET/LIMIT, ``origType`` keeps the conditional type).

The parameter checks Aster shares with Binance (position side vs mode, ``reduceOnly`` refused in
hedge mode, client-id pattern, precision, the error envelope) come from
:mod:`hedgekit_binance.simulator_trade` and :mod:`hedgekit_binance.simulator_wire`.
"""

from __future__ import annotations

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

from hedgekit_aster import rules
from hedgekit_aster.simulator_markets import SPECS_BY_ID
from hedgekit_binance.simulator_trade import BAD_CLIENT_ID, CLIENT_ID, position_side_of, price_filter, symbol_of
from hedgekit_binance.simulator_wire import (
    BAD_PRECISION,
    UNKNOWN_ORDER,
    BinanceError,
    Params,
    decimals,
    engine_error,
    fixed,
    invalid,
    not_required,
    plain,
)

CONDITIONAL_TYPES = {t.value for t in ConditionalType}
# "callbackRate: min 0.1, max 5 where 1 for 1%" (AST3 §New Order; the batch table says 4), stated
# once in rules.CONDITIONAL, which hedgekit checks before sending
_LOW, _HIGH = rules.CONDITIONAL.callback_rate_min, rules.CONDITIONAL.callback_rate_max
assert _LOW is not None and _HIGH is not None
MIN_CALLBACK: Decimal = _LOW
MAX_CALLBACK: Decimal = _HIGH
MAX_OPEN = 200  # MAX_NUM_ORDERS: "both algo orders and normal orders are counted"
ALL_CANCELED = {"code": "200", "msg": "The operation of cancel all open order is done."}  # AST3 sample
DUPLICATE_ID = BinanceError(-4116, "clientOrderId is duplicated")  # Binance table; UNCONFIRMED on Aster
WOULD_TRIGGER = BinanceError(-2021, "Order would immediately trigger.")
TIME_IN_FORCE = {"GTC", "IOC", "FOK", "GTX"}

Row = Order | ConditionalOrder


def _side(params: Params) -> Side:
    value = params.required("side")
    if value not in ("BUY", "SELL"):
        raise BinanceError(-1117, "Invalid side.")
    return Side(value)


def _precise(value: Decimal | None, places: int) -> None:
    if value is not None and decimals(value) > places:
        raise BAD_PRECISION


def _shown(engine: Engine, order: Order, *, open_only: bool) -> bool:
    """Whether a regular order is listed under its own id: not one a conditional order placed
    (that one shows under the conditional's id), and open when only open orders are wanted."""
    return engine.conditional_of_order(order.order_id) is None and (
        not open_only or order.status is OrderStatus.NEW
    )


def _listed(engine: Engine, c: ConditionalOrder, *, open_only: bool) -> bool:
    """Whether a conditional order is listed: always, or when only open orders are wanted, while
    it waits or the limit order it fired still rests."""
    if not open_only or c.status is ConditionalStatus.NEW:
        return True
    if c.status is ConditionalStatus.TRIGGERED and c.triggered_order_id is not None:
        return engine.get_order(c.symbol, order_id=c.triggered_order_id).status is OrderStatus.NEW
    return False


# ----------------------------------------------------------------------- payloads


def order_json(engine: Engine, row: Row, view: str) -> dict[str, Any]:
    """An order in Aster's shape (AST3 §New Order / §Query Order); ``view`` is ACK, RESULT or QUERY."""
    spec = SPECS_BY_ID[row.symbol]
    pp, qp = spec.price_precision, spec.quantity_precision
    ack = view == "ACK"
    if isinstance(row, ConditionalOrder):
        child = None if row.triggered_order_id is None else engine.get_order(row.symbol, order_id=row.triggered_order_id)
        waiting = row.status is ConditionalStatus.NEW
        status = {ConditionalStatus.CANCELED: "CANCELED"}.get(row.status, "EXPIRED")
        if waiting or ack:
            status = "NEW"
        elif child is not None:
            status = child.status.value
        kind = child.order_type.value if child is not None and not ack else row.conditional_type.value
        order_id, client_id, orig = row.conditional_id, row.client_id, row.conditional_type.value
        quantity = row.quantity if row.quantity is not None else (child.quantity if child else ZERO)
        executed = ZERO if child is None or ack else child.executed_qty
        avg = ZERO if child is None or ack else child.avg_price
        price, stop = row.price or ZERO, row.trigger_price or ZERO
        tif, reduce_only, close = row.time_in_force.value, row.reduce_only, row.close_position
        created, extra = row.create_time, row.extra
        updated = row.update_time if child is None else max(row.update_time, child.update_time)
    else:
        status = "NEW" if ack else row.status.value
        kind, orig = row.order_type.value, row.orig_type
        order_id, client_id, quantity = row.order_id, row.client_order_id, row.quantity
        executed, avg = (ZERO, ZERO) if ack else (row.executed_qty, row.avg_price)
        price, stop = row.price, row.stop_price
        tif, reduce_only, close = row.time_in_force.value, row.reduce_only, row.close_position
        created, extra, updated = row.create_time, row.extra, row.update_time
        if "timeInForce" in extra:  # expired on arrival (_expired_on_arrival): the order as sent
            price, tif = Decimal(extra["price"]), extra["timeInForce"]
    data: dict[str, Any] = {
        "orderId": order_id,
        "symbol": row.symbol,
        "status": status,
        "clientOrderId": client_id,
        "price": fixed(price, pp),
        "avgPrice": fixed(avg, max(pp, 5)),  # "avgPrice": "0.00000"
        "origQty": fixed(quantity, qp),
        "executedQty": fixed(executed, qp),
        "cumQty": fixed(executed, qp),
        "cumQuote": fixed(executed * avg, max(pp, 5)),
        "timeInForce": tif,
        "type": kind,
        "reduceOnly": reduce_only,
        "closePosition": close,
        "side": row.side.value,
        "positionSide": row.position_side.value,
        "stopPrice": fixed(stop, pp),
        "workingType": extra.get("workingType", "CONTRACT_PRICE"),
        "priceProtect": extra.get("priceProtect", "false").lower() == "true",
        "origType": orig,
    }
    if isinstance(row, ConditionalOrder) and row.conditional_type is ConditionalType.TRAILING_STOP_MARKET:
        # "activation price / callback rate, only return with TRAILING_STOP_MARKET order"
        data["activatePrice"] = fixed(row.activation_price or ZERO, pp)
        data["priceRate"] = plain(row.callback_rate or ZERO)
    if view == "QUERY":  # GET /order and openOrders: no cumQty, and the order time
        del data["cumQty"]
        data["time"] = created
    data["updateTime"] = updated
    return data


# ----------------------------------------------------------------------- lookups


def visible_orders(engine: Engine, sid: str | None, *, open_only: bool) -> list[Row]:
    """Orders as the venue lists them: regular ones, and conditional ones under their own id.

    Open ones come from the engine's open-order indexes (waiting conditional orders, and fired
    ones whose limit order rests), so listing them costs O(open orders).
    """
    regular: list[Row] = [
        o for o in (engine.open_orders(sid) if open_only else engine.all_orders(sid))
        if _shown(engine, o, open_only=open_only)
    ]
    if open_only:
        candidates = engine.conditional_orders(sid) + engine.triggered_conditionals(sid)
    else:
        candidates = engine.all_conditional_orders(sid)
    conditional: list[Row] = [c for c in candidates if _listed(engine, c, open_only=open_only)]
    return sorted(regular + conditional, key=lambda r: (r.create_time, _id(r)))


def _id(row: Row) -> int:
    return row.conditional_id if isinstance(row, ConditionalOrder) else row.order_id


def _keys(params: Params) -> tuple[int | None, str | None]:
    order_id = params.integer("orderId")
    client_id = params.get("origClientOrderId")
    if order_id is None and client_id is None:
        raise BinanceError(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
    return order_id, client_id


def _named(engine: Engine, sid: str | None, order_id: int | None, client_id: str | None,
           *, open_only: bool) -> list[Row]:
    """The listed orders (see :func:`visible_orders`) with this id, or else this client id,
    looked up by id or through the client-id indexes; oldest first."""
    regular: list[Order] = []
    conditional: list[ConditionalOrder] = []
    if order_id is not None:
        assert sid is not None
        try:
            regular.append(engine.get_order(sid, order_id=order_id))
        except EngineError:
            pass
        try:
            conditional.append(engine.get_conditional(conditional_id=order_id))
        except EngineError:
            pass
    elif client_id is not None:
        regular = engine.orders_by_client_id(client_id, sid, open_only=open_only)
        conditional = engine.conditionals_by_client_id(client_id, sid)
    rows: list[Row] = [o for o in regular if _shown(engine, o, open_only=open_only)]
    rows += [c for c in conditional if sid in (None, c.symbol) and _listed(engine, c, open_only=open_only)]
    return sorted(rows, key=lambda r: (r.create_time, _id(r)))


def find(engine: Engine, sid: str, params: Params, *, open_only: bool) -> Row:
    """The order named by ``orderId`` (or else ``origClientOrderId``): -2013 when unknown."""
    order_id, client_id = _keys(params)
    matches = _named(engine, sid, order_id, client_id, open_only=open_only)
    if not matches:
        raise engine_error(EngineError(Reason.ORDER_NOT_FOUND))
    return matches[-1]


# ----------------------------------------------------------------------- endpoints


def new_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``POST /fapi/v3/order`` (and ``/fapi/v1/order``): every order type."""
    sid = symbol_of(engine, params)
    side = _side(params)
    kind = params.required("type")
    if kind not in CONDITIONAL_TYPES and kind not in ("LIMIT", "MARKET"):
        raise BinanceError(-1116, "Invalid orderType.")
    position_side = position_side_of(engine, sid, params)
    client_id = params.get("newClientOrderId")
    if client_id is not None and not CLIENT_ID.match(client_id):
        raise BAD_CLIENT_ID
    if client_id is not None and _named(engine, None, None, client_id, open_only=True):
        raise DUPLICATE_ID  # "A unique id among open orders"
    response_type = params.get("newOrderRespType") or "ACK"
    if response_type not in ("ACK", "RESULT"):
        raise BinanceError(-1136, "Invalid newOrderRespType.")
    if len(visible_orders(engine, sid, open_only=True)) >= MAX_OPEN:
        raise BinanceError(-2025, "Reach max open order limit.")
    if kind in CONDITIONAL_TYPES:
        placed: Row = _new_conditional(engine, sid, side, position_side, kind, client_id, params)
    else:
        placed = _new_regular(engine, sid, side, position_side, kind, client_id, params)
    return order_json(engine, placed, response_type)


def _time_in_force(params: Params, *, required: bool) -> TimeInForce:
    value = params.required("timeInForce") if required else params.get("timeInForce") or "GTC"
    if value not in TIME_IN_FORCE:
        raise BinanceError(-1115, "Invalid timeInForce.")
    return TimeInForce(value)


def _extra(params: Params) -> dict[str, str]:
    return {name: value for name in ("workingType", "priceProtect") if (value := params.get(name)) is not None}


def _new_regular(engine: Engine, sid: str, side: Side, position_side: PositionSide, kind: str,
                 client_id: str | None, params: Params) -> Order:
    spec = SPECS_BY_ID[sid]
    quantity = params.decimal("quantity", required=True)
    assert quantity is not None
    price: Decimal | None = None
    if kind == "LIMIT":
        time_in_force = _time_in_force(params, required=True)
        price = params.decimal("price", required=True)
    else:
        time_in_force = TimeInForce.GTC
        if params.has("price"):
            raise not_required("price")
    _precise(quantity, spec.quantity_precision)
    _precise(price, spec.price_precision)
    price_filter(spec, price)  # PRICE_FILTER minPrice/maxPrice (AST3 §Filters): -4013 / -4002
    reduce_only = params.boolean("reduceOnly") or False
    try:
        return engine.place_order(
            sid, side, quantity, order_type=OrderType(kind), price=price, position_side=position_side,
            time_in_force=time_in_force, reduce_only=reduce_only, client_order_id=client_id,
            extra=_extra(params),
        )
    except EngineError as exc:
        if exc.reason in (Reason.POST_ONLY_WOULD_TAKE, Reason.FOK_NOT_FILLED) and price is not None:
            return _expired_on_arrival(engine, sid, side, position_side, quantity, price, time_in_force,
                                       reduce_only, client_id, params)
        raise engine_error(exc) from exc


def _expired_on_arrival(engine: Engine, sid: str, side: Side, position_side: PositionSide, quantity: Decimal,
                        price: Decimal, time_in_force: TimeInForce, reduce_only: bool,
                        client_id: str | None, params: Params) -> Order:
    """A post-only (GTX) limit that would take, or a FOK that cannot fill: accepted, then EXPIRED.

    Aster answers these the way Binance did before its 2023-03-22 change: "LIMIT order with special
    timeInForce: the final status result of the order(FILLED or EXPIRED) will be returned
    directly" (AST3 §New Order, ``newOrderRespType=RESULT``), and Aster's error table has neither
    -5021 nor -5022, the codes Binance added when it began refusing them instead (Binance change
    log 2023-03-08). So the order gets an id, ends ``EXPIRED`` with nothing filled, is found by
    ``GET /fapi/v3/order`` and is not among the open orders. (UNCONFIRMED by a captured Aster
    answer.) The engine records it as an IOC limit that did not cross (its own EXPIRED outcome):
    at the order's price for a FOK, one tick inside the mark for a GTX that would have crossed;
    the order's own price and time in force ride in ``extra`` and are what the wire shows.
    """
    market = engine.market(sid)
    mark, tick = engine.mark_price(sid), market.tick_size
    resting = price
    if time_in_force is TimeInForce.GTX:  # it crosses: expire it at a price that does not
        steps = (mark / tick).to_integral_value(rounding="ROUND_CEILING" if side is Side.SELL else "ROUND_FLOOR")
        resting = (steps + (1 if side is Side.SELL else -1)) * tick
    extra = {**_extra(params), "price": str(price), "timeInForce": time_in_force.value}
    try:
        return engine.place_order(
            sid, side, quantity, order_type=OrderType.LIMIT, price=resting, position_side=position_side,
            time_in_force=TimeInForce.IOC, reduce_only=reduce_only, client_order_id=client_id, extra=extra,
        )
    except EngineError as exc:
        raise engine_error(exc) from exc


def _new_conditional(engine: Engine, sid: str, side: Side, position_side: PositionSide, kind: str,
                     client_id: str | None, params: Params) -> ConditionalOrder:
    spec = SPECS_BY_ID[sid]
    close = params.boolean("closePosition") or False
    if close:
        # closePosition: STOP_MARKET/TAKE_PROFIT_MARKET only, not with quantity or reduceOnly, and
        # in hedge mode not BUY+LONG nor SELL+SHORT (AST3 §New Order notes)
        if kind not in ("STOP_MARKET", "TAKE_PROFIT_MARKET"):
            raise invalid("closePosition")
        if params.has("quantity"):
            raise BinanceError(-4137, "Quantity must be zero with closePosition equals true")
        if params.has("reduceOnly"):
            raise not_required("reduceOnly")
        if (side, position_side) in ((Side.BUY, PositionSide.LONG), (Side.SELL, PositionSide.SHORT)):
            raise BinanceError(-4062, "Invalid or improper reduceOnly value.")  # UNCONFIRMED code
    trailing = kind == "TRAILING_STOP_MARKET"
    quantity = None if close else params.decimal("quantity", required=True)
    trigger = None if trailing else params.decimal("stopPrice", required=True)
    price = params.decimal("price", required=kind in ("STOP", "TAKE_PROFIT"))
    rate = params.decimal("callbackRate", required=trailing)
    if trailing and rate is not None and not MIN_CALLBACK <= rate <= MAX_CALLBACK:
        raise invalid("callbackRate")
    activation = params.decimal("activationPrice") if trailing else None
    mark = engine.mark_price(sid)
    if activation is not None and (activation >= mark if side is Side.BUY else activation <= mark):
        raise WOULD_TRIGGER  # "BUY: activationPrice should be smaller than latest price" (AST3)
    working = params.get("workingType") or "CONTRACT_PRICE"
    if working not in ("MARK_PRICE", "CONTRACT_PRICE"):
        raise BinanceError(-4031, "Invalid parameter working type")
    _precise(quantity, spec.quantity_precision)
    for value in (trigger, price, activation):
        _precise(value, spec.price_precision)
    if len(engine.conditional_orders(sid)) >= spec.max_algo_orders:
        raise BinanceError(-4045, "Reach max stop order limit.")  # MAX_NUM_ALGO_ORDERS
    try:
        return engine.place_conditional(
            sid, side, ConditionalType(kind), quantity=quantity, trigger_price=trigger, price=price,
            position_side=position_side, time_in_force=_time_in_force(params, required=False),
            reduce_only=params.boolean("reduceOnly") or False, close_position=close, callback_rate=rate,
            activation_price=activation, client_id=client_id,
            extra={**_extra(params), "workingType": working},
        )
    except EngineError as exc:
        raise engine_error(exc) from exc


def query_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /fapi/v3/order``: any order of the symbol; -2013 when unknown."""
    sid = symbol_of(engine, params)
    return order_json(engine, find(engine, sid, params, open_only=False), "QUERY")


def query_open_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /fapi/v3/openOrder``: "If the queried order has been filled or cancelled": -2013."""
    sid = symbol_of(engine, params)
    return order_json(engine, find(engine, sid, params, open_only=True), "QUERY")


def cancel_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``DELETE /fapi/v3/order``: -2011 "Unknown order sent." unless the order is open."""
    sid = symbol_of(engine, params)
    try:
        row = find(engine, sid, params, open_only=True)
    except BinanceError:
        raise UNKNOWN_ORDER from None
    if isinstance(row, ConditionalOrder):
        if row.status is ConditionalStatus.NEW:
            canceled: Row = engine.cancel_conditional(conditional_id=row.conditional_id)
        else:  # fired and resting: the venue cancels the order it became
            assert row.triggered_order_id is not None
            engine.cancel_order(sid, order_id=row.triggered_order_id)
            canceled = engine.get_conditional(conditional_id=row.conditional_id)
    else:
        canceled = engine.cancel_order(sid, order_id=row.order_id)
    return order_json(engine, canceled, "RESULT")


def open_orders(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v3/openOrders`` (``symbol`` optional): regular and conditional orders together."""
    sid = symbol_of(engine, params) if params.get("symbol") else None
    return [order_json(engine, row, "QUERY") for row in visible_orders(engine, sid, open_only=True)]


def all_orders(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v3/allOrders`` (``symbol`` mandatory)."""
    sid = symbol_of(engine, params)
    return [order_json(engine, row, "QUERY") for row in visible_orders(engine, sid, open_only=False)]


def cancel_all_orders(engine: Engine, params: Params) -> dict[str, Any]:
    """``DELETE /fapi/v3/allOpenOrders``: every open order of the symbol, conditional ones too."""
    sid = symbol_of(engine, params)
    engine.cancel_all_conditionals(sid)
    engine.cancel_all_orders(sid)
    return ALL_CANCELED
