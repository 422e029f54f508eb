"""Bybit's trailing stop: not an order type but a setting of the position.

``POST /v5/position/trading-stop {category, symbol, tpslMode: "Full", positionIdx, trailingStop,
activePrice}`` (trading-stop.mdx): "Trailing stop by price distance", "0 means cancel TS", and the
system makes a ``stopOrderType=TrailingStop`` order that covers the whole position and is
cancelled when the position closes. So hedgekit's ``trailing_stop(symbol, leg, quantity,
callback_rate)``:

* requires an open leg and ``quantity`` equal to its size (a partial trailing stop does not exist);
* converts the percent into a price distance: ``callback_rate`` % of the activation price when
  given, else of the last price (``/v5/market/tickers``), rounded to the tick;
* reads the TrailingStop order back from the order list; its ``callback_rate`` is recomputed from
  the leg's ``trailingStop`` distance (:func:`.wire.callback_rate_of`), so it is exact when the
  price Bybit recorded (``lastPriceOnCreated``) is the one the distance was computed from.

There is no ``orderLinkId`` on trading-stop: the order comes back without a client order id, and a
repeated request after an ambiguous failure sets the same distance again (it is idempotent).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hedgekit.adapter import OrderRequest
from hedgekit.errors import ExchangeError, InvalidRequest, MalformedResponse
from hedgekit.models import Market, Order

from hedgekit_bybit import wire

if TYPE_CHECKING:
    from hedgekit_bybit.adapter import BybitAdapter


async def last_price(adapter: BybitAdapter, market: Market) -> Decimal:
    """``lastPrice`` of ``GET /v5/market/tickers`` for one contract."""
    payload = await adapter._call("place_order", "publicGetV5MarketTickers",
                                  {"category": wire.CATEGORY, "symbol": market.venue_symbol})
    with adapter._parsing("market/tickers"):
        rows, _ = wire.listing(payload, "market/tickers", paged=False)  # tickers have no cursor
        if len(rows) != 1 or wire.symbol_of(rows[0]) != market.venue_symbol:
            raise MalformedResponse(f"malformed answer: market/tickers has no single row of {market.venue_symbol}",
                                    venue=adapter.name, symbol=market.symbol)
        price = wire.positive(rows[0], "lastPrice")
    if price is None:
        raise ExchangeError("the ticker has no last price", venue=adapter.name, symbol=market.symbol)
    return price


async def place(adapter: BybitAdapter, request: OrderRequest) -> Order:
    """Set a whole-leg trailing stop and return the TrailingStop order Bybit lists for it."""
    market, idx = request.market, wire.POSITION_IDX[request.plan.position_side]
    rows = await adapter.position_rows(market, operation="place_order")
    with adapter._parsing("position/list"):
        wire.parse_mode(rows, market.venue_symbol)  # the rows are this symbol's, and readable
        row = next((r for r in rows if wire.integer(r, "positionIdx") == idx), None)
        size = wire.req_dec(row, "size") if row is not None else None
    leg = request.plan.intent.leg.value
    if not size:
        raise InvalidRequest(f"Bybit's trailing stop belongs to an open position; the {leg} leg of "
                             f"{market.symbol} is empty", venue=adapter.name, symbol=market.symbol)
    if request.quantity != size:
        raise InvalidRequest(
            f"Bybit's trailing stop is position-level and closes the whole {leg} leg ({size}); "
            f"quantity {request.quantity} differs", venue=adapter.name, symbol=market.symbol)
    reference = request.activation_price or await last_price(adapter, market)
    assert request.callback_rate is not None
    distance = wire.trailing_distance(request.callback_rate, reference, market.tick_size)
    if distance <= 0:
        raise InvalidRequest(f"callback_rate {request.callback_rate}% of {reference} is below the tick "
                             f"{market.tick_size}", venue=adapter.name, symbol=market.symbol)
    await adapter._call("place_order", "privatePostV5PositionTradingStop",
                        wire.trailing_params(request, distance), symbol=market.symbol)
    orders = await adapter.order_rows(market)
    with adapter._parsing("order/realtime"):
        for found in orders:
            if wire.text(found, "stopOrderType") == "TrailingStop" and wire.integer(found, "positionIdx") == idx:
                return wire.parse_order(found, market, distance)
    raise ExchangeError("the trailing stop was set but is not listed", venue=adapter.name, symbol=market.symbol)


async def cancel(adapter: BybitAdapter, market: Market, row: dict[str, Any]) -> str:
    """Cancel a TrailingStop order through its position (``trailingStop: "0"``); returns its id."""
    with adapter._parsing("order/realtime"):
        idx, order_id = wire.integer(row, "positionIdx"), wire.text(row, "orderId")
    params = {"category": wire.CATEGORY, "symbol": market.venue_symbol, "tpslMode": "Full",
              "positionIdx": idx, "trailingStop": "0"}
    await adapter._call("cancel_order", "privatePostV5PositionTradingStop", params, symbol=market.symbol)
    return order_id
