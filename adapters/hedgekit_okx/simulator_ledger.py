"""The OKX simulator's engine: a margin mode per leg, as OKX keeps it per position.

OKX chooses the margin mode by each order's ``tdMode`` and keeps it on the position (``mgnMode``
of each ``GET /account/positions`` row, trading_account.md "Get positions"): one instrument can hold a
cross long and an isolated short at once. The shared engine keeps one margin type per symbol;
:class:`OkxEngine` adds a margin type per leg (symbol and position side) on top of it, and every
figure of a leg (its isolated margin as it fills, its liquidation price, the cross account's
available balance) follows the leg's own type.

Simulator limit, documented: one margin mode per leg. OKX would open a second position on the same
``posSide`` in the other margin mode (an isolated long beside a cross long); here an order in the
other mode on a leg that holds a position or orders is refused (:func:`simulator_account.align_margin`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_events import ChangeReason
from hedgekit.testing.engine_ledger import Ledger
from hedgekit.testing.engine_types import (
    ZERO,
    EngineError,
    Leg,
    MarginType,
    Number,
    PositionSide,
    Reason,
    Side,
    as_enum,
)


class LegMarginLedger(Ledger):
    """A :class:`Ledger` whose legs each have a margin type (the symbol's unless set).

    While :meth:`focus` names a position side, :meth:`margin_type` answers for that leg: the base
    ledger asks ``margin_type(sid)`` wherever it works on one leg, so those answers are the leg's.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.leg_types: dict[tuple[str, PositionSide], MarginType] = {}
        self._focus: PositionSide | None = None

    def leg_margin_type(self, sid: str, side: PositionSide) -> MarginType:
        """The margin type of one leg: its own if set, else the symbol's."""
        return self.leg_types.get((sid, side), super().margin_type(sid))

    def margin_type(self, sid: str) -> MarginType:
        """The focused leg's margin type (:meth:`focus`), else the symbol's."""
        if self._focus is not None:
            return self.leg_margin_type(sid, self._focus)
        return super().margin_type(sid)

    @contextmanager
    def focus(self, side: PositionSide | None) -> Iterator[None]:
        """Answer :meth:`margin_type` for the leg on ``side`` inside the block (``None``: the symbol)."""
        previous, self._focus = self._focus, side
        try:
            yield
        finally:
            self._focus = previous

    def view(self, sid: str, side: PositionSide) -> Leg:
        """A leg's snapshot, with the leg's own margin type."""
        with self.focus(side):
            return super().view(sid, side)

    def apply_fill(self, sid: str, position_side: PositionSide, side: Side, quantity: Decimal, price: Decimal) -> None:
        """Book a fill; an isolated leg's margin grows with it, a cross leg's does not."""
        with self.focus(position_side):
            super().apply_fill(sid, position_side, side, quantity, price)


class OkxEngine(Engine):
    """The shared engine with a margin type per leg (:class:`LegMarginLedger`).

    ``margin_type(symbol, side)`` answers for one leg; :meth:`set_leg_margin_type` sets it.
    Leverage and isolated margin calls that name a leg act on that leg's margin type.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        base = self._ledger
        self._legs_ledger = LegMarginLedger(base.markets, base.marks, base.wallet, base.default_leverage, base.clock)
        self._ledger = self._legs_ledger

    def margin_type(self, symbol: str, position_side: PositionSide | str | None = None) -> MarginType:
        """The margin type of one leg, or (no side) the symbol's default for legs not set."""
        sid = self.resolve(symbol)
        if position_side is None:
            return self._legs_ledger.margin_type(sid)
        return self._legs_ledger.leg_margin_type(sid, as_enum(PositionSide, position_side))

    def set_margin_type(self, symbol: str, margin_type: MarginType | str) -> None:
        """The symbol's margin type for every leg (the legs' own settings are dropped)."""
        super().set_margin_type(symbol, margin_type)
        sid = self.resolve(symbol)
        for key in [k for k in self._legs_ledger.leg_types if k[0] == sid]:
            del self._legs_ledger.leg_types[key]

    def set_leg_margin_type(self, symbol: str, position_side: PositionSide | str, margin_type: MarginType | str) -> None:
        """Set one leg's margin type.

        Raises:
            EngineError: ``MARGIN_TYPE_UNCHANGED``; ``MARGIN_TYPE_BLOCKED_BY_ORDERS`` while the leg
                has open orders or conditional orders; ``MARGIN_TYPE_BLOCKED_BY_POSITION`` while it
                holds a position.
        """
        sid = self.resolve(symbol)
        side = as_enum(PositionSide, position_side)
        wanted = as_enum(MarginType, margin_type)
        if self.margin_type(sid, side) is wanted:
            raise EngineError(Reason.MARGIN_TYPE_UNCHANGED)
        if any(o.position_side is side for o in self.open_orders(sid)) or any(
                c.position_side is side for c in self.conditional_orders(sid)):
            raise EngineError(Reason.MARGIN_TYPE_BLOCKED_BY_ORDERS)
        if self._legs_ledger.size(sid, side) != ZERO:
            raise EngineError(Reason.MARGIN_TYPE_BLOCKED_BY_POSITION)
        self._legs_ledger.leg_types[(sid, side)] = wanted
        self._legs_changed(sid, ChangeReason.MARGIN_TYPE)

    def set_leverage(self, symbol: str, leverage: Number, position_side: PositionSide | str | None = None) -> None:
        """:meth:`Engine.set_leverage`; given a leg, its own margin type decides the isolated rules."""
        side = None if position_side is None else as_enum(PositionSide, position_side)
        with self._legs_ledger.focus(side):
            super().set_leverage(symbol, leverage, position_side)

    def modify_isolated_margin(self, symbol: str, position_side: PositionSide | str, amount: Number) -> Decimal:
        """:meth:`Engine.modify_isolated_margin` on a leg whose own margin type is isolated."""
        with self._legs_ledger.focus(as_enum(PositionSide, position_side)):
            return super().modify_isolated_margin(symbol, position_side, amount)
