"""The local ranges of conditional orders (validator.check_conditional) and the engine's per-venue rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgekit import InvalidRequest, OrderType
from hedgekit.adapter import ConditionalRules
from hedgekit.models import Side
from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import (
    ConditionalType,
    EngineError,
    EngineRules,
    MarginType,
    Market,
    PositionMode,
    Reason,
)
from hedgekit.testing.engine_types import Side as ESide
from hedgekit.validator import check_conditional
from hedgekit_aster import rules as aster
from hedgekit_binance import rules as binance
from hedgekit_bybit import rules as bybit
from hedgekit_okx import rules as okx

D = Decimal
TRAIL, STOP, TP = OrderType.TRAILING_STOP_MARKET, OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET
RULES = {"aster": aster.CONDITIONAL, "binance": binance.CONDITIONAL, "bybit": bybit.CONDITIONAL, "okx": okx.CONDITIONAL}


def rate(rules: ConditionalRules, value: str, venue: str = "v") -> None:
    check_conditional(rules, TRAIL, Side.SELL, callback_rate=D(value), venue=venue)


# -- callback rate --------------------------------------------------------------------------------
@pytest.mark.parametrize(("venue", "inside", "outside"), [
    ("binance", ["0.1", "1", "20"], ["0.09", "20.1", "50"]),  # BCL 2026-10-23: 0.1-20
    ("aster", ["0.1", "5"], ["0.09", "5.01", "20", "50"]),  # AST3: 0.1-5
    ("okx", ["0.0001", "50", "100"], ["0"]),  # 51257 "{min}< x<={max}%", bounds unpublished
    ("bybit", ["0.0001", "50", "100"], []),  # a price distance, no bound published
])
def test_callback_rate_range_of_each_venue(venue: str, inside: list[str], outside: list[str]) -> None:
    for value in inside:
        rate(RULES[venue], value, venue)
    for value in outside:
        with pytest.raises(InvalidRequest, match=f"callback_rate {value} is out of range: {venue} takes"):
            rate(RULES[venue], value, venue)


def test_callback_rate_message_names_the_range_and_the_code() -> None:
    with pytest.raises(InvalidRequest) as info:
        rate(okx.CONDITIONAL, "0", "okx")
    assert "above 0 up to 100 percent; okx refuses it (51257)" in str(info.value)
    with pytest.raises(InvalidRequest) as info:
        rate(binance.CONDITIONAL, "50", "binance")
    assert "from 0.1 up to 20 percent; binance refuses it" in str(info.value)
    lower_only = ConditionalRules(callback_rate_min=D("1"))
    with pytest.raises(InvalidRequest, match=r"takes a callback rate from 1 percent; the venue refuses it$"):
        check_conditional(lower_only, TRAIL, Side.BUY, callback_rate=D("0.5"))


def test_a_rate_is_checked_only_on_a_trailing_stop() -> None:
    check_conditional(binance.CONDITIONAL, STOP, Side.SELL, trigger_price=D("1"), callback_rate=D("50"))


# -- trigger side ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("order_type", "side", "good", "bad"), [
    (STOP, Side.SELL, "59999", "60001"),  # a stop closing a long triggers below the price
    (STOP, Side.BUY, "60001", "59999"),  # ... closing a short, above
    (TP, Side.SELL, "60001", "59999"),  # a take-profit closing a long, above
    (TP, Side.BUY, "59999", "60001"),
])
@pytest.mark.parametrize("venue", sorted(RULES))
def test_trigger_side_of_the_current_price(venue: str, order_type: OrderType, side: Side, good: str, bad: str) -> None:
    rules = RULES[venue]
    check_conditional(rules, order_type, side, trigger_price=D(good), current_price=D("60000"), venue=venue)
    check_conditional(rules, order_type, side, trigger_price=D(bad), venue=venue)  # no price known: not checked
    with pytest.raises(InvalidRequest, match="it would trigger at once") as info:
        check_conditional(rules, order_type, side, trigger_price=D(bad), current_price=D("60000"), venue=venue)
    assert rules.trigger_refusal in str(info.value) and info.value.venue == venue


@pytest.mark.parametrize(("venue", "refused"), [("binance", True), ("aster", True), ("bybit", True), ("okx", False)])
def test_a_trigger_at_the_price_itself(venue: str, refused: bool) -> None:
    def place() -> None:
        check_conditional(RULES[venue], STOP, Side.SELL, trigger_price=D("60000"), current_price=D("60000"))

    if refused:
        with pytest.raises(InvalidRequest, match="must trigger below the current price 60000, not at 60000"):
            place()
    else:
        place()


def test_trigger_side_not_checked_where_the_venue_does_not() -> None:
    check_conditional(ConditionalRules(), STOP, Side.SELL, trigger_price=D("70000"), current_price=D("60000"))


# -- activation side ------------------------------------------------------------------------------
@pytest.mark.parametrize(("venue", "checked"), [("binance", True), ("aster", True), ("okx", True), ("bybit", False)])
def test_activation_price_side(venue: str, checked: bool) -> None:
    rules = RULES[venue]
    price = D("60000")
    check_conditional(rules, TRAIL, Side.SELL, activation_price=D("60001"), callback_rate=D("1"), current_price=price)
    check_conditional(rules, TRAIL, Side.BUY, activation_price=D("59999"), callback_rate=D("1"), current_price=price)
    for side, wrong in ((Side.SELL, "60000"), (Side.SELL, "59999"), (Side.BUY, "60000"), (Side.BUY, "60001")):
        def place(side: Side = side, wrong: str = wrong) -> None:
            check_conditional(rules, TRAIL, side, activation_price=D(wrong), callback_rate=D("1"),
                              current_price=price, venue=venue)

        if checked:
            where = "above" if side is Side.SELL else "below"
            with pytest.raises(InvalidRequest, match=f"activation price must be {where} the current price 60000"):
                place()
        else:
            place()


# -- the engine's per-venue rules -----------------------------------------------------------------
BTC = Market(
    symbol_id="BTCUSDT", symbol="BTC/USDT:USDT", base="BTC", quote="USDT", settle="USDT",
    tick_size=D("0.1"), lot_step=D("0.001"), min_qty=D("0.001"), max_qty=D("1000"),
    market_max_qty=D("100"), min_notional=D("5"), max_leverage=125, maintenance_margin_rate=D("0.004"),
)
ENGINE_RULES = {"aster": aster.engine_rules(), "binance": binance.engine_rules(), "bybit": bybit.engine_rules(),
                "okx": okx.engine_rules()}


def engine(rules: EngineRules, balance: str = "10000") -> Engine:
    return Engine([BTC], mark_prices={"BTCUSDT": D("60000")}, balance=D(balance), rules=rules)


def refused(reason: Reason) -> pytest.RaisesExc[EngineError]:
    return pytest.raises(EngineError, match=reason.value)


def isolated_long(e: Engine) -> None:
    e.set_position_mode(PositionMode.HEDGE)
    e.set_margin_type("BTCUSDT", MarginType.ISOLATED)
    e.set_leverage("BTCUSDT", 20)
    e.place_order("BTCUSDT", "BUY", "0.1", position_side="LONG")  # 6000 notional, 300 isolated margin


@pytest.mark.parametrize(("venue", "blocked"), [("binance", True), ("aster", True), ("bybit", False), ("okx", False)])
def test_lowering_isolated_leverage_under_a_position(venue: str, blocked: bool) -> None:
    e = engine(ENGINE_RULES[venue])
    isolated_long(e)
    assert e.leg("BTCUSDT", "LONG").isolated_margin == D("300")
    if blocked:  # -4161 (Binance: ccxt binance.py; Aster: AST3)
        with refused(Reason.LEVERAGE_REDUCTION_BLOCKED):
            e.set_leverage("BTCUSDT", 10)
        assert e.leverage("BTCUSDT", "LONG") == 20
        return
    wallet = e.account().available_balance
    e.set_leverage("BTCUSDT", 10)  # the leg's margin grows to its initial margin at 10x
    assert e.leverage("BTCUSDT", "LONG") == 10
    assert e.leg("BTCUSDT", "LONG").isolated_margin == D("600")
    assert e.account().available_balance == wallet - D("300")
    e.set_leverage("BTCUSDT", 15)  # raising moves nothing back
    assert e.leg("BTCUSDT", "LONG").isolated_margin == D("600")


def test_lowering_without_the_margin_for_it_is_refused_and_changes_nothing() -> None:
    e = engine(bybit.engine_rules(), balance="400")
    isolated_long(e)  # 300 of 400 locked
    with refused(Reason.INSUFFICIENT_CROSS_BALANCE):
        e.set_leverage("BTCUSDT", 10)  # would need 300 more, 100 available
    assert e.leverage("BTCUSDT", "LONG") == 20 and e.leg("BTCUSDT", "LONG").isolated_margin == D("300")
    e.set_leverage("BTCUSDT", 15)  # 400 at 15x: 100 more, 100 available
    assert e.leg("BTCUSDT", "LONG").isolated_margin == D("400")


def test_lowering_a_flat_or_cross_leg_is_free_everywhere() -> None:
    for rules in ENGINE_RULES.values():
        e = engine(rules)
        e.set_leverage("BTCUSDT", 20)
        e.place_order("BTCUSDT", "BUY", "0.1")  # cross
        e.set_leverage("BTCUSDT", 5)
        assert e.leverage("BTCUSDT") == 5


@pytest.mark.parametrize("venue", sorted(ENGINE_RULES))
def test_mode_and_margin_type_blockers_are_on_everywhere(venue: str) -> None:
    rules = ENGINE_RULES[venue]
    assert (rules.mode_blocked_by_orders, rules.mode_blocked_by_position) == (True, True)
    assert (rules.margin_type_blocked_by_orders, rules.margin_type_blocked_by_position) == (True, True)
    e = engine(rules)
    e.place_order("BTCUSDT", "BUY", "0.01", order_type="LIMIT", price="50000")
    with refused(Reason.MODE_BLOCKED_BY_ORDERS):
        e.set_position_mode(PositionMode.HEDGE)
    with refused(Reason.MARGIN_TYPE_BLOCKED_BY_ORDERS):
        e.set_margin_type("BTCUSDT", MarginType.ISOLATED)
    e.cancel_all_orders("BTCUSDT")
    e.place_order("BTCUSDT", "BUY", "0.01")
    with refused(Reason.MODE_BLOCKED_BY_POSITION):
        e.set_position_mode(PositionMode.HEDGE)
    with refused(Reason.MARGIN_TYPE_BLOCKED_BY_POSITION):
        e.set_margin_type("BTCUSDT", MarginType.ISOLATED)


def test_blockers_switched_off_let_the_change_through() -> None:
    e = engine(EngineRules(mode_blocked_by_orders=False, mode_blocked_by_position=False,
                           margin_type_blocked_by_orders=False, margin_type_blocked_by_position=False))
    e.place_order("BTCUSDT", "BUY", "0.01", order_type="LIMIT", price="50000")
    e.place_order("BTCUSDT", "BUY", "0.01")
    e.set_margin_type("BTCUSDT", MarginType.ISOLATED)
    e.set_position_mode(PositionMode.HEDGE)
    assert e.position_mode() is PositionMode.HEDGE


def trail(e: Engine, side: str, rate: str, activation: str | None = None) -> None:
    e.place_conditional("BTCUSDT", side, ConditionalType.TRAILING_STOP_MARKET, quantity="0.01",
                        callback_rate=rate, activation_price=activation, reduce_only=True)


@pytest.mark.parametrize(("venue", "inside", "outside"), [
    ("binance", ["0.1", "20"], ["0.09", "20.1", "50"]),
    ("aster", ["0.1", "5"], ["0.09", "5.1", "50"]),
    ("okx", ["0.01", "50", "100"], ["100.1"]),
    ("bybit", ["0.01", "50", "100", "150"], []),
])
def test_engine_callback_range_of_each_venue(venue: str, inside: list[str], outside: list[str]) -> None:
    e = engine(ENGINE_RULES[venue])
    for value in inside:
        trail(e, "SELL", value)
    for value in outside:
        with refused(Reason.CALLBACK_RATE_OUT_OF_RANGE):
            trail(e, "SELL", value)
    assert len(e.conditional_orders()) == len(inside)


@pytest.mark.parametrize(("venue", "checked"), [("binance", True), ("aster", True), ("okx", True), ("bybit", False)])
def test_engine_activation_side_of_each_venue(venue: str, checked: bool) -> None:
    e = engine(ENGINE_RULES[venue])
    trail(e, "SELL", "1", "60000.1")
    trail(e, "BUY", "1", "59999.9")
    for side, wrong in (("SELL", "60000"), ("SELL", "59000"), ("BUY", "60000"), ("BUY", "61000")):
        if checked:
            with refused(Reason.WOULD_IMMEDIATELY_TRIGGER):
                trail(e, side, "1", wrong)
        else:
            trail(e, side, "1", wrong)
    assert len(e.conditional_orders()) == (2 if checked else 6)


@pytest.mark.parametrize(("venue", "at_mark_refused"), [("binance", True), ("aster", True), ("bybit", True),
                                                         ("okx", False)])
def test_engine_trigger_side_of_each_venue(venue: str, at_mark_refused: bool) -> None:
    e = engine(ENGINE_RULES[venue])

    def stop(trigger: str) -> None:
        e.place_conditional("BTCUSDT", ESide.SELL, ConditionalType.STOP_MARKET, quantity="0.01",
                            trigger_price=trigger, reduce_only=True)

    stop("59000")
    with refused(Reason.WOULD_IMMEDIATELY_TRIGGER):
        stop("61000")
    if at_mark_refused:
        with refused(Reason.WOULD_IMMEDIATELY_TRIGGER):
            stop("60000")
    else:
        stop("60000")
    e2 = engine(EngineRules(trigger_side_checked=False))
    e2.place_conditional("BTCUSDT", "SELL", ConditionalType.STOP_MARKET, quantity="0.01", trigger_price="61000",
                         reduce_only=True)


def test_engine_rules_default_to_binance_usdm() -> None:
    assert Engine([BTC], mark_prices={"BTCUSDT": D("60000")}).rules == EngineRules()
    defaults = EngineRules()
    assert defaults.leverage_reduction_blocked and defaults.trigger_side_checked
    assert binance.engine_rules().leverage_reduction_blocked is defaults.leverage_reduction_blocked
