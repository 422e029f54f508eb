"""Order storage of the simulated engine, and the trigger rules of its conditional orders.

:class:`OrderBook` and :class:`TriggerBook` are internal parts of
:class:`hedgekit.testing.engine.Engine`. The trigger book keeps conditional orders, decides which
are due at a mark price (stop, take-profit and trailing rules are documented in
:mod:`hedgekit.testing.engine`) and links a triggered order to its parent.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine_types import (
    ConditionalOrder,
    ConditionalStatus,
    ConditionalType,
    EngineError,
    Order,
    OrderStatus,
    Reason,
    Side,
)

_STOP_TYPES = (ConditionalType.STOP, ConditionalType.STOP_MARKET)
_HUNDRED = Decimal(100)
_ALPHABET = string.ascii_letters + string.digits


def new_client_id() -> str:
    """A venue-assigned client order id: 22 random letters and digits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(22))


class OrderBook:
    """Regular orders by id (snapshots are immutable; a change stores a new one).

    Args:
        first_id: The first order id (ids increase by one).
    """

    def __init__(self, first_id: int) -> None:
        self.next_id = first_id
        self.orders: dict[int, Order] = {}

    def store(self, order: Order) -> Order:
        """Store a new or changed order."""
        self.orders[order.order_id] = order
        self.next_id = max(self.next_id, order.order_id + 1)
        return order

    def all(self, sid: str | None = None) -> list[Order]:
        """Every order, oldest first, optionally of one symbol."""
        return [o for o in self.orders.values() if sid in (None, o.symbol)]

    def open(self, sid: str | None = None) -> list[Order]:
        """Orders still resting (``NEW``)."""
        return [o for o in self.all(sid) if o.status is OrderStatus.NEW]

    def find(
        self, sid: str, order_id: int | None, client_id: str | None, *, open_only: bool
    ) -> Order:
        """The newest order of ``sid`` with this id or client id.

        Raises:
            EngineError: ``ORDER_NOT_FOUND``.
        """
        for order in reversed(self.open(sid) if open_only else self.all(sid)):
            if order_id is not None and order.order_id == order_id:
                return order
            if order_id is None and order.client_order_id == client_id:
                return order
        raise EngineError(Reason.ORDER_NOT_FOUND)


@dataclass
class _Trail:
    activated: bool
    extreme: Decimal | None


def trigger_hit(kind: ConditionalType, side: Side, trigger: Decimal, mark: Decimal) -> bool:
    """Whether a stop or take-profit with this trigger fires at ``mark``.

    A stop buys when the mark rises to the trigger and sells when it falls to it; a take-profit
    the other way round.
    """
    rising = side is Side.BUY if kind in _STOP_TYPES else side is Side.SELL
    return mark >= trigger if rising else mark <= trigger


class TriggerBook:
    """Conditional orders by id, with trailing-stop state and triggered-child links.

    Args:
        first_id: The first conditional id (ids increase by one).
        clock: Milliseconds since the epoch.
    """

    def __init__(self, first_id: int, clock: Callable[[], int]) -> None:
        self.next_id = first_id
        self.clock = clock
        self.orders: dict[int, ConditionalOrder] = {}
        self._trails: dict[int, _Trail] = {}
        self._parent_of: dict[int, int] = {}

    def add(self, conditional: ConditionalOrder, mark: Decimal) -> ConditionalOrder:
        """Store a new conditional order, starting its trail at ``mark`` if it is active."""
        self.orders[conditional.conditional_id] = conditional
        self.next_id = max(self.next_id, conditional.conditional_id + 1)
        if conditional.conditional_type is ConditionalType.TRAILING_STOP_MARKET:
            active = conditional.activation_price is None
            self._trails[conditional.conditional_id] = _Trail(active, mark if active else None)
        return conditional

    def all(self, sid: str | None = None) -> list[ConditionalOrder]:
        """Every conditional order, oldest first, optionally of one symbol."""
        return [c for c in self.orders.values() if sid in (None, c.symbol)]

    def waiting(self, sid: str | None = None) -> list[ConditionalOrder]:
        """Conditional orders still waiting for their trigger."""
        return [c for c in self.all(sid) if c.status is ConditionalStatus.NEW]

    def find(
        self, conditional_id: int | None, client_id: str | None, *, open_only: bool
    ) -> ConditionalOrder:
        """The newest conditional order with this id or client id.

        Raises:
            EngineError: ``ORDER_NOT_FOUND``.
        """
        for conditional in reversed(self.all()):
            if open_only and conditional.status is not ConditionalStatus.NEW:
                continue
            if conditional_id is not None and conditional.conditional_id == conditional_id:
                return conditional
            if conditional_id is None and conditional.client_id == client_id:
                return conditional
        raise EngineError(Reason.ORDER_NOT_FOUND)

    def update(
        self, conditional: ConditionalOrder, status: ConditionalStatus, **changes: Any
    ) -> ConditionalOrder:
        """Store a new status (and other changes) for a conditional order."""
        updated = replace(conditional, status=status, update_time=self.clock(), **changes)
        self.orders[conditional.conditional_id] = updated
        return updated

    def due(self, sid: str, mark: Decimal) -> list[ConditionalOrder]:
        """The waiting orders of ``sid`` that fire at ``mark`` (trails are updated on the way)."""
        fired = []
        for conditional in self.waiting(sid):
            if conditional.conditional_type is ConditionalType.TRAILING_STOP_MARKET:
                hit = self._trail(conditional, mark)
            else:
                assert conditional.trigger_price is not None
                hit = trigger_hit(
                    conditional.conditional_type, conditional.side, conditional.trigger_price, mark
                )
            if hit:
                fired.append(conditional)
        return fired

    def _trail(self, conditional: ConditionalOrder, mark: Decimal) -> bool:
        trail = self._trails[conditional.conditional_id]
        sell = conditional.side is Side.SELL
        if not trail.activated:
            activation = conditional.activation_price
            assert activation is not None
            if (mark >= activation) if sell else (mark <= activation):
                trail.activated, trail.extreme = True, mark
            return False
        assert trail.extreme is not None and conditional.callback_rate is not None
        trail.extreme = max(trail.extreme, mark) if sell else min(trail.extreme, mark)
        rate = conditional.callback_rate / _HUNDRED
        return mark <= trail.extreme * (1 - rate) if sell else mark >= trail.extreme * (1 + rate)

    def link(self, order_id: int, conditional: ConditionalOrder) -> None:
        """Remember that a resting regular order came from ``conditional``."""
        self._parent_of[order_id] = conditional.conditional_id

    def child_done(self, order_id: int) -> None:
        """Finish the parent of a regular order that filled or ended, if it has one."""
        parent = self._parent_of.pop(order_id, None)
        if parent is not None:
            self.update(self.orders[parent], ConditionalStatus.FINISHED)
