"""A third-party client, Bybit's official ``pybit`` SDK, agrees with the simulator's state and with hedgekit.

pybit's ``HTTP`` session is synchronous (``requests``), so each call runs in a worker thread while
the simulator serves on the test's event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from hedgekit import HedgeClient, OrderType, PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue
from hedgekit.testing import engine_types as E

from .conftest import BTC

pybit = pytest.importorskip("pybit.unified_trading")
exceptions = pytest.importorskip("pybit.exceptions")


def session(venue: SimulatedVenue, secret: str | None = None) -> Any:
    http = pybit.HTTP(api_key=venue.credentials["api_key"], api_secret=secret or venue.credentials["secret"],
                      max_retries=1)
    http.endpoint = venue.base_url  # pybit builds https://api.bybit.com; point it at the simulator
    return http


async def call(fn: Callable[..., Any], **kwargs: Any) -> Any:
    return await asyncio.to_thread(fn, **kwargs)


async def test_pybit_switches_mode_places_orders_and_lists_them(hk: HedgeClient, venue: SimulatedVenue) -> None:
    http = session(venue)
    answer = await call(http.switch_position_mode, category="linear", symbol="BTCUSDT", mode=3)
    assert answer["retCode"] == 0 and answer["result"] == {}
    assert venue.engine.position_mode("BTCUSDT") is E.PositionMode.HEDGE
    assert (await hk.position_mode(BTC)).mode is PositionMode.HEDGE

    long = await call(http.place_order, category="linear", symbol="BTCUSDT", side="Buy", orderType="Market",
                      qty="0.01", positionIdx=1, orderLinkId="pybit-long-1")
    await call(http.place_order, category="linear", symbol="BTCUSDT", side="Sell", orderType="Market",
               qty="0.02", positionIdx=2)
    limit = await call(http.place_order, category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit",
                       qty="0.005", price="55000", positionIdx=1, timeInForce="GTC")
    assert long["result"]["orderLinkId"] == "pybit-long-1"

    positions = await call(http.get_positions, category="linear", symbol="BTCUSDT")
    rows = {row["positionIdx"]: row for row in positions["result"]["list"]}
    assert set(rows) == {1, 2}
    assert (rows[1]["side"], rows[1]["size"], rows[2]["side"], rows[2]["size"]) == ("Buy", "0.010", "Sell", "0.020")
    pair = await hk.legs(BTC)
    assert pair.long.size == Decimal(rows[1]["size"]) and pair.short.size == Decimal(rows[2]["size"])
    assert pair.long.entry_price == Decimal(rows[1]["avgPrice"])
    assert venue.engine.leg("BTCUSDT", "LONG").size == pair.long.size

    opened = await call(http.get_open_orders, category="linear", symbol="BTCUSDT")
    listed = opened["result"]["list"]
    assert [o["orderId"] for o in listed] == [limit["result"]["orderId"]]
    assert (listed[0]["positionIdx"], listed[0]["orderStatus"], listed[0]["price"]) == (1, "New", "55000.00")
    ours = await hk.open_orders(BTC)
    assert [(o.order_id, o.type, o.position_side) for o in ours] == [
        (limit["result"]["orderId"], OrderType.LIMIT, PositionSide.LONG)]

    # hedgekit's own orders are visible to pybit the same way
    stop = await hk.stop_market(BTC, PositionSide.SHORT, Decimal("65000"))
    stops = await call(http.get_open_orders, category="linear", symbol="BTCUSDT", orderFilter="StopOrder")
    (row,) = stops["result"]["list"]
    assert (row["orderId"], row["stopOrderType"], row["orderStatus"]) == (stop.order_id, "Stop", "Untriggered")
    assert (row["triggerDirection"], row["positionIdx"], row["closeOnTrigger"]) == (1, 2, True)


async def test_pybit_sees_bybit_refusals(venue: SimulatedVenue) -> None:
    http = session(venue)
    await call(http.switch_position_mode, category="linear", symbol="BTCUSDT", mode=3)
    with pytest.raises(exceptions.InvalidRequestError) as info:  # positionIdx 0 in hedge mode
        await call(http.place_order, category="linear", symbol="BTCUSDT", side="Buy", orderType="Market",
                   qty="0.01", positionIdx=0)
    assert info.value.status_code == 10001 and "position idx not match position mode" in info.value.message
    with pytest.raises(exceptions.InvalidRequestError) as again:
        await call(http.switch_position_mode, category="linear", symbol="BTCUSDT", mode=3)
    assert again.value.status_code == 110025
    with pytest.raises(exceptions.InvalidRequestError) as bad:
        await call(session(venue, secret="x" * 36).get_positions, category="linear", symbol="BTCUSDT")
    assert bad.value.status_code == 10004 and bad.value.message.startswith("error sign! origin_string[")
