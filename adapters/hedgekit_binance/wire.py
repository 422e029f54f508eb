"""Binance USDⓈ-M wire format: request parameters out, hedgekit models in.

Parsing is tolerant of unknown fields and strict about the ones it reads: every field a parser
reads must be present and of the type of the venue's response schema, or the answer raises
:class:`~hedgekit.errors.MalformedResponse` naming the field, never ``KeyError`` and never a
silently empty value. A field is optional only where the schema leaves it out (each one says so).
Every number is read from the venue's string into a Decimal. Sources: binance-connector-python,
``derivatives_trading_usds_futures/rest_api/models`` (shared/VENUES.md §2), cited below as BNC
``<model>``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hedgekit.adapter import OrderRequest
from hedgekit.payload import PayloadReader, plain
from hedgekit.models import (
    Leg,
    MarginMode,
    Market,
    Order,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    Side,
    TimeInForce,
    WorkingType,
    trusted,
)

VENUE = "binance"
#: "leverage: target initial leverage: int from 1 to 125" (BNC trade_api.change_initial_leverage);
#: a symbol's own brackets may cap it lower, and the venue says so (-4028).
MAX_LEVERAGE = 125

#: positionSide enum of /fapi/v1/order and /fapi/v1/algoOrder (BNC trade_api.new_order).
POSITION_SIDE = {PositionSide.LONG: "LONG", PositionSide.SHORT: "SHORT", PositionSide.BOTH: "BOTH"}
POSITION_SIDE_IN = {v: k for k, v in POSITION_SIDE.items()}
SIDE = {Side.BUY: "BUY", Side.SELL: "SELL"}
SIDE_IN = {v: k for k, v in SIDE.items()}
#: ``type`` of /order and /algoOrder; ``orderType`` in algo rows.
ORDER_TYPE = {
    OrderType.MARKET: "MARKET",
    OrderType.LIMIT: "LIMIT",
    OrderType.STOP_MARKET: "STOP_MARKET",
    OrderType.TAKE_PROFIT_MARKET: "TAKE_PROFIT_MARKET",
    OrderType.TRAILING_STOP_MARKET: "TRAILING_STOP_MARKET",
}
ORDER_TYPE_IN = {v: k for k, v in ORDER_TYPE.items()}
TIME_IN_FORCE = {TimeInForce.GTC: "GTC", TimeInForce.IOC: "IOC", TimeInForce.FOK: "FOK", TimeInForce.POST_ONLY: "GTX"}
TIME_IN_FORCE_IN = {v: k for k, v in TIME_IN_FORCE.items()}
WORKING_TYPE = {WorkingType.MARK_PRICE: "MARK_PRICE", WorkingType.CONTRACT_PRICE: "CONTRACT_PRICE"}
#: Order ``status`` (regular orders).
STATUS_IN = {
    "NEW": OrderStatus.NEW,
    "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
    "FILLED": OrderStatus.FILLED,
    "CANCELED": OrderStatus.CANCELED,
    "EXPIRED": OrderStatus.EXPIRED,
    "EXPIRED_IN_MATCH": OrderStatus.EXPIRED,
    "REJECTED": OrderStatus.REJECTED,
    "NEW_INSURANCE": OrderStatus.FILLED,
    "NEW_ADL": OrderStatus.FILLED,
}
#: ``algoStatus`` of the Algo Service (NEW, CANCELED, TRIGGERING, TRIGGERED, FINISHED, REJECTED, EXPIRED).
ALGO_STATUS_IN = {
    "NEW": OrderStatus.NEW,
    "TRIGGERING": OrderStatus.TRIGGERED,
    "TRIGGERED": OrderStatus.TRIGGERED,
    "FINISHED": OrderStatus.TRIGGERED,
    "CANCELED": OrderStatus.CANCELED,
    "REJECTED": OrderStatus.REJECTED,
    "EXPIRED": OrderStatus.EXPIRED,
}


#: A Decimal as Binance wants it: plain notation, no exponent, no trailing zeros.
fmt = plain


# -- field readers ------------------------------------------------------------------------------
_READ = PayloadReader(VENUE, numbers_required=True)
_bad = _READ.bad
obj, rows, text, opt_text, number_id = _READ.obj, _READ.rows, _READ.text, _READ.opt_text, _READ.number_id
dec, req_dec, flag, when, enum_of = _READ.dec, _READ.req_dec, _READ.flag, _READ.when, _READ.enum_of

#: ``marginType`` of GET /fapi/v1/symbolConfig: "CROSSED|ISOLATED" (BNC account_api.symbol_configuration).
SYMBOL_MARGIN_TYPE_IN = {"CROSSED": MarginMode.CROSS, "ISOLATED": MarginMode.ISOLATED}


def boolean(row: dict[str, Any], key: str) -> bool:
    """A required field the schema types as a JSON boolean (``StrictBool``)."""
    value = row.get(key)
    if not isinstance(value, bool):
        raise _bad(f"field {key!r} missing or not a boolean", row)
    return value


def integer(row: dict[str, Any], key: str) -> int:
    """A required field the schema types as a JSON integer (``StrictInt``)."""
    value = row.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(f"field {key!r} missing or not an integer", row)
    return value


def symbol_of(row: dict[str, Any]) -> str:
    """The venue symbol a row is about: a required, non-empty string."""
    value = row.get("symbol")
    if not isinstance(value, str) or not value:
        raise _bad("field 'symbol' missing or not a symbol", row)
    return value


# -- markets (GET /fapi/v1/exchangeInfo) --------------------------------------------------------
def parse_markets(payload: Any) -> list[Market]:
    """USDT-margined perpetuals that are trading, from exchangeInfo ``symbols``."""
    info = obj(payload, "exchangeInfo")
    out: list[Market] = []
    for row in rows(info.get("symbols"), "exchangeInfo.symbols"):
        if row.get("contractType") != "PERPETUAL" or row.get("status") != "TRADING":
            continue
        if row.get("marginAsset") != "USDT" or row.get("quoteAsset") != "USDT":
            continue
        filters = {f.get("filterType"): f for f in rows(row.get("filters", []), "filters")}
        price_filter = filters.get("PRICE_FILTER")
        lot = filters.get("LOT_SIZE")
        if price_filter is None or lot is None:
            raise _bad("symbol without PRICE_FILTER or LOT_SIZE", row)
        notional = filters.get("MIN_NOTIONAL")
        base, quote = text(row, "baseAsset"), text(row, "quoteAsset")
        out.append(
            Market(
                symbol=f"{base}/{quote}:{quote}",
                venue_symbol=text(row, "symbol"),
                base=base,
                quote=quote,
                settle=quote,
                tick_size=req_dec(price_filter, "tickSize"),
                lot_step=req_dec(lot, "stepSize"),
                min_quantity=req_dec(lot, "minQty"),
                min_notional=(dec(notional, "notional", required=False) or Decimal(0)) if notional else Decimal(0),
                max_leverage=MAX_LEVERAGE,
            )
        )
    return out


# -- mode (GET /fapi/v1/positionSide/dual) ------------------------------------------------------
def parse_mode(payload: Any) -> PositionMode:
    """``{"dualSidePosition": true}`` -> HEDGE: a JSON boolean (BNC get_current_position_mode_response
    ``StrictBool``; AST3 §Get Current Position Mode shows the same), nothing else."""
    row = obj(payload, "positionSide/dual")
    return PositionMode.HEDGE if boolean(row, "dualSidePosition") else PositionMode.ONE_WAY


# -- legs (GET /fapi/v3/positionRisk + GET /fapi/v1/symbolConfig) ------------------------------
SymbolConfig = tuple[MarginMode, Decimal]
"""A symbol's margin mode and leverage, from GET /fapi/v1/symbolConfig."""


def parse_symbol_configs(payload: Any) -> dict[str, SymbolConfig]:
    """symbolConfig rows by venue symbol.

    Row schema (BNC symbol_configuration_response_inner): ``symbol`` string, ``marginType``
    CROSSED|ISOLATED, ``leverage`` integer; ``isAutoAddMargin`` and ``maxNotionalValue`` are not read.
    """
    out: dict[str, SymbolConfig] = {}
    for row in rows(payload, "symbolConfig"):
        mode = enum_of(SYMBOL_MARGIN_TYPE_IN, row, "marginType")
        out[symbol_of(row)] = (mode, Decimal(integer(row, "leverage")))  # whole numbers on Binance
    return out


def parse_leg(row: dict[str, Any], market: Market, config: SymbolConfig | None) -> Leg:
    """One positionRisk v3 row; a one-way (BOTH) row lands on the leg its sign points to.

    Every field read is in the row schema (BNC position_information_v3_response_inner: numbers as
    strings, ``updateTime`` an integer), so every one is required. ``config`` is the symbol's
    symbolConfig (v3 rows carry no ``leverage`` and no ``marginType``); without it (the exposure
    check reads no configs) the margin mode is inferred from ``isolatedMargin``.
    """
    amount = req_dec(row, "positionAmt")
    venue_side = enum_of(POSITION_SIDE_IN, row, "positionSide")
    if venue_side is PositionSide.BOTH:
        side = PositionSide.SHORT if amount < 0 else PositionSide.LONG
    else:
        side = venue_side
    mark = req_dec(row, "markPrice")
    entry = req_dec(row, "entryPrice")
    liq = req_dec(row, "liquidationPrice")
    isolated = req_dec(row, "isolatedMargin")
    initial = req_dec(row, "initialMargin")
    notional = req_dec(row, "notional")
    pnl = req_dec(row, "unRealizedProfit")
    updated = when(row, "updateTime", required=True)
    size = abs(amount)
    leverage: Decimal | None = None
    if config is not None:
        margin_mode, leverage = config
    else:
        margin_mode = MarginMode.ISOLATED if isolated != 0 else MarginMode.CROSS
    return Leg(
        venue=VENUE,
        symbol=market.symbol,
        side=side,
        size=size,
        entry_price=entry if size != 0 else None,
        mark_price=mark,
        unrealized_pnl=pnl,
        liquidation_price=liq if liq else None,
        margin=isolated if margin_mode is MarginMode.ISOLATED else initial,
        margin_mode=margin_mode,
        leverage=leverage,
        notional=abs(notional),
        updated_at=updated,
        raw=row,
    )


def flat_leg(market: Market, side: PositionSide, mark: Decimal, margin_mode: MarginMode, leverage: Decimal) -> Leg:
    """A flat leg of a symbol positionRisk does not list, with the fields a listed flat leg has
    (:class:`~hedgekit.models.Leg`'s rule: mark, leverage and margin mode; margin 0, no entry or
    liquidation price)."""
    return Leg(venue=VENUE, symbol=market.symbol, side=side, mark_price=mark, margin=Decimal(0),
               margin_mode=margin_mode, leverage=leverage)


# -- orders ------------------------------------------------------------------------------------
def order_params(request: OrderRequest) -> dict[str, str]:
    """Parameters of ``POST /fapi/v1/order`` for a market or limit order.

    ``positionSide`` is always sent (LONG/SHORT in hedge mode, BOTH in one-way); ``reduceOnly`` is
    sent only in one-way mode, since Binance refuses it in hedge mode (-1106).
    """
    plan = request.plan
    assert request.quantity is not None
    params = {
        "symbol": request.market.venue_symbol,
        "side": SIDE[plan.side],
        "positionSide": POSITION_SIDE[plan.position_side],
        "type": ORDER_TYPE[request.type],
        "quantity": fmt(request.quantity),
        "newClientOrderId": request.client_order_id,
        "newOrderRespType": "RESULT",
    }
    if request.type is OrderType.LIMIT:
        assert request.price is not None
        params["price"] = fmt(request.price)
        params["timeInForce"] = TIME_IN_FORCE[request.time_in_force or TimeInForce.GTC]
    if plan.reduce_only and plan.mode is PositionMode.ONE_WAY:
        params["reduceOnly"] = "true"
    return params


def algo_params(request: OrderRequest) -> dict[str, str]:
    """Parameters of ``POST /fapi/v1/algoOrder`` (``algoType=CONDITIONAL``) for a conditional order.

    The Algo Service names differ from /order: ``triggerPrice``, ``activatePrice``, ``clientAlgoId``.
    A stop without a quantity closes the whole leg (``closePosition=true``, no reduceOnly).
    """
    plan = request.plan
    params = {
        "algoType": "CONDITIONAL",
        "symbol": request.market.venue_symbol,
        "side": SIDE[plan.side],
        "positionSide": POSITION_SIDE[plan.position_side],
        "type": ORDER_TYPE[request.type],
        "clientAlgoId": request.client_order_id,
        "workingType": WORKING_TYPE[request.working_type],
    }
    if request.quantity is None:
        params["closePosition"] = "true"
    else:
        params["quantity"] = fmt(request.quantity)
        if plan.reduce_only and plan.mode is PositionMode.ONE_WAY:
            params["reduceOnly"] = "true"
    if request.trigger_price is not None:
        params["triggerPrice"] = fmt(request.trigger_price)
    if request.callback_rate is not None:
        params["callbackRate"] = fmt(request.callback_rate)
    if request.activation_price is not None:
        params["activatePrice"] = fmt(request.activation_price)
    return params


def parse_order(payload: Any, market: Market, *, listed: bool = False) -> Order:
    """A regular order: the ``/fapi/v1/order`` answer (new, cancel) or a query/``openOrders`` row.

    Every field read is in all four row schemas (BNC new_order_response, cancel_order_response,
    query_order_response, current_all_open_orders_response_inner) and required, except two that
    the new-order and cancel answers leave out: ``avgPrice`` and ``time``. ``listed=True`` (a query
    or ``openOrders`` row, whose schemas have them) requires those too.
    """
    row = obj(payload, "order")
    price = req_dec(row, "price")
    stop = req_dec(row, "stopPrice")
    avg = dec(row, "avgPrice", required=listed)
    kind = text(row, "type")
    tif = text(row, "timeInForce")  # GTD has no hedgekit twin: None
    return trusted(
        Order,
        venue=VENUE,
        symbol=market.symbol,
        order_id=number_id(row, "orderId"),
        client_order_id=text(row, "clientOrderId") or None,
        side=enum_of(SIDE_IN, row, "side"),
        position_side=enum_of(POSITION_SIDE_IN, row, "positionSide"),
        type=ORDER_TYPE_IN.get(kind, OrderType.LIMIT if price else OrderType.MARKET),
        status=enum_of(STATUS_IN, row, "status"),
        quantity=req_dec(row, "origQty"),
        filled_quantity=req_dec(row, "executedQty"),
        price=price or None,
        average_price=avg or None,
        trigger_price=stop or None,
        time_in_force=TIME_IN_FORCE_IN.get(tif),
        reduce_only=boolean(row, "reduceOnly"),
        close_position=boolean(row, "closePosition"),
        conditional=False,
        created_at=when(row, "time", required=listed),
        updated_at=when(row, "updateTime", required=True),
        raw=row,
    )


def parse_algo_order(payload: Any, market: Market) -> Order:
    """A conditional order of the Algo Service (``/fapi/v1/algoOrder`` answer, a query or an
    ``openAlgoOrders`` row).

    Every field read is in the three row schemas (BNC new_algo_order_response,
    query_algo_order_response, current_all_algo_open_orders_response_inner) and required, except
    ``activatePrice`` and ``callbackRate``: only the new-order answer has them, and only for a
    TRAILING_STOP_MARKET order.
    """
    row = obj(payload, "algo order")
    kind = enum_of(ORDER_TYPE_IN, row, "orderType")
    close_position = boolean(row, "closePosition")
    qty = req_dec(row, "quantity")
    price = req_dec(row, "price")
    return trusted(
        Order,
        venue=VENUE,
        symbol=market.symbol,
        order_id=number_id(row, "algoId"),
        client_order_id=text(row, "clientAlgoId") or None,
        side=enum_of(SIDE_IN, row, "side"),
        position_side=enum_of(POSITION_SIDE_IN, row, "positionSide"),
        type=kind,
        status=enum_of(ALGO_STATUS_IN, row, "algoStatus"),
        quantity=None if close_position and not qty else qty,
        price=price or None,
        trigger_price=req_dec(row, "triggerPrice") or None,
        activation_price=dec(row, "activatePrice", required=False) or None,
        callback_rate=dec(row, "callbackRate", required=False) or None,
        reduce_only=boolean(row, "reduceOnly"),
        close_position=close_position,
        conditional=True,
        created_at=when(row, "createTime", required=True),
        updated_at=when(row, "updateTime", required=True),
        raw=row,
    )
