"""What an order call costs and returns on Bybit: the acknowledgement by default, the read-back on request.

``POST /v5/order/create`` answers ``orderId`` and ``orderLinkId`` only (create-order.mdx), so by
default an order is one request and comes back as accepted (status NEW); with
``options={"confirm_orders": True}`` it is read back from ``/v5/order/realtime`` (then
``/v5/order/history``) and comes back as the venue reports it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest

import hedgekit
from hedgekit import (
    ConfigurationError,
    HedgeClient,
    Order,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    Side,
    TimeInForce,
)
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.faults import FaultKind

from .conftest import BTC, body, last

CREATE = "POST /v5/order/create"
UNSEEN = {"status": OrderStatus.NEW, "filled_quantity": Decimal(0), "average_price": None, "created_at": None,
          "updated_at": None}


def calls(venue: SimulatedVenue, before: int) -> list[str]:
    return [f"{r.method} {r.path}" for r in venue.requests[before:]]


def connect(venue: SimulatedVenue, **options: Any) -> HedgeClient:
    return hedgekit.connect("bybit", base_url=venue.base_url, options=options, **venue.credentials)


async def test_an_order_is_one_request_and_comes_back_acknowledged(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    places: list[Callable[[], Awaitable[Order]]] = [
        lambda: hk.open_long(BTC, Decimal("0.020")), lambda: hk.close_long(BTC, Decimal("0.010")),
        lambda: hk.open_short(BTC, Decimal("0.010"), price=Decimal("61000")),
        lambda: hk.stop_market(BTC, PositionSide.LONG, Decimal("55000")),
    ]
    for place in places:
        before = len(venue.requests)
        order = await place()
        assert calls(venue, before) == [CREATE]
        sent = body(last(venue, "POST", "/v5/order/create"))
        assert order.order_id == order.raw["result"]["orderId"] and order.client_order_id == sent["orderLinkId"]
        assert order.status is OrderStatus.NEW and order.filled_quantity == 0
        # the same order as a read-back shows it, but for what happened after it was accepted
        found = await hk.fetch_order(BTC, order_id=order.order_id, conditional=order.conditional)
        assert found is not None
        assert order == found.model_copy(update={**UNSEEN, "raw": order.raw})
    market = await hk.open_long(BTC, Decimal("0.010"))
    assert (market.side, market.position_side, market.type, market.time_in_force, market.reduce_only) == (
        Side.BUY, PositionSide.LONG, OrderType.MARKET, TimeInForce.IOC, False)
    filled = await hk.fetch_order(BTC, order_id=market.order_id)
    assert filled is not None and filled.status is OrderStatus.FILLED and filled.average_price == Decimal("60000")


async def test_confirm_orders_reads_every_order_back(venue: SimulatedVenue) -> None:
    async with connect(venue, confirm_orders=True) as hk:
        await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        before = len(venue.requests)
        order = await hk.open_long(BTC, Decimal("0.020"))
        sent = calls(venue, before)
        assert sent[0] == CREATE and set(sent[1:]) <= {"GET /v5/order/realtime", "GET /v5/order/history"}
        assert order.status is OrderStatus.FILLED and order.filled_quantity == Decimal("0.02")
        assert order.average_price == Decimal("60000") and order.created_at is not None
        stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("55000"))
        assert stop.conditional and stop.status is OrderStatus.NEW and stop.created_at is not None
        # the order stands even when the read fails: its acknowledgement comes back, not an error
        venue.inject(FaultKind.SERVER_ERROR, method="GET", path="/v5/order/realtime")
        order = await hk.open_short(BTC, Decimal("0.010"))
        assert order.status is OrderStatus.NEW and order.raw["result"]["orderId"] == order.order_id
        assert (await hk.legs(BTC)).short.size == Decimal("0.01")


@pytest.mark.parametrize("value", ["true", 1, None])
def test_confirm_orders_must_be_a_bool(venue: SimulatedVenue, value: object) -> None:
    with pytest.raises(ConfigurationError, match="confirm_orders"):
        connect(venue, confirm_orders=value)


async def test_a_resent_client_id_returns_the_order_already_placed(hk: HedgeClient, venue: SimulatedVenue) -> None:
    first = await hk.open_long(BTC, Decimal("0.010"), client_order_id="same-id-1")
    again = await hk.open_long(BTC, Decimal("0.010"), client_order_id="same-id-1")  # 110072: read by orderLinkId
    assert again.order_id == first.order_id and again.status is OrderStatus.FILLED
    assert (await hk.legs(BTC)).long.size == Decimal("0.01")  # placed once
