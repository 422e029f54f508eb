"""What the simulated engine publishes when something changes, for the venues' private streams.

The engine publishes each change once, venue-neutrally; each venue's stream frontend
(``hedgekit_<venue>.simulator_stream``) turns it into that venue's frames (Binance's
``ORDER_TRADE_UPDATE``, Bybit's ``order`` topic, ...). Listeners run synchronously inside the engine
call that made the change, so they see changes in the order the engine made them and must not
call back into the engine to change it.

Example::

    seen: list[EngineEvent] = []
    unsubscribe = engine.events.subscribe(seen.append)
    engine.place_order("BTCUSDT", "BUY", "0.01", position_side="LONG")
    # seen: OrderChanged(NEW), PositionsChanged(ORDER), OrderChanged(FILLED, fill=...)
    unsubscribe()
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Union

from hedgekit.testing.engine_types import ConditionalOrder, Leg, Liquidation, Order, PositionMode

__all__ = [
    "ChangeReason",
    "ConditionalChanged",
    "EngineEvent",
    "EventBus",
    "FillInfo",
    "LegsChanged",
    "LiquidationHappened",
    "ModeChanged",
    "OrderChanged",
]


class ChangeReason(str, enum.Enum):
    """Why the legs of a symbol changed (a venue frontend picks its event type and reason code)."""

    ORDER = "ORDER"
    """A fill opened, grew, shrank or closed a leg."""
    MARGIN = "MARGIN"
    """Isolated margin was added or removed."""
    LEVERAGE = "LEVERAGE"
    MARGIN_TYPE = "MARGIN_TYPE"
    LIQUIDATION = "LIQUIDATION"
    MARK = "MARK"
    """Only the mark price moved (PnL and liquidation figures changed, sizes did not)."""
    FUNDING = "FUNDING"


@dataclass(frozen=True)
class FillInfo:
    """One fill of a regular order: how much, at what price, and what it realised."""

    trade_id: int
    quantity: Decimal
    price: Decimal
    realized_pnl: Decimal
    fee: Decimal
    maker: bool
    time: int


@dataclass(frozen=True)
class OrderChanged:
    """A regular order was accepted, filled or ended; ``fill`` is set for a fill."""

    order: Order
    fill: FillInfo | None
    time: int
    liquidation: bool = False
    """The order is the venue's own closing of a liquidated leg."""


@dataclass(frozen=True)
class ConditionalChanged:
    """A conditional order was accepted, triggered, finished, cancelled, rejected or expired."""

    conditional: ConditionalOrder
    time: int


@dataclass(frozen=True)
class LegsChanged:
    """The legs of one symbol after a change: every leg the symbol's mode has, empty ones too."""

    symbol: str
    legs: tuple[Leg, ...]
    reason: ChangeReason
    time: int


@dataclass(frozen=True)
class LiquidationHappened:
    """A leg was liquidated at the mark."""

    liquidation: Liquidation


@dataclass(frozen=True)
class ModeChanged:
    """The position mode changed in one scope (``key`` is ``None`` for the whole account)."""

    key: str | None
    mode: PositionMode
    time: int


EngineEvent = Union[OrderChanged, ConditionalChanged, LegsChanged, LiquidationHappened, ModeChanged]
Listener = Callable[[EngineEvent], None]


class EventBus:
    """The engine's listeners; :meth:`publish` calls each one in subscription order."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    @property
    def active(self) -> bool:
        """Whether anyone listens (the engine builds no event when nobody does)."""
        return bool(self._listeners)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` for every change from now on; returns the unsubscribe call."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def publish(self, event: EngineEvent) -> None:
        """Hand ``event`` to every listener."""
        for listener in list(self._listeners):
            listener(event)
