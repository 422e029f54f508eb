"""Order endpoints of the simulated Binance USDⓈ-M venue: regular orders and the Algo Service.

Request parameters and payload shapes follow binance-connector-python
(``clients/derivatives_trading_usds_futures``: ``trade_api.new_order``/``new_algo_order``
docstrings; ``models/new_algo_order_response.py``, ``query_algo_order_response.py``,
``current_all_algo_open_orders_response_inner.py``, ``cancel_algo_order_response.py``) and the
order samples in ccxt 4.5.90 ``binance.py`` ``parse_order``. Since 2025-12 conditional types on
``/fapi/v1/order`` answer ``-4120`` (Binance change log 2025-11-06; ccxt binance.py exceptions).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import (
    ZERO,
    ConditionalOrder,
    ConditionalType,
    EngineError,
    Order,
    OrderType,
    PositionMode,
    PositionSide,
    Reason,
    Side,
    TimeInForce,
)

from hedgekit_binance import rules
from hedgekit_binance.simulator_markets import SPECS_BY_ID, TIME_IN_FORCE, SymbolSpec
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
)

CONDITIONAL_TYPES = {t.value for t in ConditionalType}
# newClientOrderId / clientAlgoId: "^[\.A-Z\:/a-z0-9_-]{1,36}$" (trade_api.new_order docstring);
# a miss is -4015 INVALID_CL_ORD_ID_LEN "Client order id is not valid." (error-code page).
CLIENT_ID = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")
BAD_CLIENT_ID = BinanceError(-4015, "Client order id is not valid.")
# -4120: conditional types must use the Algo Service (ccxt binance.py linear exceptions text).
ALGO_ONLY = BinanceError(
    -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."
)
# DELETE /fapi/v1/allOpenOrders answer (docs "Cancel All Open Orders" example; ccxt parse_order
# treats this text as success).
ALL_CANCELED = {"code": 200, "msg": "The operation of cancel all open order is done."}
#: MAX_NUM_ORDERS: open regular orders per symbol (exchangeInfo filter ``{"filterType":
#: "MAX_NUM_ORDERS","limit":200}``, captured BTCUSDT listing); a new order beyond it is -2025
#: MAX_OPEN_ORDER_EXCEEDED "Reach max open order limit." (error-code page). Since conditional
#: orders moved to the Algo Service (change log 2025-11-06, live 2025-12-09) they have their own
#: limit below; that they no longer count here is UNCONFIRMED (no document says either way).
MAX_OPEN = 200
#: Open conditional (algo) orders across ALL symbols of the account: change log 2025-12-29 "The
#: parameter "filterType": "MAX_NUM_ALGO_ORDERS" has been removed from the endpoint GET
#: /fapi/v1/exchangeInfo. The condtional order limits is 200 across all symbols." (before that: 10
#: per symbol, announcement 2021-02-23). A new one beyond it is -4045 MAX_STOP_ORDER_EXCEEDED
#: "Reach max stop order limit." (error-code page; ccxt binance.py linear exceptions).
MAX_ALGO = 200
MAX_ALGO_REACHED = BinanceError(-4045, "Reach max stop order limit.")
#: ``callbackRate`` of a TRAILING_STOP_MARKET algo order, 1 = 1 %: min 0.1 (new_algo_order
#: docstring) and max 20 since change log 2026-10-23 ("the maximum value of callbackRate for
#: TRAILING_STOP_MARKET orders is updated from 10 to 20"); out of range is -1130 for the parameter
#: (UNCONFIRMED code). The one statement of the range is rules.CONDITIONAL, which hedgekit checks too.
_LOW, _HIGH = rules.CONDITIONAL.callback_rate_min, rules.CONDITIONAL.callback_rate_max
assert _LOW is not None and _HIGH is not None
MIN_CALLBACK: Decimal = _LOW
MAX_CALLBACK: Decimal = _HIGH


def symbol_of(engine: Engine, params: Params) -> str:
    """The mandatory ``symbol``: -1102 when missing, -1121 when not listed."""
    try:
        return engine.resolve(params.required("symbol"))
    except EngineError as exc:
        raise engine_error(exc) from exc


def _side(params: Params) -> Side:
    value = params.required("side")
    if value not in ("BUY", "SELL"):
        raise BinanceError(-1117, "Invalid side.")
    return Side(value)


def position_side_of(engine: Engine, sid: str, params: Params) -> PositionSide:
    """``positionSide`` checked against the account's mode.

    Hedge mode: ``reduceOnly`` may not be sent (-1106) and LONG/SHORT must be; one-way mode:
    only BOTH (default) - else -4061 (trade_api.new_order: "It must be sent in Hedge Mode";
    "reduceOnly ... Cannot be sent in Hedge Mode").
    """
    raw = params.get("positionSide")
    if raw is not None and raw not in ("BOTH", "LONG", "SHORT"):
        raise BinanceError(-4060, "Invalid position side.")
    hedge = engine.position_mode(sid) is PositionMode.HEDGE
    if hedge and params.has("reduceOnly"):
        raise not_required("reduceOnly")
    side = PositionSide(raw or "BOTH")
    if hedge == (side is PositionSide.BOTH):
        raise engine_error(EngineError(Reason.POSITION_SIDE_MISMATCH))
    return side


def _precise(value: Decimal | None, places: int) -> None:
    if value is not None and decimals(value) > places:
        raise BAD_PRECISION


def price_filter(spec: SymbolSpec, price: Decimal | None) -> None:
    """A limit price against the symbol's published ``PRICE_FILTER`` bounds (its ``tickSize`` is
    the engine's): "``price`` >= ``minPrice``", "``price`` <= ``maxPrice``", each disabled at 0
    (filter definitions of the common-definition page; AST3 §Filters the same). Refusals: -4013
    PRICE_LESS_THAN_MIN_PRICE "Price less than min price." and -4002 PRICE_GREATER_THAN_MAX_PRICE
    "Price greater than max price." (error-code page; AST3 error codes; ccxt binance.py)."""
    if price is None:
        return
    low, high = Decimal(spec.min_price), Decimal(spec.max_price)
    if low and price < low:
        raise BinanceError(-4013, "Price less than min price.")
    if high and price > high:
        raise BinanceError(-4002, "Price greater than max price.")


def _client_id(params: Params, name: str) -> str | None:
    value = params.get(name)
    if value is not None and not CLIENT_ID.match(value):
        raise BAD_CLIENT_ID
    return value


def _time_in_force(params: Params, *, required: bool) -> TimeInForce:
    value = params.required("timeInForce") if required else params.get("timeInForce") or "GTC"
    if value not in TIME_IN_FORCE:
        raise BinanceError(-1115, "Invalid timeInForce.")
    return TimeInForce(value)


def _echo(params: Params, *names: str) -> dict[str, str]:
    return {name: value for name in names if (value := params.get(name)) is not None}


# ----------------------------------------------------------------------- payloads


def order_json(order: Order, view: str) -> dict[str, Any]:
    """A regular order in Binance's shape; ``view`` is ``ACK``, ``RESULT``, ``QUERY`` or ``CANCEL``.

    ``ACK`` (the default ``newOrderRespType``) reports the order as just accepted: ``NEW`` and
    nothing executed, whatever happened next (trade_api.new_order: "ACK", "RESULT", default "ACK").
    """
    spec = SPECS_BY_ID[order.symbol]
    pp, qp = spec.price_precision, spec.quantity_precision
    wide = max(pp, 5)  # avgPrice/cumQuote carry 5+ decimals ("avgPrice": "0.00000")
    ack = view == "ACK"
    executed = ZERO if ack else order.executed_qty
    data: dict[str, Any] = {
        "orderId": order.order_id,
        "symbol": order.symbol,
        "status": "NEW" if ack else order.status.value,
        "clientOrderId": order.client_order_id,
        "price": fixed(order.price, pp),
        "avgPrice": fixed(ZERO if ack else order.avg_price, wide),
        "origQty": fixed(order.quantity, qp),
        "executedQty": fixed(executed, qp),
        "cumQty": fixed(executed, qp),
        "cumQuote": fixed(ZERO if ack else order.cum_quote, wide),
        "timeInForce": order.time_in_force.value,
        "type": order.order_type.value,
        "reduceOnly": order.reduce_only,
        "closePosition": order.close_position,
        "side": order.side.value,
        "positionSide": order.position_side.value,
        "stopPrice": fixed(order.stop_price, pp),
        "workingType": order.extra.get("workingType", "CONTRACT_PRICE"),
        "priceProtect": order.extra.get("priceProtect", "false").lower() == "true",
        "origType": order.orig_type,
        "priceMatch": order.extra.get("priceMatch", "NONE"),
        "selfTradePreventionMode": order.extra.get("selfTradePreventionMode", "EXPIRE_MAKER"),
        "goodTillDate": int(order.extra.get("goodTillDate", "0")),
        "updateTime": order.update_time,
    }
    if view == "QUERY":  # GET /order and open orders: no cumQty, and the creation time
        del data["cumQty"]
        data["time"] = order.create_time
    return data


def algo_json(engine: Engine, order: ConditionalOrder, view: str) -> dict[str, Any]:
    """An algo order in the field order of binance-connector-python's models.

    ``view``: ``NEW`` (new_algo_order_response), ``QUERY`` (query_algo_order_response) or
    ``OPEN`` (current_all_algo_open_orders_response_inner).
    """
    spec: SymbolSpec = SPECS_BY_ID[order.symbol]
    pp, qp = spec.price_precision, spec.quantity_precision
    trailing = order.conditional_type is ConditionalType.TRAILING_STOP_MARKET
    data: dict[str, Any] = {
        "algoId": order.conditional_id,
        "clientAlgoId": order.client_id,
        "algoType": "CONDITIONAL",
        "orderType": order.conditional_type.value,
        "symbol": order.symbol,
        "side": order.side.value,
        "positionSide": order.position_side.value,
        "timeInForce": order.time_in_force.value,
        "quantity": fixed(order.quantity or ZERO, qp),
        "algoStatus": order.status.value,
    }
    if view != "NEW":
        child = (
            None if order.triggered_order_id is None
            else engine.get_order(order.symbol, order_id=order.triggered_order_id)
        )
        data["actualOrderId"] = "" if child is None else str(child.order_id)
        data["actualPrice"] = "0" if child is None else fixed(child.avg_price, pp)
        if view == "QUERY" and child is not None:
            data["actualType"] = child.order_type.value
            if child.executed_qty:
                data["actualQty"] = fixed(child.executed_qty, qp)
    data["triggerPrice"] = fixed(order.trigger_price or ZERO, pp)
    data["price"] = fixed(order.price or ZERO, pp)
    data["icebergQuantity"] = None
    if view == "OPEN":
        data.update(tpTriggerPrice=fixed(ZERO, pp), tpPrice=fixed(ZERO, pp),
                    slTriggerPrice=fixed(ZERO, pp), slPrice=fixed(ZERO, pp))
    if view != "NEW":
        data["tpOrderType"] = ""
    data["selfTradePreventionMode"] = order.extra.get("selfTradePreventionMode", "EXPIRE_MAKER")
    data["workingType"] = order.extra.get("workingType", "CONTRACT_PRICE")
    data["priceMatch"] = order.extra.get("priceMatch", "NONE")
    data["closePosition"] = order.close_position
    data["priceProtect"] = order.extra.get("priceProtect", "false").lower() == "true"
    data["reduceOnly"] = order.reduce_only
    if trailing:
        # new_algo_order_response.py carries these two; the query/open models were generated
        # from non-trailing examples and omit them, while live rows of a trailing stop carry
        # them (nautilus_trader BinanceFuturesAlgoOrder: activate_price, callback_rate).
        data["activatePrice"] = fixed(order.activation_price or ZERO, pp)
        data["callbackRate"] = plain_rate(order.callback_rate)
    data["createTime"] = order.create_time
    data["updateTime"] = order.update_time
    data["triggerTime"] = order.trigger_time
    data["goodTillDate"] = int(order.extra.get("goodTillDate", "0"))
    return data


def plain_rate(rate: Decimal | None) -> str:
    """A callback rate as sent back (``"1"`` for 1 %)."""
    return "0" if rate is None else f"{rate.normalize():f}"


# ----------------------------------------------------------------------- regular orders


def new_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``POST /fapi/v1/order`` (LIMIT and MARKET; conditional types answer -4120)."""
    sid = symbol_of(engine, params)
    spec = SPECS_BY_ID[sid]
    side = _side(params)
    kind = params.required("type")
    if kind in CONDITIONAL_TYPES:
        raise ALGO_ONLY
    if kind not in ("LIMIT", "MARKET"):
        raise BinanceError(-1116, "Invalid orderType.")
    position_side = position_side_of(engine, sid, params)
    reduce_only = params.boolean("reduceOnly") or False
    client_id = _client_id(params, "newClientOrderId")
    response_type = params.get("newOrderRespType") or "ACK"
    if response_type not in ("ACK", "RESULT"):
        raise BinanceError(-1136, "Invalid newOrderRespType.")
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
    price_filter(spec, price)
    if len(engine.open_orders(sid)) >= MAX_OPEN:
        raise BinanceError(-2025, "Reach max open order limit.")
    try:
        order = engine.place_order(
            sid, side, quantity, order_type=OrderType(kind), price=price,
            position_side=position_side, time_in_force=time_in_force, reduce_only=reduce_only,
            client_order_id=client_id,
            extra=_echo(params, "workingType", "priceProtect", "priceMatch",
                        "selfTradePreventionMode", "goodTillDate"),
        )
    except EngineError as exc:
        raise engine_error(exc) from exc
    return order_json(order, response_type)


def _order_keys(params: Params) -> tuple[int | None, str | None]:
    order_id = params.integer("orderId")
    client_id = params.get("origClientOrderId")
    if order_id is None and client_id is None:
        # -1102's third form (error-code page): "Param '%s' or '%s' must be sent, but both were empty/null!"
        raise BinanceError(
            -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"
        )
    return order_id, client_id


def query_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /fapi/v1/order``: any order of the symbol; -2013 when unknown."""
    sid = symbol_of(engine, params)
    order_id, client_id = _order_keys(params)
    try:
        return order_json(
            engine.get_order(sid, order_id=order_id, client_order_id=client_id), "QUERY"
        )
    except EngineError as exc:
        raise engine_error(exc) from exc


def query_open_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /fapi/v1/openOrder``: an open order; -2013 when it is not open."""
    sid = symbol_of(engine, params)
    order_id, client_id = _order_keys(params)
    for order in engine.open_orders(sid):
        if order.order_id == order_id or (order_id is None and order.client_order_id == client_id):
            return order_json(order, "QUERY")
    raise engine_error(EngineError(Reason.ORDER_NOT_FOUND))


def cancel_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``DELETE /fapi/v1/order``: -2011 "Unknown order sent." unless the order is open."""
    sid = symbol_of(engine, params)
    order_id, client_id = _order_keys(params)
    try:
        order = engine.cancel_order(sid, order_id=order_id, client_order_id=client_id)
    except EngineError as exc:
        raise UNKNOWN_ORDER from exc
    return order_json(order, "CANCEL")


def open_orders(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v1/openOrders`` (``symbol`` optional)."""
    sid = symbol_of(engine, params) if params.get("symbol") else None
    return [order_json(o, "QUERY") for o in engine.open_orders(sid)]


def all_orders(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v1/allOrders`` (``symbol`` mandatory)."""
    return [order_json(o, "QUERY") for o in engine.all_orders(symbol_of(engine, params))]


def cancel_all_orders(engine: Engine, params: Params) -> dict[str, Any]:
    """``DELETE /fapi/v1/allOpenOrders``: regular orders only (algo orders have their own)."""
    engine.cancel_all_orders(symbol_of(engine, params))
    return ALL_CANCELED


# ----------------------------------------------------------------------- algo service


def new_algo_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``POST /fapi/v1/algoOrder`` with ``algoType=CONDITIONAL`` (trade_api.new_algo_order)."""
    if params.required("algoType") != "CONDITIONAL":
        raise invalid("algoType")
    sid = symbol_of(engine, params)
    spec = SPECS_BY_ID[sid]
    side = _side(params)
    kind = params.required("type")
    if kind not in CONDITIONAL_TYPES:
        raise BinanceError(-1116, "Invalid orderType.")
    position_side = position_side_of(engine, sid, params)
    close = params.boolean("closePosition") or False
    if close:
        # closePosition: STOP_MARKET/TAKE_PROFIT_MARKET only, "Cannot be sent with quantity" -
        # -4137 QUANTITY_EXISTS_WITH_CLOSE_POSITION - "or reduceOnly" (new_algo_order docstring).
        if kind not in ("STOP_MARKET", "TAKE_PROFIT_MARKET"):
            raise invalid("closePosition")
        if params.has("quantity"):
            raise BinanceError(-4137, "Quantity must be zero with closePosition equals true")
        if params.has("reduceOnly"):
            raise not_required("reduceOnly")
    reduce_only = params.boolean("reduceOnly") or False
    trailing = kind == "TRAILING_STOP_MARKET"
    quantity = None if close else params.decimal("quantity", required=True)
    trigger = params.decimal("triggerPrice", required=not trailing)
    price = params.decimal("price", required=kind in ("STOP", "TAKE_PROFIT"))
    rate = params.decimal("callbackRate", required=trailing)
    if trailing and rate is not None and not MIN_CALLBACK <= rate <= MAX_CALLBACK:
        raise invalid("callbackRate")
    activate = params.decimal("activatePrice")
    working = params.get("workingType") or "CONTRACT_PRICE"
    if working not in ("MARK_PRICE", "CONTRACT_PRICE"):
        raise BinanceError(-4031, "Invalid parameter working type")
    time_in_force = _time_in_force(params, required=False)
    client_id = _client_id(params, "clientAlgoId")
    _precise(quantity, spec.quantity_precision)
    for value in (trigger, price, activate):
        _precise(value, spec.price_precision)
    if len(engine.conditional_orders()) >= MAX_ALGO:  # across all symbols (change log 2025-12-29)
        raise MAX_ALGO_REACHED
    try:
        order = engine.place_conditional(
            sid, side, ConditionalType(kind), quantity=quantity, trigger_price=trigger,
            price=price, position_side=position_side, time_in_force=time_in_force,
            reduce_only=reduce_only, close_position=close, callback_rate=rate,
            activation_price=activate, client_id=client_id,
            extra={"workingType": working, **_echo(params, "priceProtect", "priceMatch",
                                                    "selfTradePreventionMode", "goodTillDate")},
        )
    except EngineError as exc:
        raise engine_error(exc) from exc
    return algo_json(engine, order, "NEW")


def _algo_keys(params: Params) -> tuple[int | None, str | None]:
    algo_id = params.integer("algoId")
    client_id = params.get("clientAlgoId")
    if algo_id is None and client_id is None:
        raise BinanceError(
            -1102, "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!"
        )
    return algo_id, client_id


def query_algo_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /fapi/v1/algoOrder`` by ``algoId`` or ``clientAlgoId``; -2013 when unknown."""
    algo_id, client_id = _algo_keys(params)
    try:
        order = engine.get_conditional(conditional_id=algo_id, client_id=client_id)
    except EngineError as exc:
        raise engine_error(exc) from exc
    return algo_json(engine, order, "QUERY")


def cancel_algo_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``DELETE /fapi/v1/algoOrder``: ``{"algoId","clientAlgoId","code":"200","msg":"success"}``.

    The ``code`` is a string here (cancel_algo_order_response.py; ccxt binance.py sample).
    """
    algo_id, client_id = _algo_keys(params)
    try:
        order = engine.cancel_conditional(conditional_id=algo_id, client_id=client_id)
    except EngineError as exc:
        raise UNKNOWN_ORDER from exc
    return {"algoId": order.conditional_id, "clientAlgoId": order.client_id,
            "code": "200", "msg": "success"}


def cancel_all_algo_orders(engine: Engine, params: Params) -> dict[str, Any]:
    """``DELETE /fapi/v1/algoOpenOrders`` (``symbol`` mandatory)."""
    engine.cancel_all_conditionals(symbol_of(engine, params))
    return ALL_CANCELED


def open_algo_orders(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v1/openAlgoOrders`` (``algoType``, ``symbol``, ``algoId`` optional)."""
    algo_type = params.get("algoType")
    if algo_type is not None and algo_type != "CONDITIONAL":
        raise invalid("algoType")
    sid = symbol_of(engine, params) if params.get("symbol") else None
    algo_id = params.integer("algoId")
    return [
        algo_json(engine, order, "OPEN")
        for order in engine.conditional_orders(sid)
        if algo_id in (None, order.conditional_id)
    ]


def all_algo_orders(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v1/allAlgoOrders`` (``symbol`` mandatory): every status, oldest first."""
    sid = symbol_of(engine, params)
    return [algo_json(engine, o, "QUERY") for o in engine.all_conditional_orders(sid)]

