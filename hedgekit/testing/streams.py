"""The simulator's private websockets: the venue-neutral hub and the contract of a venue's stream frontend.

A :class:`~hedgekit.testing.server.SimulatedVenue` serves websockets on the same host and port as its
REST API. A websocket upgrade whose path a venue's :class:`StreamFrontend` accepts becomes a
:class:`StreamConnection`; the frontend answers its messages (auth, subscribe, ping) and turns every
engine event (:mod:`hedgekit.testing.engine_events`) into the venue's frames for that connection.

The hub owns what is the same on every venue: connections, frame order, heartbeats at the protocol
level, and the faults a test can inject::

    venue.disconnect_streams()           # every connection is closed by the venue
    venue.stall_streams()                # no frames and no pongs until resume_streams()
    venue.drop_stream_events(1)          # the next frame that carries an event is lost
    venue.expire_listen_keys()           # the venue's own expiry (listenKeyExpired, ...)
"""

from __future__ import annotations

import abc
import asyncio
import collections
import contextlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from hedgekit.testing.engine_events import EngineEvent

if TYPE_CHECKING:
    from hedgekit.testing.engine import Engine

__all__ = ["StreamConnection", "StreamFrontend", "StreamHub"]

_LOG = logging.getLogger("hedgekit.testing.streams")


class StreamFrontend(abc.ABC):
    """One venue's private websocket(s) in the simulator (``hedgekit_<venue>.simulator_stream``).

    Subclasses implement :meth:`accepts` (which paths are the venue's), :meth:`on_open` (a new
    connection: check a listen key in its path, send a greeting), :meth:`on_message` (a text frame
    from the client) and :meth:`render` (the frames one engine event makes for one connection).
    Every frame a subclass sends goes through :meth:`StreamConnection.send` (replies) or is returned
    from :meth:`render` (events, which the drop fault may lose).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @abc.abstractmethod
    def accepts(self, path: str) -> bool:
        """Whether a websocket upgrade to ``path`` is this venue's private stream."""

    async def on_open(self, conn: StreamConnection) -> bool:
        """A connection was upgraded; return ``False`` (after sending the venue's refusal) to close it."""
        return True

    @abc.abstractmethod
    async def on_message(self, conn: StreamConnection, text: str) -> None:
        """A text frame arrived from the client."""

    @abc.abstractmethod
    def render(self, conn: StreamConnection, event: EngineEvent) -> list[str]:
        """The venue's frames for ``event`` on ``conn`` (empty when the connection does not get it)."""

    def expire(self, conn: StreamConnection) -> list[str]:
        """Frames that tell ``conn`` its credential expired (Binance's ``listenKeyExpired``); after
        them the venue stops sending events on it. The default: none, and the connection is closed."""
        conn.closing = True
        return []

    def on_ping(self, conn: StreamConnection) -> None:
        """A protocol-level PING arrived (the hub answers it with a PONG unless stalled)."""
        return None

    def on_close(self, conn: StreamConnection) -> None:
        """The connection ended (either side)."""
        return None


class StreamConnection:
    """One client's websocket on the simulator."""

    def __init__(self, hub: StreamHub, request: web.Request, ws: web.WebSocketResponse) -> None:
        self.hub = hub
        self.request = request
        self.ws = ws
        self.path = request.path
        self.query: Mapping[str, str] = request.query
        self.state: dict[str, Any] = {}
        """The frontend's own per-connection state (login, subscriptions, listen key)."""
        self.expired = False
        """Set once the venue expired the connection's credential: no more events are sent."""
        self.closing = False
        self._outbox: asyncio.Queue[str | None] = asyncio.Queue()
        self.sent: list[str] = []
        """Every frame sent to the client, in order (for tests)."""

    def send(self, text: str) -> None:
        """Queue a frame for the client (replies and events keep their order)."""
        self._outbox.put_nowait(text)

    def send_json(self, payload: Any) -> None:
        """Queue a JSON frame."""
        self.send(json.dumps(payload, separators=(",", ":")))

    def close(self) -> None:
        """Close the connection after the frames queued so far."""
        self.closing = True
        self._outbox.put_nowait(None)

    async def _write(self) -> None:
        while True:
            text = await self._outbox.get()
            while self.hub.stalled and not self.ws.closed:
                await self.hub.resumed.wait()
            if text is None or self.ws.closed:
                await self.ws.close()
                return
            try:
                await self.ws.send_str(text)
            except (ConnectionResetError, RuntimeError):
                return
            self.sent.append(text)


class StreamHub:
    """Every private websocket of one simulated venue, and the faults a test injects into them."""

    def __init__(self, engine: Engine, frontend_of: Callable[[], StreamFrontend | None]) -> None:
        self._frontend_of = frontend_of
        self.connections: list[StreamConnection] = []
        self.ended: collections.deque[StreamConnection] = collections.deque(maxlen=64)
        """The latest connections that ended, newest last (a test reads what a refused client was sent)."""
        self.stalled = False
        self.resumed = asyncio.Event()
        self.resumed.set()
        self._drop = 0
        self.dropped: list[str] = []
        """Event frames the drop fault lost, in order."""
        self.events_sent = 0
        engine.events.subscribe(self._publish)

    @property
    def frontend(self) -> StreamFrontend | None:
        """The venue's stream frontend (``None`` where the venue has no stream in the simulator)."""
        return self._frontend_of()

    def accepts(self, request: web.Request) -> bool:
        """Whether ``request`` is a websocket upgrade to one of the venue's stream paths."""
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return False
        frontend = self.frontend
        return frontend is not None and frontend.accepts(request.path)

    async def serve(self, request: web.Request) -> web.WebSocketResponse:
        """Run one websocket to its end."""
        frontend = self.frontend
        assert frontend is not None
        ws = web.WebSocketResponse(autoping=False, max_msg_size=1 << 20)
        await ws.prepare(request)
        conn = StreamConnection(self, request, ws)
        writer = asyncio.ensure_future(conn._write())
        self.connections.append(conn)
        try:
            if await frontend.on_open(conn):
                async for message in ws:
                    if message.type is WSMsgType.TEXT:
                        if not self.stalled:
                            await frontend.on_message(conn, message.data)
                    elif message.type is WSMsgType.PING:
                        frontend.on_ping(conn)
                        if not self.stalled:
                            await ws.pong(message.data)
                    elif message.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                        break
            conn.close()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(writer), 1.0)
        finally:
            writer.cancel()
            if conn in self.connections:
                self.connections.remove(conn)
                self.ended.append(conn)
            frontend.on_close(conn)
            if not ws.closed:
                await ws.close()
        return ws

    def _publish(self, event: EngineEvent) -> None:
        frontend = self.frontend
        if frontend is None:
            return
        for conn in list(self.connections):
            if conn.expired or conn.closing:
                continue
            try:
                frames = frontend.render(conn, event)
            except Exception:  # a frontend bug must not break the engine call that published
                _LOG.exception("stream frontend failed to render %s", type(event).__name__)
                continue
            self.push_events(conn, frames)

    def push_events(self, conn: StreamConnection, frames: list[str]) -> None:
        """Send event frames to ``conn`` under the hub's rules: none after its credential expired or
        while it closes, and the drop fault applies. A frontend whose own state changes outside the
        engine's events pushes through here too."""
        if conn.expired or conn.closing:
            return
        for frame in frames:
            if self._drop > 0:
                self._drop -= 1
                self.dropped.append(frame)
                continue
            self.events_sent += 1
            conn.send(frame)

    # ----------------------------------------------------------------- faults

    def disconnect(self) -> int:
        """Close every connection from the venue's side; returns how many were open."""
        count = len(self.connections)
        for conn in list(self.connections):
            conn.closing = True
            asyncio.ensure_future(conn.ws.close(code=1001, message=b"going away"))
        return count

    def stall(self) -> None:
        """Send nothing (no events, no replies, no pongs) until :meth:`resume`."""
        self.stalled = True
        self.resumed.clear()

    def resume(self) -> None:
        """End a stall; frames held during it are sent."""
        self.stalled = False
        self.resumed.set()

    def drop_events(self, count: int = 1) -> None:
        """Lose the next ``count`` event frames (replies to the client's own requests still go)."""
        self._drop += count

    def expire(self) -> int:
        """Expire every connection's credential the venue's way; returns how many were expired."""
        frontend = self.frontend
        if frontend is None:
            return 0
        count = 0
        for conn in list(self.connections):
            if conn.expired:
                continue
            for frame in frontend.expire(conn):
                conn.send(frame)
            conn.expired = True
            count += 1
            if conn.closing:
                conn.close()
        return count
