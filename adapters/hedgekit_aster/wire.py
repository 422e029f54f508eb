"""Aster futures wire format: request parameters out, hedgekit models in.

Shared with Binance, because the format really is the same (AST3 = asterdex/api-docs
``V3(Recommended)/EN/aster-finance-futures-api-v3.md``): the field readers, the
``exchangeInfo`` listing (``symbols`` with ``PRICE_FILTER``/``LOT_SIZE``/``MIN_NOTIONAL``), the
``{"dualSidePosition": true}`` mode answer and the side, position-side, time-in-force, working-type
and status vocabularies, all imported from :mod:`hedgekit_binance.wire`.

What differs lives here:

* **Orders**: every type, stops and trailing stops included, goes to ``/fapi/v3/order`` (AST3 §New
  Order); the trigger is ``stopPrice``, the trailing activation ``activationPrice``; answers echo
  ``activatePrice`` and ``priceRate`` for trailing stops. There is no algo service.
* **Positions** (AST3 §Position Information v3): ``positionAmt`` is signed (negative on SHORT even in
  hedge mode), ``marginType`` is lowercase ``isolated``/``cross``, ``leverage`` is in the row, and
  there is **no** ``notional`` field: it is ``|positionAmt| × markPrice`` here.

Every field a parser reads must be present and of the type AST3's response examples show, or the
answer is a :class:`~hedgekit.errors.MalformedResponse`; the few optional ones say why.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hedgekit.adapter import OrderRequest
from hedgekit.models import Leg, MarginMode, Market, Order, OrderType, PositionMode, PositionSide, TimeInForce, trusted

from hedgekit_binance.wire import (
    ORDER_TYPE,
    POSITION_SIDE,
    POSITION_SIDE_IN,
    SIDE,
    SIDE_IN,
    STATUS_IN,
    TIME_IN_FORCE,
    TIME_IN_FORCE_IN,
    WORKING_TYPE,
    _bad,
    boolean,
    dec,
    enum_of,
    fmt,
    number_id,
    obj,
    parse_markets,
    parse_mode,
    req_dec,
    rows,
    symbol_of,
    text,
    when,
)

__all__ = [
    "CONDITIONAL_TYPES",
    "ORDER_TYPE",
    "POSITION_SIDE",
    "fmt",
    "obj",
    "order_params",
    "parse_leg",
    "parse_markets",
    "parse_mode",
    "parse_order",
    "rows",
    "symbol_of",
]

VENUE = "aster"

#: Conditional ``type``/``origType`` values of ``/fapi/v3/order`` (AST3 ENUM "Order types").
CONDITIONAL_TYPES = frozenset({"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"})
#: Aster order type -> hedgekit type. hedgekit has no stop-limit type: ``STOP``/``TAKE_PROFIT``
#: (placed by another client) read as their market twins, with the limit price in ``price``.
ORDER_TYPE_IN: dict[str, OrderType] = {
    "MARKET": OrderType.MARKET,
    "LIMIT": OrderType.LIMIT,
    "STOP_MARKET": OrderType.STOP_MARKET,
    "STOP": OrderType.STOP_MARKET,
    "TAKE_PROFIT_MARKET": OrderType.TAKE_PROFIT_MARKET,
    "TAKE_PROFIT": OrderType.TAKE_PROFIT_MARKET,
    "TRAILING_STOP_MARKET": OrderType.TRAILING_STOP_MARKET,
}
#: positionRisk ``marginType``: lowercase in AST3's examples; the upper-case request spelling is
#: accepted too.
MARGIN_TYPE_IN = {
    "isolated": MarginMode.ISOLATED,
    "cross": MarginMode.CROSS,
    "crossed": MarginMode.CROSS,
}


# -- orders (POST /fapi/v3/order) ---------------------------------------------------------------
def order_params(request: OrderRequest, builder: tuple[str, str] | None = None) -> dict[str, str]:
    """Parameters of ``POST /fapi/v3/order`` for any order type.

    ``positionSide`` is always sent (LONG/SHORT in hedge mode, BOTH in one-way mode) and
    ``reduceOnly`` only in one-way mode: it "Cannot be sent in Hedge Mode" (AST3 §New Order).
    A stop without a quantity closes the whole leg (``closePosition=true``, neither ``quantity``
    nor ``reduceOnly``). ``builder``/``feeRate`` go out only when the user configured a builder.
    """
    plan = request.plan
    params = {
        "symbol": request.market.venue_symbol,
        "side": SIDE[plan.side],
        "positionSide": POSITION_SIDE[plan.position_side],
        "type": ORDER_TYPE[request.type],
        "newClientOrderId": request.client_order_id,
        "newOrderRespType": "RESULT",
    }
    one_way_reduce = plan.reduce_only and plan.mode is PositionMode.ONE_WAY
    if request.quantity is None:
        params["closePosition"] = "true"
    else:
        params["quantity"] = fmt(request.quantity)
        if one_way_reduce:
            params["reduceOnly"] = "true"
    if request.type is OrderType.LIMIT:
        assert request.price is not None
        params["price"] = fmt(request.price)
        params["timeInForce"] = TIME_IN_FORCE[request.time_in_force or TimeInForce.GTC]
    if request.type.conditional:
        params["workingType"] = WORKING_TYPE[request.working_type]
        if request.trigger_price is not None:
            params["stopPrice"] = fmt(request.trigger_price)
        if request.callback_rate is not None:
            params["callbackRate"] = fmt(request.callback_rate)
        if request.activation_price is not None:
            params["activationPrice"] = fmt(request.activation_price)
    if builder is not None:
        params["builder"], params["feeRate"] = builder
    return params


def parse_order(payload: Any, market: Market, *, listed: bool = False) -> Order:
    """An order answer or an ``openOrders`` row, regular or conditional (AST3 §Query Order).

    Every field read is in all four of AST3's examples (§New Order, §Query Order, §Cancel Order,
    §Current All Open Orders) and required, except: ``time``, absent from the new-order and cancel
    answers, and ``avgPrice``, absent from the cancel answer (``listed=True``, a query or
    ``openOrders`` row, requires both); ``activatePrice`` and ``priceRate``, "only return with
    TRAILING_STOP_MARKET order", so required on those alone.
    """
    row = obj(payload, "order")
    kind, orig = text(row, "type"), text(row, "origType")
    # a stop, take-profit or trailing stop, before (type) or after (origType) it fired
    conditional = kind in CONDITIONAL_TYPES or orig in CONDITIONAL_TYPES
    name = orig if conditional and orig in CONDITIONAL_TYPES else kind
    price = req_dec(row, "price")
    if name in ORDER_TYPE_IN:
        order_type = ORDER_TYPE_IN[name]
    else:
        order_type = OrderType.LIMIT if price else OrderType.MARKET
    close_position = boolean(row, "closePosition")
    qty = req_dec(row, "origQty")
    stop = req_dec(row, "stopPrice")
    trailing = order_type is OrderType.TRAILING_STOP_MARKET
    return trusted(
        Order,
        venue=VENUE,
        symbol=market.symbol,
        order_id=number_id(row, "orderId"),
        client_order_id=text(row, "clientOrderId") or None,
        side=enum_of(SIDE_IN, row, "side"),
        position_side=enum_of(POSITION_SIDE_IN, row, "positionSide"),
        type=order_type,
        status=enum_of(STATUS_IN, row, "status"),
        quantity=None if close_position and not qty else qty,
        filled_quantity=req_dec(row, "executedQty"),
        price=price or None,
        average_price=dec(row, "avgPrice", required=listed) or None,
        # "stopPrice: please ignore when order type is TRAILING_STOP_MARKET" (AST3)
        trigger_price=None if trailing else stop or None,
        activation_price=req_dec(row, "activatePrice") or None if trailing else None,
        callback_rate=req_dec(row, "priceRate") or None if trailing else None,
        time_in_force=TIME_IN_FORCE_IN.get(text(row, "timeInForce")),
        reduce_only=boolean(row, "reduceOnly"),
        close_position=close_position,
        conditional=conditional,
        created_at=when(row, "time", required=listed),
        updated_at=when(row, "updateTime", required=True),
        raw=row,
    )


# -- legs (GET /fapi/v3/positionRisk) -----------------------------------------------------------
def _leverage(row: dict[str, Any]) -> Decimal:
    """``leverage``: a string of digits in AST3's example (``"10"``), at least 1 (whole numbers only:
    "target initial leverage: int from 1 to 125", AST3 §Change Initial Leverage)."""
    value = text(row, "leverage").strip()
    if not (value.isdigit() and value.isascii()) or int(value) < 1:
        raise _bad("field 'leverage' is not a leverage", row)
    return Decimal(int(value))


def parse_leg(row: dict[str, Any], market: Market) -> Leg:
    """One positionRisk row; a one-way (BOTH) row lands on the leg its sign points to.

    Shape (AST3, hedge mode): ``{"entryPrice":"6563.66500","marginType":"isolated",
    "isAutoAddMargin":"false","isolatedMargin":"15517.54150468","leverage":"10",
    "liquidationPrice":"5930.78","markPrice":"6679.50671178","maxNotionalValue":"20000000",
    "positionAmt":"20.000","symbol":"BTCUSDT","unRealizedProfit":"2316.83423560",
    "positionSide":"LONG","updateTime":1625474304765}``. ``margin`` is ``isolatedMargin`` on an
    isolated leg and the initial margin at the mark (``notional / leverage``) on a cross leg.

    Every field read is in that example, so every one is required; ``updateTime`` is ``0`` on a
    leg never opened (AST3's one-way example), read as no time. ``isAutoAddMargin`` and
    ``maxNotionalValue`` are not read.
    """
    amount = req_dec(row, "positionAmt")
    venue_side = enum_of(POSITION_SIDE_IN, row, "positionSide")
    if venue_side is PositionSide.BOTH:
        side = PositionSide.SHORT if amount < 0 else PositionSide.LONG
    else:
        side = venue_side
    size = abs(amount)
    mark = req_dec(row, "markPrice")
    entry = req_dec(row, "entryPrice")
    liq = req_dec(row, "liquidationPrice")
    pnl = req_dec(row, "unRealizedProfit")
    leverage = _leverage(row)
    isolated = req_dec(row, "isolatedMargin")
    margin_mode = MARGIN_TYPE_IN.get(text(row, "marginType").lower())
    if margin_mode is None:
        raise _bad(f"field 'marginType' has unknown value {row.get('marginType')!r}", row)
    updated = when(row, "updateTime", required=True)
    notional = size * mark
    margin = isolated if margin_mode is MarginMode.ISOLATED else notional / leverage
    return Leg(
        venue=VENUE,
        symbol=market.symbol,
        side=side,
        size=size,
        entry_price=entry if size != 0 else None,
        mark_price=mark,
        unrealized_pnl=pnl,
        liquidation_price=liq if liq else None,
        margin=margin,
        margin_mode=margin_mode,
        leverage=leverage,
        notional=notional,
        updated_at=updated,
        raw=row,
    )
