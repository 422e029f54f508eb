"""Contract sizes and OKX payload parsing, without a network (VENUES.md §4.3, §4.4)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hedgekit import ExchangeError, InvalidRequest, MarginMode, OrderStatus, OrderType, PositionSide
from hedgekit.models import Market
from hedgekit_okx import wire
from hedgekit_okx.simulator_markets import SPECS, instrument
from hedgekit_okx.wire_orders import parse_algo_order, parse_order

LISTING = {"code": "0", "msg": "", "data": [instrument(spec) for spec in SPECS]}
MARKETS = {m.symbol: m for m in wire.parse_markets(LISTING)}
BTC = MARKETS["BTC/USDT:USDT"]
ADA = MARKETS["ADA/USDT:USDT"]


def test_markets_keep_contract_value_and_lots_in_base_units() -> None:
    assert (BTC.venue_symbol, BTC.contract_size, BTC.lot_step, BTC.min_quantity, BTC.tick_size) == (
        "BTC-USDT-SWAP", Decimal("0.01"), Decimal("0.0001"), Decimal("0.0001"), Decimal("0.1"))
    assert (BTC.base, BTC.quote, BTC.settle, BTC.max_leverage, BTC.min_notional) == ("BTC", "USDT", "USDT", 100, 0)
    assert (ADA.contract_size, ADA.lot_step, ADA.min_quantity) == (Decimal("100"), Decimal("10"), Decimal("10"))


def test_markets_skip_what_hedgekit_does_not_trade() -> None:
    rows = [dict(instrument(SPECS[0]), **change) for change in (
        {"instId": "BTC-USD-SWAP", "ctType": "inverse", "settleCcy": "BTC", "instFamily": "BTC-USD"},
        {"instId": "BTC-USDC-SWAP", "settleCcy": "USDC", "instFamily": "BTC-USDC"},
        {"instId": "OLD-USDT-SWAP", "state": "suspend", "instFamily": "OLD-USDT"},
        {"instId": "BTC-USDT-250328", "instType": "FUTURES"},
    )]
    assert wire.parse_markets({"code": "0", "data": rows}) == []


@pytest.mark.parametrize(
    "market, quantity, contracts",
    [(BTC, "0.01", "1"), (BTC, "0.0123", "1.23"), (BTC, "5", "500"), (ADA, "10", "0.1"), (ADA, "2500", "25")],
)
def test_base_units_to_contracts(market: Market, quantity: str, contracts: str) -> None:
    assert wire.to_contracts(market, Decimal(quantity)) == Decimal(contracts)
    assert wire.from_contracts(market, Decimal(contracts)) == Decimal(quantity)


@pytest.mark.parametrize(
    "market, quantity, nearest",
    [(BTC, "0.01234", "0.0123 or 0.0124"), (BTC, "0.00005", "0 or 0.0001"), (ADA, "15", "10 or 20")],
)
def test_a_size_off_the_lot_is_refused_with_the_nearest_sizes(market: Market, quantity: str, nearest: str) -> None:
    with pytest.raises(InvalidRequest, match=f"nearest valid sizes: {nearest}") as info:
        wire.to_contracts(market, Decimal(quantity))
    assert "contract" in str(info.value) and info.value.symbol == market.symbol


@given(lots=st.integers(min_value=1, max_value=10**9), which=st.sampled_from(sorted(MARKETS)))
def test_whole_lots_round_trip_exactly(lots: int, which: str) -> None:
    market = MARKETS[which]
    quantity = market.lot_step * lots
    contracts = wire.to_contracts(market, quantity)
    assert contracts % wire.lot_contracts(market) == 0
    assert wire.from_contracts(market, contracts) == quantity


@given(lots=st.integers(min_value=0, max_value=10**6), which=st.sampled_from(sorted(MARKETS)))
def test_half_a_lot_is_always_refused(lots: int, which: str) -> None:
    market = MARKETS[which]
    with pytest.raises(InvalidRequest):
        wire.to_contracts(market, market.lot_step * lots + market.lot_step / 2)


def _position(**fields: Any) -> dict[str, Any]:
    row = {"instId": "BTC-USDT-SWAP", "instType": "SWAP", "posSide": "net", "pos": "-3", "avgPx": "60000",
           "markPx": "61000", "upl": "-30", "lever": "10", "mgnMode": "cross", "margin": "", "imr": "183",
           "liqPx": "", "uTime": "1597026383085"}
    row.update(fields)
    return row


def test_a_net_position_lands_on_the_leg_its_sign_points_to() -> None:
    leg = wire.parse_leg(_position(), BTC)
    assert (leg.side, leg.size, leg.notional, leg.margin, leg.margin_mode) == (
        PositionSide.SHORT, Decimal("0.03"), Decimal("1830"), Decimal("183"), MarginMode.CROSS)
    assert leg.liquidation_price is None and leg.leverage == 10 and leg.unrealized_pnl == Decimal("-30")


def test_hedge_legs_and_isolated_margin() -> None:
    leg = wire.parse_leg(_position(posSide="long", pos="2", mgnMode="isolated", margin="120.5", imr=""), BTC)
    assert (leg.side, leg.size, leg.margin, leg.margin_mode) == (
        PositionSide.LONG, Decimal("0.02"), Decimal("120.5"), MarginMode.ISOLATED)


@pytest.mark.parametrize(
    "change", [{"pos": "many"}, {"posSide": "both"}, {"pos": None}, {"uTime": "soon"}, {"avgPx": ["1"]}],
)
def test_malformed_positions_are_exchange_errors(change: dict[str, Any]) -> None:
    with pytest.raises(ExchangeError, match="malformed answer"):
        wire.parse_leg(_position(**change), BTC)


@pytest.mark.parametrize("payload", [None, [], {"code": "0"}, {"code": "0", "data": {}}, {"data": [1]}])
def test_malformed_envelopes_are_exchange_errors(payload: Any) -> None:
    with pytest.raises(ExchangeError):
        wire.data_rows(payload, "account/positions")


def test_order_rows_convert_contracts() -> None:
    row = {"instId": "BTC-USDT-SWAP", "ordId": "1", "clOrdId": "", "side": "sell", "posSide": "short",
           "ordType": "post_only", "sz": "2.5", "px": "61000.5", "accFillSz": "1", "avgPx": "61000.5",
           "state": "partially_filled", "reduceOnly": "false", "cTime": "1597026383085", "uTime": "1597026383085"}
    order = parse_order(row, BTC)
    assert (order.quantity, order.filled_quantity, order.price, order.type, order.status) == (
        Decimal("0.025"), Decimal("0.01"), Decimal("61000.5"), OrderType.LIMIT, OrderStatus.PARTIALLY_FILLED)
    assert order.client_order_id is None
    foreign = parse_order(dict(row, instId="BTC-USD-250328"), None)  # an expiry future: contracts, venue id
    assert (foreign.symbol, foreign.quantity) == ("BTC-USD-250328", Decimal("2.5"))
    with pytest.raises(ExchangeError):
        parse_order(dict(row, ordType="twap"), BTC)


def test_algo_rows() -> None:
    row = {"instId": "BTC-USDT-SWAP", "algoId": "9", "algoClOrdId": "a1", "side": "buy", "posSide": "short",
           "ordType": "conditional", "sz": "", "closeFraction": "1", "slTriggerPx": "", "tpTriggerPx": "55000",
           "state": "live", "reduceOnly": "false", "callbackRatio": "", "cTime": "1597026383085",
           "uTime": "1597026383085"}
    tp = parse_algo_order(row, BTC)
    assert (tp.type, tp.trigger_price, tp.quantity, tp.close_position) == (
        OrderType.TAKE_PROFIT_MARKET, Decimal("55000"), None, True)
    trail = parse_algo_order(dict(row, ordType="move_order_stop", sz="3", closeFraction="", callbackRatio="0.0125",
                                  activePx="59000", state="effective"), BTC)
    assert (trail.type, trail.callback_rate, trail.quantity, trail.activation_price, trail.status) == (
        OrderType.TRAILING_STOP_MARKET, Decimal("1.25"), Decimal("0.03"), Decimal("59000"), OrderStatus.TRIGGERED)
    chase = parse_algo_order(dict(row, ordType="chase", sz="1", closeFraction=""), BTC)
    assert chase.conditional and chase.type is OrderType.LIMIT
    with pytest.raises(ExchangeError):
        parse_algo_order(dict(row, ordType="grid"), BTC)


def test_the_facade_refuses_a_fraction_of_a_lot_before_sending() -> None:
    from hedgekit.validator import check_order

    with pytest.raises(InvalidRequest, match="nearest valid sizes: 0.0001 or 0.0002"):
        check_order(BTC, OrderType.MARKET, Decimal("0.00015"))
