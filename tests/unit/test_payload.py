"""The shared payload readers: strict where a field matters, and every error names the venue."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from hedgekit.errors import ExchangeError
from hedgekit.payload import PayloadReader

READ = PayloadReader("testvenue", numbers_required=True)
OKX_LIKE = PayloadReader("okxlike", empty_text=False, floats=False)


def test_numbers() -> None:
    assert READ.dec({"p": "61000.10"}, "p") == Decimal("61000.10")
    assert READ.dec({"p": 5}, "p") == Decimal(5)
    assert READ.dec({"p": 1.5}, "p") == Decimal("1.5")
    assert READ.dec({}, "p", required=False) is None
    assert OKX_LIKE.dec({"p": ""}, "p") is None
    for row in ({}, {"p": ""}, {"p": "abc"}, {"p": "NaN"}, {"p": True}, {"p": [1]}):
        with pytest.raises(ExchangeError, match="testvenue"):
            READ.req_dec(row, "p")
    with pytest.raises(ExchangeError, match="not a number"):
        OKX_LIKE.dec({"p": 1.5}, "p")


def test_text_flags_times_enums() -> None:
    assert READ.text({"id": 12}, "id") == "12"
    assert READ.text({"s": ""}, "s") == ""
    with pytest.raises(ExchangeError):
        OKX_LIKE.text({"s": ""}, "s")
    assert READ.opt_text({"c": ""}, "c") is None
    assert [READ.flag({"f": v}, "f") for v in (True, "true", "FALSE", None, "")] == [True, True, False, False, False]
    with pytest.raises(ExchangeError):
        READ.flag({"f": 1}, "f")
    assert READ.when({"t": "1700000000000"}, "t") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    assert READ.when({"t": 0}, "t") is None
    with pytest.raises(ExchangeError):
        READ.when({"t": "soon"}, "t")
    table = {"BUY": "b", "1": "one", 2: "two"}
    assert READ.enum_of(table, {"s": "BUY"}, "s") == "b"
    assert READ.enum_of(table, {"s": 1}, "s") == "one" and READ.enum_of(table, {"s": 2}, "s") == "two"
    for value in ("SELL", [1], {"a": 1}, True, None):
        with pytest.raises(ExchangeError, match="unknown value"):
            READ.enum_of(table, {"s": value}, "s")


def test_shapes() -> None:
    assert READ.rows([{"a": 1}], "x") == [{"a": 1}]
    for bad in ({"a": 1}, [1], None, "x"):
        with pytest.raises(ExchangeError, match="list of objects"):
            READ.rows(bad, "x")
    with pytest.raises(ExchangeError, match="an object"):
        READ.obj([], "x")
