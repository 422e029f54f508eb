"""Recipe: test a bot against the simulator, with the pytest plugin that ships with hedgekit.

Run it with ``pytest examples/recipe_test_a_bot.py``. The plugin's fixtures give each test a fresh
simulated venue (``simulated_venue``) and a client connected to it (``hedge_client``); the marker
picks the venue. The simulator speaks the venue's own wire format on 127.0.0.1, so the bot runs
exactly the code it runs in production, and the test reads the venue's books and the requests it
received to check what the bot did, including under faults (a lost answer, a slow venue).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgekit import HedgeClient, PositionMode
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.faults import FaultKind

from recipe_hedge_spot import follow_holding

SYMBOL = "BTC/USDT:USDT"
ORDER_PATHS = {"binance": "/fapi/v1/order", "aster": "/fapi/v3/order", "bybit": "/v5/order/create",
               "okx": "/api/v5/trade/order"}


@pytest.mark.parametrize("name", ["binance", "aster", "bybit", "okx"])
async def test_the_hedge_follows_the_holding(name: str, make_simulated_venue, make_hedge_client) -> None:  # type: ignore[no-untyped-def]
    venue: SimulatedVenue = await make_simulated_venue(name, mark_prices={SYMBOL: Decimal("60000")})
    hk: HedgeClient = await make_hedge_client(venue)
    await hk.set_position_mode(PositionMode.HEDGE, SYMBOL)
    step = hk.market(SYMBOL).min_quantity
    assert await follow_holding(hk, step * 30) == step * 30
    assert await follow_holding(hk, step * 10) == step * 10
    assert (await hk.legs(SYMBOL)).short.size == step * 10
    # what the venue saw: an opening sell and a closing buy, nothing else sent as an order
    assert sum(1 for r in venue.requests if r.method == "POST" and r.path == ORDER_PATHS[name]) == 2


@pytest.mark.hedgekit(venue="binance")
async def test_a_lost_answer_does_not_double_the_hedge(hedge_client: HedgeClient,
                                                        simulated_venue: SimulatedVenue) -> None:
    await hedge_client.set_position_mode(PositionMode.HEDGE, SYMBOL)
    # the venue takes the order and the answer is lost: hedgekit finds it by its client id
    simulated_venue.inject(FaultKind.DROP_AFTER, method="POST", path="/fapi/v1/order")
    step = hedge_client.market(SYMBOL).min_quantity
    await follow_holding(hedge_client, step * 20)
    assert simulated_venue.engine.leg(SYMBOL, "SHORT").size == step * 20
