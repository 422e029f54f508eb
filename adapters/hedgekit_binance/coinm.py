"""COIN-M exposure on a Binance account: the rows of ``/dapi`` that block a position-mode change.

Since the COIN-M / USDⓈ-M integration (Binance notice published 2026-06-10, effective 2026-06-30,
§A.1; binance-connector-python ``trade_api.change_position_mode``, USDⓈ-M and COIN-M) "UM and CM
share the same dualSidePosition setting": a switch is refused with -4067/-4068 while either side
has an open order or position. So the exposure a Binance switch is checked against includes:

* ``GET /dapi/v1/positionRisk`` (weight 1): legs, rows of CM ``position_information_response_inner``;
* ``GET /dapi/v1/openOrders`` (weight 40 without a symbol): regular orders;
* ``GET /dapi/v1/openAlgoOrders`` (ccxt ``dapiPrivateGetOpenAlgoOrders``, cost 1 / 40 without a
  symbol): conditional orders, which since the integration live on the Algo Service as on
  ``/fapi`` (the notice §C.5; CM ``trade_api.new_order``: stop types "are no longer accepted by this
  endpoint and will return -4120. Use the new /dapi/v1/algoOrder endpoint instead").

Each row becomes a hedgekit :class:`~hedgekit.models.Leg` or :class:`~hedgekit.models.Order` named
by the COIN-M contract's **unified symbol**: ``BTCUSD_PERP`` -> ``BTC/USD:BTC``, a delivery
contract ``BTCUSD_260925`` -> ``BTC/USD:BTC-260925`` (ccxt's form for inverse contracts); the venue
id is in ``raw["symbol"]``. COIN-M trades whole contracts ("quantity measured by contract number",
CM ``trade_api.new_order``; BTC 100 USD, ETH 10 USD each): a COIN-M leg's ``size`` and a COIN-M
order's ``quantity`` are **contracts**, not base units, and PnL is in the coin. These rows only
ever appear as blockers of a mode change; hedgekit does not trade COIN-M.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hedgekit.models import Leg, MarginMode, Order, OrderType, PositionSide, trusted

from hedgekit_binance import wire

VENUE = "binance"

#: ``marginType`` of dapi positionRisk rows ("cross"/"isolated", lower case as on fapi v2).
MARGIN_TYPE_IN = {"cross": MarginMode.CROSS, "isolated": MarginMode.ISOLATED}


def unified_symbol(venue_symbol: str) -> str:
    """The unified symbol of a COIN-M contract id: ``BTCUSD_PERP`` -> ``BTC/USD:BTC``.

    A delivery contract keeps its date: ``BTCUSD_260925`` -> ``BTC/USD:BTC-260925``. An id that is
    not ``<BASE>USD_<suffix>`` is returned as it is (still naming the contract).
    """
    pair, _, suffix = venue_symbol.partition("_")
    if not pair.endswith("USD") or len(pair) <= 3 or not suffix:
        return venue_symbol
    base = pair[:-3]
    unified = f"{base}/USD:{base}"
    return unified if suffix == "PERP" else f"{unified}-{suffix}"


def parse_leg(row: dict[str, Any]) -> Leg | None:
    """One ``/dapi/v1/positionRisk`` row as a leg (size in contracts); ``None`` when it is flat.

    Fields read (CM ``position_information_response_inner``, numbers as strings): ``symbol``,
    ``positionAmt`` (signed contracts), ``positionSide``, ``entryPrice``, ``markPrice``,
    ``unRealizedProfit`` (in the coin), ``liquidationPrice``, ``leverage``, ``marginType``,
    ``isolatedMargin``, ``updateTime``.
    """
    amount = wire.req_dec(row, "positionAmt")
    if amount == 0:
        return None
    venue_side = wire.enum_of(wire.POSITION_SIDE_IN, row, "positionSide")
    side = (PositionSide.SHORT if amount < 0 else PositionSide.LONG) if venue_side is PositionSide.BOTH else venue_side
    margin_mode = wire.enum_of(MARGIN_TYPE_IN, row, "marginType")
    leverage = wire.req_dec(row, "leverage")
    liq = wire.req_dec(row, "liquidationPrice")
    isolated = wire.req_dec(row, "isolatedMargin")
    return Leg(
        venue=VENUE,
        symbol=unified_symbol(wire.symbol_of(row)),
        side=side,
        size=abs(amount),
        entry_price=wire.req_dec(row, "entryPrice"),
        mark_price=wire.req_dec(row, "markPrice"),
        unrealized_pnl=wire.req_dec(row, "unRealizedProfit"),
        liquidation_price=liq or None,
        margin=isolated if margin_mode is MarginMode.ISOLATED else None,
        margin_mode=margin_mode,
        leverage=leverage.quantize(Decimal(1)) if leverage == leverage.to_integral_value() else None,
        updated_at=wire.when(row, "updateTime", required=True),
        raw=row,
    )


def parse_order(row: dict[str, Any]) -> Order:
    """One ``/dapi/v1/openOrders`` row (CM ``current_all_open_orders_response_inner``; quantity in
    contracts). Every field read is in the schema and required."""
    price = wire.req_dec(row, "price")
    stop = wire.req_dec(row, "stopPrice")
    kind = wire.text(row, "type")
    return trusted(
        Order,
        venue=VENUE,
        symbol=unified_symbol(wire.symbol_of(row)),
        order_id=wire.number_id(row, "orderId"),
        client_order_id=wire.text(row, "clientOrderId") or None,
        side=wire.enum_of(wire.SIDE_IN, row, "side"),
        position_side=wire.enum_of(wire.POSITION_SIDE_IN, row, "positionSide"),
        type=wire.ORDER_TYPE_IN.get(kind, OrderType.LIMIT if price else OrderType.MARKET),
        status=wire.enum_of(wire.STATUS_IN, row, "status"),
        quantity=wire.req_dec(row, "origQty"),
        filled_quantity=wire.req_dec(row, "executedQty"),
        price=price or None,
        average_price=wire.dec(row, "avgPrice", required=True) or None,
        trigger_price=stop or None,
        time_in_force=wire.TIME_IN_FORCE_IN.get(wire.text(row, "timeInForce")),
        reduce_only=wire.boolean(row, "reduceOnly"),
        close_position=wire.boolean(row, "closePosition"),
        conditional=False,
        created_at=wire.when(row, "time", required=True),
        updated_at=wire.when(row, "updateTime", required=True),
        raw=row,
    )


def parse_algo_order(row: dict[str, Any]) -> Order:
    """One ``/dapi/v1/openAlgoOrders`` row, read as the ``/fapi`` Algo Service row
    (:func:`hedgekit_binance.wire.parse_algo_order`; that the dapi rows carry the same fields is
    UNCONFIRMED: no COIN-M schema is published). Quantity in contracts."""
    kind = wire.enum_of(wire.ORDER_TYPE_IN, row, "orderType")
    close_position = wire.boolean(row, "closePosition")
    qty = wire.req_dec(row, "quantity")
    price = wire.req_dec(row, "price")
    return trusted(
        Order,
        venue=VENUE,
        symbol=unified_symbol(wire.symbol_of(row)),
        order_id=wire.number_id(row, "algoId"),
        client_order_id=wire.text(row, "clientAlgoId") or None,
        side=wire.enum_of(wire.SIDE_IN, row, "side"),
        position_side=wire.enum_of(wire.POSITION_SIDE_IN, row, "positionSide"),
        type=kind,
        status=wire.enum_of(wire.ALGO_STATUS_IN, row, "algoStatus"),
        quantity=None if close_position and not qty else qty,
        price=price or None,
        trigger_price=wire.req_dec(row, "triggerPrice") or None,
        activation_price=wire.dec(row, "activatePrice", required=False) or None,
        callback_rate=wire.dec(row, "callbackRate", required=False) or None,
        reduce_only=wire.boolean(row, "reduceOnly"),
        close_position=close_position,
        conditional=True,
        created_at=wire.when(row, "createTime", required=True),
        updated_at=wire.when(row, "updateTime", required=True),
        raw=row,
    )


def parse_exposure(positions: Any, orders: Any, algo_orders: Any) -> tuple[list[Leg], list[Order], list[Order]]:
    """The three ``/dapi`` answers as open legs, open orders and open conditional orders."""
    legs = [leg for row in wire.rows(positions, "dapi positionRisk") if (leg := parse_leg(row)) is not None]
    regular = [parse_order(row) for row in wire.rows(orders, "dapi openOrders")]
    conditional = [parse_algo_order(row) for row in wire.rows(algo_orders, "dapi openAlgoOrders")]
    return legs, regular, conditional

