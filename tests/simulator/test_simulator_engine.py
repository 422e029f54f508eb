"""The venue-neutral engine's rules, driven directly (no HTTP)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hedgekit.testing import (
    ConditionalStatus,
    Engine,
    EngineError,
    Frontend,
    MarginType,
    Market,
    ModeScope,
    OrderStatus,
    PositionMode,
    Reason,
    load_frontend,
)

D = Decimal


def market(symbol_id: str = "BTCUSDT", base: str = "BTC", settle: str = "USDT") -> Market:
    return Market(
        symbol_id=symbol_id, symbol=f"{base}/{settle}:{settle}", base=base, quote=settle,
        settle=settle, tick_size=D("0.1"), lot_step=D("0.001"), min_qty=D("0.001"),
        max_qty=D("1000"), market_max_qty=D("120"), min_notional=D("100"), max_leverage=125,
        maintenance_margin_rate=D("0.004"),
    )


def engine(**options: object) -> Engine:
    marks = {"BTCUSDT": "60000", "ETHUSDT": "60000"}
    return Engine([market(), market("ETHUSDT", "ETH")], mark_prices=marks, **options)  # type: ignore[arg-type]


def refused(reason: Reason) -> pytest.RaisesExc[EngineError]:
    return pytest.raises(EngineError, match=reason.value)


def test_one_way_orders_net_on_the_both_leg() -> None:
    e = engine()
    e.place_order("BTCUSDT", "BUY", "0.02")
    e.place_order("BTCUSDT", "SELL", "0.03")  # closes 0.02 and opens 0.01 short
    leg = e.leg("BTCUSDT", "BOTH")
    assert (leg.size, leg.entry_price, leg.signed_size) == (D("-0.01"), D("60000"), D("-0.01"))
    with refused(Reason.REDUCE_ONLY_REJECTED):  # reduce-only may not grow a position
        e.place_order("BTCUSDT", "SELL", "0.01", reduce_only=True)
    with refused(Reason.REDUCE_ONLY_REJECTED):  # nor exceed it
        e.place_order("BTCUSDT", "BUY", "0.02", reduce_only=True)
    e.set_mark_price("BTCUSDT", "59000")
    e.place_order("BTCUSDT", "BUY", "0.01", reduce_only=True)
    assert e.leg("BTCUSDT", "BOTH").is_empty
    assert e.wallet_balance == D("10010")
    with refused(Reason.POSITION_SIDE_MISMATCH):
        e.place_order("BTCUSDT", "BUY", "0.01", position_side="LONG")


def test_hedge_legs_are_independent_and_closes_are_capped() -> None:
    e = engine()
    e.set_position_mode("HEDGE")
    e.place_order("BTCUSDT", "BUY", "0.01", position_side="LONG")
    e.place_order("BTCUSDT", "SELL", "0.02", position_side="SHORT")
    e.set_mark_price("BTCUSDT", "61000")
    assert e.leg("BTCUSDT", "LONG").unrealized_pnl == D("10")
    assert e.leg("BTCUSDT", "SHORT").unrealized_pnl == D("-20")
    with refused(Reason.REDUCE_ONLY_REJECTED):
        e.place_order("BTCUSDT", "SELL", "0.02", position_side="LONG")
    e.place_order("BTCUSDT", "BUY", "0.02", position_side="SHORT")  # closes SHORT only
    assert [leg.position_side.value for leg in e.legs()] == ["LONG"]
    assert e.wallet_balance == D("9980")
    with refused(Reason.POSITION_SIDE_MISMATCH):
        e.place_order("BTCUSDT", "BUY", "0.01")


def test_order_validation_reasons() -> None:
    e = engine()
    cases = [
        (dict(quantity="0"), Reason.QUANTITY_NOT_POSITIVE),
        (dict(quantity="0.0015"), Reason.QUANTITY_NOT_ON_STEP),
        (dict(quantity="121"), Reason.QUANTITY_ABOVE_MAX),  # market lot size
        (dict(quantity="0.001"), Reason.NOTIONAL_BELOW_MIN),
        (dict(quantity="10"), Reason.INSUFFICIENT_MARGIN),
        (dict(quantity="0.01", order_type="LIMIT", price="59000.05"), Reason.PRICE_NOT_ON_TICK),
        (dict(quantity="0.01", order_type="LIMIT", price="61000", time_in_force="GTX"),
         Reason.POST_ONLY_WOULD_TAKE),
        (dict(quantity="0.01", order_type="LIMIT", price="59000", time_in_force="FOK"),
         Reason.FOK_NOT_FILLED),
    ]
    for kwargs, reason in cases:
        with refused(reason):
            e.place_order("BTCUSDT", "BUY", **kwargs)  # type: ignore[arg-type]
    with refused(Reason.UNKNOWN_SYMBOL):
        e.place_order("NOPE", "BUY", "1")
    ioc = e.place_order("BTCUSDT", "BUY", "0.01", order_type="LIMIT", price="59000",
                        time_in_force="IOC")
    assert ioc.status is OrderStatus.EXPIRED
    e.place_order("BTCUSDT", "BUY", "0.01", order_type="LIMIT", price="59000",
                  client_order_id="a")
    with refused(Reason.DUPLICATE_CLIENT_ID):
        e.place_order("BTCUSDT", "BUY", "0.01", order_type="LIMIT", price="59000",
                      client_order_id="a")
    assert e.all_orders() == e.all_orders("BTC/USDT:USDT")
    assert [o.order_id for o in e.all_orders()] == [1, 2]  # increasing ids, refusals take none


def test_marketable_limit_fills_at_the_mark_and_resting_limits_at_their_price() -> None:
    e = engine()
    taker = e.place_order("BTCUSDT", "BUY", "0.01", order_type="LIMIT", price="61000")
    assert (taker.status, taker.avg_price) == (OrderStatus.FILLED, D("60000"))
    maker = e.place_order("BTCUSDT", "SELL", "0.01", order_type="LIMIT", price="60500")
    assert e.account().open_order_initial_margin == D("0")  # it only reduces the long
    e.set_mark_price("BTCUSDT", "60600")
    filled = e.get_order("BTCUSDT", order_id=maker.order_id)
    assert (filled.status, filled.avg_price) == (OrderStatus.FILLED, D("60500"))
    assert e.leg("BTCUSDT", "BOTH").is_empty
    assert e.cancel_all_orders("BTCUSDT") == []
    with refused(Reason.ORDER_NOT_FOUND):
        e.cancel_order("BTCUSDT", order_id=maker.order_id)


def test_conditionals_trigger_on_their_leg() -> None:
    e = engine()
    e.set_position_mode(PositionMode.HEDGE)
    e.place_order("BTCUSDT", "BUY", "0.02", position_side="LONG")
    with refused(Reason.WOULD_IMMEDIATELY_TRIGGER):
        e.place_conditional("BTCUSDT", "SELL", "STOP_MARKET", quantity="0.01",
                            trigger_price="61000", position_side="LONG")
    stop = e.place_conditional("BTCUSDT", "SELL", "STOP_MARKET", trigger_price="59000",
                               position_side="LONG", close_position=True)
    limit_tp = e.place_conditional("BTCUSDT", "SELL", "TAKE_PROFIT", quantity="0.01",
                                   trigger_price="60500", price="60800", position_side="LONG")
    e.set_mark_price("BTCUSDT", "60500")  # take-profit rests a limit sell at 60800
    resting = e.get_conditional(conditional_id=limit_tp.conditional_id)
    assert resting.status is ConditionalStatus.TRIGGERED
    assert [o.orig_type for o in e.open_orders()] == ["TAKE_PROFIT"]
    e.set_mark_price("BTCUSDT", "60800")
    assert e.get_conditional(client_id=limit_tp.client_id).status is ConditionalStatus.FINISHED
    assert e.leg("BTCUSDT", "LONG").size == D("0.01")
    e.set_mark_price("BTCUSDT", "58000")  # the close-position stop takes what is left
    assert e.get_conditional(conditional_id=stop.conditional_id).status is ConditionalStatus.FINISHED
    assert e.legs() == []


def test_trailing_stop_waits_for_its_activation_price() -> None:
    e = engine()
    e.place_order("BTCUSDT", "SELL", "0.01")
    trail = e.place_conditional("BTCUSDT", "BUY", "TRAILING_STOP_MARKET", quantity="0.01",
                                callback_rate="2", activation_price="58000", reduce_only=True)
    e.set_mark_price("BTCUSDT", "61300")  # not active yet: a 2 % rise does nothing
    e.set_mark_price("BTCUSDT", "57000")  # active; best (lowest) mark 57000
    e.set_mark_price("BTCUSDT", "55000")
    e.set_mark_price("BTCUSDT", "56000")  # +1.8 %
    assert e.get_conditional(conditional_id=trail.conditional_id).status is ConditionalStatus.NEW
    e.set_mark_price("BTCUSDT", "56100")  # +2 % from 55000
    assert e.get_conditional(conditional_id=trail.conditional_id).status is ConditionalStatus.FINISHED
    assert e.legs() == []


def test_conditional_with_nothing_to_close_expires_and_a_refused_one_is_rejected() -> None:
    e = engine()
    e.set_position_mode("HEDGE")
    empty = e.place_conditional("BTCUSDT", "SELL", "STOP_MARKET", trigger_price="59000",
                                position_side="LONG", close_position=True)
    too_big = e.place_conditional("BTCUSDT", "SELL", "STOP_MARKET", trigger_price="59000",
                                  quantity="1", position_side="LONG")
    e.set_mark_price("BTCUSDT", "58000")
    assert e.get_conditional(conditional_id=empty.conditional_id).status is ConditionalStatus.EXPIRED
    assert e.get_conditional(conditional_id=too_big.conditional_id).status is ConditionalStatus.REJECTED


def test_mode_switch_checks_orders_then_positions() -> None:
    e = engine()
    with refused(Reason.MODE_UNCHANGED):
        e.set_position_mode("ONE_WAY")
    algo = e.place_conditional("ETHUSDT", "BUY", "STOP_MARKET", quantity="0.01",
                               trigger_price="70000")
    with refused(Reason.MODE_BLOCKED_BY_ORDERS):
        e.set_position_mode("HEDGE")
    e.cancel_conditional(conditional_id=algo.conditional_id)
    e.place_order("ETHUSDT", "BUY", "0.01")
    with refused(Reason.MODE_BLOCKED_BY_POSITION):  # account scope: ETH blocks everything
        e.set_position_mode("HEDGE")


def test_symbol_scope_and_coin_level_switch() -> None:
    e = engine(mode_scope=ModeScope.SYMBOL)
    e.set_position_mode("HEDGE", "BTCUSDT")
    assert e.position_mode("BTCUSDT") is PositionMode.HEDGE
    assert e.position_mode("ETHUSDT") is PositionMode.ONE_WAY
    e.place_order("ETHUSDT", "BUY", "0.01")
    skipped = e.set_position_mode("HEDGE", coin="USDT")
    assert skipped == ["ETHUSDT"]  # a coin-level switch skips symbols with exposure
    assert e.position_mode("ETHUSDT") is PositionMode.ONE_WAY
    assert e.position_mode("BTCUSDT") is PositionMode.HEDGE
    with pytest.raises(ValueError):
        e.position_mode()


def test_margin_type_leverage_and_isolated_margin() -> None:
    e = engine()
    e.place_order("BTCUSDT", "BUY", "0.01")
    with refused(Reason.MARGIN_TYPE_BLOCKED_BY_POSITION):
        e.set_margin_type("BTCUSDT", "ISOLATED")
    with refused(Reason.NOT_ISOLATED):
        e.modify_isolated_margin("BTCUSDT", "BOTH", "5")
    e.set_margin_type("ETHUSDT", MarginType.ISOLATED)
    with refused(Reason.MARGIN_TYPE_UNCHANGED):
        e.set_margin_type("ETHUSDT", "ISOLATED")
    with refused(Reason.NO_POSITION):
        e.modify_isolated_margin("ETHUSDT", "BOTH", "5")
    e.set_leverage("ETHUSDT", 10)
    e.place_order("ETHUSDT", "BUY", "0.01")
    assert e.leg("ETHUSDT", "BOTH").isolated_margin == D("60")
    with refused(Reason.LEVERAGE_REDUCTION_BLOCKED):
        e.set_leverage("ETHUSDT", 5)
    with refused(Reason.INVALID_LEVERAGE):
        e.set_leverage("ETHUSDT", 126)
    with refused(Reason.INSUFFICIENT_ISOLATED_BALANCE):
        e.modify_isolated_margin("ETHUSDT", "BOTH", "-1")
    assert e.modify_isolated_margin("ETHUSDT", "BOTH", "15") == D("75")
    assert e.account().cross_wallet_balance == D("9925")
    e.set_leverage("ETHUSDT", 5, position_side="LONG")  # a per-leg setting (for other venues)
    assert (e.leverage("ETHUSDT", "LONG"), e.leverage("ETHUSDT", "BOTH")) == (5, 10)


def test_cross_liquidation_forfeits_loss_and_maintenance() -> None:
    e = engine(balance="100")
    e.set_leverage("BTCUSDT", 100)
    e.place_order("BTCUSDT", "BUY", "0.01")
    liquidation = e.leg("BTCUSDT", "BOTH").liquidation_price
    assert liquidation == (D("600") - D("100")) / (D("0.01") * (1 - D("0.004")))
    e.set_mark_price("BTCUSDT", liquidation + 1)
    assert e.legs() != []
    e.set_mark_price("BTCUSDT", "50000")
    assert e.legs() == [] and len(e.liquidations) == 1
    assert e.wallet_balance == D("0")  # never below zero


def test_engine_needs_every_mark() -> None:
    with pytest.raises(ValueError, match="ETHUSDT"):
        Engine([market(), market("ETHUSDT", "ETH")], mark_prices={"BTCUSDT": "1"})


def test_binance_frontend_is_found_through_the_plugin_registry() -> None:
    frontend = load_frontend("binance")
    assert issubclass(frontend, Frontend) and frontend.venue == "binance"
    engine_ = frontend.create_engine(mark_prices={"ETH/USDT:USDT": "2500"})
    instance = frontend(engine_, **frontend.new_credentials())
    assert instance.symbol_id("BTC/USDT:USDT") == "BTCUSDT"
    assert instance.unified_symbol("ETHUSDT") == "ETH/USDT:USDT"
    assert engine_.mark_price("ETHUSDT") == D("2500")
    assert engine_.mode_scope is ModeScope.ACCOUNT
