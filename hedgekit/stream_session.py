"""The contract of one venue's private-stream connection, as :mod:`hedgekit.stream` drives it.

An adapter returns a :class:`StreamSession` from :meth:`hedgekit.adapter.VenueAdapter.stream_session`.
The session owns everything venue-specific about the private websocket (URL, auth, listen key and
its upkeep, subscriptions, heartbeat, parsing) and hands the venue-neutral
:class:`~hedgekit.stream.LiveStream` its updates in the order the venue sent them::

    session = adapter.stream_session(symbols, StreamOptions())
    await session.connect()              # dialled, authenticated, subscribed (acks awaited)
    while True:
        for update in await session.receive():   # raises StreamLost when the link is gone
            ...                                   # LegUpdate | OrderUpdate | SessionExpired
    await session.close()

The live stream reconnects (a new session), re-reads REST and applies updates; the session never
reconnects by itself.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

from hedgekit.models import Fill, Order, PositionSide

if TYPE_CHECKING:
    from hedgekit.adapter import VenueAdapter

__all__ = [
    "LegUpdate",
    "OrderUpdate",
    "SessionExpired",
    "StreamLost",
    "StreamOptions",
    "StreamSession",
    "StreamUpdate",
    "UpdateQueue",
]


class StreamLost(Exception):
    """The connection is gone: closed by either side, a heartbeat missed, or a frame unreadable.

    Internal to the stream machinery (the live stream reconnects on it); never raised to users.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StreamOptions:
    """How a session keeps its connection alive; the live stream passes the user's choices."""

    heartbeat: float | None = None
    """Seconds between pings (the venue's own recommendation when ``None``). A pong missing for
    as long again counts as a lost connection."""
    connect_timeout: float = 10.0
    """Seconds to dial, authenticate and subscribe before the attempt counts as failed."""
    listen_key_keepalive: float | None = None
    """Seconds between listen-key keep-alives on venues that have them (the venue's own
    recommendation when ``None``)."""


@dataclass(frozen=True)
class LegUpdate:
    """What the venue pushed about one leg: only the :class:`~hedgekit.models.Leg` fields it sent.

    ``side`` is ``LONG`` or ``SHORT`` in hedge mode; ``BOTH`` for a one-way position, whose
    ``size`` is then signed (the live stream puts it on the side its sign points to).
    """

    symbol: str
    """Unified symbol."""
    side: PositionSide
    fields: Mapping[str, Any]
    """``Leg`` field names to values (``size``, ``entry_price``, ``unrealized_pnl``, ...)."""
    time_ms: int | None = None
    """The venue's event or update time, for ordering; ``None`` where the venue gives none."""


@dataclass(frozen=True)
class OrderUpdate:
    """An order as the venue now reports it, with the fill the update carries, if any."""

    order: Order
    fill: Fill | None = None
    time_ms: int | None = None


@dataclass(frozen=True)
class SessionExpired:
    """The venue said the session can no longer deliver events (Binance's ``listenKeyExpired``)."""

    reason: str


StreamUpdate = Union[LegUpdate, OrderUpdate, SessionExpired]


class UpdateQueue(asyncio.Queue[Union[list[StreamUpdate], StreamLost]]):
    """What a session's reader tasks hand to :meth:`StreamSession.receive`, in order.

    Readers put lists of updates, or a :class:`StreamLost` when the link is gone; once a loss is
    taken, every later :meth:`next_updates` raises the same loss. With a :attr:`sink` set, lists
    of updates go to it at once, in the reader's task, and only losses are queued.
    """

    sink: Callable[[list[StreamUpdate]], object] | None = None
    """Where lists of updates go instead of the queue (see :meth:`StreamSession.set_sink`)."""

    def put_nowait(self, item: list[StreamUpdate] | StreamLost) -> None:
        """Queue ``item``, or hand a list of updates to :attr:`sink` when one is set."""
        sink = self.sink
        if sink is not None and not isinstance(item, StreamLost):
            sink(item)
            return
        super().put_nowait(item)

    async def next_updates(self) -> list[StreamUpdate]:
        """The next list of updates; raises the :class:`StreamLost` a reader put."""
        item = await self.get()
        if isinstance(item, StreamLost):
            self.put_nowait(item)
            raise item
        return item


@dataclass
class StreamSession(abc.ABC):
    """One connection to a venue's private stream (see the module docstring for the protocol)."""

    adapter: VenueAdapter
    symbols: tuple[str, ...] | None
    """Unified symbols to keep (``None``: every contract)."""
    options: StreamOptions = field(default_factory=StreamOptions)

    def __post_init__(self) -> None:
        """Set up the session's own state (subclasses extend it; nothing is dialled here)."""
        return None

    @abc.abstractmethod
    async def connect(self) -> None:
        """Dial, authenticate and subscribe, awaiting the venue's acks.

        Raises:
            StreamLost: the attempt failed in a way another attempt may fix.
            hedgekit.errors.AuthenticationError: the venue refused the credentials.
        """

    def set_sink(self, sink: Callable[[list[StreamUpdate]], object]) -> bool:
        """Hand updates to ``sink`` as they are read, in the reader's own task, instead of through
        :meth:`receive` (which then only raises the loss); called before :meth:`connect`.

        A session whose readers run in tasks of their own (a listen-key upkeep, two connections)
        saves a task switch per frame this way; it returns True. The default keeps to
        :meth:`receive` and returns False.
        """
        return False

    @abc.abstractmethod
    async def receive(self) -> list[StreamUpdate]:
        """The next updates, in venue order (may be empty after a frame that carried none).

        Raises:
            StreamLost: the connection is gone.
        """

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the connection and stop every background task; idempotent."""
