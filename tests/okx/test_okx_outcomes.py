"""OKX accepts a post-only order that would take and a FOK order that cannot fill, then cancels
them (``state "canceled"``, ``cancelSource`` "31" / "13"; the cancelSource enum of
order_book_trading.md): no ``51000`` refusal. hedgekit reports them ``EXPIRED``, as Binance reports
an order its book ended, and a user's cancel ``CANCELED``."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

import hedgekit
from hedgekit import HedgeClient, OrderStatus, PositionMode, TimeInForce
from hedgekit.stream_session import OrderUpdate, StreamOptions, StreamUpdate
from hedgekit.testing import SimulatedVenue

from .conftest import BTC
from .test_okx_simulator import Raw, raw  # noqa: F401 (the fixture)

ORDER = {"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "sz": "1"}


async def _one(raw: Raw, path: str) -> dict[str, Any]:
    status, answer = await raw.send("GET", path)
    assert status == 200 and answer["code"] == "0", answer
    (row,) = answer["data"]
    assert isinstance(row, dict)
    return row


@pytest.mark.parametrize("ord_type, px, source", [("post_only", "61000", "31"), ("fok", "59000", "13")])
async def test_accepted_then_canceled_with_its_cancel_source(
    raw: Raw, venue: SimulatedVenue, ord_type: str, px: str, source: str
) -> None:
    status, placed = await raw.send("POST", "/api/v5/trade/order",
                                    {**ORDER, "ordType": ord_type, "px": px, "clOrdId": "hk13x"})
    assert status == 200 and placed["code"] == "0" and placed["data"][0]["sCode"] == "0", placed
    ord_id = placed["data"][0]["ordId"]
    row = await _one(raw, f"/api/v5/trade/order?instId=BTC-USDT-SWAP&ordId={ord_id}")
    assert (row["state"], row["cancelSource"], row["ordType"], row["accFillSz"], row["clOrdId"]) == (
        "canceled", source, ord_type, "0", "hk13x")
    assert row["cancelSourceReason"]
    by_client = await _one(raw, "/api/v5/trade/order?instId=BTC-USDT-SWAP&clOrdId=hk13x")
    assert by_client["ordId"] == ord_id
    _, pending = await raw.send("GET", "/api/v5/trade/orders-pending?instType=SWAP")
    assert pending["data"] == []
    _, history = await raw.send("GET", "/api/v5/trade/orders-history?instType=SWAP&state=canceled")
    assert [(r["ordId"], r["cancelSource"]) for r in history["data"]] == [(ord_id, source)]
    _, cancel = await raw.send("POST", "/api/v5/trade/cancel-order", {"instId": "BTC-USDT-SWAP", "ordId": ord_id})
    assert cancel["data"][0]["sCode"] == "51400"  # it is not live
    assert venue.engine.legs() == [] and venue.engine.all_orders() == []


async def test_orders_history_lists_ended_orders_newest_first(raw: Raw, venue: SimulatedVenue) -> None:
    await raw.send("POST", "/api/v5/trade/order", {**ORDER, "ordType": "market"})
    _, resting = await raw.send("POST", "/api/v5/trade/order", {**ORDER, "ordType": "limit", "px": "50000"})
    await raw.send("POST", "/api/v5/trade/cancel-order",
                   {"instId": "BTC-USDT-SWAP", "ordId": resting["data"][0]["ordId"]})
    await raw.send("POST", "/api/v5/trade/order", {**ORDER, "ordType": "ioc", "px": "50000"})
    _, history = await raw.send("GET", "/api/v5/trade/orders-history?instType=SWAP")
    assert [(r["ordType"], r["state"], r["cancelSource"]) for r in history["data"]] == [
        ("ioc", "canceled", "14"), ("limit", "canceled", "1"), ("market", "filled", "")]
    _, filled = await raw.send("GET", "/api/v5/trade/orders-history?instType=SWAP&state=filled&limit=1")
    assert [r["ordType"] for r in filled["data"]] == ["market"]
    status, missing = await raw.send("GET", "/api/v5/trade/orders-history")
    assert missing["code"] == "50014"  # instType is required


@pytest.mark.parametrize("tif, price", [(TimeInForce.POST_ONLY, "61000"), (TimeInForce.FOK, "59000"),
                                        (TimeInForce.IOC, "59000")])
async def test_the_adapter_reports_the_venue_ending_the_order_as_expired(
    venue: SimulatedVenue, tif: TimeInForce, price: str
) -> None:
    options = {"confirm_orders": True}
    async with hedgekit.connect("okx", base_url=venue.base_url, options=options, **venue.credentials) as hk:
        order = await hk.open_long(BTC, Decimal("0.01"), price=Decimal(price), time_in_force=tif)
        assert order.status is OrderStatus.EXPIRED and order.filled_quantity == 0
        assert order.time_in_force is tif
        again = await hk.fetch_order(BTC, order_id=order.order_id)
        assert again is not None and again.status is OrderStatus.EXPIRED


async def test_a_cancel_by_the_user_stays_canceled(hk: HedgeClient) -> None:
    order = await hk.open_long(BTC, Decimal("0.01"), price=Decimal("50000"))
    canceled = await hk.cancel_order(order)
    assert canceled.status is OrderStatus.CANCELED and canceled.raw["cancelSource"] == "1"


async def test_the_private_stream_pushes_the_canceled_record(hk: HedgeClient) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    session = hk.adapter.stream_session(None, StreamOptions(heartbeat=1.0))
    await session.connect()
    try:
        order = await hk.open_long(BTC, Decimal("0.01"), price=Decimal("61000"), time_in_force=TimeInForce.POST_ONLY)
        seen: list[StreamUpdate] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2
        while not any(isinstance(u, OrderUpdate) and u.order.order_id == order.order_id for u in seen):
            seen += await asyncio.wait_for(session.receive(), max(deadline - loop.time(), 0.01))
        (pushed,) = [u.order for u in seen if isinstance(u, OrderUpdate) and u.order.order_id == order.order_id]
        assert pushed.status is OrderStatus.EXPIRED and pushed.raw["cancelSource"] == "31"
        assert pushed.raw["state"] == "canceled"
    finally:
        await session.close()
