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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

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
_R = TypeVar("_R", Order, ConditionalOrder)


def evolve(snapshot: _R, **changes: Any) -> _R:
    """A copy of a frozen engine snapshot with some fields changed (``dataclasses.replace``).

    The snapshots have no ``__post_init__``, so the fields are copied rather than passed through
    the generated ``__init__`` again, which costs several times more on every fill and cancel.

    Raises:
        TypeError: ``changes`` names a field the snapshot does not have.
    """
    fields = snapshot.__dict__
    if not changes.keys() <= fields.keys():
        raise TypeError(f"{type(snapshot).__name__} has no field {sorted(changes.keys() - fields.keys())}")
    copy = object.__new__(type(snapshot))
    copy.__dict__.update(fields)
    copy.__dict__.update(changes)
    return copy


def new_client_id() -> str:
    """A venue-assigned client order id: 22 random letters and digits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(22))


class _Records(Generic[_R]):
    """Snapshots by id in insertion order, with the indexes the books look orders up by.

    Every write goes through :meth:`put`, which keeps three indexes in step with :attr:`all`:
    the open records (in the same order), and the ids of every record and of every open record
    by client id (oldest first). So listing open records costs O(open records), and a lookup by
    id or client id O(1) plus the records sharing that client id, however much history the
    account has.

    Args:
        ident: A record's id.
        client: A record's client id.
        is_open: Whether a record is open (resting or waiting).
    """

    def __init__(
        self, ident: Callable[[_R], int], client: Callable[[_R], str], is_open: Callable[[_R], bool]
    ) -> None:
        self._ident: Callable[[_R], int] = ident
        self._client: Callable[[_R], str] = client
        self._is_open: Callable[[_R], bool] = is_open
        self.all: dict[int, _R] = {}
        self.open: dict[int, _R] = {}
        self.sequence: list[int] = []
        """Every id, in the order first stored."""
        self._clients: dict[str, list[int]] = {}
        self._open_clients: dict[str, dict[int, None]] = {}

    def put(self, record: _R) -> None:
        """Store a new record or a new snapshot of a stored one."""
        key = self._ident(record)
        old = self.all.get(key)
        self.all[key] = record
        client, now_open = self._client(record), self._is_open(record)
        if old is None:
            self.sequence.append(key)
            self._clients.setdefault(client, []).append(key)
            if now_open:
                self.open[key] = record
                self._open_clients.setdefault(client, {})[key] = None
            return
        if self._client(old) != client or (now_open and key not in self.open):
            self._rebuild()  # a changed client id or a reopened record (the engine does neither)
            return
        if now_open:
            self.open[key] = record
        elif key in self.open:
            del self.open[key]
            open_ids = self._open_clients[client]
            del open_ids[key]
            if not open_ids:
                del self._open_clients[client]

    def _rebuild(self) -> None:
        self.open = {k: r for k, r in self.all.items() if self._is_open(r)}
        self._clients, self._open_clients = {}, {}
        for key, record in self.all.items():
            self._clients.setdefault(self._client(record), []).append(key)
        for key, record in self.open.items():
            self._open_clients.setdefault(self._client(record), {})[key] = None

    def by_client(self, client: str | None, *, open_only: bool) -> list[_R]:
        """The records with this client id, oldest first (open ones only if asked)."""
        if client is None:
            return []
        if open_only:
            return [self.open[k] for k in self._open_clients.get(client, ())]
        return [self.all[k] for k in self._clients.get(client, ())]

    def has_open_client(self, client: str) -> bool:
        """Whether an open record carries this client id."""
        return client in self._open_clients


class OrderBook:
    """Regular orders by id (snapshots are immutable; a change stores a new one).

    Open orders and client ids are indexed (see :class:`_Records`), so the per-order work does
    not grow with the number of orders ever placed.

    Args:
        first_id: The first order id (ids increase by one).
    """

    def __init__(self, first_id: int) -> None:
        self.next_id = first_id
        self._records: _Records[Order] = _Records(
            lambda o: o.order_id, lambda o: o.client_order_id, lambda o: o.status is OrderStatus.NEW
        )

    @property
    def orders(self) -> dict[int, Order]:
        """Every order by id, oldest first (read only: write through :meth:`store`)."""
        return self._records.all

    def store(self, order: Order) -> Order:
        """Store a new or changed order."""
        self._records.put(order)
        if order.order_id >= self.next_id:
            self.next_id = order.order_id + 1
        return order

    def all(self, sid: str | None = None) -> list[Order]:
        """Every order, oldest first, optionally of one symbol."""
        if sid is None:
            return list(self._records.all.values())
        return [o for o in self._records.all.values() if o.symbol == sid]

    def open(self, sid: str | None = None) -> list[Order]:
        """Orders still resting (``NEW``), oldest first, optionally of one symbol."""
        if sid is None:
            return list(self._records.open.values())
        return [o for o in self._records.open.values() if o.symbol == sid]

    def by_client(self, client_id: str, sid: str | None = None, *, open_only: bool) -> list[Order]:
        """Orders with this client id, oldest first, optionally of one symbol and open only."""
        orders = self._records.by_client(client_id, open_only=open_only)
        return orders if sid is None else [o for o in orders if o.symbol == sid]

    def has_open_client(self, client_id: str) -> bool:
        """Whether an open order (of any symbol) carries this client id."""
        return self._records.has_open_client(client_id)

    def find(
        self, sid: str, order_id: int | None, client_id: str | None, *, open_only: bool
    ) -> Order:
        """The newest order of ``sid`` with this id (when given) or else this client id.

        Raises:
            EngineError: ``ORDER_NOT_FOUND``.
        """
        if order_id is not None:
            order = (self._records.open if open_only else self._records.all).get(order_id)
            if order is not None and order.symbol == sid:
                return order
            raise EngineError(Reason.ORDER_NOT_FOUND)
        for order in reversed(self._records.by_client(client_id, open_only=open_only)):
            if order.symbol == sid:
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

    Waiting orders and client ids are indexed like the regular book's (see :class:`_Records`).

    Args:
        first_id: The first conditional id (ids increase by one).
        clock: Milliseconds since the epoch.
    """

    def __init__(
        self, first_id: int, clock: Callable[[], int],
        on_change: Callable[[ConditionalOrder], None] | None = None,
    ) -> None:
        self.next_id = first_id
        self.clock = clock
        self.on_change = on_change
        """Called with every stored state of a conditional order (the engine publishes it)."""
        self._records: _Records[ConditionalOrder] = _Records(
            lambda c: c.conditional_id, lambda c: c.client_id,
            lambda c: c.status is ConditionalStatus.NEW,
        )
        self._trails: dict[int, _Trail] = {}
        self._parent_of: dict[int, int] = {}
        """Resting regular order id -> the conditional id that placed it (while it rests)."""
        self._placed_by: dict[int, int] = {}
        """Regular order id -> the conditional id whose trigger placed it (kept for good)."""

    @property
    def orders(self) -> dict[int, ConditionalOrder]:
        """Every conditional order by id, oldest first (read only: write through the methods)."""
        return self._records.all

    def _put(self, conditional: ConditionalOrder) -> ConditionalOrder:
        self._records.put(conditional)
        if conditional.triggered_order_id is not None:
            self._placed_by[conditional.triggered_order_id] = conditional.conditional_id
        if self.on_change is not None:
            self.on_change(conditional)
        return conditional

    def add(self, conditional: ConditionalOrder, mark: Decimal) -> ConditionalOrder:
        """Store a new conditional order, starting its trail at ``mark`` if it is active."""
        self._put(conditional)
        if conditional.conditional_id >= self.next_id:
            self.next_id = conditional.conditional_id + 1
        if conditional.conditional_type is ConditionalType.TRAILING_STOP_MARKET:
            active = conditional.activation_price is None
            self._trails[conditional.conditional_id] = _Trail(active, mark if active else None)
        return conditional

    def all(self, sid: str | None = None) -> list[ConditionalOrder]:
        """Every conditional order, oldest first, optionally of one symbol."""
        if sid is None:
            return list(self._records.all.values())
        return [c for c in self._records.all.values() if c.symbol == sid]

    def since(self, count: int) -> list[ConditionalOrder]:
        """The conditional orders stored after the first ``count``, oldest first."""
        return [self._records.all[k] for k in self._records.sequence[max(count, 0):]]

    def waiting(self, sid: str | None = None) -> list[ConditionalOrder]:
        """Conditional orders still waiting for their trigger."""
        if sid is None:
            return list(self._records.open.values())
        return [c for c in self._records.open.values() if c.symbol == sid]

    def triggered(self, sid: str | None = None) -> list[ConditionalOrder]:
        """``TRIGGERED`` conditional orders (their order still rests), in the order they fired."""
        found = (self._records.all[p] for p in self._parent_of.values())
        return [c for c in found if c.status is ConditionalStatus.TRIGGERED and sid in (None, c.symbol)]

    def placed_by(self, order_id: int) -> ConditionalOrder | None:
        """The conditional order whose trigger placed regular order ``order_id``, if any."""
        parent = self._placed_by.get(order_id)
        return None if parent is None else self._records.all[parent]

    def by_client(self, client_id: str, sid: str | None = None, *, open_only: bool) -> list[ConditionalOrder]:
        """Conditional orders with this client id, oldest first (waiting ones only if asked)."""
        found = self._records.by_client(client_id, open_only=open_only)
        return found if sid is None else [c for c in found if c.symbol == sid]

    def has_waiting_client(self, client_id: str) -> bool:
        """Whether a waiting conditional order carries this client id."""
        return self._records.has_open_client(client_id)

    def find(
        self, conditional_id: int | None, client_id: str | None, *, open_only: bool
    ) -> ConditionalOrder:
        """The newest conditional order with this id (when given) or else this client id.

        Raises:
            EngineError: ``ORDER_NOT_FOUND``.
        """
        if conditional_id is not None:
            found = (self._records.open if open_only else self._records.all).get(conditional_id)
            if found is not None:
                return found
            raise EngineError(Reason.ORDER_NOT_FOUND)
        matches = self._records.by_client(client_id, open_only=open_only)
        if matches:
            return matches[-1]
        raise EngineError(Reason.ORDER_NOT_FOUND)

    def update(
        self, conditional: ConditionalOrder, status: ConditionalStatus, **changes: Any
    ) -> ConditionalOrder:
        """Store a new status (and other changes) for a conditional order."""
        return self._put(evolve(conditional, status=status, update_time=self.clock(), **changes))

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
