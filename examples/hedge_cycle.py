"""Open both legs, read them, protect one, and close everything.

Runs on the embedded simulator unless HEDGEKIT_VENUE, HEDGEKIT_API_KEY and HEDGEKIT_SECRET are set
(optionally HEDGEKIT_TESTNET=1 for the venue's test environment).
"""

from __future__ import annotations

import asyncio
import os
from contextlib import AsyncExitStack
from decimal import Decimal

import hedgekit
from hedgekit import PositionMode, PositionSide
from hedgekit.cli import render_legs

SYMBOL = "BTC/USDT:USDT"


async def main() -> None:
    async with AsyncExitStack() as stack:
        venue_name = os.environ.get("HEDGEKIT_VENUE", "binance")
        if os.environ.get("HEDGEKIT_API_KEY"):
            hk = await stack.enter_async_context(
                hedgekit.connect(
                    venue_name,
                    api_key=os.environ["HEDGEKIT_API_KEY"],
                    secret=os.environ.get("HEDGEKIT_SECRET"),
                    password=os.environ.get("HEDGEKIT_PASSWORD"),
                    testnet=os.environ.get("HEDGEKIT_TESTNET") == "1",
                )
            )
        else:
            from hedgekit.testing import SimulatedVenue

            venue = await stack.enter_async_context(SimulatedVenue(venue_name))
            hk = await stack.enter_async_context(
                hedgekit.connect(venue_name, base_url=venue.base_url, **venue.credentials)
            )
        await hk.set_position_mode(PositionMode.HEDGE)
        size = hk.market(SYMBOL).min_quantity * 10
        await hk.open_long(SYMBOL, size)
        await hk.open_short(SYMBOL, size)
        await hk.stop_market(SYMBOL, PositionSide.LONG, trigger_price=await _below_mark(hk))
        print(render_legs(await hk.legs(SYMBOL)))
        for order in await hk.open_orders(SYMBOL):
            await hk.cancel_order(order)
        for side in (PositionSide.LONG, PositionSide.SHORT):
            await hk.close_leg(SYMBOL, side)
        print(render_legs(await hk.legs(SYMBOL)))


async def _below_mark(hk: hedgekit.HedgeClient) -> Decimal:
    pair = await hk.legs(SYMBOL)
    mark = pair.long.mark_price or pair.short.mark_price
    assert mark is not None
    tick = hk.market(SYMBOL).tick_size
    return ((mark * Decimal("0.95")) // tick) * tick


if __name__ == "__main__":
    asyncio.run(main())
