"""Bybit v5 (``category=linear``) wire format: request parameters out, hedgekit models in.

Parsing is tolerant of unknown fields and strict about the ones it reads: every field a parser
reads must be present and of the type the endpoint's "Response Parameters" table gives, or the
answer raises :class:`~hedgekit.errors.MalformedResponse` naming the field, never ``KeyError``;
``""`` is taken only where that table says the venue sends it. Every number is read from the
venue's string into a Decimal. Sources: ``bybit-exchange/docs``
``docs/v5/{position/position,order/create-order,order/open-order,position/trading-stop,
market/instrument,account/account-info,enum}.mdx`` and shared/VENUES.md §3.

Bybit facts this module encodes:

* ``positionIdx`` (enum.mdx): 0 = one-way, 1 = the Buy (long) side of hedge mode, 2 = the Sell
  (short) side. Sent as a JSON integer on every order, margin and trading-stop request.
* Position rows: ``size`` is unsigned with ``side`` ``Buy``/``Sell``, and ``""`` for an empty leg
  (position.mdx: "either one-way or hedge mode returns an empty string for an empty position").
* Conditional orders live in the same order list, told apart by ``stopOrderType``
  (``Stop``, ``TakeProfit``, ``StopLoss``, ``TrailingStop``, ``Partial*``); ``""``/``UNKNOWN``
  is a plain order (open-order.mdx, enum.mdx). For a ``TrailingStop`` row ``triggerPrice`` is the
  activation price, and the trailing distance lives on the position row (``trailingStop``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
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
    leverage_value,
)

VENUE = "bybit"
CATEGORY = "linear"
SETTLE_COIN = "USDT"

#: positionIdx (enum.mdx #positionidx).
POSITION_IDX = {PositionSide.BOTH: 0, PositionSide.LONG: 1, PositionSide.SHORT: 2}
POSITION_IDX_IN = {v: k for k, v in POSITION_IDX.items()}
SIDE = {Side.BUY: "Buy", Side.SELL: "Sell"}
SIDE_IN = {v: k for k, v in SIDE.items()}
#: timeInForce (enum.mdx #timeinforce); post-only is ``PostOnly``.
TIME_IN_FORCE = {TimeInForce.GTC: "GTC", TimeInForce.IOC: "IOC", TimeInForce.FOK: "FOK",
                 TimeInForce.POST_ONLY: "PostOnly"}
TIME_IN_FORCE_IN = {v: k for k, v in TIME_IN_FORCE.items()}
#: triggerBy (enum.mdx #triggerby).
TRIGGER_BY = {WorkingType.MARK_PRICE: "MarkPrice", WorkingType.CONTRACT_PRICE: "LastPrice"}
#: triggerDirection (create-order.mdx): 1 = fires when the price rises to triggerPrice, 2 = falls to it.
RISES, FALLS = 1, 2
#: orderStatus (enum.mdx #orderstatus); ``Untriggered`` is a waiting conditional order.
STATUS_IN = {
    "New": OrderStatus.NEW,
    "PartiallyFilled": OrderStatus.PARTIALLY_FILLED,
    "Untriggered": OrderStatus.NEW,
    "Triggered": OrderStatus.TRIGGERED,
    "Filled": OrderStatus.FILLED,
    "Cancelled": OrderStatus.CANCELED,
    "PartiallyFilledCanceled": OrderStatus.CANCELED,
    "Deactivated": OrderStatus.CANCELED,
    "Rejected": OrderStatus.REJECTED,
}
#: rejectReason values (enum.mdx #rejectreason) of an order Bybit accepted and then ended by its
#: time-in-force rule: a PostOnly that "would have executed as a taker", a FOK not fully filled, an
#: IOC with no maker to fill it. Such a ``Cancelled`` order is hedgekit's ``EXPIRED``, as Binance
#: reports an IOC, FOK or GTX order that the book ended.
EXPIRY_REASONS = frozenset({"EC_PostOnlyWillTakeLiquidity", "EC_CancelForNoFullFill", "EC_NoImmediateQtyToFill"})


def order_status(row: dict[str, Any]) -> OrderStatus:
    """``orderStatus`` as hedgekit's status; ended by a time-in-force rule (``rejectReason``) is ``EXPIRED``."""
    status: OrderStatus = enum_of(STATUS_IN, row, "orderStatus")
    if status is OrderStatus.CANCELED and row.get("rejectReason") in EXPIRY_REASONS:
        return OrderStatus.EXPIRED
    return status


#: stopOrderType values (enum.mdx #stopordertype) with a fixed hedgekit type; ``Stop`` is decided
#: by side and triggerDirection.
STOP_ORDER_TYPE_IN = {
    "TakeProfit": OrderType.TAKE_PROFIT_MARKET,
    "PartialTakeProfit": OrderType.TAKE_PROFIT_MARKET,
    "StopLoss": OrderType.STOP_MARKET,
    "PartialStopLoss": OrderType.STOP_MARKET,
    "TrailingStop": OrderType.TRAILING_STOP_MARKET,
}
#: marginMode of ``GET /v5/account/info`` (account-info.mdx). Portfolio margin is cross-like.
MARGIN_MODE_IN = {"ISOLATED_MARGIN": MarginMode.ISOLATED, "REGULAR_MARGIN": MarginMode.CROSS,
                  "PORTFOLIO_MARGIN": MarginMode.CROSS}
MARGIN_MODE = {MarginMode.ISOLATED: "ISOLATED_MARGIN", MarginMode.CROSS: "REGULAR_MARGIN"}
#: switch-mode ``mode`` (position-mode.mdx): 0 = "Merged Single", 3 = "Both Sides".
SWITCH_MODE = {PositionMode.ONE_WAY: 0, PositionMode.HEDGE: 3}
_RATE_STEP = Decimal("0.01")
_HUNDRED = Decimal(100)


#: A Decimal as Bybit wants it in a string field: plain notation, no exponent or trailing zeros.
fmt = plain


# -- field readers ------------------------------------------------------------------------------


_READ = PayloadReader(VENUE)
_bad = _READ.bad
obj, text, dec, req_dec, blank_dec = _READ.obj, _READ.text, _READ.dec, _READ.req_dec, _READ.blank_dec
flag, when, enum_of = _READ.flag, _READ.when, _READ.enum_of
#: ``side`` of a position row: "``Buy``: long, ``Sell``: short; return an empty string ``""`` for an
#: empty position" (position.mdx). ``"None"`` is what early v5 answers wrote for an empty position.
POSITION_SIDES = ("Buy", "Sell", "", "None")


def result(payload: Any, what: str) -> dict[str, Any]:
    """The ``result`` object of a v5 envelope (``{"retCode":0,"retMsg":"OK","result":{...}}``)."""
    envelope = obj(payload, what)
    body = envelope.get("result")
    if not isinstance(body, dict):
        raise _bad(f"envelope of {what} has no result object", envelope)
    return body


def listing(payload: Any, what: str, *, paged: bool = True) -> tuple[list[dict[str, Any]], str]:
    """``result.list`` and ``result.nextPageCursor`` (``""`` on the last page).

    A paged listing (position/list, order/realtime, order/history, instruments-info) always has
    the cursor, a string: one missing would end the paging early and drop rows, so it is an error.
    ``paged=False`` for listings without a cursor (market/tickers).
    """
    body = result(payload, what)
    rows = body.get("list")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise _bad(f"result.list of {what} is not a list of objects", body)
    if not paged:
        return rows, ""
    cursor = body.get("nextPageCursor")
    if not isinstance(cursor, str):
        raise _bad(f"result.nextPageCursor of {what} missing or not a string", body)
    return rows, cursor


def positive(row: dict[str, Any], key: str, *, blank: bool = False) -> Decimal | None:
    """A required price field where Bybit writes ``"0"``/``"0.00"`` for "none" (then ``None``);
    ``blank=True`` where it may also write ``""``."""
    value = blank_dec(row, key) if blank else req_dec(row, key)
    return value if value else None


def boolean(row: dict[str, Any], key: str) -> bool:
    """A required field the docs type ``boolean``: a JSON ``true``/``false``."""
    value = row.get(key)
    if not isinstance(value, bool):
        raise _bad(f"field {key!r} missing or not a boolean", row)
    return value


def symbol_of(row: dict[str, Any]) -> str:
    """The venue symbol a row is about: a required, non-empty string."""
    value = row.get("symbol")
    if not isinstance(value, str) or not value:
        raise _bad("field 'symbol' missing or not a symbol", row)
    return value


def integer(row: dict[str, Any], key: str) -> int:
    """A required integer (sent as a JSON number, sometimes as a string)."""
    value = row.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise _bad(f"field {key!r} missing or not an integer", row)


# -- markets (GET /v5/market/instruments-info?category=linear) -----------------------------------
def parse_markets(rows: list[dict[str, Any]]) -> list[Market]:
    """USDT-settled linear perpetuals that are trading (instrument.mdx, Linear/Inverse tab)."""
    out: list[Market] = []
    for row in rows:
        if row.get("contractType") != "LinearPerpetual" or row.get("status") != "Trading":
            continue
        if row.get("settleCoin") != SETTLE_COIN or row.get("quoteCoin") != SETTLE_COIN:
            continue
        price, lot, lev = row.get("priceFilter"), row.get("lotSizeFilter"), row.get("leverageFilter")
        if not isinstance(price, dict) or not isinstance(lot, dict):
            raise _bad("instrument without priceFilter or lotSizeFilter", row)
        max_lev = dec(lev, "maxLeverage") if isinstance(lev, dict) else None
        base = text(row, "baseCoin")
        out.append(
            Market(
                symbol=f"{base}/{SETTLE_COIN}:{SETTLE_COIN}",
                venue_symbol=text(row, "symbol"),
                base=base,
                quote=SETTLE_COIN,
                settle=SETTLE_COIN,
                tick_size=req_dec(price, "tickSize"),
                lot_step=req_dec(lot, "qtyStep"),
                min_quantity=req_dec(lot, "minOrderQty"),
                min_notional=dec(lot, "minNotionalValue") or Decimal(0),
                max_leverage=int(max_lev) if max_lev is not None else None,
                # leverageFilter.leverageStep "The step to increase/reduce leverage" (instrument.mdx)
                leverage_step=(dec(lev, "leverageStep") or Decimal("0.01")) if isinstance(lev, dict) else Decimal("0.01"),
            )
        )
    return out


# -- mode and legs (GET /v5/position/list) ------------------------------------------------------
def parse_mode(rows: list[dict[str, Any]], venue_symbol: str | None = None) -> PositionMode:
    """The mode of one symbol from its position rows: positionIdx 1/2 = hedge, 0 = one-way.

    With ``symbol=`` Bybit "returns data regardless of having position or not" (position.mdx),
    so an empty list is a malformed answer, not "one-way"; so is, with ``venue_symbol``, a row of
    another symbol.
    """
    if not rows:
        raise _bad("position list for a symbol has no row: the mode cannot be read", rows)
    if venue_symbol is not None and any(symbol_of(row) != venue_symbol for row in rows):
        raise _bad(f"position list for {venue_symbol} has rows of another symbol", rows)
    indexes = {enum_of(POSITION_IDX_IN, row, "positionIdx") for row in rows}
    if indexes <= {PositionSide.LONG, PositionSide.SHORT}:
        return PositionMode.HEDGE
    if indexes == {PositionSide.BOTH}:
        return PositionMode.ONE_WAY
    raise _bad("position rows mix one-way and hedge indexes", rows)


def parse_margin_mode(payload: Any) -> MarginMode:
    """``marginMode`` of ``GET /v5/account/info``: Bybit keeps it for the whole account."""
    return enum_of(MARGIN_MODE_IN, result(payload, "account/info"), "marginMode")  # type: ignore[no-any-return]


def leverage_of(row: dict[str, Any]) -> Decimal | None:
    """``leverage``: a decimal string on the 0.01 step (``"10"``, ``"12.5"``); ``""`` under portfolio
    margin (position.mdx), read as ``None``, as is anything below 1."""
    value = blank_dec(row, "leverage")
    if value is None or value < 1:
        return None
    return leverage_value(value)


def parse_legs(row: dict[str, Any], market: Market, margin_mode: MarginMode | None) -> list[Leg]:
    """One position row as legs: positionIdx 1/2 name the leg; a one-way (0) row lands on the leg
    its ``side`` points to, and an empty one-way row is both legs at zero size.

    An empty row (``side: ""``, ``size: "0"``) is a zero-size leg, never "no position".

    Every field read is in position.mdx's table and required, of its type (``positionIdx`` an
    integer, the rest strings), on empty rows too; ``""`` only where the table says Bybit sends it:
    ``liqPrice`` ("keeps "" when liqPrice <= minPrice or liqPrice >= maxPrice", and under portfolio
    margin), ``leverage`` and ``positionIM`` ("" under portfolio margin). ``positionBalance``
    (deprecated), ``positionValue`` (at entry), ``takeProfit``/``stopLoss`` and the rest are not
    read; ``trailingStop`` is read with a TrailingStop order (:func:`callback_rate_of`).
    """
    idx = enum_of(POSITION_IDX_IN, row, "positionIdx")
    size = req_dec(row, "size")
    if size < 0:
        raise _bad("field 'size' is negative (Bybit sizes are unsigned)", row)
    venue_side = text(row, "side")
    if venue_side not in POSITION_SIDES:
        raise _bad(f"field 'side' has unknown value {venue_side!r}", row)
    if size != 0 and venue_side not in ("Buy", "Sell"):
        raise _bad("a non-empty position row without a side", row)
    mark = positive(row, "markPrice")
    entry = positive(row, "avgPrice")
    pnl = req_dec(row, "unrealisedPnl")
    liq = positive(row, "liqPrice", blank=True)
    margin = blank_dec(row, "positionIM")
    leverage = leverage_of(row)
    updated = when(row, "updatedTime", required=True)
    if size == 0:
        # an explicit zero-size leg with what Leg's rule gives a flat leg: the mark, the row's
        # leverage, the account's margin mode and margin 0 (positionIM "0" on an empty row)
        sides = [idx] if idx is not PositionSide.BOTH else [PositionSide.LONG, PositionSide.SHORT]
        return [Leg(venue=VENUE, symbol=market.symbol, side=s, mark_price=mark, margin=Decimal(0),
                    margin_mode=margin_mode, leverage=leverage) for s in sides]
    fields: dict[str, Any] = {
        "venue": VENUE,
        "symbol": market.symbol,
        "size": size,
        "entry_price": entry,
        "mark_price": mark,
        "unrealized_pnl": pnl,
        "liquidation_price": liq,
        "margin": margin,
        "margin_mode": margin_mode,
        "leverage": leverage,
        "notional": size * mark if mark is not None else Decimal(0),  # positionValue is at entry
        "updated_at": updated,
        "raw": row,
    }
    if idx is not PositionSide.BOTH:
        return [Leg(side=idx, **fields)]
    return [Leg(side=PositionSide.LONG if venue_side == "Buy" else PositionSide.SHORT, **fields)]


# -- orders (POST /v5/order/create) --------------------------------------------------------------
def order_params(request: OrderRequest) -> dict[str, Any]:
    """JSON body of ``POST /v5/order/create`` for a market, limit, stop or take-profit order.

    ``positionIdx`` always goes out; a closing intent is the opposite side with the leg's index
    and ``reduceOnly: true`` ("You must specify it as true when you are about to close/reduce the
    position", create-order.mdx). A conditional order without a quantity closes the whole leg:
    ``qty "0"`` + ``reduceOnly`` + ``closeOnTrigger`` ("you can close the position up to
    maxMktOrderQty"). Trailing stops are not orders on Bybit: see :func:`trailing_params`.
    """
    plan = request.plan
    params: dict[str, Any] = {
        "category": CATEGORY,
        "symbol": request.market.venue_symbol,
        "side": SIDE[plan.side],
        "orderType": "Limit" if request.type is OrderType.LIMIT else "Market",
        "qty": fmt(request.quantity) if request.quantity is not None else "0",
        "positionIdx": POSITION_IDX[plan.position_side],
        "orderLinkId": request.client_order_id,
    }
    if request.type is OrderType.LIMIT:
        assert request.price is not None
        params["price"] = fmt(request.price)
        params["timeInForce"] = TIME_IN_FORCE[request.time_in_force or TimeInForce.GTC]
    if plan.reduce_only:
        params["reduceOnly"] = True
    if request.type in (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET):
        assert request.trigger_price is not None
        params["triggerPrice"] = fmt(request.trigger_price)
        params["triggerDirection"] = trigger_direction(request.type, plan.side)
        params["triggerBy"] = TRIGGER_BY[request.working_type]
        params["reduceOnly"] = True
        if request.quantity is None:
            params["closeOnTrigger"] = True
    return params


def trigger_direction(order_type: OrderType, side: Side) -> int:
    """A stop buys when the price rises to it and sells when it falls; a take-profit the reverse."""
    stop = order_type is OrderType.STOP_MARKET
    return RISES if (side is Side.BUY) == stop else FALLS


def trailing_distance(callback_rate: Decimal, reference: Decimal, tick: Decimal) -> Decimal:
    """``callback_rate`` percent of ``reference`` as a price distance on the tick.

    Bybit's ``trailingStop`` is "Trailing stop by price distance" (trading-stop.mdx); hedgekit's
    trailing stop is a percent, converted at placement from the activation price when given, else
    the last price.
    """
    raw = reference * callback_rate / _HUNDRED
    return (raw / tick).quantize(Decimal(1), rounding=ROUND_HALF_EVEN) * tick


def trailing_params(request: OrderRequest, distance: Decimal) -> dict[str, Any]:
    """JSON body of ``POST /v5/position/trading-stop`` setting a whole-position trailing stop."""
    params: dict[str, Any] = {
        "category": CATEGORY,
        "symbol": request.market.venue_symbol,
        "tpslMode": "Full",
        "positionIdx": POSITION_IDX[request.plan.position_side],
        "trailingStop": fmt(distance),
    }
    if request.activation_price is not None:
        params["activePrice"] = fmt(request.activation_price)
    return params


def is_conditional(row: dict[str, Any]) -> bool:
    """True for a row of a conditional order (``stopOrderType`` set, open-order.mdx); the field is
    required, ``""`` or ``UNKNOWN`` on a plain order."""
    kind = text(row, "stopOrderType")
    return kind not in ("", "UNKNOWN")


def _conditional_type(row: dict[str, Any], side: Side) -> OrderType:
    kind = text(row, "stopOrderType")
    if kind in STOP_ORDER_TYPE_IN:
        return STOP_ORDER_TYPE_IN[kind]
    direction = integer(row, "triggerDirection")
    if direction == FALLS:
        return OrderType.STOP_MARKET if side is Side.SELL else OrderType.TAKE_PROFIT_MARKET
    if direction == RISES:
        return OrderType.STOP_MARKET if side is Side.BUY else OrderType.TAKE_PROFIT_MARKET
    return OrderType.STOP_MARKET


def callback_rate_of(row: dict[str, Any], distance: Decimal | None) -> Decimal | None:
    """A trailing stop's percent, read back from its distance and the price it was set against.

    The reference is the activation price (``triggerPrice`` of a TrailingStop row) or else
    ``lastPriceOnCreated`` (a string that open-order.mdx's example leaves ``""``); the result is
    rounded to 0.01 percent.
    """
    if not distance:
        return None
    reference = positive(row, "triggerPrice") or positive(row, "lastPriceOnCreated", blank=True)
    if reference is None:
        return None
    return (distance / reference * _HUNDRED).quantize(_RATE_STEP, rounding=ROUND_HALF_EVEN)


def parse_order(row: dict[str, Any], market: Market, trailing: Decimal | None = None) -> Order:
    """An order row of ``/v5/order/realtime`` or ``/v5/order/history``, regular or conditional.

    ``trailing`` is the leg's ``trailingStop`` distance from the position list, for a TrailingStop row.

    Every field read is in open-order.mdx's table and required, of its type (``positionIdx`` and
    ``triggerDirection`` integers, ``reduceOnly`` and ``closeOnTrigger`` booleans, the rest
    strings); ``avgPrice`` may be ``""`` ("returns "" for those orders without avg price").
    ``lastPriceOnCreated`` is read for a TrailingStop row only.
    """
    side = enum_of(SIDE_IN, row, "side")
    conditional = is_conditional(row)
    qty = req_dec(row, "qty")
    order_type = text(row, "orderType")
    if order_type not in ("Limit", "Market"):
        raise _bad(f"field 'orderType' has unknown value {order_type!r}", row)
    close_on_trigger = boolean(row, "closeOnTrigger")
    close_position = conditional and close_on_trigger and not qty
    integer(row, "triggerDirection")  # 0 on a plain order; decides a Stop row's kind
    kind = _conditional_type(row, side) if conditional else (
        OrderType.LIMIT if order_type == "Limit" else OrderType.MARKET)
    trailing_stop = kind is OrderType.TRAILING_STOP_MARKET
    tif = text(row, "timeInForce")
    price = positive(row, "price")
    trigger = positive(row, "triggerPrice")
    return Order(
        venue=VENUE,
        symbol=market.symbol,
        order_id=text(row, "orderId"),
        client_order_id=text(row, "orderLinkId") or None,
        side=side,
        position_side=enum_of(POSITION_IDX_IN, row, "positionIdx"),
        type=kind,
        status=order_status(row),
        quantity=None if close_position or (trailing_stop and not qty) else qty,
        filled_quantity=req_dec(row, "cumExecQty"),
        price=price if order_type == "Limit" else None,
        average_price=positive(row, "avgPrice", blank=True),
        trigger_price=None if trailing_stop else trigger,
        activation_price=trigger if trailing_stop else None,
        callback_rate=callback_rate_of(row, trailing) if trailing_stop else None,
        time_in_force=TIME_IN_FORCE_IN.get(tif) if not conditional else None,
        reduce_only=boolean(row, "reduceOnly"),
        close_position=close_position or trailing_stop,
        conditional=conditional,
        created_at=when(row, "createdTime", required=True),
        updated_at=when(row, "updatedTime", required=True),
        raw=row,
    )
