"""One scenario set, run through the public API against every registered venue's simulator."""

from __future__ import annotations

from decimal import Decimal

import pytest

import hedgekit
from hedgekit import (
    BlockerKind,
    HedgeClient,
    InvalidRequest,
    MarginMode,
    ModeChangeBlocked,
    ModeScope,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    PositionSideMismatch,
)
from hedgekit.testing import SimulatedVenue
from hedgekit.testing import engine_types as E

from ..conftest import BTC, ETH, writes

#: The request that switches the mode, per venue (for the race test's hook).
SWITCH_REQUEST = {
    "aster": ("POST", "/fapi/v3/positionSide/dual"),
    "binance": ("POST", "/fapi/v1/positionSide/dual"),
    "bybit": ("POST", "/v5/position/switch-mode"),
    "okx": ("POST", "/api/v5/account/set-position-mode"),
}


def engine_leg(venue: SimulatedVenue, symbol: str, side: str) -> E.Leg:
    return venue.engine.leg(symbol, E.PositionSide[side])


async def hedge(hk: HedgeClient) -> None:
    # the BTC contract's setting: the account's on most venues, the symbol's own on Bybit
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)


def engine_mode(venue: SimulatedVenue) -> E.PositionMode:
    return venue.engine.position_mode(BTC)


# -- mode --------------------------------------------------------------------------------------
async def test_switch_to_hedge_and_read_back(hk: HedgeClient, venue: SimulatedVenue) -> None:
    first = await hk.position_mode(BTC)
    assert first.mode is PositionMode.ONE_WAY
    state = await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    assert state.mode is PositionMode.HEDGE
    assert (await hk.position_mode(BTC)).mode is PositionMode.HEDGE
    assert engine_mode(venue) is E.PositionMode.HEDGE


@pytest.mark.parametrize("mode", [PositionMode.ONE_WAY, PositionMode.HEDGE])
async def test_switch_to_mode_already_set_sends_nothing(hk: HedgeClient, venue: SimulatedVenue, mode: PositionMode) -> None:
    if mode is PositionMode.HEDGE:
        await hedge(hk)
    before = writes(venue)
    state = await hk.set_position_mode(mode, symbol=BTC)
    assert state.mode is mode
    assert writes(venue) == before


async def test_open_both_legs_each_with_its_own_numbers(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hedge(hk)
    await hk.open_long(BTC, Decimal("0.010"))
    venue.set_mark_price(BTC, Decimal("61000"))
    await hk.open_short(BTC, Decimal("0.020"))
    venue.set_mark_price(BTC, Decimal("60500"))
    pair = await hk.legs(BTC)
    assert pair.mode is PositionMode.HEDGE
    assert pair.long.size == Decimal("0.01") and pair.short.size == Decimal("0.02")
    assert pair.long.entry_price == Decimal("60000") and pair.short.entry_price == Decimal("61000")
    assert pair.long.unrealized_pnl == Decimal("5")  # (60500 - 60000) * 0.01
    assert pair.short.unrealized_pnl == Decimal("10")  # (61000 - 60500) * 0.02
    assert pair.long.mark_price == pair.short.mark_price == Decimal("60500")
    assert pair.net_size == Decimal("-0.01") and pair.gross_size == Decimal("0.03")
    assert pair.long.notional == Decimal("605") and pair.short.notional == Decimal("1210")
    assert pair.net_notional == Decimal("-605") and pair.gross_notional == Decimal("1815")
    assert pair.long.margin and pair.short.margin and pair.long.margin != pair.short.margin
    assert pair.long.liquidation_price != pair.short.liquidation_price
    assert engine_leg(venue, BTC, "LONG").size == pair.long.size
    assert engine_leg(venue, BTC, "SHORT").size == pair.short.size


@pytest.mark.parametrize("margin_mode", [MarginMode.ISOLATED, MarginMode.CROSS])
async def test_partial_close_leaves_the_other_leg_unchanged(
    hk: HedgeClient, venue: SimulatedVenue, margin_mode: MarginMode
) -> None:
    await hedge(hk)
    await hk.set_margin_mode(BTC, margin_mode)
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.open_short(BTC, Decimal("0.020"))
    before = await hk.legs(BTC)
    await hk.close_long(BTC, Decimal("0.004"))
    after = await hk.legs(BTC)
    assert after.long.size == Decimal("0.006")
    assert after.long.entry_price == before.long.entry_price
    fields = ["size", "entry_price", "mark_price", "unrealized_pnl", "margin", "margin_mode", "leverage", "notional"]
    if margin_mode is MarginMode.ISOLATED:
        fields.append("liquidation_price")  # under cross margin it follows the shared account equity
    for name in fields:
        assert getattr(after.short, name) == getattr(before.short, name), name


async def test_empty_legs_are_explicit_zero_legs(hk: HedgeClient) -> None:
    await hedge(hk)
    await hk.open_long(BTC, Decimal("0.010"))
    pair = await hk.legs(BTC)
    assert pair.short.size == 0 and not pair.short.is_open and pair.short.side is PositionSide.SHORT
    flat = await hk.legs(ETH)
    assert flat.long.size == flat.short.size == 0


# -- refused switches --------------------------------------------------------------------------
async def test_refused_while_legs_are_open(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hedge(hk)
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.open_short(BTC, Decimal("0.020"))
    before = writes(venue)
    with pytest.raises(ModeChangeBlocked) as info:
        await hk.set_position_mode(PositionMode.ONE_WAY, symbol=BTC)
    assert sorted(b.kind for b in info.value.blockers) == [BlockerKind.POSITION, BlockerKind.POSITION]
    assert {b.leg.side for b in info.value.blockers if b.leg} == {PositionSide.LONG, PositionSide.SHORT}
    assert writes(venue) == before
    assert engine_mode(venue) is E.PositionMode.HEDGE


async def test_refused_while_only_a_regular_order_is_open(hk: HedgeClient, venue: SimulatedVenue) -> None:
    order = await hk.open_long(BTC, Decimal("0.010"), price=Decimal("50000"))
    assert order.status is OrderStatus.NEW
    before = writes(venue)
    with pytest.raises(ModeChangeBlocked) as info:
        await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    assert [b.kind for b in info.value.blockers] == [BlockerKind.ORDER]
    assert info.value.blockers[0].order is not None
    assert info.value.blockers[0].order.order_id == order.order_id
    assert writes(venue) == before


async def test_refused_while_only_a_conditional_order_is_open(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hedge(hk)
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("55000"), Decimal("0.010"))
    assert stop.conditional
    before = writes(venue)
    with pytest.raises(ModeChangeBlocked) as info:
        await hk.set_position_mode(PositionMode.ONE_WAY, symbol=BTC)
    assert [b.kind for b in info.value.blockers] == [BlockerKind.CONDITIONAL_ORDER]
    assert writes(venue) == before


async def test_account_scope_position_in_another_symbol_blocks(hk: HedgeClient, venue: SimulatedVenue) -> None:
    scope, _ = hk.adapter.mode_scope(BTC)
    await hk.open_long(ETH, Decimal("0.010"))
    before = writes(venue)
    if scope is ModeScope.ACCOUNT:
        with pytest.raises(ModeChangeBlocked) as info:
            await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        assert [b.symbol for b in info.value.blockers] == [ETH]
        assert "ETH/USDT:USDT" in str(info.value)
        assert writes(venue) == before
    else:
        state = await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
        assert state.mode is PositionMode.HEDGE


async def test_race_exposure_appears_between_check_and_switch(hk: HedgeClient, venue: SimulatedVenue) -> None:
    method, path = SWITCH_REQUEST[venue.venue]

    def sneak_in(engine: object) -> None:
        venue.engine.place_order(BTC, E.Side.BUY, Decimal("0.010"))

    venue.add_hook(method, path, sneak_in, once=True)
    with pytest.raises(ModeChangeBlocked) as info:
        await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    assert info.value.code is not None  # the venue's refusal, not the local check
    assert info.value.blockers == ()
    assert engine_mode(venue) is E.PositionMode.ONE_WAY


# -- one-way intents ---------------------------------------------------------------------------
async def test_one_way_intents_keep_their_meaning(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(BTC, Decimal("0.010"))
    before = writes(venue)
    with pytest.raises(InvalidRequest, match="net it away"):
        await hk.open_short(BTC, Decimal("0.010"))
    with pytest.raises(InvalidRequest, match="to close"):
        await hk.close_short(BTC, Decimal("0.010"))
    assert writes(venue) == before
    await hk.close_long(BTC, Decimal("0.004"))
    pair = await hk.legs(BTC)
    assert pair.mode is PositionMode.ONE_WAY
    assert pair.long.size == Decimal("0.006") and pair.short.size == 0
    await hk.close_leg(BTC, PositionSide.LONG)
    await hk.open_short(BTC, Decimal("0.003"))
    pair = await hk.legs(BTC)
    assert pair.short.size == Decimal("0.003") and pair.long.size == 0
    assert engine_leg(venue, BTC, "BOTH").size == Decimal("-0.003")


# -- conditional orders, margin, leverage ------------------------------------------------------
async def test_stop_on_long_leg_fires_and_closes_only_that_leg(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hedge(hk)
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.open_short(BTC, Decimal("0.010"))
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("59000"))
    assert stop.quantity is None and stop.close_position
    orders = await hk.open_orders(BTC)
    assert [o.order_id for o in orders if o.conditional] == [stop.order_id]
    venue.set_mark_price(BTC, Decimal("59500"))
    assert (await hk.legs(BTC)).long.size == Decimal("0.01")
    venue.set_mark_price(BTC, Decimal("58900"))
    pair = await hk.legs(BTC)
    assert pair.long.size == 0
    assert pair.short.size == Decimal("0.01")
    assert await hk.open_orders(BTC) == []


async def test_trailing_stop_and_take_profit_are_bound_to_their_leg(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hedge(hk)
    await hk.open_short(BTC, Decimal("0.010"))
    tp = await hk.take_profit_market(BTC, PositionSide.SHORT, Decimal("57000"))
    trail = await hk.trailing_stop(BTC, PositionSide.SHORT, Decimal("0.010"), Decimal("1"))
    orders = {o.order_id: o for o in await hk.open_orders(BTC)}
    assert orders[tp.order_id].type is OrderType.TAKE_PROFIT_MARKET
    assert orders[trail.order_id].type is OrderType.TRAILING_STOP_MARKET
    assert orders[trail.order_id].callback_rate == Decimal("1")
    assert all(o.position_side is PositionSide.SHORT for o in orders.values())
    await hk.cancel_order(tp)
    await hk.cancel_order(trail)
    assert await hk.open_orders(BTC) == []


async def test_margin_added_to_one_isolated_leg_changes_only_that_leg(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hedge(hk)
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.open_short(BTC, Decimal("0.010"))
    before = await hk.legs(BTC)
    assert before.long.margin_mode is MarginMode.ISOLATED
    leg = await hk.adjust_margin(BTC, PositionSide.LONG, Decimal("25"))
    after = await hk.legs(BTC)
    assert leg.margin == after.long.margin
    assert after.long.margin == before.long.margin + Decimal("25")  # type: ignore[operator]
    assert after.long.liquidation_price is not None and before.long.liquidation_price is not None
    assert after.long.liquidation_price < before.long.liquidation_price
    assert after.short.margin == before.short.margin
    assert after.short.liquidation_price == before.short.liquidation_price
    await hk.adjust_margin(BTC, PositionSide.LONG, Decimal("-10"))
    assert (await hk.legs(BTC)).long.margin == before.long.margin + Decimal("15")  # type: ignore[operator]


async def test_set_leverage_applies_to_the_contract(hk: HedgeClient) -> None:
    result = await hk.set_leverage(BTC, 7)
    assert result.long == result.short == 7
    await hk.open_long(BTC, Decimal("0.010"))
    assert (await hk.legs(BTC)).long.leverage == 7
    with pytest.raises(InvalidRequest):
        await hk.set_leverage(BTC, 0)


async def test_close_leg(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hedge(hk)
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.open_short(BTC, Decimal("0.020"))
    order = await hk.close_leg(BTC, PositionSide.SHORT)
    assert order is not None and order.quantity == Decimal("0.02")
    pair = await hk.legs(BTC)
    assert pair.short.size == 0 and pair.long.size == Decimal("0.01")
    assert await hk.close_leg(BTC, PositionSide.SHORT) is None


async def test_positions_and_open_orders_span_symbols(hk: HedgeClient) -> None:
    await hedge(hk)
    await hk.set_position_mode(PositionMode.HEDGE, symbol=ETH)
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.open_short(ETH, Decimal("0.100"))
    await hk.open_long(ETH, Decimal("0.100"), price=Decimal("2500"))
    legs = await hk.positions()
    assert {(leg.symbol, leg.side) for leg in legs} == {(BTC, PositionSide.LONG), (ETH, PositionSide.SHORT)}
    orders = await hk.open_orders()
    assert [(o.symbol, o.type) for o in orders] == [(ETH, OrderType.LIMIT)]


# -- fail-closed orders ------------------------------------------------------------------------
async def test_mode_switched_elsewhere_raises_position_side_mismatch(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hedge(hk)
    venue.engine.set_position_mode(E.PositionMode.ONE_WAY, BTC)
    orders_before = sum(1 for r in venue.requests if r.method == "POST")
    with pytest.raises(PositionSideMismatch) as info:
        await hk.open_long(BTC, Decimal("0.010"))
    assert info.value.actual_mode is PositionMode.ONE_WAY
    assert "one_way" in str(info.value)
    assert sum(1 for r in venue.requests if r.method == "POST") == orders_before + 1  # never re-sent
    assert not venue.engine.legs(BTC)
    order = await hk.open_long(BTC, Decimal("0.010"))  # the cache now knows one-way
    assert order.position_side is PositionSide.BOTH


@pytest.mark.parametrize(
    "call",
    [
        lambda hk: hk.open_long(BTC, hk.market(BTC).lot_step * Decimal("1.5")),
        lambda hk: hk.open_long(BTC, Decimal("0")),
        lambda hk: hk.open_long(BTC, Decimal("NaN")),
        lambda hk: hk.open_long(BTC, 0.01),
        lambda hk: hk.open_short(BTC, Decimal("0.010"), price=Decimal("61000.05")),
        lambda hk: hk.open_long("DOGE/EUR:EUR", Decimal("1")),
        lambda hk: hk.stop_market(BTC, PositionSide.BOTH, Decimal("50000")),
        lambda hk: hk.trailing_stop(BTC, PositionSide.LONG, Decimal("0.01"), Decimal("-1")),
        lambda hk: hk.open_long(BTC, Decimal("0.010"), client_order_id="no spaces allowed"),
        lambda hk: hk.set_position_mode("hedge"),
        lambda hk: hk.adjust_margin(BTC, PositionSide.LONG, Decimal("0")),
    ],
)
async def test_bad_input_is_refused_before_any_request(hk: HedgeClient, venue: SimulatedVenue, call: object) -> None:
    before = len(venue.requests)
    with pytest.raises(hedgekit.InvalidRequest):
        await call(hk)  # type: ignore[operator]
    assert len(venue.requests) == before


#: The BTC perpetual's minimum order notional in USDT, as each venue publishes it and its simulator lists it:
#: * binance: exchangeInfo ``filters`` ``{"filterType": "MIN_NOTIONAL", "notional": ...}`` (filter definition:
#:   developers.binance.com .../common-definition, "MIN_NOTIONAL"; -4164 below it); BTCUSDT's is 100, as in the
#:   captured /fapi/v1/exchangeInfo the simulator lists (hedgekit_binance/simulator_markets.py).
#: * aster: the same filter in /fapi/v3/exchangeInfo (AST3 §Exchange Information); BTCUSDT's is 5 in the captured
#:   listing the simulator lists (ccxt ts/src/test/static/markets/aster.json).
#: * bybit: ``lotSizeFilter.minNotionalValue`` of /v5/market/instruments-info, "5" in the BTCUSDT example of
#:   docs/v5/market/instrument.mdx.
#: * okx: none: /api/v5/public/instruments has ``minSz`` (a size in contracts) and no notional field
#:   (https://www.okx.com/docs-v5/en/#public-data-rest-api-get-instruments).
BTC_MIN_NOTIONAL = {"binance": Decimal("100"), "aster": Decimal("5"), "bybit": Decimal("5"), "okx": Decimal("0")}


async def test_min_notional_is_refused_locally(hk: HedgeClient, venue: SimulatedVenue) -> None:
    market = hk.market(BTC)
    assert market.min_notional == BTC_MIN_NOTIONAL[venue.venue]
    if venue.venue == "okx":
        return  # no minimum notional to refuse (see BTC_MIN_NOTIONAL); its minSz is read in tests/okx/test_okx_sizes.py
    tick = market.tick_size
    price = max(tick, ((market.min_notional / market.min_quantity / 2) // tick) * tick)
    before = len(venue.requests)
    with pytest.raises(InvalidRequest, match="notional"):
        await hk.open_short(BTC, market.min_quantity, price=price)
    assert len(venue.requests) == before


async def test_closed_client_refuses_use(venue: SimulatedVenue) -> None:
    client = hedgekit.connect(venue.venue, base_url=venue.base_url, **venue.credentials)
    async with client:
        await client.position_mode(BTC)
    await client.aclose()  # idempotent
    with pytest.raises(hedgekit.ConfigurationError, match="closed"):
        await client.position_mode()
    with pytest.raises(hedgekit.ConfigurationError, match="closed"):
        await client.open()


async def test_wrong_credentials_are_an_authentication_error(venue: SimulatedVenue) -> None:
    creds = dict(venue.credentials)
    creds["secret"] = "not-the-secret"
    async with hedgekit.connect(venue.venue, base_url=venue.base_url, **creds) as client:
        with pytest.raises(hedgekit.AuthenticationError) as info:
            await client.position_mode(BTC)
    assert "not-the-secret" not in str(info.value) and "not-the-secret" not in repr(info.value)


async def test_snapshot_reads_many_contracts_at_once(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hedge(hk)
    await hk.set_position_mode(PositionMode.HEDGE, symbol=ETH)
    await hk.open_long(BTC, Decimal("0.010"))
    await hk.open_short(ETH, Decimal("0.100"))
    before = len(venue.requests)
    pairs = await hk.snapshot([BTC, ETH])
    assert len(venue.requests) - before <= 3  # one position read for all symbols, not one per symbol
    assert pairs[BTC].long.size == Decimal("0.01") and pairs[BTC].short.size == 0
    assert pairs[ETH].short.size == Decimal("0.1") and pairs[ETH].long.size == 0
    assert pairs[BTC] == await hk.legs(BTC)
    assert set(await hk.snapshot()) == {BTC, ETH}


async def test_venue_ids_are_accepted_everywhere(hk: HedgeClient) -> None:
    venue_id = hk.market(BTC).venue_symbol
    await hedge(hk)
    order = await hk.open_long(venue_id, Decimal("0.010"))
    assert order.symbol == BTC
    pair = await hk.legs(venue_id)
    assert pair.symbol == BTC and pair.long.size == Decimal("0.01")
