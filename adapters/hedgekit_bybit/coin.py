"""Bybit's settle-coin scope: the coin-wide read and the coin-wide switch of the position mode.

Bybit keeps the mode per symbol, with a per-settle-coin default ("Priority for configuration to
take effect: symbol > coin > system default"; position-mode.mdx). A request with ``coin`` "batch
switches all symbols based on this settleCoin that do not have position and open order": symbols
with a position or an open order are **skipped without an error** (VENUES.md §3.2). So:

* :func:`switch` reads which contracts of the coin hold positions or orders just before and just
  after the request, re-reads the mode of each of them, and raises
  :class:`~hedgekit.errors.ModeChangeBlocked` naming every contract that did not switch. Idle
  contracts switch by Bybit's rule (they are not re-read one by one). The facade has already
  refused the switch locally when anything was open in the coin (``fetch_exposure(COIN, "USDT")``
  covers every contract of the coin), so this catches exposure that appeared in between.
* :func:`read_mode` answers ``position_mode()`` without a symbol. Bybit has no endpoint for the
  mode, and only a per-symbol position list shows it (``positionIdx``; with ``settleCoin`` the list
  holds open positions only), so it reads each contract of the coin (``options['coin_symbols']``
  narrows them). The answer is the mode they all share; when they disagree it is the mode most of
  them are in with ``uniform=False`` (each contract's mode in ``raw["modes"]``), and the facade then
  sends a coin-wide switch to either mode instead of taking it for "already there".
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from hedgekit.errors import HedgekitError, ModeChangeBlocked
from hedgekit.models import Exposure, Market, ModeScope, ModeState, PositionMode
from hedgekit.validator import blockers_of

from hedgekit_bybit import wire
from hedgekit_bybit.errors import POSITION_MODE_NOT_MODIFIED

if TYPE_CHECKING:
    from hedgekit_bybit.adapter import BybitAdapter

PROBES_AT_ONCE = 8
"""Per-symbol position reads in flight at once (the rate limiter, ``hedgekit_bybit.limits``, spaces them further)."""


def coin_markets(adapter: BybitAdapter) -> list[Market]:
    """The contracts of the USDT coin that a coin-wide read covers."""
    if adapter.coin_symbols is not None:
        return [adapter.market(s) for s in adapter.coin_symbols]
    return [m for m in adapter.markets.values() if m.settle == wire.SETTLE_COIN]


async def symbol_modes(adapter: BybitAdapter, markets: list[Market]) -> dict[str, PositionMode]:
    """The mode of each contract, by unified symbol, from its own position rows."""
    gate = asyncio.Semaphore(PROBES_AT_ONCE)

    async def one(market: Market) -> tuple[str, PositionMode]:
        async with gate:
            rows = await adapter.position_rows(market, operation="position_mode")
        with adapter._parsing("position/list"):
            return market.symbol, wire.parse_mode(rows, market.venue_symbol)

    return dict(await asyncio.gather(*(one(m) for m in markets)))


async def read_mode(adapter: BybitAdapter) -> ModeState:
    """The mode of the coin's contracts; ``uniform=False`` (and the majority's mode) when they disagree."""
    modes = await symbol_modes(adapter, coin_markets(adapter))
    hedged = sum(1 for m in modes.values() if m is PositionMode.HEDGE)
    mode = PositionMode.HEDGE if hedged * 2 > len(modes) else PositionMode.ONE_WAY  # none: system default
    uniform = len(set(modes.values())) <= 1
    return ModeState(venue=adapter.name, mode=mode, scope=ModeScope.COIN, scope_key=wire.SETTLE_COIN,
                     uniform=uniform, raw={"modes": {s: m.value for s, m in modes.items()}})


async def busy(adapter: BybitAdapter) -> Exposure:
    """Every open leg and open order of the coin (the contracts a coin-wide switch skips)."""
    return await adapter.fetch_exposure(ModeScope.COIN, wire.SETTLE_COIN)


def _symbols(exposure: Exposure) -> set[str]:
    found = {leg.symbol for leg in exposure.legs if leg.is_open}
    found |= {o.symbol for o in exposure.orders} | {o.symbol for o in exposure.conditional_orders}
    return found


async def switch(adapter: BybitAdapter, mode: PositionMode) -> None:
    """``POST /v5/position/switch-mode`` with ``coin``, then prove every contract switched.

    Raises:
        ModeChangeBlocked: Bybit skipped contracts that hold positions or orders; the message and
            ``blockers`` name each one. Every other contract, and the coin's default, switched.
    """
    before = await busy(adapter)
    params: dict[str, Any] = {"category": wire.CATEGORY, "coin": wire.SETTLE_COIN, "mode": wire.SWITCH_MODE[mode]}
    try:
        await adapter._call("set_position_mode", "privatePostV5PositionSwitchMode", params)
    except HedgekitError as exc:
        if exc.code != POSITION_MODE_NOT_MODIFIED:
            raise
    after = await busy(adapter)
    suspects = sorted(_symbols(before) | _symbols(after))
    modes = await symbol_modes(adapter, [adapter.market(s) for s in suspects])
    stuck = sorted(s for s, m in modes.items() if m is not mode)
    if not stuck:
        return
    now = Exposure(
        venue=adapter.name, scope=ModeScope.COIN, scope_key=wire.SETTLE_COIN,
        legs=tuple(leg for leg in after.legs if leg.symbol in stuck),
        orders=tuple(o for o in after.orders if o.symbol in stuck),
        conditional_orders=tuple(o for o in after.conditional_orders if o.symbol in stuck),
    )
    blockers = blockers_of(now)
    listing = "; ".join(str(b) for b in blockers) or "their positions or orders closed since"
    raise ModeChangeBlocked(
        f"switched the {wire.SETTLE_COIN} default and every idle contract to {mode.value}, but Bybit "
        f"skipped {len(stuck)} contract{'s' if len(stuck) != 1 else ''} that held positions or orders and "
        f"left {'them' if len(stuck) != 1 else 'it'} in the other mode: {', '.join(stuck)} ({listing})",
        blockers=blockers, venue=adapter.name, operation="set_position_mode",
    )
