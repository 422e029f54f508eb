"""Bybit accepts a PostOnly order that would take and a FOK order that cannot fill, then cancels
them: ``orderStatus "Cancelled"`` with ``rejectReason`` ``EC_PostOnlyWillTakeLiquidity`` /
``EC_CancelForNoFullFill`` (enum.mdx #rejectreason), the same row in order/realtime and
order/history. hedgekit reports them ``EXPIRED`` (ended by the venue's time-in-force rule, as
Binance reports it); a user's cancel stays ``CANCELED``."""

from __future__ import annotations

from decimal import Decimal

import pytest

import hedgekit
from hedgekit import HedgeClient, OrderStatus, TimeInForce
from hedgekit.testing import SimulatedVenue

from .conftest import BTC, RawClient

LINEAR_BTC = {"category": "linear", "symbol": "BTCUSDT"}


@pytest.mark.parametrize("tif, price, reason", [("PostOnly", "61000", "EC_PostOnlyWillTakeLiquidity"),
                                                ("FOK", "59000", "EC_CancelForNoFullFill")])
async def test_realtime_and_history_show_the_same_cancelled_row(
    raw: RawClient, venue: SimulatedVenue, tif: str, price: str, reason: str
) -> None:
    _, made, _ = await raw.post("/v5/order/create", {**LINEAR_BTC, "side": "Buy", "orderType": "Limit", "qty": "0.01",
                                                     "price": price, "timeInForce": tif, "orderLinkId": "hk13-1"})
    assert made["retCode"] == 0, made
    order_id = made["result"]["orderId"]
    _, realtime, _ = await raw.get("/v5/order/realtime", {**LINEAR_BTC, "orderId": order_id})
    _, history, _ = await raw.get("/v5/order/history", {**LINEAR_BTC, "orderLinkId": "hk13-1"})
    (live_row,), (past_row,) = realtime["result"]["list"], history["result"]["list"]
    assert live_row == past_row
    assert (past_row["orderStatus"], past_row["rejectReason"], past_row["timeInForce"], past_row["cumExecQty"]) == (
        "Cancelled", reason, tif, "0.000")
    _, listing, _ = await raw.get("/v5/order/history", LINEAR_BTC)
    assert [r["orderId"] for r in listing["result"]["list"]] == [order_id]
    _, open_now, _ = await raw.get("/v5/order/realtime", LINEAR_BTC)
    assert open_now["result"]["list"] == []
    assert venue.engine.legs() == []


@pytest.mark.parametrize("tif, price", [(TimeInForce.POST_ONLY, "61000"), (TimeInForce.FOK, "59000")])
async def test_the_adapter_reports_the_venue_ending_the_order_as_expired(
    venue: SimulatedVenue, tif: TimeInForce, price: str
) -> None:
    async with hedgekit.connect("bybit", base_url=venue.base_url, options={"confirm_orders": True},
                                **venue.credentials) as hk:
        order = await hk.open_long(BTC, Decimal("0.01"), price=Decimal(price), time_in_force=tif)
        assert order.status is OrderStatus.EXPIRED and order.filled_quantity == 0
        assert order.time_in_force is tif
        again = await hk.fetch_order(BTC, client_order_id=order.client_order_id)
        assert again is not None and again.status is OrderStatus.EXPIRED


async def test_without_read_back_the_order_is_accepted_and_reads_expired_later(hk: HedgeClient) -> None:
    order = await hk.open_long(BTC, Decimal("0.01"), price=Decimal("61000"), time_in_force=TimeInForce.POST_ONLY)
    assert order.status is OrderStatus.NEW  # create-order answers orderId only: Bybit is asynchronous
    found = await hk.fetch_order(BTC, order_id=order.order_id)
    assert found is not None and found.status is OrderStatus.EXPIRED
    assert found.raw["rejectReason"] == "EC_PostOnlyWillTakeLiquidity"


async def test_a_cancel_by_the_user_stays_canceled(hk: HedgeClient) -> None:
    order = await hk.open_long(BTC, Decimal("0.01"), price=Decimal("50000"))
    canceled = await hk.cancel_order(order)
    assert canceled.status is OrderStatus.CANCELED and canceled.raw["rejectReason"] == "EC_NoError"
