"""The money side of the simulated engine: wallet, legs, margin and liquidation.

:class:`Ledger` is an internal part of :class:`hedgekit.testing.engine.Engine`; tests use the
engine's public methods instead. The formulas are documented in :mod:`hedgekit.testing.engine`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from hedgekit.testing.engine_types import (
    ZERO,
    AccountSummary,
    Leg,
    Liquidation,
    MarginType,
    Market,
    PositionSide,
    Side,
)


@dataclass
class LegState:
    """Mutable state of one leg: ``size`` is signed on ``BOTH``, unsigned on ``LONG``/``SHORT``."""

    size: Decimal = ZERO
    entry: Decimal = ZERO
    isolated_margin: Decimal = ZERO
    update_time: int = 0


class Ledger:
    """Wallet, mark prices, legs, margin types and leverage of the simulated account.

    Args:
        markets: Markets by venue id.
        marks: Mark prices by venue id (shared with the engine, which moves them).
        balance: Initial wallet balance.
        default_leverage: Leverage of a symbol nobody has set yet.
        clock: Milliseconds since the epoch.
    """

    def __init__(
        self,
        markets: dict[str, Market],
        marks: dict[str, Decimal],
        balance: Decimal,
        default_leverage: Decimal,
        clock: Callable[[], int],
    ) -> None:
        self.markets = markets
        self.marks = marks
        self.wallet = Decimal(balance)
        self.default_leverage = default_leverage
        self.clock = clock
        self.margin_types: dict[str, MarginType] = {}
        self.leverages: dict[tuple[str, PositionSide | None], Decimal] = {}
        self.legs: dict[tuple[str, PositionSide], LegState] = {}

    def leg_margin_type(self, sid: str, side: PositionSide) -> MarginType:
        """The margin type of one leg: the symbol's (a venue that keeps one per leg overrides it)."""
        return self.margin_type(sid)

    def margin_type(self, sid: str) -> MarginType:
        """The margin type of a symbol (``CROSSED`` until changed)."""
        return self.margin_types.get(sid, MarginType.CROSSED)

    def leverage(self, sid: str, side: PositionSide | None = None) -> Decimal:
        """A leg's own leverage if set, else the symbol's, else the default."""
        symbol_level = self.leverages.get((sid, None), self.default_leverage)
        if side is None:
            return symbol_level
        return self.leverages.get((sid, side), symbol_level)

    def state(self, sid: str, side: PositionSide) -> LegState:
        """The mutable state of a leg, created empty on first use."""
        return self.legs.setdefault((sid, side), LegState())

    def size(self, sid: str, side: PositionSide) -> Decimal:
        """The stored size of a leg without creating it."""
        state = self.legs.get((sid, side))
        return ZERO if state is None else state.size

    def has_position(self, sids: list[str]) -> bool:
        """Whether any leg of these symbols holds a position."""
        return any(key[0] in sids and st.size != ZERO for key, st in self.legs.items())

    def reducible(self, sid: str, side: Side, position_side: PositionSide) -> tuple[bool, Decimal]:
        """Whether an order closes exposure on its leg, and how much exposure it can close."""
        size = self.size(sid, position_side)
        if position_side is PositionSide.BOTH:
            opposite = size < ZERO if side is Side.BUY else size > ZERO
            return opposite, abs(size) if opposite else ZERO
        closing = (position_side is PositionSide.LONG) == (side is Side.SELL)
        return closing, size if closing else ZERO

    # ----------------------------------------------------------------- views

    def figures(self, sid: str, side: PositionSide, state: LegState) -> tuple[Decimal, Decimal, Decimal]:
        """Signed size, unrealised PnL and maintenance margin of a leg at the mark."""
        signed = -state.size if side is PositionSide.SHORT else state.size
        mark = self.marks[sid]
        maintenance = abs(mark * signed) * self.markets[sid].maintenance_margin_rate
        return signed, (mark - state.entry) * signed, maintenance

    def view(self, sid: str, side: PositionSide) -> Leg:
        """A snapshot of a leg with its derived figures; an empty leg has size 0."""
        state = self.legs.get((sid, side), LegState())
        mark = self.marks[sid]
        signed, upnl, maintenance = self.figures(sid, side, state)
        leverage = self.leverage(sid, side)
        margin_type = self.margin_type(sid)
        return Leg(
            symbol=sid, position_side=side, size=state.size, entry_price=state.entry,
            mark_price=mark, unrealized_pnl=upnl, notional=mark * signed,
            isolated_margin=state.isolated_margin if margin_type is MarginType.ISOLATED else ZERO,
            margin_type=margin_type, leverage=leverage,
            initial_margin=abs(mark * signed) / leverage, maintenance_margin=maintenance,
            liquidation_price=self.liquidation_price(sid, side, state, signed),
            update_time=state.update_time,
        )

    def views(self, sid: str | None = None) -> list[Leg]:
        """Snapshots of every non-empty leg, optionally of one symbol."""
        return [
            self.view(key[0], key[1])
            for key, state in self.legs.items()
            if state.size != ZERO and sid in (None, key[0])
        ]

    def liquidation_price(
        self, sid: str, side: PositionSide, state: LegState, signed: Decimal
    ) -> Decimal:
        """The mark at which the leg would be liquidated (0 when it cannot be)."""
        if signed == ZERO:
            return ZERO
        rate = self.markets[sid].maintenance_margin_rate
        if self.leg_margin_type(sid, side) is MarginType.ISOLATED:
            backing = state.isolated_margin
        else:
            backing = self.wallet
            for (other_sid, other_side), other in self.legs.items():
                if other.size == ZERO or (other_sid, other_side) == (sid, side):
                    continue
                if self.leg_margin_type(other_sid, other_side) is MarginType.ISOLATED:
                    backing -= other.isolated_margin
                else:
                    _, upnl, maintenance = self.figures(other_sid, other_side, other)
                    backing += upnl - maintenance
        if signed > ZERO:
            price = (state.entry * signed - backing) / (signed * (1 - rate))
        else:
            price = (state.entry * -signed + backing) / (-signed * (1 + rate))
        return max(price, ZERO)

    def summary(self, asset: str, open_order_margin: Decimal) -> AccountSummary:
        """Account-wide balances, given the initial margin the open orders reserve."""
        legs = self.views()
        cross = [leg for leg in legs if leg.margin_type is MarginType.CROSSED]
        cross_wallet = self.wallet - sum((leg.isolated_margin for leg in legs), ZERO)
        cross_upnl = sum((leg.unrealized_pnl for leg in cross), ZERO)
        upnl = sum((leg.unrealized_pnl for leg in legs), ZERO)
        position_im = sum((leg.initial_margin for leg in cross), ZERO)
        return AccountSummary(
            asset=asset, wallet_balance=self.wallet, cross_wallet_balance=cross_wallet,
            unrealized_pnl=upnl, cross_unrealized_pnl=cross_upnl,
            margin_balance=self.wallet + upnl, position_initial_margin=position_im,
            open_order_initial_margin=open_order_margin,
            maintenance_margin=sum((leg.maintenance_margin for leg in legs), ZERO),
            available_balance=cross_wallet + cross_upnl - position_im - open_order_margin,
        )

    # ----------------------------------------------------------------- changes

    def apply_fill(
        self, sid: str, position_side: PositionSide, side: Side, quantity: Decimal, price: Decimal
    ) -> None:
        """Book a fill on a leg: grow it at a weighted entry, or shrink it and realise PnL."""
        state = self.state(sid, position_side)
        state.update_time = self.clock()
        leverage = self.leverage(sid, position_side)
        isolated = self.margin_type(sid) is MarginType.ISOLATED
        if position_side is PositionSide.BOTH:
            delta = quantity if side is Side.BUY else -quantity
            if state.size != ZERO and (state.size > ZERO) != (delta > ZERO):
                closed = min(abs(delta), abs(state.size))
                self._shrink(state, closed, price, long=state.size > ZERO)
                delta += closed if delta < ZERO else -closed
            if delta != ZERO:
                self._grow(state, delta, price, leverage, isolated)
        elif (position_side is PositionSide.LONG) == (side is Side.BUY):
            self._grow(state, quantity, price, leverage, isolated)
        else:
            self._shrink(state, quantity, price, long=position_side is PositionSide.LONG)

    def _grow(
        self, state: LegState, delta: Decimal, price: Decimal, leverage: Decimal, isolated: bool
    ) -> None:
        size = abs(state.size)
        state.entry = (size * state.entry + abs(delta) * price) / (size + abs(delta))
        state.size += delta
        if isolated:
            state.isolated_margin += abs(delta) * price / leverage

    def _shrink(self, state: LegState, quantity: Decimal, price: Decimal, *, long: bool) -> None:
        self.wallet += (price - state.entry) * quantity * (1 if long else -1)
        state.isolated_margin -= state.isolated_margin * quantity / abs(state.size)
        state.size += -quantity if state.size > ZERO else quantity
        if state.size == ZERO:
            state.entry = ZERO
            state.isolated_margin = ZERO

    def liquidate(self) -> list[Liquidation]:
        """Close every leg whose margin no longer covers its maintenance margin, at the mark.

        Isolated legs are checked one by one, cross legs together against the cross equity.
        A liquidated leg forfeits its margin, as on a venue that closes at the bankruptcy price
        and keeps the rest as a liquidation fee: an isolated leg loses its whole isolated margin,
        a cross leg its loss at the mark plus its maintenance margin, never more than the cross
        wallet holds.
        """
        legs = self.views()
        doomed = [
            leg for leg in legs
            if leg.margin_type is MarginType.ISOLATED
            and leg.isolated_margin + leg.unrealized_pnl <= leg.maintenance_margin
        ]
        cross = [leg for leg in legs if leg.margin_type is MarginType.CROSSED]
        cross_equity = self.wallet - sum((leg.isolated_margin for leg in legs), ZERO)
        cross_equity += sum((leg.unrealized_pnl for leg in cross), ZERO)
        if cross and cross_equity <= sum((leg.maintenance_margin for leg in cross), ZERO):
            doomed.extend(cross)
        done = []
        for leg in doomed:
            if leg.margin_type is MarginType.ISOLATED:
                pnl = -leg.isolated_margin
            else:
                locked = sum((st.isolated_margin for st in self.legs.values()), ZERO)
                pnl = max(leg.unrealized_pnl - leg.maintenance_margin, min(locked - self.wallet, ZERO))
            self.wallet += pnl
            now = self.clock()
            self.legs[(leg.symbol, leg.position_side)] = LegState(update_time=now)
            done.append(Liquidation(
                symbol=leg.symbol, position_side=leg.position_side, size=leg.size,
                price=leg.mark_price, realized_pnl=pnl, time=now,
            ))
        return done
