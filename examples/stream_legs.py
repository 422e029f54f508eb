"""Print per-leg updates live while a stop and a trailing stop fire.

Runs on the embedded simulator unless HEDGEKIT_VENUE, HEDGEKIT_API_KEY and HEDGEKIT_SECRET are set
(optionally HEDGEKIT_PASSWORD, and HEDGEKIT_TESTNET=1 for the venue's test environment). On the
simulator the script moves the mark price itself: down through the long leg's stop, then down and
back up so the short leg's trailing stop fires. On a real venue it places the same orders and
prints what the venue pushes until both stops have fired and closed their legs (or 10 minutes pass).
"""

from __future__ import annotations

import asyncio
import os
from contextlib import AsyncExitStack
from decimal import Decimal

import hedgekit
from hedgekit import LegChanged, OrderChanged, OrderStatus, PositionMode, PositionSide, Resynced
from hedgekit.cli import render_legs

SYMBOL = "BTC/USDT:USDT"


def show(event: hedgekit.StreamEvent) -> None:
    if isinstance(event, LegChanged):
        leg = event.leg
        print(f"  {leg.side.value:<5} size {leg.size} entry {leg.entry_price} uPnL {leg.unrealized_pnl}")
    elif isinstance(event, OrderChanged):
        order, fill = event.order, event.fill
        what = f", fill {fill.quantity} @ {fill.price}" if fill is not None else ""
        print(f"  order {order.type.value} {order.position_side.value} {order.status.value}{what}")
    elif isinstance(event, Resynced):
        print(f"  resynced: {event.reason}")


async def main() -> None:
    async with AsyncExitStack() as stack:
        venue_name = os.environ.get("HEDGEKIT_VENUE", "binance")
        venue = None
        if os.environ.get("HEDGEKIT_API_KEY"):
            hk = await stack.enter_async_context(hedgekit.connect(
                venue_name, api_key=os.environ["HEDGEKIT_API_KEY"], secret=os.environ.get("HEDGEKIT_SECRET"),
                password=os.environ.get("HEDGEKIT_PASSWORD"), testnet=os.environ.get("HEDGEKIT_TESTNET") == "1",
            ))
        else:
            from hedgekit.testing import SimulatedVenue

            venue = await stack.enter_async_context(SimulatedVenue(venue_name))
            hk = await stack.enter_async_context(
                hedgekit.connect(venue_name, base_url=venue.base_url, **venue.credentials))
        await hk.set_position_mode(PositionMode.HEDGE, SYMBOL)
        market = hk.market(SYMBOL)
        size = market.min_quantity * 10
        stream = await stack.enter_async_context(hk.stream([SYMBOL]))
        await hk.open_long(SYMBOL, size)
        await hk.open_short(SYMBOL, size)
        mark = (await hk.legs(SYMBOL)).long.mark_price
        assert mark is not None
        tick = market.tick_size
        stop = await hk.stop_market(SYMBOL, PositionSide.LONG, (mark * Decimal("0.98")) // tick * tick)
        trail = await hk.trailing_stop(SYMBOL, PositionSide.SHORT, size, Decimal("1"))
        print(f"{venue_name}: both legs open, a stop on the long leg, a 1% trailing stop on the short leg")
        print(render_legs(stream.legs(SYMBOL)))

        async def follow() -> None:
            # done once both stops have fired and the events of both legs going flat are shown
            fired: set[str] = set()
            flat: set[PositionSide] = set()
            async for event in stream:
                show(event)
                if isinstance(event, OrderChanged) and event.order.order_id in (stop.order_id, trail.order_id) \
                        and event.order.status is not OrderStatus.NEW:
                    fired.add(event.order.order_id)
                elif isinstance(event, LegChanged):
                    (flat.add if event.leg.size == 0 else flat.discard)(event.leg.side)
                if len(fired) == 2 and len(flat) == 2:
                    return

        follower = asyncio.ensure_future(follow())
        if venue is not None:  # the simulator: move the market through both stops
            for step in ("0.99", "0.975", "0.96", "0.955", "0.965", "0.975"):
                await asyncio.sleep(0.05)
                venue.set_mark_price(SYMBOL, (mark * Decimal(step)) // tick * tick)
        await asyncio.wait_for(follower, 600)
        print("both stops fired; the stream's legs:")
        print(render_legs(stream.legs(SYMBOL)))


if __name__ == "__main__":
    asyncio.run(main())
