"""Binance's own connector (binance-futures-connector, ``UMFutures``) against the simulator."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

import hedgekit
from hedgekit import PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue
from hedgekit.testing import engine_types as E

um_futures = pytest.importorskip("binance.um_futures")
binance_error = pytest.importorskip("binance.error")

BTC = "BTC/USDT:USDT"


async def _in_thread(fn: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, fn)


async def test_official_connector_agrees_with_the_simulator_and_hedgekit() -> None:
    async with SimulatedVenue("binance", mark_prices={BTC: Decimal("60000")}) as venue:
        creds = venue.credentials
        sdk = um_futures.UMFutures(key=creds["api_key"], secret=creds["secret"], base_url=venue.base_url)
        assert (await _in_thread(sdk.get_position_mode)) == {"dualSidePosition": False}
        assert (await _in_thread(lambda: sdk.change_position_mode(dualSidePosition="true"))) == {
            "code": 200, "msg": "success"}
        assert venue.engine.position_mode() is E.PositionMode.HEDGE

        order = await _in_thread(lambda: sdk.new_order(
            symbol="BTCUSDT", side="BUY", positionSide="LONG", type="MARKET", quantity=0.01, newOrderRespType="RESULT"))
        assert order["status"] == "FILLED" and order["positionSide"] == "LONG"
        await _in_thread(lambda: sdk.new_order(
            symbol="BTCUSDT", side="SELL", positionSide="SHORT", type="LIMIT", quantity=0.02, price=61000,
            timeInForce="GTC"))

        async with hedgekit.connect("binance", base_url=venue.base_url, **creds) as hk:
            assert (await hk.position_mode()).mode is PositionMode.HEDGE
            pair = await hk.legs(BTC)
            assert pair.long.size == Decimal("0.01") and pair.short.size == 0
            [limit] = await hk.open_orders(BTC)
            assert (limit.side, limit.position_side, limit.price) == (hedgekit.Side.SELL, PositionSide.SHORT, Decimal("61000"))
            await hk.stop_market(BTC, PositionSide.LONG, Decimal("58000"))

        rows = await _in_thread(lambda: sdk.get_position_risk(symbol="BTCUSDT"))
        long_row = next(r for r in rows if r["positionSide"] == "LONG")
        assert Decimal(long_row["positionAmt"]) == Decimal("0.01")
        open_rows = await _in_thread(lambda: sdk.get_orders(symbol="BTCUSDT"))
        assert [r["orderId"] for r in open_rows] == [int(limit.order_id)]

        with pytest.raises(binance_error.ClientError) as info:  # reduceOnly in hedge mode
            await _in_thread(lambda: sdk.new_order(
                symbol="BTCUSDT", side="SELL", positionSide="LONG", type="MARKET", quantity=0.01, reduceOnly="true"))
        assert info.value.error_code == -1106
        with pytest.raises(binance_error.ClientError) as blocked:  # exposure blocks the switch
            await _in_thread(lambda: sdk.change_position_mode(dualSidePosition="false"))
        assert blocked.value.error_code in (-4067, -4068)
