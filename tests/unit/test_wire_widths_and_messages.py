"""The number gate's exact boundaries and what its refusals say; ccxt's log lines scrubbed whole."""

from __future__ import annotations

import logging
import types
from decimal import Decimal

import pytest

from hedgekit import InvalidRequest, Market, OrderType
from hedgekit.ccxt_bridge import route_logs
from hedgekit.validator import check_order, to_decimal

BTC = Market(
    symbol="BTC/USDT:USDT", venue_symbol="BTCUSDT", base="BTC", quote="USDT", settle="USDT",
    tick_size=Decimal("0.10"), lot_step=Decimal("0.001"), min_quantity=Decimal("0.001"),
    min_notional=Decimal("0"),
)


@pytest.mark.parametrize(("text", "fits"), [
    ("9" * 20, True),  # 20 digits before the point: Binance's wire rule ^([0-9]{1,20})(\.[0-9]{1,20})?$
    ("1" + "0" * 20, False),  # 21
    ("0." + "0" * 19 + "1", True),  # 20 decimals
    ("0." + "0" * 20 + "1", False),  # 21
    ("1" * 20 + "." + "1" * 8, True),  # 28 significant digits
    ("1" * 20 + "." + "1" * 9, False),  # 29
    ("0.0100" + "0" * 30, True),  # trailing zeros do not count
])
def test_the_wire_widths_are_exact(text: str, fits: bool) -> None:
    if fits:
        assert to_decimal(text, "quantity") == Decimal(text)
    else:
        with pytest.raises(InvalidRequest, match="^quantity "):
            to_decimal(text, "quantity")


def test_a_refusal_names_the_field_and_shows_the_value_cut_short() -> None:
    with pytest.raises(InvalidRequest) as info:
        to_decimal(Decimal("1" * 70), "price")
    message = str(info.value)
    assert message.startswith("price Decimal('1111") and "...' " not in message
    shown = message.split(" has more")[0][len("price "):]
    assert len(shown) == 60 and shown.endswith("...")
    with pytest.raises(InvalidRequest) as short:
        to_decimal(Decimal("1E+25"), "price")
    assert "Decimal('1E+25')" in str(short.value) and "..." not in str(short.value)


def test_step_refusals_name_the_symbol_and_the_nearest_values() -> None:
    with pytest.raises(InvalidRequest) as size:
        check_order(BTC, OrderType.MARKET, Decimal("0.0015"))
    assert size.value.symbol == "BTC/USDT:USDT"
    assert "nearest valid sizes: 0.001 or 0.002" in str(size.value)
    with pytest.raises(InvalidRequest) as price:
        check_order(BTC, OrderType.LIMIT, Decimal("0.001"), price=Decimal("60000.05"))
    assert price.value.symbol == "BTC/USDT:USDT"
    assert "nearest: 60000 or 60000.1" in str(price.value) and "sizes" not in str(price.value)


def test_ccxts_lines_are_scrubbed_whole_tracebacks_included(caplog: pytest.LogCaptureFixture) -> None:
    exchange = types.SimpleNamespace()
    route_logs(exchange, "binance", lambda: ("K3Y-SECRET-VALUE",))
    try:
        raise RuntimeError("answer echoed K3Y-SECRET-VALUE")
    except RuntimeError as exc:
        error = exc
    with caplog.at_level(logging.DEBUG, logger="hedgekit_binance.transport"):
        exchange.logger.debug("fetch Request: %s 100%% key=%s", "GET", "K3Y-SECRET-VALUE", exc_info=error,
                              stack_info=True)
        exchange.logger.debug("a line with a bare %")
    records = [r for r in caplog.records if r.name == "hedgekit_binance.transport"]
    assert [r.getMessage() for r in records] == ["fetch Request: GET 100% key=***", "a line with a bare %"]
    for record in records:
        assert record.exc_info is None and record.stack_info is None
        assert "K3Y-SECRET-VALUE" not in logging.Formatter().format(record)
