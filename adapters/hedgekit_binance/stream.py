"""The Binance USDⓈ-M private stream (user data stream) as a :class:`~hedgekit.stream_session.StreamSession`.

The session (shared/STREAMS.md §1; sources cited there as BND, BNC, BNW, CCXT):

1. **Listen key** over REST, USER_STREAM security = the ``X-MBX-APIKEY`` header and no signature:
   ``POST /fapi/v1/listenKey`` -> ``{"listenKey": …}`` (an account with an active key gets the
   same key back, extended 60 min); ``PUT /fapi/v1/listenKey`` keeps it alive (-> ``{"listenKey"}``);
   a dead key answers ``-1125 This listenKey does not exist.``. Weight 1 each (BND "Start/Keepalive/
   Close User Data Stream"). The key lives 60 minutes from the last POST/PUT; the session PUTs every
   :data:`KEEPALIVE_SECONDS` (``StreamOptions.listen_key_keepalive`` overrides), and a ``-1125``
   ends the session with :class:`~hedgekit.stream_session.SessionExpired` so that the next one POSTs
   a new key. The session never DELETEs the key: an account has one active key, which other
   clients of the account share.
2. **Dial** ``wss://fstream.binance.com/private/ws?listenKey=<k>`` (the 2026 ``/public /market
   /private`` split, BNW announcement: "Legacy WebSocket URLs will be permanently retired on
   2026-04-23"; ccxt and python-binance dial this form, without ``events=``, which is an allow-list
   that, given, must name ``listenKeyExpired`` for that event to arrive, 3P measurement). Demo
   (``testnet=True``): ``wss://fstream.binancefuture.com`` (ccxt's demo host; UNCONFIRMED against
   ``demo-fstream.binance.com``). With ``base_url`` set (the simulator, a proxy): its ``ws://``
   twin + the same path. No subscribe frame is needed on this form.
3. **Heartbeat**: protocol PINGs every :data:`HEARTBEAT_SECONDS` (ccxt's 180 s; the server itself
   pings every 3 minutes and drops a client silent for 10, a market-stream rule UNCONFIRMED for
   ``/private``); a PONG missing for half that interval more is a lost connection (aiohttp).
4. **Frames**: :mod:`.stream_wire` (``ACCOUNT_UPDATE``, ``ORDER_TRADE_UPDATE``, ``ALGO_UPDATE``,
   ``ACCOUNT_CONFIG_UPDATE``, ``listenKeyExpired``). There is no sequence number; events of one type
   are ordered by ``E`` on one connection, and after a reconnect the live stream re-reads REST
   (``/fapi/v3/positionRisk``, ``/fapi/v1/openOrders``, ``/fapi/v1/openAlgoOrders``).

The listen key never appears in a log line or a ``repr`` (it is the stream's credential).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hedgekit.errors import AuthenticationError, HedgekitError, MalformedResponse
from hedgekit.stream_session import SessionExpired, StreamLost, StreamSession, StreamUpdate, UpdateQueue
from hedgekit.ws import WebSocketChannel, loads, ws_base

from hedgekit_binance.stream_wire import Dialect, StreamReader

__all__ = [
    "BinanceStreamSession",
    "ListenKeySession",
    "HEARTBEAT_SECONDS",
    "KEEPALIVE_SECONDS",
    "LIVE_WS",
    "DEMO_WS",
    "INVALID_LISTEN_KEY",
]

log = logging.getLogger(__name__)

LIVE_WS = "wss://fstream.binance.com"
"""USDⓈ-M websocket host (BND "User Data Streams Connect"; BNW ``/private`` example)."""
DEMO_WS = "wss://fstream.binancefuture.com"
"""The demo host ccxt uses (CCXT binance.py:104); UNCONFIRMED against ``demo-fstream.binance.com``."""
PRIVATE_PATH = "/private/ws"
"""``…/private/ws?listenKey=<k>`` (BNW announcement; CCXT binance.py:284-292)."""
HEARTBEAT_SECONDS = 180.0
"""Protocol PING interval: ccxt's 180 s (CCXT binance.py:134), the server's own 3-minute ping."""
KEEPALIVE_SECONDS = 1800.0
"""Listen-key PUT interval: half the key's 60-minute life, so one lost PUT is survived (ccxt PUTs
every 20 min, python-binance every 5; BND recommends "about every 60 minutes")."""
INVALID_LISTEN_KEY = -1125
"""``-1125 INVALID_LISTEN_KEY`` "This listenKey does not exist." (BND §User Data Streams Connect)."""

_QUEUE_END = object()


@dataclass
class ListenKeySession(StreamSession, abc.ABC):
    """A Binance-family session: a listen key over REST, one websocket, a keep-alive timer.

    Subclasses give the REST calls (:meth:`_create_key`, :meth:`_keep_key`), the URL
    (:meth:`_url`), the :class:`~hedgekit_binance.stream_wire.Dialect` and the default timers.
    """

    dialect: ClassVar[Dialect]
    default_heartbeat: ClassVar[float] = HEARTBEAT_SECONDS
    default_keepalive: ClassVar[float] = KEEPALIVE_SECONDS

    _key: str | None = field(default=None, init=False, repr=False)
    _channel: WebSocketChannel | None = field(default=None, init=False, repr=False)
    _queue: UpdateQueue = field(default_factory=UpdateQueue, init=False, repr=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False, repr=False)
    _reader: StreamReader | None = field(default=None, init=False, repr=False)
    _closed: bool = field(default=False, init=False, repr=False)

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("connected" if self._channel is not None else "new")
        return f"{type(self).__name__}({self.adapter.name}, symbols={self.symbols!r}, {state})"

    # -- venue specifics ------------------------------------------------------------------------
    @abc.abstractmethod
    async def _create_key(self) -> str:
        """POST the listen key; the venue's answer's ``listenKey``."""

    @abc.abstractmethod
    async def _keep_key(self) -> None:
        """PUT the listen key (raises the adapter's error for a dead key)."""

    @abc.abstractmethod
    def _url(self, key: str) -> str:
        """The websocket URL for ``key``."""

    # -- StreamSession ----------------------------------------------------------------------------
    async def connect(self) -> None:
        if self._closed or self._channel is not None:
            raise StreamLost("a session connects once")
        try:
            await asyncio.wait_for(self._connect(), self.options.connect_timeout)
        except asyncio.TimeoutError:
            await self.close()
            raise StreamLost("the stream did not open within the connect timeout") from None
        except BaseException:
            await self.close()
            raise

    async def _connect(self) -> None:
        try:
            key = await self._create_key()
        except AuthenticationError:
            raise
        except HedgekitError as exc:
            raise StreamLost(f"could not get a listen key: {type(exc).__name__}") from None
        self._key = key
        by_symbol = {m.venue_symbol.upper(): m for m in self.adapter.markets.values()}
        self._reader = StreamReader(self.dialect, lambda s: by_symbol.get(s.upper()), self.symbols, key)
        channel = WebSocketChannel(heartbeat=self.options.heartbeat or self.default_heartbeat)
        self._channel = channel
        await channel.connect(self._url(key), timeout=self.options.connect_timeout)
        self._tasks.append(asyncio.ensure_future(self._read_loop(channel)))
        self._tasks.append(asyncio.ensure_future(self._keepalive_loop()))

    def set_sink(self, sink: Callable[[list[StreamUpdate]], object]) -> bool:
        self._queue.sink = sink
        return True

    async def receive(self) -> list[StreamUpdate]:
        if self._channel is None and self._queue.empty():
            raise StreamLost("the stream is not connected")
        return await self._queue.next_updates()

    async def close(self) -> None:
        self._closed = True
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        channel, self._channel = self._channel, None
        if channel is not None:
            await channel.close()
        self._queue.put_nowait(StreamLost("the session was closed"))

    # -- background ---------------------------------------------------------------------------------
    async def _read_loop(self, channel: WebSocketChannel) -> None:
        assert self._reader is not None
        while True:
            try:
                text = await channel.receive()
            except StreamLost as lost:
                self._queue.put_nowait(lost)
                return
            try:
                updates = self._reader.read(loads(text))
            except (ValueError, MalformedResponse) as exc:
                # the frame is not logged: it may name the listen key
                log.warning("%s stream: unreadable frame (%s)", self.adapter.name, type(exc).__name__)
                self._queue.put_nowait(StreamLost("an unreadable frame"))
                await channel.close()
                return
            if updates:
                self._queue.put_nowait(updates)
                await asyncio.sleep(0)  # whoever takes them runs before the next buffered frame

    async def _keepalive_loop(self) -> None:
        interval = self.options.listen_key_keepalive or self.default_keepalive
        while True:
            await asyncio.sleep(interval)
            try:
                await self._keep_key()
            except HedgekitError as exc:
                if exc.code == INVALID_LISTEN_KEY:
                    self._queue.put_nowait([SessionExpired("the listen key no longer exists (-1125)")])
                    return
                # another failure (network, 5xx, rate limit): the key lives 60 min, try again
                log.warning("%s stream: listen-key keep-alive failed (%s); retrying", self.adapter.name,
                            type(exc).__name__)


@dataclass
class BinanceStreamSession(ListenKeySession):
    """Binance USDⓈ-M: ``/fapi/v1/listenKey`` and ``…/private/ws?listenKey=<k>``."""

    dialect: ClassVar[Dialect] = Dialect(venue="binance", algo_service=True)

    async def _create_key(self) -> str:
        payload = await self._rest("fapiPrivatePostListenKey")
        key = payload.get("listenKey") if isinstance(payload, dict) else None
        if not isinstance(key, str) or not key:
            raise MalformedResponse("malformed answer to listenKey: no listenKey", venue="binance")
        return key

    async def _keep_key(self) -> None:
        await self._rest("fapiPrivatePutListenKey")

    async def _rest(self, method: str) -> Any:
        call = getattr(self.adapter, "_call")  # the adapter's paced, translated REST path
        return await call("stream", method, {})

    def _url(self, key: str) -> str:
        config = self.adapter.config
        base = ws_base(config.base_url) if config.base_url else (DEMO_WS if config.testnet else LIVE_WS)
        return f"{base}{PRIVATE_PATH}?listenKey={key}"
