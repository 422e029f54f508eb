"""Every field of the models a bot reads most has a description that says what it means."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from hedgekit.models import ZERO, Blocker, Leg, LegPair, ModeState, Order, PositionSide

MODELS: list[type[BaseModel]] = [Leg, LegPair, Order, ModeState, Blocker]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_has_a_description(model: type[BaseModel]) -> None:
    missing = [name for name, info in model.model_fields.items() if not (info.description or "").strip()]
    assert not missing, f"{model.__name__} fields without a description: {missing}"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_descriptions_are_in_the_json_schema(model: type[BaseModel]) -> None:
    properties = model.model_json_schema()["properties"]
    assert set(properties) == set(model.model_fields)
    assert all(prop.get("description") for prop in properties.values())


@pytest.mark.parametrize(("model", "field", "unit"), [
    (Leg, "size", "base units"), (Leg, "entry_price", "USDT"), (Leg, "unrealized_pnl", "USDT"),
    (Leg, "notional", "USDT"), (Leg, "margin", "USDT"), (Order, "quantity", "base units"),
    (Order, "price", "USDT"), (Order, "callback_rate", "percent"),
])
def test_money_and_size_fields_name_their_unit(model: type[BaseModel], field: str, unit: str) -> None:
    assert unit in (model.model_fields[field].description or "")


def test_defaults_are_kept() -> None:
    leg = Leg(venue="binance", symbol="BTC/USDT:USDT", side=PositionSide.LONG)
    assert (leg.size, leg.unrealized_pnl, leg.notional) == (ZERO, ZERO, ZERO)
    assert leg.entry_price is None and leg.leverage is None
    assert Order.model_fields["filled_quantity"].default == 0
    assert ModeState.model_fields["uniform"].default is True
