"""OKX v5 wire format, part two: order requests out, order rows in.

Regular orders go to ``POST /api/v5/trade/order`` (one order, not the batch endpoint); stops,
take-profits and trailing stops to ``POST /api/v5/trade/order-algo``
(https://www.okx.com/docs-v5/en/#order-book-trading-trade-post-place-order,
#order-book-trading-algo-trading-post-place-algo-order). Sizes leave as contracts and come back as
base units through :mod:`.wire`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hedgekit.adapter import OrderRequest
from hedgekit.models import (
    MarginMode,
    Market,
    Order,
    OrderStatus,
    OrderType,
    PositionMode,
    Side,
    TimeInForce,
    WorkingType,
)

from hedgekit_okx.wire import (
    MARGIN_MODE,
    POS_SIDE,
    POS_SIDE_IN,
    VENUE,
    bad,
    blank_dec,
    blank_text,
    enum_of,
    fmt,
    from_contracts,
    req_dec,
    str_flag,
    text,
    to_contracts,
    when,
)

SIDE = {Side.BUY: "buy", Side.SELL: "sell"}
SIDE_IN = {v: k for k, v in SIDE.items()}
HUNDRED = Decimal(100)

#: ``ordType`` of /trade/order for a limit order, by time in force (place-order ``ordType``).
LIMIT_ORD_TYPE = {
    TimeInForce.GTC: "limit",
    TimeInForce.IOC: "ioc",
    TimeInForce.FOK: "fok",
    TimeInForce.POST_ONLY: "post_only",
}
#: ``ordType`` of an order row -> (type, time in force). ``optimal_limit_ioc`` takes the best price
#: the price limit allows and cancels the rest: a market order in effect.
ORD_TYPE_IN: dict[str, tuple[OrderType, TimeInForce | None]] = {
    "market": (OrderType.MARKET, None),
    "optimal_limit_ioc": (OrderType.MARKET, None),
    "limit": (OrderType.LIMIT, TimeInForce.GTC),
    "ioc": (OrderType.LIMIT, TimeInForce.IOC),
    "fok": (OrderType.LIMIT, TimeInForce.FOK),
    "post_only": (OrderType.LIMIT, TimeInForce.POST_ONLY),
}
#: ``state`` of an order row (#order-book-trading-trade-get-order-details).
STATE_IN = {
    "live": OrderStatus.NEW,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "filled": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "mmp_canceled": OrderStatus.CANCELED,
}
#: ``cancelSource`` values that mean OKX ended the order by its own time-in-force rule, not a
#: cancel (cancelSource enum, order_book_trading.md WS order channel and get-order-details): "13"
#: "FOK order was canceled due to incompletely filled", "14" "IOC order was partially canceled due to
#: incompletely filled", "31" "The post-only order will take liquidity". Such a ``canceled`` order is
#: hedgekit's ``EXPIRED``, as Binance reports an IOC, FOK or GTX order that the book ended.
EXPIRY_SOURCES = frozenset({"13", "14", "31"})


def order_status(row: dict[str, Any]) -> OrderStatus:
    """``state`` as hedgekit's status: ``canceled`` by the venue's time-in-force rule is ``EXPIRED``."""
    status: OrderStatus = enum_of(STATE_IN, row, "state")
    if status is OrderStatus.CANCELED and row.get("cancelSource") in EXPIRY_SOURCES:
        return OrderStatus.EXPIRED
    return status


#: ``state`` of an algo row (#order-book-trading-algo-trading-get-algo-order-details): ``live`` and
#: ``pause`` wait; ``effective`` fired; ``order_failed`` fired and the order was refused.
ALGO_STATE_IN = {
    "live": OrderStatus.NEW,
    "pause": OrderStatus.NEW,
    "partially_effective": OrderStatus.TRIGGERED,
    "effective": OrderStatus.TRIGGERED,
    "canceled": OrderStatus.CANCELED,
    "order_failed": OrderStatus.REJECTED,
    "partially_failed": OrderStatus.REJECTED,
}
#: ``slTriggerPxType``/``tpTriggerPxType``: ``last`` (default), ``index`` or ``mark``.
TRIGGER_PX_TYPE = {WorkingType.MARK_PRICE: "mark", WorkingType.CONTRACT_PRICE: "last"}

#: Every ``ordType`` the algo list serves, one request each, except that ``conditional`` and ``oco``
#: may share one ("For every request, unlike other ordType which only can use one type,
#: conditional and oco both can be used and separated with comma" — #get-algo-order-list).
ALGO_LIST_TYPES = (
    "conditional,oco",
    "trigger",
    "move_order_stop",
    "chase",
    "iceberg",
    "twap",
    "smart_iceberg",
)


# -- requests ----------------------------------------------------------------------------------
def order_params(request: OrderRequest, margin_mode: MarginMode) -> dict[str, Any]:
    """The body of ``POST /api/v5/trade/order`` for a market or limit order.

    ``posSide`` is always sent: long/short in long/short mode ("required"), ``net`` in net mode
    ("omit or explicitly pass net"). ``reduceOnly`` only applies to net mode ("Under long/short mode
    ... all closing orders apply the reduce-only feature"), so it is sent only there.
    """
    plan = request.plan
    if request.quantity is None:
        raise bad("a regular order without a quantity", request.client_order_id)
    params: dict[str, Any] = {
        "instId": request.market.venue_symbol,
        "tdMode": MARGIN_MODE[margin_mode],
        "side": SIDE[plan.side],
        "posSide": POS_SIDE[plan.position_side],
        "ordType": "market",
        "sz": fmt(to_contracts(request.market, request.quantity)),
        "clOrdId": request.client_order_id,
    }
    if request.type is OrderType.LIMIT:
        if request.price is None:
            raise bad("a limit order without a price", request.client_order_id)
        params["ordType"] = LIMIT_ORD_TYPE[request.time_in_force or TimeInForce.GTC]
        params["px"] = fmt(request.price)
    if plan.reduce_only and plan.mode is PositionMode.ONE_WAY:
        params["reduceOnly"] = True
    return params


def algo_params(request: OrderRequest, margin_mode: MarginMode) -> dict[str, Any]:
    """The body of ``POST /api/v5/trade/order-algo`` for a stop, take-profit or trailing stop.

    * stop / take-profit: ``ordType=conditional`` with ``slTriggerPx``/``tpTriggerPx`` and an order
      price of ``-1`` ("If the price is -1, stop-loss will be executed at the market price");
    * trailing stop: ``ordType=move_order_stop`` with ``callbackRatio`` (0.01 = 1 %) and ``activePx``;
    * no quantity: ``closeFraction=1`` closes the whole leg ("If posSide is net, reduceOnly must be
      true"); with a quantity, ``sz`` in contracts.

    hedgekit's id travels as ``algoClOrdId``. It is also sent as ``clOrdId``, so the body is the same
    whoever signs it (ccxt's ``sign`` fills in a ``clOrdId`` and broker ``tag`` on order bodies sent
    as lists; see :mod:`.auth`).
    """
    plan = request.plan
    one_way = plan.mode is PositionMode.ONE_WAY
    params: dict[str, Any] = {
        "instId": request.market.venue_symbol,
        "tdMode": MARGIN_MODE[margin_mode],
        "side": SIDE[plan.side],
        "posSide": POS_SIDE[plan.position_side],
        "algoClOrdId": request.client_order_id,
        "clOrdId": request.client_order_id,
    }
    price_type = TRIGGER_PX_TYPE[request.working_type]
    if request.type is OrderType.TRAILING_STOP_MARKET:
        if request.callback_rate is None:
            raise bad("a trailing stop without a callback rate", request.client_order_id)
        params["ordType"] = "move_order_stop"
        params["callbackRatio"] = fmt(request.callback_rate / HUNDRED)
        if request.activation_price is not None:
            params["activePx"] = fmt(request.activation_price)
    else:
        if request.trigger_price is None:
            raise bad("a stop without a trigger price", request.client_order_id)
        leg = "sl" if request.type is OrderType.STOP_MARKET else "tp"
        params["ordType"] = "conditional"
        params[f"{leg}TriggerPx"] = fmt(request.trigger_price)
        params[f"{leg}OrdPx"] = "-1"
        params[f"{leg}TriggerPxType"] = price_type
    if request.quantity is None:
        params["closeFraction"] = "1"
    else:
        params["sz"] = fmt(to_contracts(request.market, request.quantity))
    if one_way and plan.reduce_only:
        params["reduceOnly"] = True
    return params


# -- responses ---------------------------------------------------------------------------------
def parse_order(row: dict[str, Any], market: Market | None) -> Order:
    """A regular order row (``GET /trade/order``, ``/trade/orders-pending``).

    ``market`` is ``None`` for an instrument hedgekit does not list: the order then carries the
    venue's instrument id and sizes in contracts (it still blocks an account-wide mode switch).

    Each field read is in #order-book-trading-trade-get-order-details' table and required; ``""``
    is taken for ``avgPx`` (empty "If none is filled"), ``clOrdId`` (no client id)
    and, on a market order, ``px`` (place-order: ``px`` is "Only applicable to limit, post_only,
    fok, ioc" orders).
    """
    kind, tif = enum_of(ORD_TYPE_IN, row, "ordType")
    size = req_dec(row, "sz")
    filled = req_dec(row, "accFillSz")
    if market is not None:
        size, filled = from_contracts(market, size), from_contracts(market, filled)
    price = req_dec(row, "px") if kind is OrderType.LIMIT else blank_dec(row, "px")
    average = blank_dec(row, "avgPx")
    return Order(
        venue=VENUE,
        symbol=market.symbol if market is not None else text(row, "instId"),
        order_id=text(row, "ordId"),
        client_order_id=blank_text(row, "clOrdId"),
        side=enum_of(SIDE_IN, row, "side"),
        position_side=enum_of(POS_SIDE_IN, row, "posSide"),
        type=kind,
        status=order_status(row),
        quantity=size,
        filled_quantity=filled,
        price=price if price and kind is OrderType.LIMIT else None,
        average_price=average or None,
        time_in_force=tif,
        reduce_only=str_flag(row, "reduceOnly"),
        conditional=False,
        created_at=when(row, "cTime", required=True),
        updated_at=when(row, "uTime", required=True),
        raw=row,
    )


def _algo_type(row: dict[str, Any]) -> tuple[OrderType, Decimal | None]:
    """The hedgekit type of an algo row and its trigger price.

    ``conditional``/``oco`` with a stop-loss leg is a stop (its ``slTriggerPx``), with only a
    take-profit leg a take-profit; ``trigger`` fires an order when ``triggerPx`` is crossed (a stop);
    ``move_order_stop`` is a trailing stop. ``chase``, ``twap``, ``iceberg`` and ``smart_iceberg``
    work resting orders over time: they are reported as conditional limit orders (``raw`` keeps
    the venue's ``ordType``).
    """
    kind = text(row, "ordType")
    if kind in ("conditional", "oco"):
        # both always sent, "" for the leg the order does not have
        stop, take = blank_dec(row, "slTriggerPx"), blank_dec(row, "tpTriggerPx")
        if stop is not None:
            return OrderType.STOP_MARKET, stop
        if take is None:
            raise bad("a TP/SL order with neither trigger price", row)
        return OrderType.TAKE_PROFIT_MARKET, take
    if kind == "trigger":
        return OrderType.STOP_MARKET, req_dec(row, "triggerPx")
    if kind == "move_order_stop":
        return OrderType.TRAILING_STOP_MARKET, None
    if kind in ("chase", "twap", "iceberg", "smart_iceberg"):
        return OrderType.LIMIT, None
    raise bad(f"unknown algo ordType {kind!r}", row)


def parse_algo_order(row: dict[str, Any], market: Market | None) -> Order:
    """An algo order row (``GET /trade/order-algo``, ``/trade/orders-algo-pending``).

    Each field read is in #order-book-trading-algo-trading-get-algo-order-list's table and
    required; ``""`` is taken for ``sz`` and ``closeFraction`` (an order sets one of them; the
    fraction is a number, ``1`` the whole position), the
    trigger price of the TP/SL leg an order does not have, ``algoClOrdId`` (no client id), and on a
    trailing stop ``activePx`` and ``callbackRatio`` (``callbackSpread`` may be set instead), which
    are read from ``move_order_stop`` rows only ("Only applicable to move_order_stop order").
    """
    kind, trigger = _algo_type(row)
    trailing = kind is OrderType.TRAILING_STOP_MARKET
    close_position = blank_dec(row, "closeFraction") == 1
    size = blank_dec(row, "sz")
    if size is not None and market is not None:
        size = from_contracts(market, size)
    if close_position and not size:
        size = None
    ratio = blank_dec(row, "callbackRatio") if trailing else None
    return Order(
        venue=VENUE,
        symbol=market.symbol if market is not None else text(row, "instId"),
        order_id=text(row, "algoId"),
        client_order_id=blank_text(row, "algoClOrdId"),
        side=enum_of(SIDE_IN, row, "side"),
        position_side=enum_of(POS_SIDE_IN, row, "posSide"),
        type=kind,
        status=enum_of(ALGO_STATE_IN, row, "state"),
        quantity=size,
        price=None,
        trigger_price=trigger,
        activation_price=blank_dec(row, "activePx") if trailing else None,
        callback_rate=ratio * HUNDRED if ratio is not None else None,
        reduce_only=str_flag(row, "reduceOnly"),
        close_position=close_position,
        conditional=True,
        created_at=when(row, "cTime", required=True),
        updated_at=when(row, "uTime", required=True),
        raw=row,
    )
