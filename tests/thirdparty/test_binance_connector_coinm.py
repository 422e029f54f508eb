"""Binance's own connector for COIN-M (binance-futures-connector ``CMFutures``) against the simulator.

The connector's COIN-M client places a position on ``/dapi``; its own ``change_position_mode`` and
the USDⓈ-M client's are then refused by the one shared setting, and hedgekit names the COIN-M leg.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

import hedgekit
from hedgekit import ModeChangeBlocked, PositionMode
from hedgekit.testing import SimulatedVenue

cm_futures = pytest.importorskip("binance.cm_futures")
um_futures = pytest.importorskip("binance.um_futures")
binance_error = pytest.importorskip("binance.error")


async def _in_thread(fn: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, fn)


async def test_official_coinm_connector_shares_the_mode_with_usdm() -> None:
    async with SimulatedVenue("binance") as venue:
        creds = venue.credentials
        cm = cm_futures.CMFutures(key=creds["api_key"], secret=creds["secret"], base_url=venue.base_url)
        um = um_futures.UMFutures(key=creds["api_key"], secret=creds["secret"], base_url=venue.base_url)
        assert (await _in_thread(cm.get_position_mode)) == {"dualSidePosition": False}
        order = await _in_thread(lambda: cm.new_order(symbol="BTCUSD_PERP", side="BUY", type="MARKET", quantity=4))
        assert (order["symbol"], order["pair"], order["origQty"]) == ("BTCUSD_PERP", "BTCUSD", "4")
        rows = await _in_thread(lambda: cm.get_position_risk(pair="BTCUSD"))
        assert [(r["positionSide"], r["positionAmt"]) for r in rows] == [("BOTH", "4")]

        for client in (cm, um):
            with pytest.raises(binance_error.ClientError) as refused:
                await _in_thread(lambda: client.change_position_mode(dualSidePosition="true"))
            assert refused.value.error_code == -4068

        async with hedgekit.connect("binance", base_url=venue.base_url, **creds) as hk:
            with pytest.raises(ModeChangeBlocked) as blocked:
                await hk.set_position_mode(PositionMode.HEDGE)
        [blocker] = blocked.value.blockers
        assert blocker.symbol == "BTC/USD:BTC" and blocker.leg is not None and blocker.leg.size == Decimal(4)

        await _in_thread(lambda: cm.new_order(symbol="BTCUSD_PERP", side="SELL", type="MARKET", quantity=4))
        assert (await _in_thread(lambda: um.change_position_mode(dualSidePosition="true")))["code"] == 200
        assert (await _in_thread(cm.get_position_mode)) == {"dualSidePosition": True}
