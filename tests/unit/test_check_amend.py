"""An amendment's numbers are checked by the same rules as an order's (validator.check_amend)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgekit import InvalidRequest, Market
from hedgekit.validator import check_amend

MARKET = Market(symbol="ETH/USDT:USDT", venue_symbol="ETHUSDT", base="ETH", quote="USDT",
                settle="USDT", tick_size=Decimal("0.01"), lot_step=Decimal("0.001"), min_quantity=Decimal("0.01"))


@pytest.mark.parametrize("kwargs, message", [
    ({"quantity": Decimal("0.0105")}, "lot step"),
    ({"quantity": Decimal("0.009")}, "below the minimum 0.01"),
    ({"price": Decimal("3000.005")}, "price 3000.005 is not on the tick size"),
    ({"trigger_price": Decimal("2999.999")}, "trigger_price 2999.999 is not on the tick size"),
])
def test_off_step_or_below_minimum_is_refused(kwargs: dict[str, Decimal], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        check_amend(MARKET, **kwargs)


def test_numbers_on_their_steps_pass() -> None:
    check_amend(MARKET, quantity=Decimal("0.011"), price=Decimal("3000.01"), trigger_price=Decimal("2999.99"))
    check_amend(MARKET)  # nothing to change is the caller's refusal, not the numbers'
