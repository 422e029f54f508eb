"""What every recipe starts with: a client on the embedded simulator, or on a real venue.

On the simulator unless HEDGEKIT_VENUE, HEDGEKIT_API_KEY and HEDGEKIT_SECRET are set (optionally
HEDGEKIT_PASSWORD, and HEDGEKIT_TESTNET=1 for the venue's test environment). ``venue`` is the
simulator (``None`` on a real venue), for the recipes that move its mark price to show what happens.
"""

from __future__ import annotations

import os
from contextlib import AsyncExitStack
from decimal import Decimal

import hedgekit
from hedgekit.testing import SimulatedVenue

SYMBOL = "BTC/USDT:USDT"


async def client(stack: AsyncExitStack) -> tuple[hedgekit.HedgeClient, SimulatedVenue | None]:
    """A connected client, closed with ``stack``, and the simulator it talks to (if any)."""
    name = os.environ.get("HEDGEKIT_VENUE", "binance")
    if os.environ.get("HEDGEKIT_API_KEY"):
        hk = await stack.enter_async_context(hedgekit.connect(
            name, api_key=os.environ["HEDGEKIT_API_KEY"], secret=os.environ.get("HEDGEKIT_SECRET"),
            password=os.environ.get("HEDGEKIT_PASSWORD"), testnet=os.environ.get("HEDGEKIT_TESTNET") == "1"))
        return hk, None
    venue = await stack.enter_async_context(SimulatedVenue(name, mark_prices={SYMBOL: Decimal("60000")}))
    hk = await stack.enter_async_context(hedgekit.connect(name, base_url=venue.base_url, **venue.credentials))
    return hk, venue


def on_lot(hk: hedgekit.HedgeClient, quantity: Decimal) -> Decimal:
    """``quantity`` rounded down to the contract's lot step."""
    step = hk.market(SYMBOL).lot_step
    return (quantity // step) * step


def on_tick(hk: hedgekit.HedgeClient, price: Decimal) -> Decimal:
    """``price`` rounded down to the contract's tick."""
    tick = hk.market(SYMBOL).tick_size
    return (price // tick) * tick

