"""Bybit v5 as it answers: a cursor on every page, trading-stop needs ``positionIdx``, and the
position row's ``breakEvenPrice``, ``positionIMByMp``, ``positionMMByMp`` and ``openTime``
(BYB position.mdx, trading-stop.mdx, open-order.mdx, order-list.mdx)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from hedgekit import HedgeClient, PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue

from .conftest import BTC, ETH, RawClient, body, last

LINEAR_BTC = {"category": "linear", "symbol": "BTCUSDT"}
SHAPES = {
    "/v5/position/list": r"updateAt%3D\d+%2C\d+",  # position.mdx's earlier example: updateAt%3D1672279322668
    "/v5/order/realtime": r"page_args%3D[0-9a-f-]{36}%26symbol%3D\d+%26",  # open-order.mdx
    "/v5/order/history": r"page_token%3D\d+%26",  # order-list.mdx
}


def count(venue: SimulatedVenue, path: str, since: int = 0) -> int:
    return sum(1 for r in venue.requests[since:] if r.path == path)


# ----------------------------------------------------------------------- the cursor on every page
@pytest.mark.parametrize("path", sorted(SHAPES))
async def test_a_page_that_holds_everything_still_carries_a_cursor(
    raw: RawClient, venue: SimulatedVenue, path: str
) -> None:
    venue.engine.place_order("BTCUSDT", "BUY", Decimal("0.001"), order_type="LIMIT", price=Decimal("50000"))
    venue.engine.place_order("BTCUSDT", "BUY", Decimal("0.002"))  # a position, and an order in the history
    _, first, _ = await raw.get(path, {**LINEAR_BTC, "limit": "20"})
    rows, cursor = first["result"]["list"], first["result"]["nextPageCursor"]
    assert first["retCode"] == 0 and 0 < len(rows) < 20
    assert re.fullmatch(SHAPES[path], cursor), cursor
    _, after, _ = await raw.get(path, {**LINEAR_BTC, "limit": "20", "cursor": cursor})
    assert (after["retCode"], after["result"]["list"], after["result"]["nextPageCursor"]) == (0, [], "")


async def test_an_empty_listing_has_no_cursor_and_an_unknown_cursor_is_refused(raw: RawClient) -> None:
    _, empty, _ = await raw.get("/v5/order/realtime", LINEAR_BTC)
    assert (empty["result"]["list"], empty["result"]["nextPageCursor"]) == ([], "")
    _, bad, _ = await raw.get("/v5/order/realtime", {**LINEAR_BTC, "cursor": "page_token%3D1%26"})
    assert bad["retCode"] == 10001


async def test_full_pages_chain_to_the_end(raw: RawClient, venue: SimulatedVenue) -> None:
    for i in range(7):
        venue.engine.place_order("BTCUSDT", "BUY", Decimal("0.001"), order_type="LIMIT", price=Decimal(50000 + i))
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        query: dict[str, Any] = {**LINEAR_BTC, "limit": "3", **({"cursor": cursor} if cursor else {})}
        _, page, _ = await raw.get("/v5/order/realtime", query)
        seen += [row["orderId"] for row in page["result"]["list"]]
        cursor = page["result"]["nextPageCursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 7 and cursor == ""


# ----------------------------------------------------------------------- no round trip for an empty page
async def test_legs_read_one_position_page(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    await hk.open_long(BTC, Decimal("0.010"))
    before = len(venue.requests)
    pair = await hk.legs(BTC)
    assert pair.long.size == Decimal("0.010")
    assert count(venue, "/v5/position/list", before) == 1


async def test_open_orders_read_one_page_when_it_is_short(hk: HedgeClient, venue: SimulatedVenue) -> None:
    for i in range(3):
        venue.engine.place_order("BTCUSDT", "BUY", Decimal("0.001"), order_type="LIMIT", price=Decimal(50000 + i))
    before = len(venue.requests)
    assert len(await hk.open_orders(BTC)) == 3
    reads = [r for r in venue.requests[before:] if r.path == "/v5/order/realtime"]
    assert reads and not any("cursor" in r.params for r in reads)  # one page per read, no empty next page


async def test_a_mode_switch_reads_each_listing_once(hk: HedgeClient, venue: SimulatedVenue) -> None:
    before = len(venue.requests)
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    assert count(venue, "/v5/position/list", before) == 1  # the mode and the exposure share one read
    assert count(venue, "/v5/order/realtime", before) == 1
    assert count(venue, "/v5/position/switch-mode", before) == 1


async def test_legs_read_position_list_once(hk: HedgeClient, venue: SimulatedVenue) -> None:
    """legs() needs the mode and the legs, both from position/list: one request serves both."""
    before = len(venue.requests)
    await hk.legs(BTC)
    assert count(venue, "/v5/position/list", before) == 1


async def test_a_full_page_is_followed(hk: HedgeClient, venue: SimulatedVenue) -> None:
    for i in range(50):  # exactly one page of 50: the cursor is followed once, to an empty page
        venue.engine.place_order("BTCUSDT", "BUY", Decimal("0.001"), order_type="LIMIT", price=Decimal(50000 + i))
    before = len(venue.requests)
    assert len(await hk.adapter.order_rows(hk.adapter.market(BTC))) == 50
    pages = [r for r in venue.requests[before:] if r.path == "/v5/order/realtime"]
    assert len(pages) == 2 and "cursor" not in pages[0].params and pages[1].params["cursor"]


# ----------------------------------------------------------------------- trading-stop needs positionIdx
async def test_trading_stop_without_position_idx_is_refused(raw: RawClient, venue: SimulatedVenue) -> None:
    venue.engine.place_order("BTCUSDT", "BUY", Decimal("0.010"))  # one-way: positionIdx 0 is still required
    _, refused, _ = await raw.post("/v5/position/trading-stop", {**LINEAR_BTC, "tpslMode": "Full",
                                                                "stopLoss": "50000"})
    assert refused["retCode"] == 10001 and "positionIdx" in refused["retMsg"]
    assert venue.engine.conditional_orders() == []
    _, ok, _ = await raw.post("/v5/position/trading-stop", {**LINEAR_BTC, "tpslMode": "Full", "positionIdx": 0,
                                                           "stopLoss": "50000"})
    assert ok["retCode"] == 0 and len(venue.engine.conditional_orders()) == 1


async def test_the_adapter_names_the_leg_on_trading_stop_in_one_way_mode(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(BTC, Decimal("0.010"))  # one-way
    order = await hk.trailing_stop(BTC, PositionSide.LONG, Decimal("0.010"), Decimal("1"))
    assert body(last(venue, "POST", "/v5/position/trading-stop"))["positionIdx"] == 0
    await hk.cancel_order(order)
    assert body(last(venue, "POST", "/v5/position/trading-stop"))["positionIdx"] == 0


# ----------------------------------------------------------------------- the position row's newer fields
async def test_position_rows_carry_break_even_margins_by_mark_and_open_time(
    hk: HedgeClient, raw: RawClient, venue: SimulatedVenue
) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.open_short(BTC, Decimal("0.020"))
    opened = venue.engine.leg("BTCUSDT", "LONG").update_time
    venue.engine.set_mark_price("BTCUSDT", Decimal("61000"))
    _, answer, _ = await raw.get("/v5/position/list", LINEAR_BTC)
    rows = {row["positionIdx"]: row for row in answer["result"]["list"]}
    long, short = rows[1], rows[2]
    eight = Decimal("0.00000001")
    fee = Decimal("0.00055")  # max(taker fee rate, 0.00055); the simulator charges no fee
    assert Decimal(long["breakEvenPrice"]) == (Decimal("60000") / (1 - fee)).quantize(eight)
    assert Decimal(short["breakEvenPrice"]) == (Decimal("60000") / (1 + fee)).quantize(eight)
    for row, size in ((long, Decimal("0.010")), (short, Decimal("0.020"))):
        lever = Decimal(row["leverage"])
        assert Decimal(row["positionIMByMp"]) == (size * 61000 / lever).quantize(eight) == Decimal(row["positionIM"])
        assert Decimal(row["positionMMByMp"]) == Decimal(row["positionMM"]) > 0
        assert isinstance(row["openTime"], int) and row["openTime"] > 0
    assert long["openTime"] == opened
    await hk.open_long(BTC, Decimal("0.010"))  # adding to the leg keeps its open time
    _, later, _ = await raw.get("/v5/position/list", LINEAR_BTC)
    assert {r["positionIdx"]: r["openTime"] for r in later["result"]["list"]}[1] == opened


async def test_an_empty_leg_has_open_time_zero(raw: RawClient, venue: SimulatedVenue) -> None:
    _, answer, _ = await raw.get("/v5/position/list", {"category": "linear", "symbol": "ETHUSDT"})
    (row,) = answer["result"]["list"]
    assert (row["side"], row["openTime"], row["breakEvenPrice"]) == ("", 0, "0")
    venue.engine.place_order("ETHUSDT", "BUY", Decimal("0.10"))
    venue.engine.place_order("ETHUSDT", "SELL", Decimal("0.10"), reduce_only=True)
    _, flat, _ = await raw.get("/v5/position/list", {"category": "linear", "symbol": "ETHUSDT"})
    assert flat["result"]["list"][0]["openTime"] == 0


async def test_legs_expose_the_new_fields_in_raw(hk: HedgeClient) -> None:
    await hk.open_long(ETH, Decimal("0.10"))
    leg = (await hk.legs(ETH)).long
    assert {"breakEvenPrice", "positionIMByMp", "positionMMByMp", "openTime"} <= set(leg.raw)
