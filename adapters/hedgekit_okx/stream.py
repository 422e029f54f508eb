"""The OKX v5 private streams (``/ws/v5/private`` + ``/ws/v5/business``) as one
:class:`~hedgekit.stream_session.StreamSession`.

Venue facts (shared/STREAMS.md §4; OKX = okx.com/docs-v5/en mirrored in ``rosssaunders/coincise
docs/okx/*.md``, OKXA = #order-book-trading-algo-trading):

1. **URLs.** ``wss://ws.okx.com:8443/ws/v5/private`` for ``positions`` and ``orders``;
   ``…/ws/v5/business`` for ``orders-algo`` and ``algo-advance`` ("URL Path /ws/v5/business",
   OKXA; the private URL answers ``64001`` since 2023-06-20). Demo trading (``testnet=True``):
   ``wss://wspap.okx.com:8443`` (OKX §Demo Trading Services). With ``base_url`` set (the simulator,
   a proxy): its ``ws://`` twin + the same paths. One websocket per URL; both are merged into one
   :meth:`receive` stream, each connection's frames kept in their order.
2. **Login** on each connection: ``{"op":"login","args":[{"apiKey","passphrase","timestamp","sign"}]}``
   with ``timestamp`` Unix **seconds** as a string and ``sign`` = Base64(HMAC-SHA256(secret,
   timestamp + "GET" + "/users/self/verify")) (OKX overview §Login; it expires 30 s after the
   timestamp, so the adapter's measured venue clock is used). Success ``{"event":"login","code":"0"}``;
   a refusal ``{"event":"error","code","msg"}``: :data:`AUTH_CODES` (60004 invalid timestamp,
   60005 invalid apiKey, 60006 timestamp expired, 60007 invalid sign, 60009 login failure, 60024
   wrong passphrase, 60032 API key doesn't exist; error_code.md) raise
   :class:`~hedgekit.errors.AuthenticationError`, any other code :class:`StreamLost`.
3. **Subscribe** ``{"op":"subscribe","args":[{"channel","instType":"SWAP","instId"?}]}`` (one arg
   per instrument when the stream keeps some symbols); one ack ``{"event":"subscribe","arg",
   "connId"}`` per arg is awaited; an ``error`` frame instead is :class:`StreamLost`.
4. **Heartbeat**: the text ``ping`` every ``StreamOptions.heartbeat`` (default
   :data:`HEARTBEAT_SECONDS`), answered by the text ``pong``; the venue cuts a connection idle for
   30 s (OKX overview §Connect). A pong missing for a heartbeat more is a lost connection.
5. **Frames** (:class:`OkxStreamReader`), ``{"arg":{"channel",…},"data":[…]}``:

   * ``positions`` rows (trading_account.md §Positions channel): ``instId``, ``posSide``
     (long/short/net), ``pos`` in **contracts** (signed under ``net``; converted to base units with
     the market's ``ctVal`` as the REST adapter does), ``avgPx``, ``markPx``, ``upl``, ``liqPx``
     (``""`` = none), ``margin`` (isolated) / ``imr`` (cross), ``mgnMode``, ``lever``, ``uTime``. A
     close arrives as ``pos "0"``. Fields a row leaves out are not pushed (the live stream keeps
     them from REST).
   * ``orders`` rows (order_book_trading.md §WS / Order channel): the REST order fields
     (:func:`hedgekit_okx.wire_orders.parse_order`; ``state`` live, partially_filled, filled,
     canceled, mmp_canceled) plus this update's fill ``fillPx``, ``fillSz`` (contracts),
     ``tradeId``, ``fillFee`` (negative = charged; hedgekit's fee is positive when paid),
     ``fillFeeCcy``, ``fillPnl``, ``fillTime``, ``execType`` (M = maker). A ``tradeId`` seen before
     on the instrument carries no fill ("Each tradeId should only be returned once per instrument
     ID").
   * ``orders-algo`` / ``algo-advance`` rows (OKXA): the REST algo fields
     (:func:`hedgekit_okx.wire_orders.parse_algo_order`; ``state`` live, pause, effective,
     partially_effective, canceled, order_failed, partially_failed; ``algoId`` is the order id, as
     in REST; ``triggerPx``/``slTriggerPx``/``tpTriggerPx``; ``callbackRatio``/``activePx`` on
     ``move_order_stop``). Fields a channel does not carry for the order's type are read as ``""``.
   * ``event`` frames: ``subscribe``/``unsubscribe``/``login``/``channel-conn-count`` are ignored;
     ``notice`` (the 60-second service-upgrade warning, code 64008) ends the session with
     :class:`SessionExpired` so that a new connection is made before the cut; ``error`` and
     ``channel-conn-count-error`` are :class:`StreamLost`.

   Frames of other channels are ignored; a frame that cannot be read is :class:`StreamLost`.
   There is no sequence number: after a reconnect the live stream re-reads REST.

Neither the key, the passphrase, the secret nor a signature appears in a log line, ``repr`` or
exception.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from hedgekit.errors import AuthenticationError, ConfigurationError, HedgekitError
from hedgekit.models import Fill, MarginMode, Market, PositionSide, leverage_value
from hedgekit.stream_session import (
    LegUpdate,
    OrderUpdate,
    SessionExpired,
    StreamLost,
    StreamSession,
    StreamUpdate,
    UpdateQueue,
)
from hedgekit.ws import WebSocketChannel, loads, ws_base

from hedgekit_okx import wire
from hedgekit_okx import wire_orders as wo

__all__ = [
    "AUTH_CODES",
    "BUSINESS_PATH",
    "DEMO_WS",
    "HEARTBEAT_SECONDS",
    "LIVE_WS",
    "OkxStreamReader",
    "OkxStreamSession",
    "PRIVATE_PATH",
    "login_payload",
]

log = logging.getLogger(__name__)

LIVE_WS = "wss://ws.okx.com:8443"
"""Production websocket host (OKX overview; STREAMS.md §4)."""
DEMO_WS = "wss://wspap.okx.com:8443"
"""Demo-trading websocket host (OKX §Demo Trading Services)."""
PRIVATE_PATH = "/ws/v5/private"
BUSINESS_PATH = "/ws/v5/business"
HEARTBEAT_SECONDS = 20.0
"""Text ``ping`` interval: under the venue's 30-second idle cut (ccxt pings every 18 s)."""
AUTH_CODES = frozenset({"60004", "60005", "60006", "60007", "60009", "60024", "60032"})
"""Login refusals that are the credentials' fault (OKX error_code.md, WebSocket public class)."""
SWAP = "SWAP"


def login_payload(api_key: str, passphrase: str, secret: str, seconds: int) -> dict[str, Any]:
    """The login frame: ``sign`` = Base64(HMAC-SHA256(secret, ts + "GET" + "/users/self/verify"))."""
    timestamp = str(seconds)
    digest = hmac.new(secret.encode(), f"{timestamp}GET/users/self/verify".encode(), hashlib.sha256).digest()
    sign = base64.b64encode(digest).decode()
    return {"op": "login", "args": [{"apiKey": api_key, "passphrase": passphrase, "timestamp": timestamp,
                                      "sign": sign}]}


def _ms_time(row: dict[str, Any], key: str) -> tuple[int | None, datetime | None]:
    value = wire.dec(row, key, required=False)
    if value is None:
        return None, None
    stamp = int(value)
    return stamp, datetime.fromtimestamp(stamp / 1000, timezone.utc)


#: Fields the algo channels leave out for some order types; read as "not applicable".
_ALGO_BLANKS = ("algoClOrdId", "closeFraction", "slTriggerPx", "tpTriggerPx", "triggerPx", "activePx",
                "callbackRatio", "sz", "reduceOnly")


class OkxStreamReader:
    """Turns OKX private-stream frames into updates (no I/O; see the module docstring)."""

    def __init__(self, market_of: Callable[[str], Market | None], symbols: tuple[str, ...] | None) -> None:
        self._market_of = market_of
        self._symbols = None if symbols is None else frozenset(symbols)
        self._trades: set[tuple[str, str]] = set()

    def read(self, frame: Any) -> list[StreamUpdate]:
        """Raises :class:`StreamLost` for a frame that cannot be read or says the stream failed."""
        try:
            return self._read(frame)
        except HedgekitError as exc:
            raise StreamLost(f"an unreadable frame ({type(exc).__name__})") from None

    def _read(self, frame: Any) -> list[StreamUpdate]:
        if not isinstance(frame, dict):
            raise wire.bad("expected a JSON object", type(frame).__name__)
        event = frame.get("event")
        if event is not None:
            if event == "notice":
                return [SessionExpired(f"the venue announced a disconnect (code {frame.get('code')})")]
            if event in ("error", "channel-conn-count-error"):
                raise StreamLost(f"the venue reported error {frame.get('code')!s}")
            return []  # subscribe, unsubscribe, login, channel-conn-count
        arg = frame.get("arg")
        if not isinstance(arg, dict):
            raise wire.bad("a push without arg", frame)
        channel = arg.get("channel")
        readers: dict[str, Callable[[dict[str, Any], Market], StreamUpdate]] = {
            "positions": self._position, "orders": self._order, "orders-algo": self._algo, "algo-advance": self._algo}
        reader = readers.get(channel) if isinstance(channel, str) else None
        if reader is None:
            return []
        rows = frame.get("data")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise wire.bad(f"{channel} data is not a list of objects", frame)
        out: list[StreamUpdate] = []
        for row in rows:
            if row.get("instType", SWAP) != SWAP:
                continue
            market = self._market_of(wire.text(row, "instId"))
            if market is None or (self._symbols is not None and market.symbol not in self._symbols):
                continue
            update = reader(row, market)
            if update is not None:
                out.append(update)
        return out

    def _position(self, row: dict[str, Any], market: Market) -> LegUpdate:
        side = wire.enum_of(wire.POS_SIDE_IN, row, "posSide")
        pos = wire.req_dec(row, "pos")
        size = wire.from_contracts(market, pos if side is PositionSide.BOTH else abs(pos))
        fields: dict[str, Any] = {"size": size}
        if pos != 0 and (entry := wire.dec(row, "avgPx", required=False)) is not None:
            fields["entry_price"] = entry
        mark = wire.dec(row, "markPx", required=False)
        if mark is not None:
            fields["mark_price"] = mark
            fields["notional"] = abs(size) * mark
        if (upl := wire.dec(row, "upl", required=False)) is not None:
            fields["unrealized_pnl"] = upl
        if "liqPx" in row:
            liq = wire.dec(row, "liqPx", required=False)
            fields["liquidation_price"] = liq if liq else None
        mode = wire.MARGIN_MODE_IN.get(row.get("mgnMode", ""))
        if "mgnMode" in row and mode is None:
            raise wire.bad("field 'mgnMode' is not cross or isolated", row)
        if mode is not None:
            fields["margin_mode"] = mode
            margin = wire.dec(row, "margin" if mode is MarginMode.ISOLATED else "imr", required=False)
            if margin is not None:
                fields["margin"] = margin
        lever = wire.dec(row, "lever", required=False)
        if lever is not None and lever >= 1:
            fields["leverage"] = leverage_value(lever)
        stamp, moment = _ms_time(row, "uTime")
        if moment is not None:
            fields["updated_at"] = moment
        return LegUpdate(symbol=market.symbol, side=side, fields=fields, time_ms=stamp)

    def _order(self, row: dict[str, Any], market: Market) -> OrderUpdate:
        order = wo.parse_order(row, market)
        fill = None
        trade_id = wire.opt_text(row, "tradeId")
        size = wire.dec(row, "fillSz", required=False)
        if trade_id is not None and size:
            key = (market.venue_symbol, trade_id)
            if key not in self._trades:
                self._trades.add(key)
                fee = wire.dec(row, "fillFee", required=False)
                _, moment = _ms_time(row, "fillTime")
                fill = Fill(
                    venue=wire.VENUE, symbol=market.symbol, order_id=order.order_id,
                    client_order_id=order.client_order_id, trade_id=trade_id, side=order.side,
                    position_side=order.position_side, price=wire.req_dec(row, "fillPx"),
                    quantity=wire.from_contracts(market, size), fee=-fee if fee is not None else None,
                    fee_asset=wire.opt_text(row, "fillFeeCcy"), realized_pnl=wire.dec(row, "fillPnl", required=False),
                    maker={"M": True, "T": False}.get(row.get("execType", "")), time=moment, raw=row,
                )
        stamp, _ = _ms_time(row, "uTime")
        return OrderUpdate(order=order, fill=fill, time_ms=stamp)

    def _algo(self, row: dict[str, Any], market: Market) -> OrderUpdate:
        filled = dict(row)
        for key in _ALGO_BLANKS:
            filled.setdefault(key, "false" if key == "reduceOnly" else "")
        order = wo.parse_algo_order(filled, market)
        stamp, _ = _ms_time(row, "uTime")
        return OrderUpdate(order=order, time_ms=stamp)


@dataclass
class OkxStreamSession(StreamSession):
    """``/ws/v5/private`` (positions, orders) and ``/ws/v5/business`` (orders-algo, algo-advance)."""

    _channels: list[WebSocketChannel] = field(default_factory=list, init=False, repr=False)
    _queue: UpdateQueue = field(default_factory=UpdateQueue, init=False, repr=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False, repr=False)
    _reader: OkxStreamReader | None = field(default=None, init=False, repr=False)
    _closed: bool = field(default=False, init=False, repr=False)
    _started: bool = field(default=False, init=False, repr=False)

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("connected" if self._channels else "new")
        return f"OkxStreamSession(symbols={self.symbols!r}, {state})"

    def _base(self) -> str:
        config = self.adapter.config
        if config.base_url:
            return ws_base(config.base_url)
        return DEMO_WS if config.testnet else LIVE_WS

    def _args(self, channel: str) -> list[dict[str, str]]:
        if self.symbols is None:
            return [{"channel": channel, "instType": SWAP}]
        markets = self.adapter.markets
        ids = sorted({markets[s].venue_symbol for s in self.symbols if s in markets})
        return [{"channel": channel, "instType": SWAP, "instId": inst_id} for inst_id in ids]

    async def connect(self) -> None:
        if self._closed or self._started:
            raise StreamLost("a session connects once")
        self._started = True
        try:
            await asyncio.wait_for(self._connect(), self.options.connect_timeout)
        except asyncio.TimeoutError:
            await self.close()
            raise StreamLost("the stream did not open within the connect timeout") from None
        except BaseException:
            await self.close()
            raise

    async def _connect(self) -> None:
        config = self.adapter.config
        if config.api_key is None or config.secret is None or config.password is None:
            raise ConfigurationError("the OKX stream needs an API key, its secret and its passphrase",
                                     venue=wire.VENUE, operation="stream")
        by_id = {m.venue_symbol.upper(): m for m in self.adapter.markets.values()}
        self._reader = OkxStreamReader(lambda inst: by_id.get(inst.upper()), self.symbols)
        base = self._base()
        plan = ((PRIVATE_PATH, self._args("positions") + self._args("orders")),
                (BUSINESS_PATH, self._args("orders-algo") + self._args("algo-advance")))
        for path, args in plan:
            if args:
                await self._open(base + path, args)

    async def _open(self, url: str, args: list[dict[str, str]]) -> None:
        config = self.adapter.config
        assert config.api_key is not None and config.secret is not None and config.password is not None
        assert self._reader is not None
        channel = WebSocketChannel(heartbeat=self.options.heartbeat or HEARTBEAT_SECONDS,
                                   app_ping=lambda: "ping", is_pong=lambda text: text == "pong")
        self._channels.append(channel)
        await channel.connect(url, timeout=self.options.connect_timeout)
        seconds = self.adapter.venue_time_ms() // 1000
        await channel.send_json(login_payload(config.api_key.get_secret_value(), config.password.get_secret_value(),
                                              config.secret.get_secret_value(), seconds))
        held: list[StreamUpdate] = []
        while True:
            frame = self._decode(await channel.receive())
            if isinstance(frame, dict) and frame.get("event") == "login":
                if frame.get("code") != "0":
                    raise AuthenticationError(f"the venue refused the stream login ({frame.get('code')!s})",
                                              venue=wire.VENUE, operation="stream", code=str(frame.get("code")))
                break
            if isinstance(frame, dict) and frame.get("event") == "error":
                code, msg = str(frame.get("code")), str(frame.get("msg", ""))
                if code in AUTH_CODES:
                    raise AuthenticationError(f"the venue refused the stream login: {msg} ({code})",
                                              venue=wire.VENUE, operation="stream", code=code, venue_message=msg)
                raise StreamLost(f"the venue refused the login ({code})")
        await channel.send_json({"op": "subscribe", "args": args})
        pending = len(args)
        while pending:
            frame = self._decode(await channel.receive())
            if isinstance(frame, dict) and frame.get("event") == "subscribe":
                pending -= 1
                continue
            if isinstance(frame, dict) and frame.get("event") == "error":
                raise StreamLost(f"the venue refused a subscription ({frame.get('code')!s})")
            held.extend(self._reader.read(frame))  # a positions snapshot may come before the last ack
        if held:
            self._queue.put_nowait(held)
        self._tasks.append(asyncio.ensure_future(self._read_loop(channel)))

    @staticmethod
    def _decode(text: str) -> Any:
        try:
            return loads(text)
        except ValueError:
            raise StreamLost("an unreadable frame (not JSON)") from None

    def set_sink(self, sink: Callable[[list[StreamUpdate]], object]) -> bool:
        self._queue.sink = sink
        return True

    async def receive(self) -> list[StreamUpdate]:
        if not self._channels and self._queue.empty():
            raise StreamLost("the stream is not connected")
        return await self._queue.next_updates()

    async def close(self) -> None:
        self._closed = True
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        if tasks:  # gather: a cancel of the caller itself still reaches it
            await asyncio.gather(*tasks, return_exceptions=True)
        channels, self._channels = self._channels, []
        for channel in channels:
            await channel.close()
        self._queue.put_nowait(StreamLost("the session was closed"))

    async def _read_loop(self, channel: WebSocketChannel) -> None:
        assert self._reader is not None
        try:
            while True:
                text = await channel.receive()
                updates = self._reader.read(self._decode(text))
                if updates:
                    self._queue.put_nowait(updates)
                    await asyncio.sleep(0)  # whoever takes them runs before the next buffered frame
        except StreamLost as lost:
            log.debug("okx stream: %s", lost.reason)
            self._queue.put_nowait(lost)
            for other in list(self._channels):  # one connection lost: the session is lost
                if other is not channel:
                    with contextlib.suppress(Exception):
                        await other.close()
            await channel.close()
