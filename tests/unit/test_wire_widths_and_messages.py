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


# -- check_order boundaries --------------------------------------------------------------------
@pytest.mark.parametrize("field", ["trigger_price", "activation_price"])
def test_a_zero_price_is_refused_by_name(field: str) -> None:
    kwargs: dict[str, object] = {"trigger_price": Decimal("55000")} if field == "activation_price" else {}
    order_type = OrderType.TRAILING_STOP_MARKET if field == "activation_price" else OrderType.STOP_MARKET
    if field == "activation_price":
        kwargs = {"callback_rate": Decimal("1")}
    kwargs[field] = Decimal("0")
    with pytest.raises(InvalidRequest, match=f"^{field} must be greater than zero, not 0"):
        check_order(BTC, order_type, Decimal("0.001"), opens=False, **kwargs)  # type: ignore[arg-type]


def test_a_price_off_the_tick_is_refused_by_name() -> None:
    with pytest.raises(InvalidRequest, match="^trigger_price 55000.05 is not on the tick size"):
        check_order(BTC, OrderType.STOP_MARKET, Decimal("0.001"), trigger_price=Decimal("55000.05"), opens=False)


@pytest.mark.parametrize(("rate", "fits"), [("0", False), ("0.001", True), ("100", True), ("100.01", False)])
def test_the_callback_rate_is_a_percent_above_zero_and_at_most_100(rate: str, fits: bool) -> None:
    def check() -> None:
        check_order(BTC, OrderType.TRAILING_STOP_MARKET, Decimal("0.001"), callback_rate=Decimal(rate), opens=False)

    if fits:
        check()
    else:
        with pytest.raises(InvalidRequest, match="^callback_rate "):
            check()


def test_the_minimum_notional_is_inclusive_and_zero_means_none() -> None:
    market = BTC.model_copy(update={"min_notional": Decimal("60")})
    check_order(market, OrderType.LIMIT, Decimal("0.001"), price=Decimal("60000"))  # exactly 60
    with pytest.raises(InvalidRequest, match="notional 59.9999 is below the minimum 60"):
        check_order(market, OrderType.LIMIT, Decimal("0.001"), price=Decimal("59999.9"))
    check_order(BTC, OrderType.LIMIT, Decimal("0.001"), price=Decimal("0.1"))  # min_notional 0: no minimum


def test_a_step_of_zero_means_any_size() -> None:
    free = BTC.model_copy(update={"lot_step": Decimal("0"), "min_quantity": Decimal("0")})
    check_order(free, OrderType.MARKET, Decimal("0.0001234"))


def test_zero_is_a_number_where_zero_is_allowed() -> None:
    assert to_decimal("0", "amount", allow_zero=True) == 0
    with pytest.raises(InvalidRequest, match="greater than zero"):
        to_decimal("0", "amount")


def test_an_id_of_a_str_subclass_is_read_as_its_own_text() -> None:
    import re

    from hedgekit.validator import check_id

    class Sly(str):
        def __str__(self) -> str:
            return "1&symbol=ETHUSDT"

    assert check_id(Sly("123"), re.compile(r"[0-9]{1,19}"), "order id") == "123"
    assert check_id("123", re.compile(r"[0-9]{1,19}"), "order id") == "123"


# -- what a blocked mode change says -----------------------------------------------------------
def test_each_blocker_is_described_with_its_leg_size_and_price() -> None:
    from hedgekit import Exposure, ModeChangeBlocked, ModeScope, ModeState, Order, OrderStatus, PositionMode
    from hedgekit import PositionSide, Side
    from hedgekit.validator import check_mode_change

    def order(**kw: object) -> Order:
        base: dict[str, object] = {"venue": "test", "symbol": BTC.symbol, "order_id": "7", "side": Side.SELL,
                                   "position_side": PositionSide.LONG, "type": OrderType.LIMIT,
                                   "status": OrderStatus.NEW, "quantity": Decimal("0.010"),
                                   "price": Decimal("70000.0")}
        base.update(kw)
        return Order(**base)  # type: ignore[arg-type]

    orders = (order(), order(position_side=PositionSide.BOTH, order_id="8"))
    stops = (order(type=OrderType.STOP_MARKET, quantity=None, price=None, trigger_price=Decimal("55000"),
                   conditional=True, order_id="9"),
             order(type=OrderType.TRAILING_STOP_MARKET, price=None, callback_rate=Decimal("1.5"),
                   conditional=True, order_id="10"))
    exposure = Exposure(venue="test", scope=ModeScope.ACCOUNT, orders=orders, conditional_orders=stops)
    with pytest.raises(ModeChangeBlocked) as info:
        check_mode_change(ModeState(venue="test", mode=PositionMode.HEDGE, scope=ModeScope.ACCOUNT),
                          PositionMode.ONE_WAY, exposure)
    assert [b.description for b in info.value.blockers] == [
        "limit sell on the long leg 0.01 at 70000 (order 7)",
        "limit sell 0.01 at 70000 (order 8)",
        "stop_market sell on the long leg whole leg triggered at 55000 (order 9)",
        "trailing_stop_market sell on the long leg 0.01 trailing 1.5% (order 10)",
    ]
    assert (info.value.venue, info.value.operation) == ("test", "set_position_mode")
    assert str(info.value).count("; ") == 3
