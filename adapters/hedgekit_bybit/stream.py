"""The Bybit v5 private websocket (``linear``, unified account) as a :class:`~hedgekit.stream_session.StreamSession`.

Wire facts used here (shared/STREAMS.md §3; ``bybit-exchange/docs`` @072c197
``docs/v5/websocket/{wss-authentication,private/position,private/order,private/execution}.mdx``
and ``docs/v5/enum.mdx``, cited as BYB):

1. **URL** ``wss://stream.bybit.com/v5/private`` (testnet ``wss://stream-testnet.bybit.com``, demo
   trading ``wss://stream-demo.bybit.com``, "private only": BYB Connect, demo.mdx). With
   ``config.base_url`` set (the simulator, a proxy) its ``ws://`` twin + ``/v5/private``.
2. **Auth** ``{"req_id","op":"auth","args":[apiKey, expires, signature]}``: ``expires`` a JSON
   integer in ms "greater than your current timestamp", ``signature`` the lower-case **hex**
   HMAC-SHA256 of ``"GET/realtime" + expires`` under the secret (BYB Connect, whose Python sample
   sends an int). Expires is :data:`AUTH_EXPIRY_MS` ahead of the venue clock (ccxt uses 10 s, pybit
   1 s: STREAMS.md §3). Success: ``{"success":true,"ret_msg":"","op":"auth","conn_id"}``; a
   refusal ``{"success":false,"ret_msg":"Params Error",...}`` (stale expires, pybit issue 300) is
   raised as :class:`~hedgekit.errors.AuthenticationError`.
3. **Subscribe** ``{"req_id","op":"subscribe","args":["position","order","execution"]}`` (the
   all-in-one topics; BYB: all-in-one and categorised topics "cannot be in the same subscription
   request"); ack ``{"success":true,"ret_msg":"","op":"subscribe","conn_id"}``. Acks are awaited in
   order; data frames that arrive before the ack are kept and handed out first.
4. **Heartbeat** ``{"req_id","op":"ping"}`` every ``options.heartbeat`` or :data:`HEARTBEAT_SECONDS`
   ("we recommend that you send the ping heartbeat packet every 20 seconds", BYB Connect); the
   private pong is ``{"req_id","op":"pong","args":["<ms>"],"conn_id"}`` (public ones say
   ``"ret_msg":"pong"``; both are recognised). No frame for twice the interval is a lost
   connection. Without ping-pong or data the venue cuts the connection after 10 minutes.
5. **Envelope** ``{"id": str, "topic": str, "creationTime": int ms, "data": [...]}``; topics
   ``position``, ``order``, ``execution`` (and ``*.linear``); other topics are ignored.
6. **position rows**: ``symbol``, ``positionIdx`` (int: 0 one-way, 1 hedge Buy side, 2 hedge Sell
   side), ``side`` (``Buy``/``Sell``, ``""`` for an empty position), ``size`` (unsigned),
   ``entryPrice`` (the REST row's ``avgPrice``), ``markPrice``, ``unrealisedPnl``, ``liqPrice``
   (``""`` when out of range; the doc's flat example writes ``"0"``: both are "none"),
   ``positionIM`` (``""`` under portfolio margin), ``leverage`` (``""`` under portfolio margin),
   ``trailingStop`` (the distance a TrailingStop order trails by), ``updatedTime`` (ms string),
   ``seq`` (a per-symbol "cross sequence", ``-1`` if never traded). ``tradeMode`` is "Deprecated,
   always 0", so the margin mode is not pushed. A row is pushed "every time when you
   create/amend/cancel an order ... regardless if there's any actual change". ``seq`` orders rows;
   it is kept per symbol **and** ``positionIdx`` (an untouched hedge leg keeps the seq of its own
   last fill) and an older row is dropped. It cannot reveal a gap: the live stream's REST resync
   after a reconnect covers that.
7. **order rows**: the REST order fields (``orderId``, ``orderLinkId``, ``side``, ``positionIdx``,
   ``orderStatus`` New / PartiallyFilled / Untriggered / Triggered / Filled / Cancelled / Rejected /
   Deactivated, ``orderType``, ``stopOrderType``, ``triggerPrice``, ``triggerDirection``, ``qty``,
   ``price``, ``avgPrice`` ``""`` when none, ``cumExecQty``, ``reduceOnly``, ``closeOnTrigger``,
   ``timeInForce``, ``createdTime``, ``updatedTime``), read by :func:`.wire.parse_order`, the REST
   parser, so the stream's orders match REST snapshot orders field for field (``orderId`` is the
   id REST returns). ``cumExecFee`` is "Deprecated" for linear; ``cumFeeDetail`` is not needed
   (fees come per fill). Two ``Filled`` messages for one order can come (a cancel racing a fill):
   the second is a repeat the live stream drops.
8. **execution rows**: ``execId``, ``orderId``, ``orderLinkId``, ``symbol``, ``side``,
   ``execPrice``, ``execQty``, ``execFee``, ``feeCurrency``, ``execPnl``, ``isMaker``,
   ``execTime``, ``execType`` (Trade, AdlTrade, BustTrade, ...; ``Funding`` and other non-trade
   kinds are skipped). There is **no** ``positionIdx``: a fill is paired with its order's frame
   (the leg comes from the order's ``positionIdx``): a fill waits for the next ``order`` frame of its
   order unless the last one seen already covers it ("You may have multiple executions for one
   order in a single message").

The API key and secret never appear in a log line, ``repr`` or exception.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hedgekit.errors import AuthenticationError, MalformedResponse
from hedgekit.models import Fill, Market, Order, PositionSide
from hedgekit.stream_session import LegUpdate, OrderUpdate, StreamLost, StreamSession, StreamUpdate
from hedgekit.ws import WebSocketChannel, loads, ws_base

from hedgekit_bybit import wire

__all__ = ["BybitStreamSession", "HEARTBEAT_SECONDS", "LIVE_WS", "TESTNET_WS", "DEMO_WS", "PRIVATE_PATH",
           "TOPICS"]

log = logging.getLogger(__name__)

LIVE_WS = "wss://stream.bybit.com"
"""Mainnet websocket host (BYB Connect)."""
TESTNET_WS = "wss://stream-testnet.bybit.com"
"""Testnet websocket host (BYB Connect)."""
DEMO_WS = "wss://stream-demo.bybit.com"
"""Demo-trading websocket host, private streams only (demo.mdx)."""
PRIVATE_PATH = "/v5/private"
"""The private stream's path (BYB Connect)."""
HEARTBEAT_SECONDS = 20.0
"""Ping interval Bybit recommends ("every 20 seconds", BYB Connect)."""
AUTH_EXPIRY_MS = 10_000
"""How far ahead ``expires`` is set (ccxt's 10 s, CCXT bybit.py:2288-2297)."""
TOPICS = ("position", "order", "execution")
"""All-in-one private topics (BYB position/order/execution.mdx)."""
_TOPIC_KIND = {"position": "position", "position.linear": "position", "order": "order",
               "order.linear": "order", "execution": "execution", "execution.linear": "execution"}
#: execType values that are trades of an order (enum.mdx #exectype); Funding, Settle, Delivery
#: and the rest carry no order fill.
TRADE_EXEC_TYPES = frozenset({"Trade", "AdlTrade", "BustTrade", "BlockTrade", "MovePosition", "FutureSpread"})
_PENDING_ORDERS = 1000
"""Orders whose fills wait for an ``order`` frame (the oldest are forgotten beyond that)."""

_READ = wire._READ


def _bad(what: str, payload: Any) -> MalformedResponse:
    return _READ.bad(what, payload)


def sign(secret: str, expires: int) -> str:
    """Hex HMAC-SHA256 of ``"GET/realtime" + expires`` (BYB Connect)."""
    return hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()


def is_pong(text: str) -> bool:
    """The private pong ``{"op":"pong",...}`` or a public-style ``{"ret_msg":"pong",...}`` (BYB Connect)."""
    if "pong" not in text:
        return False
    try:
        message = loads(text)
    except ValueError:
        return False
    return isinstance(message, dict) and (message.get("op") == "pong" or message.get("ret_msg") == "pong")


@dataclass
class _Known:
    """The last ``order`` frame of an order, and the fills still waiting for one."""

    order: Order | None = None
    fills: list[Fill] = field(default_factory=list)
    covered: Decimal = Decimal(0)
    """Quantity of the fills already handed out with this order."""


@dataclass
class BybitStreamSession(StreamSession):
    """One connection to ``/v5/private`` (see the module docstring for the protocol)."""

    _channel: WebSocketChannel | None = field(default=None, init=False, repr=False)
    _early: list[str] = field(default_factory=list, init=False, repr=False)
    _closed: bool = field(default=False, init=False, repr=False)
    _seq: dict[tuple[str, int], int] = field(default_factory=dict, init=False, repr=False)
    _trailing: dict[tuple[str, PositionSide], Decimal] = field(default_factory=dict, init=False, repr=False)
    _orders: OrderedDict[str, _Known] = field(default_factory=OrderedDict, init=False, repr=False)
    _by_symbol: dict[str, Market] = field(default_factory=dict, init=False, repr=False)
    _ids: Any = field(default_factory=lambda: itertools.count(1), init=False, repr=False)

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("connected" if self._channel is not None else "new")
        return f"BybitStreamSession(symbols={self.symbols!r}, {state})"

    # -- StreamSession ----------------------------------------------------------------------
    def url(self) -> str:
        """The websocket URL: ``base_url``'s twin, or the venue's host for the configured network."""
        config = self.adapter.config
        if config.base_url:
            base = ws_base(config.base_url)
        elif config.testnet:
            base = TESTNET_WS
        elif config.options.get("demo"):
            base = DEMO_WS
        else:
            base = LIVE_WS
        return base + PRIVATE_PATH

    async def connect(self) -> None:
        if self._closed or self._channel is not None:
            raise StreamLost("a session connects once")
        config = self.adapter.config
        if config.api_key is None or config.secret is None:
            raise AuthenticationError("the private stream needs an API key and secret", venue="bybit",
                                      operation="stream")
        self._by_symbol = {m.venue_symbol.upper(): m for m in self.adapter.markets.values()}
        heartbeat = self.options.heartbeat or HEARTBEAT_SECONDS
        channel = WebSocketChannel(heartbeat=heartbeat, app_ping=self._ping, is_pong=is_pong)
        self._channel = channel
        # an ack later than two heartbeats is a dead link by the heartbeat's own rule (a request
        # sent while the link stalled is never answered): fail fast so the next attempt can start
        timeout = min(self.options.connect_timeout, 2 * heartbeat + 1.0)
        try:
            await channel.connect(self.url(), timeout=self.options.connect_timeout)
            expires = self.adapter.venue_time_ms() + AUTH_EXPIRY_MS
            key = config.api_key.get_secret_value()
            await channel.send_json({"req_id": self._req_id("auth"), "op": "auth",
                                     "args": [key, expires, sign(config.secret.get_secret_value(), expires)]})
            reply = await self._await_ack(channel, "auth", timeout)
            if reply.get("success") is not True:
                raise AuthenticationError(f"Bybit refused the stream's credentials ({self._message(reply)})",
                                          venue="bybit", operation="stream")
            await channel.send_json({"req_id": self._req_id("sub"), "op": "subscribe", "args": list(TOPICS)})
            reply = await self._await_ack(channel, "subscribe", timeout)
            if reply.get("success") is not True:
                raise StreamLost(f"the subscription was refused ({self._message(reply)})")
        except BaseException:
            await self.close()
            raise

    async def receive(self) -> list[StreamUpdate]:
        channel = self._channel
        if channel is None:
            raise StreamLost("the stream is not connected")
        text = self._early.pop(0) if self._early else await channel.receive()
        updates = self._read(text)
        if updates is None:  # unreadable: the live stream resyncs from REST
            await self.close()
            raise StreamLost("an unreadable frame")
        return updates

    async def close(self) -> None:
        self._closed = True
        channel, self._channel = self._channel, None
        if channel is not None:
            await channel.close()

    # -- connection helpers -------------------------------------------------------------------
    def _req_id(self, what: str) -> str:
        return f"hk-{what}-{next(self._ids)}"

    def _ping(self) -> str:
        return json.dumps({"req_id": self._req_id("ping"), "op": "ping"}, separators=(",", ":"))

    def _message(self, reply: dict[str, Any]) -> str:
        """The venue's ``ret_msg`` with every credential removed (a refusal may echo the request)."""
        text = str(reply.get("ret_msg") or "no message")[:200]
        config = self.adapter.config
        for secret in (config.api_key, config.secret):
            if secret is not None and secret.get_secret_value():
                text = text.replace(secret.get_secret_value(), "***")
        return text

    async def _await_ack(self, channel: WebSocketChannel, op: str, timeout: float) -> dict[str, Any]:
        """The next reply to ``op`` within ``timeout`` in all (pongs do not extend it); data frames
        before it are kept for :meth:`receive`."""
        try:
            return await asyncio.wait_for(self._next_ack(channel, op), timeout)
        except asyncio.TimeoutError:
            raise StreamLost(f"no {op} reply within {timeout:g} s") from None

    async def _next_ack(self, channel: WebSocketChannel, op: str) -> dict[str, Any]:
        while True:
            text = await channel.receive()
            try:
                message = loads(text)
            except ValueError:
                raise StreamLost("an unreadable frame while connecting") from None
            if not isinstance(message, dict):
                raise StreamLost("an unreadable frame while connecting")
            if message.get("op") == op:
                return message
            if "topic" in message:
                self._early.append(text)
            elif message.get("success") is False:
                raise StreamLost(f"the venue refused a request ({self._message(message)})")

    # -- frames -------------------------------------------------------------------------------
    def _read(self, text: str) -> list[StreamUpdate] | None:
        """The updates of one frame; ``None`` when it cannot be read."""
        try:
            message = loads(text)
        except ValueError:
            log.warning("bybit stream: a frame that is not JSON")
            return None
        if not isinstance(message, dict):
            log.warning("bybit stream: a frame that is not a JSON object")
            return None
        try:
            return self._parse(message)
        except MalformedResponse as exc:
            log.warning("bybit stream: unreadable %s frame (%s)", message.get("topic"), exc)
            return None

    def _parse(self, message: dict[str, Any]) -> list[StreamUpdate]:
        topic = message.get("topic")
        if topic is None:
            if message.get("success") is False:
                # a refused request after connect (a late subscribe, ...): the stream is not what it should be
                raise _bad("the venue refused a request on the stream", {"op": message.get("op")})
            return []  # acks and other replies
        kind = _TOPIC_KIND.get(topic) if isinstance(topic, str) else None
        if kind is None:
            return []  # wallet, greeks and other topics: not kept
        rows = message.get("data")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise _bad(f"{topic} frame whose data is not a list of objects", message)
        out: list[StreamUpdate] = []
        for row in rows:
            if row.get("category", "linear") != "linear":
                continue
            market = self._market(row)
            if market is None:
                continue
            if kind == "position":
                update = self._position(row, market)
                if update is not None:
                    out.append(update)
            elif kind == "order":
                out.extend(self._order(row, market))
            else:
                out.extend(self._execution(row, market))
        return out

    def _market(self, row: dict[str, Any]) -> Market | None:
        """The market of a row; ``None`` for a contract hedgekit does not trade or keep."""
        market = self._by_symbol.get(wire.symbol_of(row).upper())
        if market is None or (self.symbols is not None and market.symbol not in self.symbols):
            return None
        return market

    def _position(self, row: dict[str, Any], market: Market) -> LegUpdate | None:
        idx = wire.integer(row, "positionIdx")
        side = wire.POSITION_IDX_IN.get(idx)
        if side is None:
            raise _bad(f"field 'positionIdx' has unknown value {idx!r}", row)
        seq = wire.integer(row, "seq")
        key = (market.venue_symbol, idx)
        last = self._seq.get(key)
        if last is not None and seq < last:
            return None  # an older row than one already applied
        self._seq[key] = seq
        size = wire.req_dec(row, "size")
        venue_side = wire.text(row, "side")
        if size < 0 or venue_side not in wire.POSITION_SIDES:
            raise _bad("position row with a negative size or an unknown side", row)
        if size and venue_side not in ("Buy", "Sell"):
            raise _bad("a non-empty position row without a side", row)
        updated = wire.integer(row, "updatedTime")
        mark = wire.positive(row, "markPrice")
        distance = wire.positive(row, "trailingStop", blank=True) if "trailingStop" in row else None
        if distance is not None:
            self._trailing[(market.venue_symbol, side)] = distance
        else:
            self._trailing.pop((market.venue_symbol, side), None)
        fields: dict[str, Any] = {"size": -size if side is PositionSide.BOTH and venue_side == "Sell" else size,
                                  "mark_price": mark}
        if size:
            # an empty leg carries only its mark, as the REST read gives it (wire.parse_legs)
            liq = wire.blank_dec(row, "liqPrice")
            fields.update(
                entry_price=wire.positive(row, "entryPrice"),
                unrealized_pnl=wire.req_dec(row, "unrealisedPnl"),
                liquidation_price=liq if liq else None,
                margin=wire.blank_dec(row, "positionIM"),
                leverage=wire.leverage_of(row),
                notional=size * mark if mark is not None else Decimal(0),
                updated_at=wire.when(row, "updatedTime", required=True),
            )
        return LegUpdate(symbol=market.symbol, side=side, fields=fields, time_ms=updated)

    def _order(self, row: dict[str, Any], market: Market) -> list[StreamUpdate]:
        kind = wire.text(row, "stopOrderType")
        trailing = None
        if kind == "TrailingStop":
            trailing = self._trailing.get((market.venue_symbol, wire.enum_of(wire.POSITION_IDX_IN, row, "positionIdx")))
        order = wire.parse_order(row, market, trailing)
        stamp = wire.integer(row, "updatedTime")
        known = self._known(order.order_id)
        known.order = order
        fills, known.fills = known.fills, []
        if not fills:
            return [OrderUpdate(order=order, time_ms=stamp)]
        out: list[StreamUpdate] = []
        for fill in fills:
            fill = fill.model_copy(update={"position_side": order.position_side,
                                           "client_order_id": order.client_order_id})
            known.covered += fill.quantity
            out.append(OrderUpdate(order=order, fill=fill, time_ms=stamp))
        return out

    def _known(self, order_id: str) -> _Known:
        known = self._orders.get(order_id)
        if known is None:
            known = self._orders[order_id] = _Known()
            while len(self._orders) > _PENDING_ORDERS:
                self._orders.popitem(last=False)
        else:
            self._orders.move_to_end(order_id)
        return known

    def _execution(self, row: dict[str, Any], market: Market) -> list[StreamUpdate]:
        if wire.text(row, "execType") not in TRADE_EXEC_TYPES:
            return []
        order_id = wire.text(row, "orderId")
        fee = wire.blank_dec(row, "execFee")
        pnl = wire.blank_dec(row, "execPnl") if "execPnl" in row else None
        maker = row.get("isMaker")
        known = self._known(order_id)
        quantity = wire.req_dec(row, "execQty")
        fill = Fill(
            venue=wire.VENUE, symbol=market.symbol, order_id=order_id,
            client_order_id=wire.text(row, "orderLinkId") or None, trade_id=wire.text(row, "execId"),
            side=wire.enum_of(wire.SIDE_IN, row, "side"),
            position_side=known.order.position_side if known.order is not None else PositionSide.BOTH,
            price=wire.req_dec(row, "execPrice"), quantity=quantity, fee=fee,
            fee_asset=(row.get("feeCurrency") or None) if isinstance(row.get("feeCurrency"), str) else None,
            realized_pnl=pnl, maker=maker if isinstance(maker, bool) else None,
            time=wire.when(row, "execTime", required=True), raw=row,
        )
        order = known.order
        if order is not None and known.covered + quantity <= order.filled_quantity:
            # the order's frame that reported this fill came first: hand the fill out with it now
            known.covered += quantity
            return [OrderUpdate(order=order, fill=fill, time_ms=_ms(order))]
        known.fills.append(fill)
        return []


def _ms(order: Order) -> int | None:
    return None if order.updated_at is None else int(order.updated_at.timestamp() * 1000)
