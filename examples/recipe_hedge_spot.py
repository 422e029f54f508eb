"""Recipe: hedge a spot holding with the short leg, and trade the long leg on its own.

You hold BTC in a spot wallet and want its price risk gone without selling it: a short perpetual
leg of the same size cancels it. Hedge mode keeps that short apart from any long you trade on the
same contract, so a directional long never shrinks the hedge (in one-way mode a buy would). When the
holding changes, the short follows it; the long is left alone. The funding the legs pay or receive
is what the hedge costs to carry: ``hk.funding`` gives each leg's next payment.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from decimal import Decimal

from hedgekit import HedgeClient, PositionMode, PositionSide
from hedgekit.cli import render_legs

from _venue import SYMBOL, client, on_lot


async def follow_holding(hk: HedgeClient, holding: Decimal) -> Decimal:
    """Resize the short leg to ``holding`` (on the lot step); returns the short's new size."""
    target = on_lot(hk, holding)
    short = (await hk.legs(SYMBOL)).short.size
    if target > short:
        await hk.open_short(SYMBOL, target - short)
    elif target < short:
        await hk.close_short(SYMBOL, short - target)
    return target


async def main() -> None:
    async with AsyncExitStack() as stack:
        hk, _ = await client(stack)
        await hk.set_position_mode(PositionMode.HEDGE, SYMBOL)
        market = hk.market(SYMBOL)
        holding = market.min_quantity * 50          # the spot wallet's BTC
        await follow_holding(hk, holding)
        await hk.open_long(SYMBOL, market.min_quantity * 10)   # a trade of its own, beside the hedge
        print(f"holding {holding}: hedged by the short leg, a long trade beside it")
        print(render_legs(await hk.legs(SYMBOL)))

        holding = holding - market.min_quantity * 20   # part of the holding was sold on spot
        await follow_holding(hk, holding)
        pair = await hk.legs(SYMBOL)
        print(f"holding {holding}: the short follows it, the long is untouched")
        print(render_legs(pair))
        assert pair.short.size == on_lot(hk, holding) and pair.long.size == market.min_quantity * 10

        funding = await hk.funding(SYMBOL)  # what carrying the hedge earns or costs at the next payment
        print(f"funding {funding.rate} at {funding.next_funding_time:%H:%M} UTC: short {funding.short.payment}, "
              f"long {funding.long.payment}, net {funding.net}")
        assert funding.net == funding.long.payment + funding.short.payment

        for side in (PositionSide.LONG, PositionSide.SHORT):
            await hk.close_leg(SYMBOL, side)


if __name__ == "__main__":
    asyncio.run(main())
