"""Live per-leg state from the venue's private websocket: :meth:`hedgekit.HedgeClient.stream`.

Example::

    async with hk.stream() as stream:            # or hk.stream(symbols=[...])
        pair = stream.legs("BTC/USDT:USDT")       # from live state: no request
        orders = stream.orders("BTC/USDT:USDT")   # open regular and conditional orders: no request
        async for event in stream:
            match event:
                case LegChanged(pair=pair): ...
                case OrderChanged(order=order, fill=fill): ...
                case Resynced(reason=reason): ...

The rules, the same on every venue (the venue's dialect is its adapter's
:class:`~hedgekit.stream_session.StreamSession`):

* **Subscribe, then snapshot, then apply.** The session is connected and subscribed before the
  REST snapshot (legs, open orders, open conditional orders) is read; updates that arrive during
  the read are held and applied after it, so nothing falls in between.
* **Order.** Updates are applied in the order the venue sent them. An update older than what the
  state already holds for that leg or order (by the venue's own update time) is dropped, so an
  out-of-order push (Aster says its pushes may come out of order) cannot roll state back.
  A repeated push (same order state, same fill id) is applied once.
* **Nothing lost silently.** A dropped connection, a missed heartbeat or the venue's own expiry
  (Binance's ``listenKeyExpired``) starts a reconnect with exponential backoff (tenacity); after it
  the state is read again from REST, every difference is emitted as an event, and then
  :class:`Resynced`. A stream that cannot be restored within ``max_reconnects`` attempts raises
  :class:`~hedgekit.errors.StreamDisconnected` from ``async for``; it never hangs.
* **Legs hold what the venue pushes.** Each venue pushes its own set of leg fields (Binance, for
  one, pushes size, entry price, unrealised PnL and margin type but no liquidation price); a field
  the venue does not push keeps the value of the last REST read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Union

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential, wait_random

from hedgekit.errors import ConfigurationError, HedgekitError, NetworkError, StreamDisconnected
from hedgekit.models import Fill, Leg, LegPair, Order, OrderStatus, PositionMode, PositionSide
from hedgekit.stream_session import (
    LegUpdate,
    OrderUpdate,
    SessionExpired,
    StreamLost,
    StreamOptions,
    StreamSession,
    StreamUpdate,
)

if TYPE_CHECKING:
    from hedgekit.client import HedgeClient

__all__ = ["LegChanged", "LiveStream", "OrderChanged", "Resynced", "StreamEvent"]

log = logging.getLogger("hedgekit.stream")

_LEG_FIELDS = ("size", "entry_price", "unrealized_pnl", "liquidation_price", "margin", "margin_mode",
               "leverage")


@dataclass(frozen=True)
class LegChanged:
    """A leg's size, entry, margin, PnL or liquidation price moved; ``pair`` is the symbol's pair now."""

    pair: LegPair
    leg: Leg
    """The leg that changed, as it is now."""


@dataclass(frozen=True)
class OrderChanged:
    """An order was accepted, partly filled, filled, cancelled, expired, or a conditional triggered."""

    order: Order
    fill: Fill | None = None
    """The execution this change carries (price, size, fee), when it is a fill."""


@dataclass(frozen=True)
class Resynced:
    """After a reconnect: the state was read again from REST and every difference was emitted."""

    reason: str
    """Why the stream reconnected (``"the venue closed the stream"``, ``"a missed heartbeat"``, ...)."""


StreamEvent = Union[LegChanged, OrderChanged, Resynced]


class _Lost:
    """The reader's marker in the inbox: the session ended for ``reason``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Broken:
    """The reader's marker in the inbox: applying an update failed with ``error``."""

    def __init__(self, error: BaseException) -> None:
        self.error = error




def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def _order_key(order: Order) -> tuple[str, bool, str]:
    return (order.symbol, order.conditional, order.order_id)


class LiveStream:
    """Legs and open orders kept current from the venue's private stream. Make it with
    :meth:`hedgekit.HedgeClient.stream`; see the module docstring for its rules.

    Args:
        client: An open client.
        symbols: Unified symbols (or venue ids) to keep; ``None`` keeps every contract.
        heartbeat: Seconds between pings (the venue's recommendation when ``None``); a pong late by
            as much again counts as a lost connection.
        max_reconnects: Reconnect attempts after a loss before :class:`StreamDisconnected`.
        reconnect_wait: First wait between attempts, in seconds (doubles up to ``reconnect_wait_max``).
        reconnect_wait_max: Longest wait between attempts.
        queue_size: Events held for ``async for`` before the oldest are discarded (a
            :class:`Resynced` with reason ``"event queue overflow"`` then says so); the state itself
            never misses an update.
        reconcile_every: Seconds between checks of the live state against a REST read (three
            requests). No venue numbers its private pushes, so a push the venue never delivered
            cannot be noticed otherwise; a check that finds differences emits them and then
            ``Resynced("periodic check")``. ``None`` turns the checks off.
    """

    def __init__(
        self,
        client: HedgeClient,
        symbols: Iterable[str] | None = None,
        *,
        heartbeat: float | None = None,
        max_reconnects: int = 10,
        reconnect_wait: float = 0.2,
        reconnect_wait_max: float = 10.0,
        connect_timeout: float = 10.0,
        queue_size: int = 10_000,
        reconcile_every: float | None = 60.0,
    ) -> None:
        if heartbeat is not None and not heartbeat > 0:
            raise ConfigurationError(f"heartbeat must be a positive number of seconds, not {heartbeat!r}")
        if not isinstance(max_reconnects, int) or max_reconnects < 0:
            raise ConfigurationError(f"max_reconnects must be a whole number >= 0, not {max_reconnects!r}")
        if not reconnect_wait >= 0 or not reconnect_wait_max >= reconnect_wait:
            raise ConfigurationError("reconnect waits must satisfy 0 <= reconnect_wait <= reconnect_wait_max")
        if queue_size < 1:
            raise ConfigurationError("queue_size must be at least 1")
        if reconcile_every is not None and not reconcile_every > 0:
            raise ConfigurationError(f"reconcile_every must be positive seconds or None, not {reconcile_every!r}")
        self._reconcile_every = reconcile_every
        self._client = client
        adapter = client.adapter
        self._venue = adapter.name
        self._symbols = None if symbols is None else tuple(
            dict.fromkeys(adapter.market(symbol).symbol for symbol in symbols))
        self._options = StreamOptions(heartbeat=heartbeat, connect_timeout=connect_timeout)
        self._max_reconnects = max_reconnects
        self._wait = (reconnect_wait, reconnect_wait_max)
        self._legs: dict[tuple[str, PositionSide], Leg] = {}
        self._leg_times: dict[tuple[str, PositionSide], int] = {}
        self._orders: dict[tuple[str, bool, str], Order] = {}
        self._order_times: dict[tuple[str, bool, str], int] = {}
        self._fills_seen: set[tuple[str, str]] = set()
        self._terminal_seen: set[tuple[str, str]] = set()
        self._modes: dict[str, PositionMode] = {}
        self._events: asyncio.Queue[StreamEvent | HedgekitError] = asyncio.Queue(queue_size)
        self._inbox: asyncio.Queue[StreamUpdate | _Lost | _Broken] = asyncio.Queue()
        self._holding = True
        self._broken = False
        """A REST snapshot is being read: pushes wait in the inbox and are applied after it."""
        self._session: StreamSession | None = None
        self._reader: asyncio.Task[None] | None = None
        self._runner: asyncio.Task[None] | None = None
        self._failed: HedgekitError | None = None
        self._closed = False
        self.reconnects = 0
        """How many times the stream reconnected."""
        self.updates_applied = 0
        """Venue updates applied to the state (for monitoring)."""

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("failed" if self._failed else "live")
        return f"LiveStream(venue={self._venue!r}, {state}, {len(self._legs)} legs, {len(self._orders)} orders)"

    # -- lifecycle ---------------------------------------------------------------------------
    async def __aenter__(self) -> LiveStream:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Subscribe, read the REST snapshot, and start applying updates.

        Raises:
            hedgekit.errors.AuthenticationError: the venue refused the credentials.
            StreamDisconnected: the stream could not be opened within ``max_reconnects`` attempts.
        """
        if self._runner is not None or self._closed:
            raise ConfigurationError("a LiveStream starts once", venue=self._venue, operation="stream")
        await self._connect_with_retries("opening the stream")
        try:
            await self._snapshot(emit=False)
        except BaseException:
            await self._drop_session()
            raise
        self._release()
        self._runner = asyncio.ensure_future(self._run())

    async def close(self) -> None:
        """Stop the stream and close its connection; idempotent. ``async for`` ends after it."""
        if self._closed:
            return
        self._closed = True
        runner, self._runner = self._runner, None
        if runner is not None:
            while not runner.done():  # asyncio.wait_for (3.10/3.11) swallows a cancel that races an inbox item
                runner.cancel()
                await asyncio.wait([runner], timeout=0.5)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner
        await self._drop_session()
        with contextlib.suppress(asyncio.QueueFull):
            self._events.put_nowait(_END)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    # -- reads (no request) --------------------------------------------------------------
    def legs(self, symbol: str) -> LegPair:
        """Both legs of ``symbol`` from live state; sends no request."""
        market = self._client.adapter.market(symbol)
        name = market.symbol
        self._check_kept(name)
        return self._pair(name)

    def orders(self, symbol: str | None = None) -> list[Order]:
        """Open regular and conditional orders from live state (one symbol or all); no request."""
        name = None
        if symbol is not None:
            name = self._client.adapter.market(symbol).symbol
            self._check_kept(name)
        return [order for key, order in self._orders.items() if name is None or key[0] == name]

    def _check_kept(self, name: str) -> None:
        if self._symbols is not None and name not in self._symbols:
            raise ConfigurationError(
                f"{name} is not kept by this stream (it keeps {', '.join(self._symbols)})",
                venue=self._venue, operation="stream", symbol=name,
            )

    # -- events ----------------------------------------------------------------------------
    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[StreamEvent]:
        while True:
            if self._closed and self._events.empty():
                return
            item = await self._events.get()
            if item is _END:
                return
            if isinstance(item, HedgekitError):
                raise item
            yield item

    def _emit(self, event: StreamEvent) -> None:
        try:
            self._events.put_nowait(event)
        except asyncio.QueueFull:
            while not self._events.empty():
                self._events.get_nowait()
            log.warning("%s stream: event queue overflow, %d events discarded", self._venue,
                        self._events.maxsize)
            self._events.put_nowait(Resynced("event queue overflow"))
            self._events.put_nowait(event)

    # -- connection ------------------------------------------------------------------------
    async def _connect_with_retries(self, why: str) -> None:
        attempts = 1 + self._max_reconnects
        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts),
            wait=wait_exponential(multiplier=self._wait[0], max=self._wait[1]) + wait_random(0, self._wait[0]),
            retry=retry_if_exception_type((StreamLost, NetworkError)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._connect_once()
        except (StreamLost, NetworkError) as exc:
            reason = exc.reason if isinstance(exc, StreamLost) else str(exc)
            raise StreamDisconnected(
                f"{why}: no connection after {attempts} attempt(s); last: {reason}",
                venue=self._venue, operation="stream",
            ) from None

    async def _connect_once(self) -> None:
        session = self._client.adapter.stream_session(self._symbols, self._options)
        inbox: asyncio.Queue[StreamUpdate | _Lost | _Broken] = asyncio.Queue()
        self._inbox = inbox
        # a session whose readers run in tasks of their own hands its updates straight to _take, in
        # the reader's task: one task hop fewer between the venue's frame and the user's event
        session.set_sink(lambda updates: self._take(updates, inbox))
        try:
            await asyncio.wait_for(session.connect(), self._options.connect_timeout)
        except asyncio.TimeoutError:
            await session.close()
            raise StreamLost("connecting took longer than connect_timeout") from None
        except BaseException:
            await session.close()
            raise
        self._session = session
        self._reader = asyncio.ensure_future(self._read(session, inbox))

    async def _read(self, session: StreamSession, inbox: asyncio.Queue[StreamUpdate | _Lost | _Broken]) -> None:
        """Apply the updates ``session.receive()`` returns as they arrive (a session with a sink
        delivers its updates through :meth:`_take` itself, and ``receive()`` only tells of a loss).

        While a REST snapshot is read (``_holding``) updates wait in ``inbox`` instead, and are
        applied after it; a lost session, an expiry notice or a failure goes to the runner.
        """
        try:
            while True:
                if not self._take(await session.receive(), inbox):
                    return
                await asyncio.sleep(0)  # the user's ``async for`` runs before the next buffered frame is read
        except StreamLost as exc:
            inbox.put_nowait(_Lost(exc.reason))
        except HedgekitError as exc:
            inbox.put_nowait(_Lost(str(exc)))

    def _take(self, updates: list[StreamUpdate], inbox: asyncio.Queue[StreamUpdate | _Lost | _Broken]) -> bool:
        """Apply a session's updates (or keep them in ``inbox`` while a snapshot is read); False
        once applying failed, after which the runner ends the stream and nothing more is applied."""
        if inbox is not self._inbox or self._broken:  # a session that is being dropped, or a failure
            return False
        for update in updates:
            if self._holding or isinstance(update, SessionExpired):
                inbox.put_nowait(update)
                continue
            try:
                self._apply(update, emit=True)
            except Exception as exc:
                self._broken = True
                inbox.put_nowait(_Broken(exc))
                return False
        return True

    def _release(self) -> None:
        """A snapshot was read: apply the updates that waited for it, then apply updates as they come.

        The first lost-session, expiry or failure marker that waited is put back for the runner
        (the rest came from the same ended session).
        """
        inbox = self._inbox
        control: _Lost | _Broken | SessionExpired | None = None
        while not inbox.empty():
            item = inbox.get_nowait()
            if isinstance(item, (_Lost, _Broken, SessionExpired)):
                control = control or item
            elif control is None:
                self._apply(item, emit=True)
        self._holding = False
        if control is not None:
            inbox.put_nowait(control)

    async def _drop_session(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        session, self._session = self._session, None
        if session is not None:
            with contextlib.suppress(Exception):
                await session.close()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        every = self._reconcile_every
        due = None if every is None else loop.time() + every
        try:
            while True:
                if due is None:
                    item = await self._inbox.get()
                else:
                    try:
                        item = await asyncio.wait_for(self._inbox.get(), max(due - loop.time(), 0.0))
                    except asyncio.TimeoutError:
                        await self._reconcile()
                        due = loop.time() + every  # type: ignore[operator]
                        continue
                if isinstance(item, _Broken):
                    raise item.error
                if isinstance(item, (_Lost, SessionExpired)):
                    await self._recover(item.reason)
                else:  # an update that waited for a snapshot
                    self._apply(item, emit=True)
        except asyncio.CancelledError:
            raise
        except HedgekitError as exc:
            self._fail(exc)
        except Exception as exc:  # never leave ``async for`` hanging on a bug
            log.exception("%s stream stopped", self._venue)
            self._fail(StreamDisconnected(f"the stream stopped: {type(exc).__name__}", venue=self._venue,
                                          operation="stream"))

    def _fail(self, error: HedgekitError) -> None:
        self._failed = error
        while True:
            try:
                self._events.put_nowait(error)
                return
            except asyncio.QueueFull:
                self._events.get_nowait()

    async def _reconcile(self) -> None:
        """Compare the live state with a REST read; emit what differs, then ``Resynced``."""
        self._holding = True
        try:
            differences = await self._snapshot(emit=True)
        except HedgekitError as exc:
            self._release()
            if exc.transient:
                log.info("%s stream: periodic check failed, next time then: %s", self._venue, exc)
                return
            raise
        if differences:
            log.warning("%s stream: periodic check found %d difference(s)", self._venue, differences)
            self._emit(Resynced("periodic check"))
        self._release()

    async def _recover(self, reason: str) -> None:
        log.info("%s stream: reconnecting (%s)", self._venue, reason)
        await self._drop_session()
        self._holding = True
        self.reconnects += 1
        await self._connect_with_retries(f"reconnecting after {reason}")
        await self._snapshot(emit=True)
        self._emit(Resynced(reason))
        self._release()

    # -- REST snapshot ---------------------------------------------------------------------
    async def _snapshot(self, *, emit: bool) -> int:
        adapter = self._client.adapter
        one = self._symbols[0] if self._symbols is not None and len(self._symbols) == 1 else None
        rows, regular, conditional = await asyncio.gather(
            self._client._read("legs", lambda: adapter.fetch_legs(one)),
            self._client._read("open_orders", lambda: adapter.fetch_open_orders(one)),
            self._client._read("conditional_orders", lambda: adapter.fetch_conditional_orders(one)),
        )
        names = set(self._symbols) if self._symbols is not None else (
            {leg.symbol for leg in rows if leg.is_open} | {key[0] for key, _ in self._legs.items()})
        modes = await asyncio.gather(*(self._client._mode(name) for name in sorted(names)))
        self._modes.update(zip(sorted(names), modes))
        kept = self._kept
        emitted = 0
        fresh_legs: dict[tuple[str, PositionSide], Leg] = {}
        for name in names:
            pair = self._client_pair(name, rows)
            fresh_legs[(name, PositionSide.LONG)] = pair.long
            fresh_legs[(name, PositionSide.SHORT)] = pair.short
        for key, leg in fresh_legs.items():
            old = self._legs.get(key)
            stamp = _ms(leg.updated_at)
            if stamp is not None and self._leg_times.get(key, stamp) > stamp:
                continue  # a push newer than this REST row was applied already
            self._legs[key] = leg
            if stamp is not None:
                self._leg_times[key] = stamp
            if emit and _leg_view(old or leg.model_copy(update={"size": 0})) != _leg_view(leg):
                emitted += 1
                self._emit(LegChanged(self._pair(leg.symbol), leg))
        fresh_orders = {_order_key(order): order for order in [*regular, *conditional] if kept(order.symbol)}
        for gone in [okey for okey in self._orders if okey not in fresh_orders]:
            ended = self._orders.pop(gone)
            self._order_times.pop(gone, None)
            if emit:
                emitted += 1
                self._emit(OrderChanged(await self._final_state(ended)))
        for okey, order in fresh_orders.items():
            held = self._orders.get(okey)
            when = _ms(order.updated_at)
            if when is not None and self._order_times.get(okey, when) > when:
                continue
            self._orders[okey] = order
            if when is not None:
                self._order_times[okey] = when
            if emit and (held is None or _order_view(held) != _order_view(order)):
                emitted += 1
                self._emit(OrderChanged(order))
        return emitted

    async def _final_state(self, order: Order) -> Order:
        """An order that left the open set while the stream was away: how it ended, read from REST."""
        try:
            found = await self._client._read("fetch_order", lambda: self._client.adapter.fetch_order(
                order.symbol, order_id=order.order_id, conditional=order.conditional))
        except HedgekitError as exc:
            log.info("%s stream: could not read how order %s ended: %s", self._venue, order.order_id, exc)
            found = None
        if found is not None:
            return found
        return order.model_copy(update={"status": OrderStatus.CANCELED, "raw": None})

    def _client_pair(self, name: str, rows: list[Leg]) -> LegPair:
        from hedgekit.client import _pair

        return _pair(self._venue, name, self._modes.get(name, PositionMode.HEDGE), rows)

    def _kept(self, name: str) -> bool:
        return self._symbols is None or name in self._symbols

    # -- applying updates -----------------------------------------------------------------
    def _apply(self, update: StreamUpdate, *, emit: bool) -> None:
        if isinstance(update, LegUpdate):
            if self._kept(update.symbol):
                self._apply_leg(update, emit=emit)
        elif isinstance(update, OrderUpdate):
            if self._kept(update.order.symbol):
                self._apply_order(update, emit=emit)

    def _apply_leg(self, update: LegUpdate, *, emit: bool) -> None:
        fields = dict(update.fields)
        side = update.side
        name = update.symbol
        if side is PositionSide.BOTH:
            size = fields.get("size")
            if size is None:
                return
            self._modes[name] = PositionMode.ONE_WAY
            side = PositionSide.SHORT if size < 0 else PositionSide.LONG
            fields["size"] = abs(size)
            other = PositionSide.LONG if side is PositionSide.SHORT else PositionSide.SHORT
            self._set_leg(name, other, {"size": fields["size"] * 0}, update.time_ms, emit=emit)
        elif name not in self._modes:
            self._modes[name] = PositionMode.HEDGE
        self._set_leg(name, side, fields, update.time_ms, emit=emit)
        self.updates_applied += 1

    def _set_leg(self, name: str, side: PositionSide, fields: dict[str, Any], time_ms: int | None, *,
                 emit: bool) -> None:
        key = (name, side)
        last = self._leg_times.get(key)
        if time_ms is not None and last is not None and time_ms < last:
            return  # older than what the state holds: an out-of-order push
        current = self._legs.get(key) or Leg(venue=self._venue, symbol=name, side=side)
        if fields.get("size") is not None and fields["size"] == 0:
            new = Leg(venue=self._venue, symbol=name, side=side, mark_price=fields.get("mark_price", current.mark_price),
                      leverage=fields.get("leverage", current.leverage),
                      margin_mode=fields.get("margin_mode", current.margin_mode))
        else:
            new = current.model_copy(update=fields)
        if time_ms is not None:
            self._leg_times[key] = time_ms
            new = new.model_copy(update={"updated_at": datetime.fromtimestamp(time_ms / 1000, timezone.utc)})
        self._legs[key] = new
        if (name, PositionSide.LONG if side is PositionSide.SHORT else PositionSide.SHORT) not in self._legs:
            other = PositionSide.LONG if side is PositionSide.SHORT else PositionSide.SHORT
            self._legs[(name, other)] = Leg(venue=self._venue, symbol=name, side=other)
        if emit and _leg_view(current) != _leg_view(new):
            self._emit(LegChanged(self._pair(name), new))

    def _apply_order(self, update: OrderUpdate, *, emit: bool) -> None:
        order, fill = update.order, update.fill
        key = _order_key(order)
        stamp = update.time_ms if update.time_ms is not None else _ms(order.updated_at)
        last = self._order_times.get(key)
        if stamp is not None and last is not None and stamp < last:
            return
        if fill is not None and fill.trade_id is not None:
            seen = (order.order_id, fill.trade_id)
            if seen in self._fills_seen:
                fill = None
            else:
                self._fills_seen.add(seen)
        current = self._orders.get(key)
        if stamp is not None:
            self._order_times[key] = stamp
        if order.status.is_open:
            self._orders[key] = order
        else:
            self._orders.pop(key, None)
            self._order_times.pop(key, None)
        self.updates_applied += 1
        if not emit:
            return
        repeated = current is not None and _order_view(current) == _order_view(order)
        if fill is None and (repeated or (current is None and self._finished_before(order))):
            return
        self._emit(OrderChanged(order, fill))

    def _finished_before(self, order: Order) -> bool:
        """A terminal push for an order the state never held may still be news (a market order that
        filled at once); it is a repeat only when the same terminal state was already emitted."""
        key = (order.order_id, order.status.value)
        if key in self._terminal_seen:
            return True
        if not order.status.is_open:
            self._terminal_seen.add(key)
        return False

    def _pair(self, name: str) -> LegPair:
        mode = self._modes.get(name, PositionMode.HEDGE)
        long = self._legs.get((name, PositionSide.LONG)) or Leg(venue=self._venue, symbol=name, side=PositionSide.LONG)
        short = self._legs.get((name, PositionSide.SHORT)) or Leg(
            venue=self._venue, symbol=name, side=PositionSide.SHORT)
        return LegPair(venue=self._venue, symbol=name, mode=mode, long=long, short=short)


_END: Any = object()


def _leg_view(leg: Leg) -> tuple[Any, ...]:
    """What makes a leg different for an event: every figure of an open leg; a flat leg is flat."""
    if not leg.size:
        return (0,)
    return tuple(getattr(leg, name) for name in _LEG_FIELDS)


def _order_view(order: Order) -> tuple[Any, ...]:
    return (order.status, order.filled_quantity, order.average_price, order.price, order.quantity,
            order.trigger_price)
