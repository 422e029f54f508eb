"""Recipe: roll a trailing stop as a trade moves into profit.

A long starts with a loose trailing stop (2 % behind the best price). Once the trade is 2 % up, the
stop is rolled to a tight one (0.5 %) to keep most of the gain: the old stop is cancelled and the new
one placed, in that order, so the leg never holds two closing stops that could both fire. Bybit's
trailing stop is position-wide (one per leg, set on the position itself), so there the roll is the
same two calls on the one stop the leg has.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from decimal import Decimal

from hedgekit import HedgeClient, Order, PositionMode, PositionSide

from _venue import SYMBOL, client, on_tick


async def roll(hk: HedgeClient, stop: Order, callback_rate: Decimal) -> Order:
    """Replace ``stop`` with a trailing stop of ``callback_rate`` percent on the same leg and size."""
    await hk.cancel_order(stop)
    quantity = stop.quantity if stop.quantity is not None else (await hk.legs(SYMBOL)).long.size
    return await hk.trailing_stop(SYMBOL, PositionSide.LONG, quantity, callback_rate)


async def main() -> None:
    async with AsyncExitStack() as stack:
        hk, venue = await client(stack)
        await hk.set_position_mode(PositionMode.HEDGE, SYMBOL)
        size = hk.market(SYMBOL).min_quantity * 10
        await hk.open_long(SYMBOL, size)
        entry = (await hk.legs(SYMBOL)).long.entry_price
        assert entry is not None
        stop = await hk.trailing_stop(SYMBOL, PositionSide.LONG, size, Decimal("2"))
        print(f"long {size} @ {entry}, trailing stop {stop.callback_rate} %")
        if venue is None:
            return  # on a real venue the market decides; the roll below is what a bot would do
        venue.set_mark_price(SYMBOL, on_tick(hk, entry * Decimal("1.021")))  # 2.1 % up: time to roll
        stop = await roll(hk, stop, Decimal("0.5"))
        print(f"rolled to {stop.callback_rate} % behind the best price")
        venue.set_mark_price(SYMBOL, on_tick(hk, entry * Decimal("1.03")))   # a new best price
        venue.set_mark_price(SYMBOL, on_tick(hk, entry * Decimal("1.024")))  # 0.6 % back: the stop fires
        pair = await hk.legs(SYMBOL)
        print(f"the stop fired: long leg {pair.long.size}")
        assert pair.long.size == 0 and not await hk.open_orders(SYMBOL)


if __name__ == "__main__":
    asyncio.run(main())
