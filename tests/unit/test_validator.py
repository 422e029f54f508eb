"""Every validator rule, scope included."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgekit import (
    BlockerKind,
    Exposure,
    Intent,
    InvalidRequest,
    Leg,
    Market,
    ModeChangeBlocked,
    ModeScope,
    ModeState,
    Order,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    Side,
    TimeInForce,
)
from hedgekit.validator import blockers_of, check_mode_change, check_order, plan_order, to_decimal

BTC = Market(
    symbol="BTC/USDT:USDT", venue_symbol="BTCUSDT", base="BTC", quote="USDT", settle="USDT",
    tick_size=Decimal("0.10"), lot_step=Decimal("0.001"), min_quantity=Decimal("0.001"),
    min_notional=Decimal("100"),
)


def state(mode: PositionMode, scope: ModeScope = ModeScope.ACCOUNT, key: str | None = None) -> ModeState:
    return ModeState(venue="test", mode=mode, scope=scope, scope_key=key)


def leg(side: PositionSide, size: str, symbol: str = "BTC/USDT:USDT") -> Leg:
    return Leg(venue="test", symbol=symbol, side=side, size=Decimal(size))


def order(conditional: bool = False, symbol: str = "BTC/USDT:USDT") -> Order:
    return Order(
        venue="test", symbol=symbol, order_id="7", side=Side.SELL, position_side=PositionSide.LONG,
        type=OrderType.STOP_MARKET if conditional else OrderType.LIMIT, status=OrderStatus.NEW,
        quantity=Decimal("0.01"), price=None if conditional else Decimal("70000"),
        trigger_price=Decimal("55000") if conditional else None, conditional=conditional,
    )


def exposure(**kw: object) -> Exposure:
    return Exposure(venue="test", scope=ModeScope.ACCOUNT, **kw)  # type: ignore[arg-type]


# -- mode change -------------------------------------------------------------------------------
class TestModeChange:
    def test_same_mode_sends_nothing_even_with_exposure(self) -> None:
        busy = exposure(legs=(leg(PositionSide.LONG, "1"),))
        assert check_mode_change(state(PositionMode.HEDGE), PositionMode.HEDGE, busy) is False

    def test_mixed_coin_is_never_already_there(self) -> None:
        mixed = ModeState(venue="test", mode=PositionMode.ONE_WAY, scope=ModeScope.COIN, scope_key="USDT", uniform=False)
        assert check_mode_change(mixed, PositionMode.ONE_WAY, exposure()) is True
        busy = exposure(legs=(leg(PositionSide.LONG, "1"),))
        with pytest.raises(ModeChangeBlocked, match="from mixed modes to one_way"):
            check_mode_change(mixed, PositionMode.ONE_WAY, busy)

    def test_empty_scope_allows_switch(self) -> None:
        assert check_mode_change(state(PositionMode.ONE_WAY), PositionMode.HEDGE, exposure()) is True

    def test_zero_size_legs_do_not_block(self) -> None:
        flat = exposure(legs=(leg(PositionSide.LONG, "0"), leg(PositionSide.SHORT, "0")))
        assert check_mode_change(state(PositionMode.ONE_WAY), PositionMode.HEDGE, flat) is True

    @pytest.mark.parametrize(
        "busy, kind",
        [
            (exposure(legs=(leg(PositionSide.SHORT, "0.5"),)), BlockerKind.POSITION),
            (exposure(orders=(order(),)), BlockerKind.ORDER),
            (exposure(conditional_orders=(order(conditional=True),)), BlockerKind.CONDITIONAL_ORDER),
        ],
    )
    def test_each_kind_of_exposure_blocks(self, busy: Exposure, kind: BlockerKind) -> None:
        with pytest.raises(ModeChangeBlocked) as info:
            check_mode_change(state(PositionMode.HEDGE), PositionMode.ONE_WAY, busy)
        assert [b.kind for b in info.value.blockers] == [kind]
        assert "hedge to one_way" in str(info.value)

    def test_every_blocker_is_listed(self) -> None:
        busy = exposure(
            legs=(leg(PositionSide.LONG, "0.01"), leg(PositionSide.SHORT, "0.02"), leg(PositionSide.LONG, "1", "ETH/USDT:USDT")),
            orders=(order(),),
            conditional_orders=(order(conditional=True),),
        )
        with pytest.raises(ModeChangeBlocked) as info:
            check_mode_change(state(PositionMode.HEDGE), PositionMode.ONE_WAY, busy)
        err = info.value
        assert len(err.blockers) == 5
        assert {b.symbol for b in err.blockers} == {"BTC/USDT:USDT", "ETH/USDT:USDT"}
        assert "5 blockers" in str(err)
        assert "ETH/USDT:USDT" in str(err) and "triggered at 55000" in str(err) and "at 70000" in str(err)

    def test_symbol_scope_is_named(self) -> None:
        busy = Exposure(venue="test", scope=ModeScope.SYMBOL, scope_key="BTC/USDT:USDT", legs=(leg(PositionSide.LONG, "1"),))
        with pytest.raises(ModeChangeBlocked, match="symbol BTC/USDT:USDT"):
            check_mode_change(state(PositionMode.ONE_WAY, ModeScope.SYMBOL, "BTC/USDT:USDT"), PositionMode.HEDGE, busy)

    def test_target_must_be_a_mode(self) -> None:
        with pytest.raises(InvalidRequest):
            check_mode_change(state(PositionMode.HEDGE), "one_way", exposure())  # type: ignore[arg-type]

    def test_blockers_of_ignores_empty_legs(self) -> None:
        assert blockers_of(exposure(legs=(leg(PositionSide.LONG, "0"),))) == []


# -- intents -------------------------------------------------------------------------------------
class TestPlanOrder:
    @pytest.mark.parametrize(
        "intent, side, pos, reduce",
        [
            (Intent.OPEN_LONG, Side.BUY, PositionSide.LONG, False),
            (Intent.CLOSE_LONG, Side.SELL, PositionSide.LONG, True),
            (Intent.OPEN_SHORT, Side.SELL, PositionSide.SHORT, False),
            (Intent.CLOSE_SHORT, Side.BUY, PositionSide.SHORT, True),
        ],
    )
    def test_hedge_mode_names_the_leg(self, intent: Intent, side: Side, pos: PositionSide, reduce: bool) -> None:
        plan = plan_order(intent, PositionMode.HEDGE)
        assert (plan.side, plan.position_side, plan.reduce_only) == (side, pos, reduce)

    def test_one_way_open_from_flat(self) -> None:
        plan = plan_order(Intent.OPEN_SHORT, PositionMode.ONE_WAY, None)
        assert (plan.side, plan.position_side, plan.reduce_only) == (Side.SELL, PositionSide.BOTH, False)

    def test_one_way_add_to_same_side(self) -> None:
        plan = plan_order(Intent.OPEN_LONG, PositionMode.ONE_WAY, leg(PositionSide.LONG, "1"))
        assert plan.side is Side.BUY and not plan.reduce_only

    def test_one_way_close_is_reduce_only(self) -> None:
        plan = plan_order(Intent.CLOSE_LONG, PositionMode.ONE_WAY, leg(PositionSide.LONG, "1"))
        assert (plan.side, plan.position_side, plan.reduce_only) == (Side.SELL, PositionSide.BOTH, True)
        plan = plan_order(Intent.CLOSE_SHORT, PositionMode.ONE_WAY, leg(PositionSide.SHORT, "1"))
        assert (plan.side, plan.reduce_only) == (Side.BUY, True)

    @pytest.mark.parametrize(
        "intent, held",
        [(Intent.OPEN_SHORT, PositionSide.LONG), (Intent.OPEN_LONG, PositionSide.SHORT)],
    )
    def test_one_way_refuses_netting_away(self, intent: Intent, held: PositionSide) -> None:
        with pytest.raises(InvalidRequest, match="net it away"):
            plan_order(intent, PositionMode.ONE_WAY, leg(held, "0.5"))

    @pytest.mark.parametrize("held", [None, leg(PositionSide.SHORT, "1"), leg(PositionSide.LONG, "0")])
    def test_one_way_close_long_needs_a_long(self, held: Leg | None) -> None:
        with pytest.raises(InvalidRequest, match="to close"):
            plan_order(Intent.CLOSE_LONG, PositionMode.ONE_WAY, held)

    def test_intent_type_checked(self) -> None:
        with pytest.raises(InvalidRequest):
            plan_order("open_long", PositionMode.HEDGE)  # type: ignore[arg-type]


# -- order pre-flight ----------------------------------------------------------------------------
class TestCheckOrder:
    def test_valid_market_and_limit(self) -> None:
        check_order(BTC, OrderType.MARKET, Decimal("0.010"))
        check_order(BTC, OrderType.LIMIT, Decimal("0.002"), price=Decimal("61000.1"), time_in_force=TimeInForce.GTC)

    @pytest.mark.parametrize("qty", [Decimal("0"), Decimal("-0.01")])
    def test_size_must_be_positive(self, qty: Decimal) -> None:
        with pytest.raises(InvalidRequest, match="greater than zero"):
            check_order(BTC, OrderType.MARKET, qty)

    def test_size_on_lot_step_with_nearest(self) -> None:
        with pytest.raises(InvalidRequest, match=r"lot step 0.001.*0.012 or 0.013"):
            check_order(BTC, OrderType.MARKET, Decimal("0.0125"))

    def test_size_minimum(self) -> None:
        eth_like = BTC.model_copy(update={"min_quantity": Decimal("0.01")})
        with pytest.raises(InvalidRequest, match="below the minimum"):
            check_order(eth_like, OrderType.MARKET, Decimal("0.005"))

    def test_price_on_tick(self) -> None:
        with pytest.raises(InvalidRequest, match=r"tick size 0.10.*61000.1 or 61000.2"):
            check_order(BTC, OrderType.LIMIT, Decimal("0.01"), price=Decimal("61000.15"))

    def test_price_positive(self) -> None:
        with pytest.raises(InvalidRequest, match="price must be greater than zero"):
            check_order(BTC, OrderType.LIMIT, Decimal("0.01"), price=Decimal("-1"))

    def test_limit_needs_price(self) -> None:
        with pytest.raises(InvalidRequest, match="limit order needs a price"):
            check_order(BTC, OrderType.LIMIT, Decimal("0.01"))

    def test_market_takes_no_price_nor_tif(self) -> None:
        with pytest.raises(InvalidRequest, match="takes no price"):
            check_order(BTC, OrderType.MARKET, Decimal("0.01"), price=Decimal("60000"))
        with pytest.raises(InvalidRequest, match="time_in_force"):
            check_order(BTC, OrderType.MARKET, Decimal("0.01"), time_in_force=TimeInForce.IOC)

    def test_stop_needs_trigger_and_may_close_whole_leg(self) -> None:
        with pytest.raises(InvalidRequest, match="trigger price"):
            check_order(BTC, OrderType.STOP_MARKET, Decimal("0.01"))
        check_order(BTC, OrderType.STOP_MARKET, None, trigger_price=Decimal("55000"), opens=False)
        with pytest.raises(InvalidRequest, match="tick"):
            check_order(BTC, OrderType.TAKE_PROFIT_MARKET, None, trigger_price=Decimal("55000.05"), opens=False)

    def test_trailing_needs_rate_and_quantity(self) -> None:
        with pytest.raises(InvalidRequest, match="callback rate"):
            check_order(BTC, OrderType.TRAILING_STOP_MARKET, Decimal("0.01"))
        with pytest.raises(InvalidRequest, match="needs a quantity"):
            check_order(BTC, OrderType.TRAILING_STOP_MARKET, None, callback_rate=Decimal("1"))
        check_order(BTC, OrderType.TRAILING_STOP_MARKET, Decimal("0.01"), callback_rate=Decimal("1"),
                    activation_price=Decimal("65000"))

    def test_callback_only_on_trailing(self) -> None:
        with pytest.raises(InvalidRequest, match="belong to trailing"):
            check_order(BTC, OrderType.STOP_MARKET, Decimal("0.01"), trigger_price=Decimal("1"), callback_rate=Decimal("1"))

    def test_min_notional_for_opening_limit_only(self) -> None:
        with pytest.raises(InvalidRequest, match="notional"):
            check_order(BTC, OrderType.LIMIT, Decimal("0.001"), price=Decimal("50000"))
        check_order(BTC, OrderType.LIMIT, Decimal("0.001"), price=Decimal("50000"), opens=False)

    def test_market_without_quantity_refused(self) -> None:
        with pytest.raises(InvalidRequest, match="needs a quantity"):
            check_order(BTC, OrderType.MARKET, None)


class TestToDecimal:
    @pytest.mark.parametrize("value, expected", [(Decimal("0.5"), Decimal("0.5")), (3, Decimal(3)), (" 1.25 ", Decimal("1.25"))])
    def test_accepts(self, value: object, expected: Decimal) -> None:
        assert to_decimal(value, "x") == expected

    @pytest.mark.parametrize(
        "value", [0.1, float("nan"), Decimal("NaN"), Decimal("Infinity"), "-Infinity", "abc", None, True, [1], Decimal("0"), -1]
    )
    def test_refuses(self, value: object) -> None:
        with pytest.raises(InvalidRequest):
            to_decimal(value, "x")

    def test_signed_allowed_when_asked(self) -> None:
        assert to_decimal("-5", "amount", positive=False) == Decimal(-5)
