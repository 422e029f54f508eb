"""Binance USDⓈ-M wire format: request parameters out, hedgekit models in.

Parsing is tolerant of unknown fields and strict about the ones it needs: a missing or malformed
field raises :class:`~hedgekit.errors.ExchangeError` naming the field, never ``KeyError``. Every
number is read from the venue's string into a Decimal. Sources: binance-connector-python,
``derivatives_trading_usds_futures/rest_api/models`` (shared/VENUES.md §2).
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
obj, rows, text, opt_text = _READ.obj, _READ.rows, _READ.text, _READ.opt_text
dec, req_dec, flag, when, enum_of = _READ.dec, _READ.req_dec, _READ.flag, _READ.when, _READ.enum_of


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
    """``{"dualSidePosition": true}`` -> HEDGE."""
    row = obj(payload, "positionSide/dual")
    value = row.get("dualSidePosition")
    if isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
    if not isinstance(value, bool):
        raise _bad("field 'dualSidePosition' missing or not a boolean", row)
    return PositionMode.HEDGE if value else PositionMode.ONE_WAY


# -- legs (GET /fapi/v3/positionRisk + GET /fapi/v1/symbolConfig) ------------------------------
def parse_symbol_configs(payload: Any) -> dict[str, dict[str, Any]]:
    """symbolConfig rows by venue symbol: ``marginType`` CROSSED|ISOLATED and ``leverage``."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows(payload, "symbolConfig"):
        out[text(row, "symbol")] = row
    return out


def parse_leg(row: dict[str, Any], market: Market, config: dict[str, Any] | None) -> Leg:
    """One positionRisk v3 row; a one-way (BOTH) row lands on the leg its sign points to."""
    amount = req_dec(row, "positionAmt")
    venue_side = enum_of(POSITION_SIDE_IN, row, "positionSide")
    if venue_side is PositionSide.BOTH:
        side = PositionSide.SHORT if amount < 0 else PositionSide.LONG
    else:
        side = venue_side
    mark = dec(row, "markPrice", required=False)
    entry = dec(row, "entryPrice", required=False)
    liq = dec(row, "liquidationPrice", required=False)
    size = abs(amount)
    margin_mode: MarginMode | None = None
    leverage: int | None = None
    if config is not None:
        kind = config.get("marginType")
        margin_mode = MarginMode.ISOLATED if kind == "ISOLATED" else MarginMode.CROSS if kind == "CROSSED" else None
        lev = config.get("leverage")
        if isinstance(lev, int) and not isinstance(lev, bool):
            leverage = lev
        elif isinstance(lev, str) and lev.isdigit():
            leverage = int(lev)
    isolated = dec(row, "isolatedMargin", required=False) or Decimal(0)
    if margin_mode is None:
        margin_mode = MarginMode.ISOLATED if isolated != 0 else MarginMode.CROSS
    margin = isolated if margin_mode is MarginMode.ISOLATED else dec(row, "initialMargin", required=False)
    notional = dec(row, "notional", required=False)
    if notional is None:
        notional = size * (mark or Decimal(0))
    return Leg(
        venue=VENUE,
        symbol=market.symbol,
        side=side,
        size=size,
        entry_price=entry if size != 0 else None,
        mark_price=mark,
        unrealized_pnl=dec(row, "unRealizedProfit", required=False) or Decimal(0),
        liquidation_price=liq if liq else None,
        margin=margin,
        margin_mode=margin_mode,
        leverage=leverage,
        notional=abs(notional),
        updated_at=when(row, "updateTime"),
        raw=row,
    )


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


def parse_order(payload: Any, market: Market) -> Order:
    """A regular order (``/fapi/v1/order`` answer or an ``openOrders`` row)."""
    row = obj(payload, "order")
    qty = dec(row, "origQty", required=False)
    avg = dec(row, "avgPrice", required=False)
    price = dec(row, "price", required=False)
    stop = dec(row, "stopPrice", required=False)
    tif = row.get("timeInForce")
    return trusted(
        Order,
        venue=VENUE,
        symbol=market.symbol,
        order_id=text(row, "orderId"),
        client_order_id=opt_text(row, "clientOrderId"),
        side=enum_of(SIDE_IN, row, "side"),
        position_side=enum_of(POSITION_SIDE_IN, row, "positionSide"),
        type=ORDER_TYPE_IN.get(str(row.get("type")), OrderType.LIMIT if price else OrderType.MARKET),
        status=enum_of(STATUS_IN, row, "status"),
        quantity=qty,
        filled_quantity=dec(row, "executedQty", required=False) or Decimal(0),
        price=price or None,
        average_price=avg or None,
        trigger_price=stop or None,
        time_in_force=TIME_IN_FORCE_IN.get(tif) if isinstance(tif, str) else None,
        reduce_only=flag(row, "reduceOnly"),
        close_position=flag(row, "closePosition"),
        conditional=False,
        created_at=when(row, "time"),
        updated_at=when(row, "updateTime"),
        raw=row,
    )


def parse_algo_order(payload: Any, market: Market) -> Order:
    """A conditional order of the Algo Service (``/fapi/v1/algoOrder`` answer or an ``openAlgoOrders`` row)."""
    row = obj(payload, "algo order")
    kind = row.get("orderType", row.get("type"))
    if kind not in ORDER_TYPE_IN:
        raise _bad(f"unknown algo orderType {kind!r}", row)
    close_position = flag(row, "closePosition")
    qty = dec(row, "quantity", required=False)
    price = dec(row, "price", required=False)
    return trusted(
        Order,
        venue=VENUE,
        symbol=market.symbol,
        order_id=text(row, "algoId"),
        client_order_id=opt_text(row, "clientAlgoId"),
        side=enum_of(SIDE_IN, row, "side"),
        position_side=enum_of(POSITION_SIDE_IN, row, "positionSide"),
        type=ORDER_TYPE_IN[kind],
        status=enum_of(ALGO_STATUS_IN, row, "algoStatus"),
        quantity=None if close_position and not qty else qty,
        price=price or None,
        trigger_price=dec(row, "triggerPrice", required=False) or None,
        activation_price=dec(row, "activatePrice", required=False) or None,
        callback_rate=dec(row, "callbackRate", required=False) or None,
        reduce_only=flag(row, "reduceOnly"),
        close_position=close_position,
        conditional=True,
        created_at=when(row, "createTime"),
        updated_at=when(row, "updateTime"),
        raw=row,
    )
