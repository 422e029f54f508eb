"""The Bybit v5 private websocket (``/v5/private``) in hedgekit's loopback simulator.

Served on the REST host and port (``ws://127.0.0.1:P/v5/private``, optional
``?max_active_time=30s..600s`` / ``1m..10m``). Wire facts (shared/STREAMS.md §3; ``bybit-exchange/docs``
@072c197 ``docs/v5/websocket/{wss-authentication,private/position,private/order,private/execution}.mdx``,
``docs/v5/enum.mdx``, cited BYB):

* **Auth** ``{"req_id"?,"op":"auth","args":[apiKey, expires, signature]}``; ``expires`` in ms, an
  int (pybit, the doc's sample) or a numeric string (ccxt); ``signature`` = hex
  HMAC-SHA256(secret, ``"GET/realtime" + expires``). Success ``{"success":true,"ret_msg":"",
  "op":"auth","conn_id"}`` (BYB Connect; ``req_id`` echoed when sent, as in a captured answer,
  bybit-java-api issue 63). A stale or malformed ``expires`` gives ``{"success":false,
  "ret_msg":"Params Error","op":"auth","conn_id"}`` (pybit issue 300; api-usage-examples issue 70).
  Another key: ``"Invalid apikey"``, a wrong signature: ``"Signature verification failed"``
  (both texts UNCONFIRMED). The connection stays open after a refusal (UNCONFIRMED).
* **Subscribe** ``{"req_id"?,"op":"subscribe","args":[topics]}`` with the all-in-one topics
  ``position``, ``order``, ``execution``, ``wallet`` or the categorised ``*.linear`` ones ("cannot
  be in the same subscription request"). Ack ``{"success":true,"ret_msg":"","op":"subscribe",
  "conn_id"}`` (+ ``req_id`` echoed: pybit looks its subscription up by it). Before auth, an unknown
  topic or mixed forms: ``success:false`` with ``ret_msg`` "Request not authorized" / "Invalid
  topic" / "Topic mixed" (texts UNCONFIRMED). ``unsubscribe`` likewise. An unknown ``op``:
  ``{"success":false,"ret_msg":"error:invalid op",...}`` (the v3 text, api-connectors issue 99).
* **Ping** ``{"req_id"?,"op":"ping"}`` -> ``{"req_id","op":"pong","args":["<ms>"],"conn_id"}``
  (BYB "Pong message example of private channels"). Without ping or data the connection is cut
  after ``max_active_time`` (default 10 minutes; checked every few seconds here, Bybit's "ticker
  scans every 30s").
* **Push envelope** ``{"id": str, "topic": str, "creationTime": int, "data": [...]}``; numbers as
  strings, ``positionIdx``/``seq``/``triggerDirection``/``smpGroup`` integers, booleans as booleans.
  The topic is the one the client subscribed (``order`` or ``order.linear``).

Frames per engine event (only for topics the connection subscribed):

* an order accepted, cancelled or expired: ``order`` (``New`` / ``Cancelled``), then ``position``
  for every leg of the symbol ("Every time when you create/amend/cancel an order, the position
  topic will generate a new message (regardless if there's any actual change)", BYB position.mdx;
  whether both hedge legs come is UNCONFIRMED: both are sent);
* a fill: ``position`` rows after it (the engine's legs change first), then ``execution`` (one row:
  ``execType`` ``Trade``, ``execFee`` "0" as the simulator charges no fee) and the ``order`` row
  ``Filled`` with ``cumExecQty``/``avgPrice``;
* margin, leverage or margin-type changes: ``position`` rows; a mark move alone sends nothing (the
  doc names order actions only; whether Bybit pushes mark-driven updates is UNCONFIRMED);
* a conditional order (``stopOrderType`` Stop / TakeProfit / StopLoss / TrailingStop, the
  simulator's own conditional id, as REST lists it): ``Untriggered`` when placed (a trading-stop
  one after its ``position`` row, which carries the leg's ``trailingStop``/``takeProfit``/
  ``stopLoss``), ``Triggered`` when it fires (an "instantaneous state"), then its end state
  (``Filled`` with the child's fill, or ``Deactivated`` when cancelled or expired, ``Rejected``).
  The order the trigger placed comes under its own id (``createType`` ``CreateByStopOrder``); live
  Bybit keeps one id (UNCONFIRMED; a documented simulator simplification, see
  :mod:`.simulator_trade`);
* a liquidation: the venue's closing order (``createType`` ``CreateByTakeOver_PassThrough``,
  ``Filled``) with its ``execution`` row (``execType`` ``BustTrade``, "Takeover liquidation",
  enum.mdx), then ``position`` rows;
* a PostOnly that would take or an unfilled FOK, which Bybit accepts and cancels (the frontend's
  own records, :attr:`.simulator_trade.State.rejected`): ``order`` ``Cancelled`` with its
  ``rejectReason``, then ``position``.

``seq`` is the leg's last update time in ms (``-1`` before any trade): per symbol and ordered, like
Bybit's cross sequence. Bybit has no listen key: ``venue.expire_listen_keys()`` closes the
connections (the hub's default).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import re
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_events import (
    ChangeReason,
    ConditionalChanged,
    EngineEvent,
    FillInfo,
    LegsChanged,
    LiquidationHappened,
    OrderChanged,
)
from hedgekit.testing.engine_types import (
    ZERO,
    ConditionalOrder,
    ConditionalStatus,
    Liquidation,
    Order,
    OrderStatus,
    OrderType,
    PositionSide,
    Side,
    TimeInForce,
)
from hedgekit.testing.streams import StreamConnection, StreamFrontend
from hedgekit.testing.numbers import at_most

from hedgekit_bybit.simulator_markets import price, qty
from hedgekit_bybit.simulator_position import position_row
from hedgekit_bybit.simulator_trade import IDX_OUT, State, conditional_row, order_row
from hedgekit_bybit.simulator_wire import order_id

__all__ = ["BybitStreamFrontend", "PATH", "TOPICS"]

PATH = "/v5/private"
TOPICS = {"position": "position", "order": "order", "execution": "execution", "wallet": "wallet",
          "position.linear": "position", "order.linear": "order", "execution.linear": "execution"}
"""Subscribable topic names -> the kind of push (BYB position/order/execution/wallet.mdx)."""
CATEGORISED = frozenset(name for name in TOPICS if "." in name)
DEFAULT_ACTIVE_S = 600
"""Idle cut without ping-pong or data: "after 10 minutes" (BYB Connect)."""
ACTIVE_RANGE = (30, 600)
"""``max_active_time`` "the lowest value is 30s ..., the highest value is 600s" (BYB Connect)."""
_ACTIVE = re.compile(r"^([0-9]{1,4})(s|m)$")
WATCH_EVERY_S = 5.0
_LIQ_ID_HEAD = "5b1e7c3a-4d2f-4e8a-b000-"
"""The venue's own closing orders: an id range of their own (UUID-shaped like the others)."""
ORDER_EXTRA = {"parentOrderLinkId": "", "brokerOrderPrice": "", "closedPnl": "0", "feeCurrency": "",
               "slippageToleranceType": "UNKNOWN", "slippageTolerance": "0", "rpiTakerAccess": False,
               "rpiMatchedQty": "0"}
"""Fields the ``order`` push has beyond the REST row (BYB order.mdx "Response Parameters")."""
REST_ONLY_POSITION = ("avgPrice", "delta", "gamma", "vega", "theta")


def sign(secret: str, expires: str) -> str:
    """Hex HMAC-SHA256 of ``"GET/realtime" + expires`` (BYB Connect)."""
    return hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()


def active_seconds(raw: str | None) -> int:
    """``max_active_time`` in seconds (``30s``, ``1m``...), clamped to Bybit's range; default 600."""
    found = _ACTIVE.match(raw or "")
    if found is None:
        return DEFAULT_ACTIVE_S
    seconds = int(found.group(1)) * (60 if found.group(2) == "m" else 1)
    return max(ACTIVE_RANGE[0], min(ACTIVE_RANGE[1], seconds))


class BybitStreamFrontend(StreamFrontend):
    """``/v5/private`` of the simulated Bybit venue (see the module docstring)."""

    def __init__(self, engine: Engine, api_key: str, secret: str, state: State) -> None:
        super().__init__(engine)
        self.api_key = api_key
        self.secret = secret
        self.state = state
        self.connections: list[StreamConnection] = []
        self._conn_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._liquidation_ids: dict[tuple[str, str, int, str], str] = {}
        self._watchers: dict[int, asyncio.Task[None]] = {}
        state.on_rejected.append(self._rejected)

    # -- connection -------------------------------------------------------------------------------
    def accepts(self, path: str) -> bool:
        return path.rstrip("/") == PATH

    async def on_open(self, conn: StreamConnection) -> bool:
        conn.state.update(conn_id=f"sim{next(self._conn_ids):06x}-{id(conn) % 4096:03x}", authed=False,
                          topics={}, triggered=set(), active=active_seconds(conn.query.get("max_active_time")),
                          last=asyncio.get_running_loop().time())
        self.connections.append(conn)
        self._watchers[id(conn)] = asyncio.ensure_future(self._watch(conn))
        return True

    def on_close(self, conn: StreamConnection) -> None:
        if conn in self.connections:
            self.connections.remove(conn)
        watcher = self._watchers.pop(id(conn), None)
        if watcher is not None:
            watcher.cancel()

    async def _watch(self, conn: StreamConnection) -> None:
        """Cut a connection idle (no ping, no data) for longer than its ``max_active_time``."""
        loop = asyncio.get_running_loop()
        with contextlib.suppress(asyncio.CancelledError):
            while not conn.ws.closed:
                await asyncio.sleep(min(WATCH_EVERY_S, conn.state["active"]))
                if loop.time() - conn.state["last"] > conn.state["active"]:
                    conn.close()
                    return

    def _touch(self, conn: StreamConnection) -> None:
        with contextlib.suppress(RuntimeError):
            conn.state["last"] = asyncio.get_running_loop().time()

    def _reply(self, conn: StreamConnection, message: dict[str, Any], op: str, success: bool, ret_msg: str) -> None:
        reply: dict[str, Any] = {"success": success, "ret_msg": ret_msg, "op": op, "conn_id": conn.state["conn_id"]}
        req_id = message.get("req_id")
        if req_id is not None:
            reply = {"req_id": req_id, **reply}
        conn.send_json(reply)

    async def on_message(self, conn: StreamConnection, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            conn.send_json({"success": False, "ret_msg": "error:invalid op", "conn_id": conn.state["conn_id"]})
            return
        op = message.get("op")
        self._touch(conn)
        if op == "ping":
            pong: dict[str, Any] = {"op": "pong", "args": [str(self.engine.clock())], "conn_id": conn.state["conn_id"]}
            if message.get("req_id") is not None:
                pong = {"req_id": message["req_id"], **pong}
            conn.send_json(pong)
        elif op == "auth":
            ok, ret_msg = self._check_auth(message.get("args"))
            if ok:
                conn.state["authed"] = True
            self._reply(conn, message, "auth", ok, ret_msg)
        elif op in ("subscribe", "unsubscribe"):
            ok, ret_msg = self._check_topics(conn, message.get("args"), subscribe=op == "subscribe")
            self._reply(conn, message, op, ok, ret_msg)
        else:
            self._reply(conn, message, str(op), False, "error:invalid op")

    def _check_auth(self, args: Any) -> tuple[bool, str]:
        if not isinstance(args, list) or len(args) != 3 or not all(isinstance(a, (str, int)) for a in args):
            return False, "Params Error"
        key, expires, signature = args
        expires_text = str(expires)
        if isinstance(expires, bool) or not expires_text.isdigit() or int(expires_text) <= self.engine.clock():
            return False, "Params Error"  # stale expires (pybit issue 300)
        if not isinstance(key, str) or not hmac.compare_digest(key, self.api_key):
            return False, "Invalid apikey"  # UNCONFIRMED text
        if not isinstance(signature, str) or not hmac.compare_digest(signature.lower(),
                                                                       sign(self.secret, expires_text)):
            return False, "Signature verification failed"  # UNCONFIRMED text
        return True, ""

    def _check_topics(self, conn: StreamConnection, args: Any, *, subscribe: bool) -> tuple[bool, str]:
        if not conn.state["authed"]:
            return False, "Request not authorized"  # UNCONFIRMED text
        if not isinstance(args, list) or not args or not all(isinstance(a, str) for a in args):
            return False, "Params Error"  # UNCONFIRMED text
        if any(a not in TOPICS for a in args):
            return False, "Invalid topic"  # UNCONFIRMED text
        if len({a in CATEGORISED for a in args}) > 1:
            return False, "Topic mixed"  # "cannot be in the same subscription request"; UNCONFIRMED text
        topics: dict[str, str] = conn.state["topics"]
        for name in args:
            if subscribe:
                topics[TOPICS[name]] = name
            elif topics.get(TOPICS[name]) == name:
                topics.pop(TOPICS[name])
        return True, ""

    # -- frames -----------------------------------------------------------------------------------
    def _frame(self, conn: StreamConnection, kind: str, rows: list[dict[str, Any]]) -> list[str]:
        topic = conn.state["topics"].get(kind)
        if topic is None or not rows:
            return []
        now = self.engine.clock()
        message = {"id": f"{next(self._message_ids)}{conn.state['conn_id']}-{now}", "topic": topic,
                   "creationTime": now, "data": rows}
        self._touch(conn)
        return [json.dumps(message, separators=(",", ":"))]

    def render(self, conn: StreamConnection, event: EngineEvent) -> list[str]:
        if not conn.state.get("authed"):
            return []
        if isinstance(event, OrderChanged):
            return self._order_changed(conn, event)
        if isinstance(event, ConditionalChanged):
            return self._conditional_changed(conn, event.conditional)
        if isinstance(event, LegsChanged):
            if event.reason in (ChangeReason.MARK, ChangeReason.FUNDING):
                return []
            return self._positions(conn, event.symbol, [leg.position_side for leg in event.legs])
        if isinstance(event, LiquidationHappened):
            return self._liquidation(conn, event.liquidation)
        return []

    def _positions(self, conn: StreamConnection, sid: str, sides: list[PositionSide] | None = None) -> list[str]:
        if sides is None:
            sides = [leg.position_side for leg in self.engine.mode_legs(sid)]
        return self._frame(conn, "position", [self.position_row(sid, side) for side in sides])

    def position_row(self, sid: str, side: PositionSide) -> dict[str, Any]:
        """A ``position`` push row (BYB position.mdx): the REST row's figures under the push's names."""
        rest = position_row(self.state, sid, side)
        row = {k: v for k, v in rest.items() if k not in REST_ONLY_POSITION}
        row.update(category="linear", entryPrice=rest["avgPrice"], sessionAvgPrice="")
        return row

    def order_row(self, order: Order, fill: FillInfo | None = None) -> dict[str, Any]:
        """An ``order`` push row for a regular order (BYB order.mdx)."""
        row = {"category": "linear", **order_row(self.engine, order), **ORDER_EXTRA}
        if fill is not None:
            # order.mdx "closedPnl": "0"; execution.mdx "execPnl": "0.05": unpadded, at most the 8
            # decimals of the REST PnL figures (position.mdx "cumRealisedPnl": "-0.00096902")
            row["closedPnl"] = at_most(fill.realized_pnl, 8)
        return row

    def conditional_row(self, conditional: ConditionalOrder, status: str | None = None) -> dict[str, Any]:
        """An ``order`` push row for a conditional order; ``status`` overrides ``orderStatus``."""
        row = {"category": "linear", **conditional_row(self.engine, conditional), **ORDER_EXTRA}
        if status is not None:
            row.update(orderStatus=status, cumExecQty=qty(conditional.symbol, ZERO), avgPrice="",
                       cumExecValue="0")
        return row

    def execution_row(self, order: Order, fill: FillInfo, *, exec_type: str = "Trade",
                      create_type: str | None = None) -> dict[str, Any]:
        """One ``execution`` push row (BYB execution.mdx)."""
        sid = order.symbol
        closing = (order.position_side is PositionSide.LONG and order.side is Side.SELL) or (
            order.position_side is PositionSide.SHORT and order.side is Side.BUY) or (
            order.position_side is PositionSide.BOTH and order.reduce_only)
        child = order.orig_type not in ("LIMIT", "MARKET")
        leaves = order.quantity - order.executed_qty if order.status is OrderStatus.NEW else ZERO
        wire_id = order_id("regular", order.order_id) if order.order_id >= 0 else self._liq_id(order)
        return {
            "category": "linear", "symbol": sid, "closedSize": qty(sid, fill.quantity if closing else ZERO),
            "execFee": at_most(fill.fee, 8), "execId": f"e7c0a2d4-91b3-4c5e-8f00-{fill.trade_id:012x}",
            "execPrice": price(sid, fill.price), "execQty": qty(sid, fill.quantity), "execType": exec_type,
            "execValue": at_most(fill.quantity * fill.price, 8), "feeRate": "0", "tradeIv": "", "markIv": "",
            "blockTradeId": "", "markPrice": price(sid, self.engine.mark_price(sid)), "indexPrice": "",
            "underlyingPrice": "", "leavesQty": qty(sid, leaves), "orderId": wire_id,
            "orderLinkId": order.extra.get("orderLinkId", ""), "orderPrice": price(sid, order.price),
            "orderQty": qty(sid, order.quantity),
            "orderType": "Limit" if order.order_type is OrderType.LIMIT else "Market",
            "stopOrderType": "UNKNOWN", "side": order.side.value.title(), "execTime": str(fill.time),
            "isLeverage": "0", "isMaker": fill.maker, "seq": fill.time, "marketUnit": "",
            "execPnl": at_most(fill.realized_pnl, 8),
            "createType": create_type or ("CreateByStopOrder" if child else "CreateByUser"),
            "extraFees": "", "feeCurrency": "USDT",
        }

    def _order_changed(self, conn: StreamConnection, event: OrderChanged) -> list[str]:
        order, fill = event.order, event.fill
        frames: list[str] = []
        if fill is not None:
            frames += self._frame(conn, "execution", [self.execution_row(order, fill)])
        frames += self._frame(conn, "order", [self.order_row(order, fill)])
        if fill is None:
            frames += self._positions(conn, order.symbol)  # create / cancel / expire
        return frames

    def _conditional_changed(self, conn: StreamConnection, conditional: ConditionalOrder) -> list[str]:
        status = conditional.status
        triggered: set[int] = conn.state["triggered"]
        if status is ConditionalStatus.NEW:
            positions = self._positions(conn, conditional.symbol)
            order = self._frame(conn, "order", [self.conditional_row(conditional)])
            # a trading-stop order is the leg's setting: the position row (trailingStop, ...) first
            return positions + order if conditional.extra.get("tpslMode") == "Full" else order + positions
        if status is ConditionalStatus.TRIGGERED:
            triggered.add(conditional.conditional_id)
            return self._frame(conn, "order", [self.conditional_row(conditional, "Triggered")])
        if status is ConditionalStatus.FINISHED:
            rows = [] if conditional.conditional_id in triggered else [self.conditional_row(conditional, "Triggered")]
            triggered.discard(conditional.conditional_id)
            return self._frame(conn, "order", [*rows, self.conditional_row(conditional)])
        # CANCELED, EXPIRED -> Deactivated; REJECTED -> Rejected (conditional_row's mapping)
        triggered.discard(conditional.conditional_id)
        return self._frame(conn, "order", [self.conditional_row(conditional)]) + self._positions(
            conn, conditional.symbol)

    def _liq_id(self, order: Order) -> str:
        key = (order.symbol, order.position_side.value, order.create_time, str(order.quantity))
        found = self._liquidation_ids.get(key)
        if found is None:
            found = self._liquidation_ids[key] = f"{_LIQ_ID_HEAD}{len(self._liquidation_ids) + 1:012x}"
        return found

    def _liquidation(self, conn: StreamConnection, liquidation: Liquidation) -> list[str]:
        """The venue's closing order of a liquidated leg, filled at the liquidation price."""
        sid, side = liquidation.symbol, liquidation.position_side
        close = Side.SELL if side is PositionSide.LONG else Side.BUY
        if side is PositionSide.BOTH:
            # the engine reports a one-way leg's size signed (a short is negative)
            close = Side.BUY if liquidation.size < 0 else Side.SELL
        size = abs(liquidation.size)
        order = Order(
            order_id=-1, client_order_id="", symbol=sid, side=close, position_side=side,
            order_type=OrderType.MARKET, time_in_force=TimeInForce.IOC, quantity=size, price=liquidation.price,
            reduce_only=True, close_position=False, status=OrderStatus.FILLED, executed_qty=size,
            avg_price=liquidation.price, cum_quote=size * liquidation.price, orig_type="MARKET", stop_price=ZERO,
            create_time=liquidation.time, update_time=liquidation.time, extra={"orderLinkId": ""},
        )
        wire_id = self._liq_id(order)
        number = int(wire_id[-12:], 16)
        fill = FillInfo(trade_id=0xB000_0000_0000 + number, quantity=size, price=liquidation.price,
                        realized_pnl=liquidation.realized_pnl, fee=ZERO, maker=False, time=liquidation.time)
        execution = self.execution_row(order, fill, exec_type="BustTrade", create_type="CreateByTakeOver_PassThrough")
        row = self.order_row(order, fill)
        row.update(orderId=wire_id, createType="CreateByTakeOver_PassThrough", timeInForce="IOC")
        return self._frame(conn, "execution", [execution]) + self._frame(conn, "order", [row])

    def _rejected(self, row: dict[str, Any]) -> None:
        """A PostOnly/FOK order Bybit accepted and cancelled at once (the frontend's own record)."""
        for conn in list(self.connections):
            if conn.expired or conn.closing or not conn.state.get("authed"):
                continue
            pushed = {"category": "linear", **row, **ORDER_EXTRA}
            for frame in self._frame(conn, "order", [pushed]) + self._positions(conn, self.engine.resolve(row["symbol"])):
                conn.send(frame)
