"""Recipe: a grid on both legs.

Resting limit orders buy on the long leg below the price and sell on the short leg above it. In
hedge mode each fill opens its own leg, so the long grid and the short grid never net against each
other: a swing down fills long levels, a swing up fills short levels, and each leg keeps its own
entry price. At the end the unfilled levels are cancelled.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from decimal import Decimal

from hedgekit import HedgeClient, Order, OrderStatus, PositionMode, PositionSide
from hedgekit.cli import render_legs

from _venue import SYMBOL, client, on_tick

LEVELS = 3
SPACING = Decimal("0.005")  # 0.5 % between levels


async def place_grid(hk: HedgeClient, mid: Decimal, size: Decimal) -> list[Order]:
    """``LEVELS`` long buys below ``mid`` and ``LEVELS`` short sells above it."""
    orders = []
    for level in range(1, LEVELS + 1):
        step = SPACING * level
        orders.append(await hk.open_long(SYMBOL, size, price=on_tick(hk, mid * (1 - step))))
        orders.append(await hk.open_short(SYMBOL, size, price=on_tick(hk, mid * (1 + step))))
    return orders


async def main() -> None:
    async with AsyncExitStack() as stack:
        hk, venue = await client(stack)
        await hk.set_position_mode(PositionMode.HEDGE, SYMBOL)
        mid = await hk.mark_price(SYMBOL)
        size = hk.market(SYMBOL).min_quantity * 2
        grid = await place_grid(hk, mid, size)
        print(f"{len(grid)} grid orders around {mid}")
        if venue is not None:  # the simulator: a swing down through two long levels, then up through one short
            for price in ("59600", "59350", "60000", "60350", "60000"):
                venue.set_mark_price(SYMBOL, Decimal(price))
                await asyncio.sleep(0)
        resting = {o.order_id for o in await hk.open_orders(SYMBOL)}
        filled = [o for o in grid if o.order_id not in resting]
        for order in filled:
            done = await hk.fetch_order(SYMBOL, order_id=order.order_id)
            assert done is not None and done.status is OrderStatus.FILLED
            print(f"filled: {done.position_side.value} {done.quantity} @ {done.average_price}")
        print(render_legs(await hk.legs(SYMBOL)))
        for order in await hk.open_orders(SYMBOL):
            await hk.cancel_order(order)
        for side in (PositionSide.LONG, PositionSide.SHORT):
            await hk.close_leg(SYMBOL, side)


if __name__ == "__main__":
    asyncio.run(main())
