"""How many requests an order and a mode switch cost on OKX, and what an order call returns.

By default an order is one request and comes back as acknowledged (status NEW, the venue's id);
``options={"confirm_orders": True}`` reads it back. A closing order needs no position read when the
adapter knows the leg's margin mode; a mode switch reads ``/account/config`` once.
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
    MarginMode,
    OrderRejected,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    Side,
)
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.faults import FaultKind

from .conftest import BTC, last_body

ORDER = "POST /api/v5/trade/order"
ALGO = "POST /api/v5/trade/order-algo"
POSITIONS = "GET /api/v5/account/positions"


def calls(venue: SimulatedVenue, before: int) -> list[str]:
    return [f"{r.method} {r.path}" for r in venue.requests[before:]]


def connect(venue: SimulatedVenue, **options: Any) -> HedgeClient:
    return hedgekit.connect("okx", base_url=venue.base_url, options=options, **venue.credentials)


# -- orders: the acknowledgement by default --------------------------------------------------------
async def test_an_order_is_one_request_and_comes_back_acknowledged(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    before = len(venue.requests)
    order = await hk.open_long(BTC, Decimal("0.02"))
    assert calls(venue, before) == [ORDER]
    body = last_body(venue, "trade/order")
    assert order.order_id == order.raw["data"][0]["ordId"] and order.client_order_id == body["clOrdId"]
    assert order.status is OrderStatus.NEW and order.filled_quantity == 0 and order.average_price is None
    assert (order.symbol, order.side, order.position_side, order.type, order.quantity) == (
        BTC, Side.BUY, PositionSide.LONG, OrderType.MARKET, Decimal("0.02"))
    filled = await hk.fetch_order(BTC, order_id=order.order_id)  # the venue's view, one request later
    assert filled is not None and filled.status is OrderStatus.FILLED
    assert filled.filled_quantity == Decimal("0.02") and filled.average_price == Decimal("60000")
    assert order == filled.model_copy(update={
        "status": OrderStatus.NEW, "filled_quantity": Decimal(0), "average_price": None,
        "created_at": None, "updated_at": None, "raw": order.raw})


async def test_closing_a_leg_this_client_opened_needs_no_position_read(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.open_long(BTC, Decimal("0.02"))
    before = len(venue.requests)
    close = await hk.close_long(BTC, Decimal("0.01"))
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("55000"))
    assert calls(venue, before) == [ORDER, ALGO]  # the leg's margin mode came from the opening order
    assert last_body(venue, "trade/order")["tdMode"] == "cross"
    assert close.status is OrderStatus.NEW and close.side is Side.SELL and not close.reduce_only  # as OKX lists it
    assert stop.order_id == stop.raw["data"][0]["algoId"] and stop.conditional and stop.close_position
    assert (await hk.legs(BTC)).long.size == Decimal("0.01")


async def test_confirm_orders_reads_every_order_back(venue: SimulatedVenue) -> None:
    async with connect(venue, confirm_orders=True) as hk:
        await hk.set_position_mode(PositionMode.HEDGE)
        before = len(venue.requests)
        order = await hk.open_long(BTC, Decimal("0.02"))
        assert calls(venue, before) == [ORDER, "GET /api/v5/trade/order"]
        assert order.status is OrderStatus.FILLED and order.filled_quantity == Decimal("0.02")
        assert order.average_price == Decimal("60000") and order.created_at is not None
        before = len(venue.requests)
        stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("55000"))
        assert calls(venue, before) == [ALGO, "GET /api/v5/trade/order-algo"]
        assert stop.status is OrderStatus.NEW and stop.raw["algoId"] == stop.order_id  # the row read back
        # the order stands even when the read fails: its acknowledgement comes back, not an error
        venue.inject(FaultKind.SERVER_ERROR, method="GET", path="/api/v5/trade/order")
        order = await hk.open_short(BTC, Decimal("0.01"))
        assert order.status is OrderStatus.NEW and order.raw["data"][0]["ordId"] == order.order_id
        assert (await hk.legs(BTC)).short.size == Decimal("0.01")


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_confirm_orders_must_be_a_bool(venue: SimulatedVenue, value: object) -> None:
    with pytest.raises(ConfigurationError, match="confirm_orders"):
        connect(venue, confirm_orders=value)


# -- the margin mode of a leg, remembered ----------------------------------------------------------
LEARN: dict[str, Callable[[HedgeClient], Awaitable[object]]] = {
    "legs": lambda hk: hk.legs(BTC),
    "positions": lambda hk: hk.positions(),
    "exposure check": lambda hk: hk.set_position_mode(PositionMode.HEDGE),  # already hedge: reads only
}


@pytest.mark.parametrize("read", list(LEARN))
async def test_a_position_read_teaches_the_legs_margin_mode(venue: SimulatedVenue, read: str) -> None:
    async with connect(venue) as first:
        await first.set_position_mode(PositionMode.HEDGE)
        await first.set_margin_mode(BTC, MarginMode.ISOLATED)
        await first.open_long(BTC, Decimal("0.02"))
    async with connect(venue) as second:  # made no choice and placed nothing
        await second.position_mode()
        await LEARN[read](second)
        before = len(venue.requests)
        await second.close_long(BTC, Decimal("0.01"))
        assert calls(venue, before) == [ORDER] and last_body(venue, "trade/order")["tdMode"] == "isolated"


async def test_an_unknown_leg_is_read_before_closing_it(venue: SimulatedVenue) -> None:
    async with connect(venue) as first:
        await first.set_position_mode(PositionMode.HEDGE)
        await first.set_margin_mode(BTC, MarginMode.ISOLATED)
        await first.open_long(BTC, Decimal("0.02"))
    async with connect(venue) as second:
        await second.position_mode()
        before = len(venue.requests)
        await second.close_long(BTC, Decimal("0.01"))
        assert calls(venue, before) == [POSITIONS, ORDER]
        assert last_body(venue, "trade/order")["tdMode"] == "isolated"
        before = len(venue.requests)
        await second.close_long(BTC, Decimal("0.005"))  # read once, remembered
        assert calls(venue, before) == [ORDER]


async def test_a_refused_close_forgets_the_remembered_mode(venue: SimulatedVenue) -> None:
    async with connect(venue) as mine, connect(venue) as other:
        await mine.set_position_mode(PositionMode.HEDGE)
        await mine.open_long(BTC, Decimal("0.01"))  # cross, remembered
        await mine.close_long(BTC, Decimal("0.01"))
        await other.set_margin_mode(BTC, MarginMode.ISOLATED)  # the leg reopens elsewhere, isolated
        await other.open_long(BTC, Decimal("0.01"))
        with pytest.raises(OrderRejected) as info:
            await mine.close_long(BTC, Decimal("0.01"))  # sent as cross: no cross long to close
        assert info.value.code == "51169"
        before = len(venue.requests)
        await mine.close_long(BTC, Decimal("0.01"))
        assert calls(venue, before) == [POSITIONS, ORDER]
        assert last_body(venue, "trade/order")["tdMode"] == "isolated"
        assert (await mine.legs(BTC)).long.size == 0


async def test_a_chosen_margin_mode_needs_no_position_read(venue: SimulatedVenue) -> None:
    async with connect(venue) as mine, connect(venue, margin_mode="isolated") as other:
        await mine.set_position_mode(PositionMode.HEDGE)
        await other.open_short(BTC, Decimal("0.02"))  # isolated, by the other client's default
        await mine.set_margin_mode(BTC, MarginMode.ISOLATED)
        before = len(venue.requests)
        await mine.close_short(BTC, Decimal("0.01"))
        assert calls(venue, before) == [ORDER] and last_body(venue, "trade/order")["tdMode"] == "isolated"


# -- mode switch -----------------------------------------------------------------------------------
async def test_a_switch_reads_the_account_config_once(hk: HedgeClient, venue: SimulatedVenue) -> None:
    for mode in (PositionMode.HEDGE, PositionMode.ONE_WAY):
        before = len(venue.requests)
        await hk.set_position_mode(mode)
        sent = calls(venue, before)
        assert sent.count("GET /api/v5/account/config") == 1  # the mode read; its acctLv is reused
        assert sent[-1] == "POST /api/v5/account/set-position-mode"
        assert all(c.startswith("GET ") for c in sent[:-1])  # all reads went out before the switch


async def test_switch_mode_reads_the_account_level_when_it_was_never_read(hk: HedgeClient,
                                                                          venue: SimulatedVenue) -> None:
    before = len(venue.requests)
    await hk.adapter.switch_mode(PositionMode.HEDGE, None)
    assert calls(venue, before) == ["GET /api/v5/account/config", "POST /api/v5/account/set-position-mode"]
