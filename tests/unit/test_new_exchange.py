"""``ccxt_bridge.new_exchange``: the same exchange ccxt's own constructor builds, instance by instance."""

from __future__ import annotations

from typing import Any

import pytest

from hedgekit.ccxt_bridge import new_exchange
from hedgekit.ccxt_loader import exchange_class

CONFIG: dict[str, Any] = {
    "apiKey": "key", "secret": "secret", "timeout": 5000, "enableRateLimit": False,
    "options": {"recvWindow": 5000, "adjustForTimeDifference": False},
}


def _shape(value: Any) -> str:
    """A comparable picture of an attribute: its repr, or a callable's qualified name."""
    return getattr(value, "__qualname__", repr(type(value))) if callable(value) else repr(value)


@pytest.mark.parametrize("name", ["aster", "binanceusdm", "bybit", "okx"])
def test_every_instance_matches_ccxts_own(name: str) -> None:
    cls = exchange_class(name)
    plain = cls(dict(CONFIG))
    first, second = new_exchange(cls, CONFIG), new_exchange(cls, CONFIG)  # the full pass, then the short one
    for built in (first, second):
        assert isinstance(built, cls) and type(built).__name__ == cls.__name__
        assert type(built).__module__ == cls.__module__
        ours, theirs = vars(built), vars(plain)
        assert set(ours) == set(theirs)
        assert {k: _shape(v) for k, v in ours.items() if k != "origin"} == {
            k: _shape(v) for k, v in theirs.items() if k != "origin"
        }
        assert built.fetchPositions.__func__ is plain.fetchPositions.__func__  # the camelCase twins
        assert built.apiKey == "key" and built.options["recvWindow"] == 5000
        assert set(dir(built)) - set(dir(plain)) == {"_hk_names"}  # dir is ccxt's again afterwards


def test_instances_share_no_mutable_state() -> None:
    cls = exchange_class("bybit")
    one, two = new_exchange(cls, CONFIG), new_exchange(cls, {**CONFIG, "apiKey": "other"})
    one.options["recvWindow"] = 1
    one.urls["api"]["public"] = "http://127.0.0.1:1"
    one.has["fetchCurrencies"] = False
    assert two.options["recvWindow"] == 5000 and two.apiKey == "other"
    assert two.urls["api"]["public"] != "http://127.0.0.1:1" and two.has["fetchCurrencies"] is not False
    assert one.options is not two.options and one.headers is not two.headers and one.markets is two.markets is None
