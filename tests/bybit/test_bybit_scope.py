"""Bybit keeps the mode per symbol, with a per-settle-coin default (VENUES.md §3.1, §3.2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import hedgekit
from hedgekit import BlockerKind, HedgeClient, ModeChangeBlocked, ModeScope, PositionMode
from hedgekit.testing import SimulatedVenue
from hedgekit.testing import engine_types as E

from .conftest import BTC, ETH, SOL, writes


def engine_modes(venue: SimulatedVenue) -> dict[str, E.PositionMode]:
    return {m.symbol: venue.engine.position_mode(m.symbol_id) for m in venue.engine.markets()}


async def test_scope_is_the_symbol_or_the_usdt_coin(hk: HedgeClient) -> None:
    assert hk.adapter.mode_scope(BTC) == (ModeScope.SYMBOL, BTC)
    assert hk.adapter.mode_scope("BTCUSDT") == (ModeScope.SYMBOL, BTC)
    assert hk.adapter.mode_scope(None) == (ModeScope.COIN, "USDT")
    state = await hk.position_mode(BTC)
    assert (state.scope, state.scope_key, state.mode) == (ModeScope.SYMBOL, BTC, PositionMode.ONE_WAY)


async def test_a_position_in_eth_does_not_block_btc(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(ETH, Decimal("0.10"))
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    modes = engine_modes(venue)
    assert modes[BTC] is E.PositionMode.HEDGE and modes[ETH] is E.PositionMode.ONE_WAY
    with pytest.raises(ModeChangeBlocked) as info:
        await hk.set_position_mode(PositionMode.HEDGE, symbol=ETH)
    assert [(b.kind, b.symbol) for b in info.value.blockers] == [(BlockerKind.POSITION, ETH)]


async def test_coin_wide_switch_moves_every_contract(hk: HedgeClient, venue: SimulatedVenue) -> None:
    state = await hk.set_position_mode(PositionMode.HEDGE)
    assert (state.scope, state.scope_key, state.mode) == (ModeScope.COIN, "USDT", PositionMode.HEDGE)
    assert set(engine_modes(venue).values()) == {E.PositionMode.HEDGE}
    assert (await hk.position_mode()).mode is PositionMode.HEDGE
    assert (await hk.position_mode(SOL)).mode is PositionMode.HEDGE
    before = writes(venue)
    await hk.set_position_mode(PositionMode.HEDGE)  # every contract already there: nothing sent
    assert writes(venue) == before


async def test_coin_wide_switch_is_refused_locally_for_exposure_in_any_contract(
    hk: HedgeClient, venue: SimulatedVenue
) -> None:
    await hk.open_long(ETH, Decimal("0.10"))
    await hk.open_short(SOL, Decimal("1.0"), price=Decimal("200"))
    before = writes(venue)
    with pytest.raises(ModeChangeBlocked) as info:
        await hk.set_position_mode(PositionMode.HEDGE)
    assert sorted((b.kind.value, b.symbol) for b in info.value.blockers) == [("order", SOL), ("position", ETH)]
    assert writes(venue) == before  # not even the coin-wide request


async def test_coin_wide_switch_reports_each_contract_bybit_skipped(hk: HedgeClient, venue: SimulatedVenue) -> None:
    def sneak_in(engine: object) -> None:  # exposure appears between the local check and the switch
        venue.engine.place_order("ETHUSDT", E.Side.BUY, Decimal("0.10"))

    venue.add_hook("POST", "/v5/position/switch-mode", sneak_in, once=True)
    with pytest.raises(ModeChangeBlocked) as info:
        await hk.set_position_mode(PositionMode.HEDGE)
    assert "ETH/USDT:USDT" in str(info.value) and "skipped 1 contract" in str(info.value)
    assert [(b.kind, b.symbol) for b in info.value.blockers] == [(BlockerKind.POSITION, ETH)]
    modes = engine_modes(venue)
    assert modes[ETH] is E.PositionMode.ONE_WAY  # Bybit answered retCode 0 and left ETH alone
    assert all(m is E.PositionMode.HEDGE for s, m in modes.items() if s != ETH)
    switches = [r for r in venue.requests if r.path == "/v5/position/switch-mode"]
    assert len(switches) == 1 and switches[0].params["coin"] == "USDT"


async def test_mixed_coin_is_reported_and_unified_by_a_coin_switch(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    state = await hk.position_mode()
    assert state.scope is ModeScope.COIN and not state.uniform
    assert state.mode is PositionMode.ONE_WAY  # most contracts are still one-way
    assert state.raw["modes"][BTC] == "hedge" and state.raw["modes"][ETH] == "one_way"
    before = len([r for r in venue.requests if r.path == "/v5/position/switch-mode"])
    done = await hk.set_position_mode(PositionMode.ONE_WAY)  # not "already there": BTC is hedged
    assert done.uniform and done.mode is PositionMode.ONE_WAY
    assert len([r for r in venue.requests if r.path == "/v5/position/switch-mode"]) == before + 1
    assert all(m is E.PositionMode.ONE_WAY for m in engine_modes(venue).values())
    assert (await hk.position_mode(BTC)).mode is PositionMode.ONE_WAY
    assert (await hk.position_mode()).uniform


async def test_coin_symbols_option_narrows_the_coin_read(venue: SimulatedVenue) -> None:
    options = {"coin_symbols": [BTC, "ETHUSDT"]}
    async with hedgekit.connect("bybit", base_url=venue.base_url, options=options, **venue.credentials) as hk:
        venue.engine.set_position_mode(E.PositionMode.HEDGE, "SOLUSDT")
        before = len(venue.requests)
        state = await hk.position_mode()
        assert state.mode is PositionMode.ONE_WAY and set(state.raw["modes"]) == {BTC, ETH}
        assert len(venue.requests) - before == 2


async def test_venue_side_switch_is_seen_per_symbol(hk: HedgeClient, venue: SimulatedVenue) -> None:
    venue.engine.set_position_mode(E.PositionMode.HEDGE, coin="USDT")
    assert (await hk.position_mode(ETH)).mode is PositionMode.HEDGE
    pair = await hk.legs(ETH)
    assert pair.mode is PositionMode.HEDGE and pair.long.size == pair.short.size == 0
