"""The pytest plugin's fixtures, used as a user's bot test would use them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgekit import HedgeClient, PositionMode
from hedgekit.testing import SimulatedVenue

pytest_plugins = ["pytester"]


@pytest.mark.hedgekit(venue="binance", mark_prices={"BTC/USDT:USDT": Decimal("50000")})
async def test_fixtures_give_a_venue_and_a_bound_client(hedge_client: HedgeClient, simulated_venue: SimulatedVenue) -> None:
    await hedge_client.set_position_mode(PositionMode.HEDGE)
    order = await hedge_client.open_short("BTC/USDT:USDT", Decimal("0.01"))
    assert order.average_price == Decimal("50000")
    assert simulated_venue.engine.leg("BTC/USDT:USDT", "SHORT").size == Decimal("0.01")


async def test_factories(make_simulated_venue, make_hedge_client) -> None:  # type: ignore[no-untyped-def]
    venue = await make_simulated_venue("binance")
    client = await make_hedge_client(venue)
    assert (await client.position_mode()).mode is PositionMode.ONE_WAY


def test_plugin_is_registered_for_users(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    pytester.makepyfile(
        """
        from decimal import Decimal
        from hedgekit import PositionMode

        async def test_bot(hedge_client, simulated_venue):
            await hedge_client.set_position_mode(PositionMode.HEDGE)
            await hedge_client.open_long("BTC/USDT:USDT", Decimal("0.002"))
            assert [r.path for r in simulated_venue.requests if r.method == "POST"][-1] == "/fapi/v1/order"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
