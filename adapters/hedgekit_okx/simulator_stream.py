"""The OKX v5 private websockets of the simulated venue: ``/ws/v5/private`` and ``/ws/v5/business``.

What a client sees, as OKX documents it (shared/STREAMS.md §4; sources: OKX = the okx.com/docs-v5/en
mirror ``rosssaunders/coincise docs/okx/{overview,trading_account,order_book_trading,error_code}.md``,
OKXA = #order-book-trading-algo-trading):

* **Paths.** ``positions`` and ``orders`` are served on ``/ws/v5/private``; ``orders-algo`` and
  ``algo-advance`` on ``/ws/v5/business`` ("URL Path /ws/v5/business (required login)", OKXA). A
  business channel asked for on ``/private`` is refused with ``64001`` "This channel has been
  migrated to the '/business' URL. ..."; a private channel on ``/business`` with ``64002``; any
  other channel with ``60018`` "Wrong URL or {0} doesn't exist. ..." (OKX error_code.md, WebSocket
  public class).
* **Text ping.** The text ``ping`` is answered with the text ``pong`` (OKX overview §Connect: "send
  the String 'ping'. Expect a 'pong' as a response"). Protocol PINGs get a PONG from the hub.
* **Login** ``{"op":"login","args":[{"apiKey","passphrase","timestamp","sign"}]}``; ``timestamp``
  is Unix seconds (a string in the doc, an integer from python-okx: both taken); ``sign`` =
  Base64(HMAC-SHA256(secret, timestamp + "GET" + "/users/self/verify")); "The request will expire
  30 seconds after the timestamp" (OKX overview §Login). Answers: ``{"event":"login","code":"0",
  "msg":"","connId"}``; refusals ``{"event":"error","code","msg","connId"}`` with, in the order
  checked: ``60012`` "Invalid request: <frame>" (no usable args), ``60027`` "Parameter <name> can
  not be empty." (UNCONFIRMED which code a missing login field gets), ``60005`` "Invalid apiKey",
  ``60004`` "Invalid timestamp", ``60006`` "Timestamp request expired", ``60024`` "Wrong
  passphrase", ``60007`` "Invalid sign" (texts: error_code.md). The connection stays open after a
  refused login (UNCONFIRMED; the venue may close it with 4001 "Login Failed"). A second login on
  the same connection is answered like the first (UNCONFIRMED; 60031 exists for it).
* **Subscribe** ``{"id"?,"op":"subscribe","args":[{"channel","instType","instFamily"?,"instId"?}]}``:
  one ack per arg, ``{"id"?,"event":"subscribe","arg":<the arg exactly as sent>,"connId"}``
  (ccxt matches pushes by the ``arg`` it sent). A private channel before login: ``60011`` "Please
  log in". An arg without ``instType`` or with an unknown one: ``60013`` "Invalid args" (UNCONFIRMED
  code). Anything unparsable: ``60012`` "Invalid request: <frame>". Unknown ``op``: ``60019``
  "Invalid op: <op>".
* **Pushes** ``{"arg":{"channel","uid","instType","instFamily"?,"instId"?},"data":[...]}``, one per
  matching subscription. ``positions`` adds ``eventType`` (``snapshot`` with ``curPage``/``lastPage``,
  or ``event_update``); the others have none.

  - ``positions`` (trading_account.md §Positions channel): a snapshot of the non-zero positions on
    subscribe (``data: []`` for a flat account: ccxt's watch_positions waits for that first push;
    UNCONFIRMED that the venue sends an empty snapshot); then, after each change, an
    ``event_update`` with the positions that changed only, a closed one as ``pos "0"`` ("when there
    is change in pos of a position, only the data of that position will be pushed"). A mark move
    is pushed as a ``snapshot`` of every open position: the venue's regular push ("around per 5
    seconds regularly"), which carries new ``markPx``/``upl``/``liqPx``, sent here when the mark
    moves instead of on a timer. Rows are ``GET /account/positions`` rows plus ``pTime``; a closed
    position has ``avgPx ""`` (UNCONFIRMED).
  - ``orders`` (order_book_trading.md §WS / Order channel): nothing on subscribe; a push per order
    change: the ``GET /trade/order`` row with this update's fill (``fillPx``, ``fillSz``,
    ``tradeId``, ``fillFee`` (negative = charged), ``fillFeeCcy``, ``fillPnl``, ``fillTime``,
    ``execType`` T/M, ``fillMarkPx``), ``avgPx "0"`` until something fills ("If none is filled, it
    will return 0"), ``algoId``/``algoClOrdId`` and ``source`` (6 trigger, 7 TP/SL, 25 trailing
    stop) on an order an algo order placed. A liquidation is pushed as a filled market order of
    ``category`` ``full_liquidation`` closing the leg at the mark.
  - ``orders-algo`` (OKXA §WS / Algo orders channel; ``conditional``, ``oco``, ``trigger``): nothing
    on subscribe; the ``GET /trade/order-algo`` row on every state change (``live``, ``effective``,
    ``canceled``, ``order_failed``).
  - ``algo-advance`` (OKXA §WS / Advance algo orders channel; ``move_order_stop`` here): the live
    trailing stops on subscribe (nothing when there are none), then the row, with ``pTime``, on
    every state change.

Not simulated: the 30-second idle cut (close 4004), ``notice``, ``channel-conn-count``,
``balance_and_position`` and ``account``, unsubscribe acks beyond echoing the arg. A venue expiry
(:meth:`~hedgekit.testing.server.SimulatedVenue.expire_listen_keys`; OKX has no listen key) closes
each connection with 4007 "API key has been updated or deleted. Please reconnect." (error_code.md
§Close Frame).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
from typing import TYPE_CHECKING, Any

from hedgekit.testing.engine_events import (
    ChangeReason,
    ConditionalChanged,
    EngineEvent,
    FillInfo,
    LegsChanged,
    LiquidationHappened,
    OrderChanged,
)
from hedgekit.testing.engine_types import Leg, Liquidation, Order, PositionSide
from hedgekit.testing.streams import StreamConnection, StreamFrontend

from hedgekit_okx.simulator_account import MGN_MODE, POS_SIDE, position_row
from hedgekit_okx.simulator_algo import algo_row, status_of
from hedgekit_okx.simulator_markets import SPECS, SPECS_BY_ID
from hedgekit_okx.simulator_trade import order_row
from hedgekit_okx.simulator_wire import AlgoRecord, contracts, figure, ms, plain

if TYPE_CHECKING:
    from hedgekit_okx.simulator import OkxFrontend

__all__ = ["BUSINESS_PATH", "PRIVATE_PATH", "OkxStreamFrontend"]

PRIVATE_PATH = "/ws/v5/private"
BUSINESS_PATH = "/ws/v5/business"
PRIVATE_CHANNELS = ("positions", "orders")
BUSINESS_CHANNELS = ("orders-algo", "algo-advance")
INST_TYPES = ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION", "ANY")
LOGIN_WINDOW_S = 30
""""The request will expire 30 seconds after the timestamp" (OKX overview §Login)."""
VERIFY_PATH = "/users/self/verify"
HELP = "https://www.okx.com/help-center/changes-to-v5-api-websocket-subscription-parameter-and-url"
MIGRATED = ("64001", "This channel has been migrated to the '/business' URL. Please subscribe using the new URL. "
            f"More details can refer to: {HELP}.")
NOT_BUSINESS = ("64002", 'This channel is not supported by "/business" URL. Please use "/private" URL(for private '
                f'channels), or "/public" URL(for public channels). More details can refer to: {HELP}.')
#: ``source`` of an order an algo order placed, by the algo ``ordType`` (WS / Order channel).
SOURCES = {"trigger": "6", "conditional": "7", "oco": "7", "move_order_stop": "25"}
EXPIRED_CLOSE = (4007, b"API key has been updated or deleted. Please reconnect.")


def login_sign(secret: str, timestamp: str) -> str:
    """Base64(HMAC-SHA256(secret, timestamp + "GET" + "/users/self/verify"))."""
    digest = hmac.new(secret.encode(), f"{timestamp}GET{VERIFY_PATH}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _compact(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"))


class OkxStreamFrontend(StreamFrontend):
    """``/ws/v5/private`` and ``/ws/v5/business`` over the engine and the OKX frontend's algo records."""

    def __init__(self, frontend: OkxFrontend) -> None:
        super().__init__(frontend.engine)
        self._frontend = frontend
        self.state = frontend.state
        self.uid = str(int(hashlib.sha256(frontend.api_key.encode()).hexdigest()[:14], 16))
        """The account's ``uid`` in every push's ``arg``."""
        self._connections: list[StreamConnection] = []
        self._liquidation_ids: dict[int, tuple[str, str]] = {}
        self.state.algo_listeners.append(self._algo_added)
        self.state.killed_listeners.append(self._killed)

    # ------------------------------------------------------------------ connections

    def accepts(self, path: str) -> bool:
        return path in (PRIVATE_PATH, BUSINESS_PATH)

    async def on_open(self, conn: StreamConnection) -> bool:
        conn.state.update(conn_id=secrets.token_hex(4), login=False, subs=[], positions={}, algos={})
        self._connections.append(conn)
        return True

    def on_close(self, conn: StreamConnection) -> None:
        if conn in self._connections:
            self._connections.remove(conn)

    def expire(self, conn: StreamConnection) -> list[str]:
        conn.closing = True
        code, message = EXPIRED_CLOSE
        asyncio.ensure_future(conn.ws.close(code=code, message=message))
        return []

    def _error(self, conn: StreamConnection, code: str, msg: str, request_id: Any = None) -> None:
        frame: dict[str, Any] = {} if request_id is None else {"id": request_id}
        frame.update(event="error", code=code, msg=msg, connId=conn.state["conn_id"])
        conn.send_json(frame)

    async def on_message(self, conn: StreamConnection, text: str) -> None:
        if text == "ping":
            conn.send("pong")
            return
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            self._error(conn, "60012", f"Invalid request: {text}")
            return
        request_id = message.get("id")
        op = message.get("op")
        if op == "login":
            self._login(conn, message, text)
        elif op in ("subscribe", "unsubscribe"):
            self._subscribe(conn, message, text, request_id, op)
        else:
            self._error(conn, "60019", f"Invalid op: {op}", request_id)

    # ------------------------------------------------------------------ login

    def _login(self, conn: StreamConnection, message: dict[str, Any], text: str) -> None:
        args = message.get("args")
        if not isinstance(args, list) or len(args) != 1 or not isinstance(args[0], dict):
            self._error(conn, "60012", f"Invalid request: {text}")
            return
        arg = args[0]
        values: dict[str, str] = {}
        for name in ("apiKey", "passphrase", "timestamp", "sign"):
            value = arg.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str) or not value:
                self._error(conn, "60027", f"Parameter {name} can not be empty.")
                return
            values[name] = value
        frontend = self._frontend
        if not hmac.compare_digest(values["apiKey"], frontend.api_key):
            self._error(conn, "60005", "Invalid apiKey")
            return
        stamp = values["timestamp"]
        try:
            seconds = float(stamp)
        except ValueError:
            self._error(conn, "60004", "Invalid timestamp")
            return
        if abs(self.engine.clock() / 1000 - seconds) > LOGIN_WINDOW_S:
            self._error(conn, "60006", "Timestamp request expired")
            return
        if frontend.password is None or not hmac.compare_digest(values["passphrase"], frontend.password):
            self._error(conn, "60024", "Wrong passphrase")
            return
        if not hmac.compare_digest(values["sign"], login_sign(frontend.secret, stamp)):
            self._error(conn, "60007", "Invalid sign")
            return
        conn.state["login"] = True
        conn.send_json({"event": "login", "code": "0", "msg": "", "connId": conn.state["conn_id"]})

    # ------------------------------------------------------------------ subscriptions

    def _subscribe(self, conn: StreamConnection, message: dict[str, Any], text: str, request_id: Any,
                   op: str) -> None:
        args = message.get("args")
        if not isinstance(args, list) or not args or not all(isinstance(a, dict) for a in args):
            self._error(conn, "60012", f"Invalid request: {text}", request_id)
            return
        business = conn.path == BUSINESS_PATH
        for arg in args:
            channel = arg.get("channel")
            if not isinstance(channel, str) or not channel:
                self._error(conn, "60012", f"Invalid request: {text}", request_id)
                continue
            if channel in BUSINESS_CHANNELS and not business:
                self._error(conn, *MIGRATED, request_id)
                continue
            if channel in PRIVATE_CHANNELS and business:
                self._error(conn, *NOT_BUSINESS, request_id)
                continue
            if channel not in PRIVATE_CHANNELS + BUSINESS_CHANNELS:
                where = ",".join(f"{k}:{v}" for k, v in arg.items() if isinstance(v, str))
                self._error(conn, "60018", f"Wrong URL or {where} doesn't exist. Please use the correct URL, "
                            "channel and parameters referring to API document.", request_id)
                continue
            if not conn.state["login"]:
                self._error(conn, "60011", "Please log in", request_id)
                continue
            if arg.get("instType") not in INST_TYPES:
                self._error(conn, "60013", "Invalid args", request_id)
                continue
            subs: list[dict[str, Any]] = conn.state["subs"]
            if op == "unsubscribe":
                conn.state["subs"] = [s for s in subs if s != arg]
            elif arg not in subs:
                subs.append(arg)
            ack: dict[str, Any] = {} if request_id is None else {"id": request_id}
            ack.update(event=op, arg=arg, connId=conn.state["conn_id"])
            conn.send_json(ack)
            if op == "subscribe":
                for frame in self._initial(conn, arg):
                    conn.send(frame)

    def _initial(self, conn: StreamConnection, arg: dict[str, Any]) -> list[str]:
        """What a channel pushes on subscribe: the positions snapshot, the live trailing stops."""
        if arg["channel"] == "positions":
            rows = []
            for spec in SPECS:
                if not _matches(arg, spec.inst_id):
                    continue
                for leg in self.engine.mode_legs(spec.inst_id):
                    if not leg.is_empty:
                        rows.append(self._position(conn, leg))
            push = {"arg": self._push_arg(arg), "eventType": "snapshot", "curPage": 1, "lastPage": True, "data": rows}
            return [_compact(push)]
        if arg["channel"] == "algo-advance":
            records = [r for r in self.state.algos.values()
                       if r.ord_type == "move_order_stop" and _matches(arg, r.inst_id)
                       and status_of(self.state, r) == "live"]
            rows = [self._algo(conn, r) for r in records]
            return [_compact({"arg": self._push_arg(arg), "data": rows})] if rows else []
        return []

    def _push_arg(self, arg: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"channel": arg["channel"], "uid": self.uid, "instType": arg["instType"]}
        for key in ("instFamily", "instId", "algoId"):
            if key in arg:
                out[key] = arg[key]
        return out

    @staticmethod
    def _subscribed(conn: StreamConnection, channel: str, inst_id: str) -> bool:
        """Whether ``conn`` holds a subscription to ``channel`` that covers ``inst_id``."""
        return any(arg["channel"] == channel and _matches(arg, inst_id) for arg in conn.state.get("subs", ()))

    def _frames(self, conn: StreamConnection, channel: str, inst_id: str, rows: list[dict[str, Any]],
                event_type: str | None = None) -> list[str]:
        """One push per subscription of ``conn`` to ``channel`` that covers ``inst_id``."""
        if not rows or not conn.state.get("login"):
            return []
        frames = []
        for arg in conn.state["subs"]:
            if arg["channel"] != channel or not _matches(arg, inst_id):
                continue
            push: dict[str, Any] = {"arg": self._push_arg(arg)}
            if event_type is not None:
                push["eventType"] = event_type
            push["data"] = rows
            frames.append(_compact(push))
        return frames

    # ------------------------------------------------------------------ events

    def render(self, conn: StreamConnection, event: EngineEvent) -> list[str]:
        if not conn.state.get("login"):
            return []
        # a row is built only for a connection subscribed to its channel (OKX's two connections
        # each take a part of the channels)
        if isinstance(event, OrderChanged):
            if not self._subscribed(conn, "orders", event.order.symbol):
                return []
            row = self._order(event.order, event.fill, event.liquidation)
            return self._frames(conn, "orders", event.order.symbol, [row])
        if isinstance(event, LegsChanged):
            if not self._subscribed(conn, "positions", event.symbol):
                return []
            return self._legs(conn, event)
        if isinstance(event, ConditionalChanged):
            algo_id = self.state.algo_of.get(event.conditional.conditional_id)
            if algo_id is None:
                return []  # not stored yet: _algo_added pushes it once it is
            return self._algo_frames(conn, self.state.algos[algo_id])
        if isinstance(event, LiquidationHappened):
            if not self._subscribed(conn, "orders", event.liquidation.symbol):
                return []
            row = self._liquidation(event.liquidation)
            return self._frames(conn, "orders", event.liquidation.symbol, [row])
        return []

    def _killed(self, order: Order) -> None:
        """An order OKX accepted and canceled at once: one ``orders`` push, ``state`` ``canceled``
        with its ``cancelSource`` (the engine never saw it, so nothing else is pushed)."""
        for conn in list(self._connections):
            if conn.path == BUSINESS_PATH or not conn.state.get("login"):
                continue
            conn.hub.push_events(conn, self._frames(conn, "orders", order.symbol, [self._order(order, None, False)]))

    def _algo_added(self, record: AlgoRecord) -> None:
        for conn in list(self._connections):
            conn.hub.push_events(conn, self._algo_frames(conn, record))

    def _algo_frames(self, conn: StreamConnection, record: AlgoRecord) -> list[str]:
        if conn.path != BUSINESS_PATH:
            return []
        row = self._algo(conn, record)
        seen: dict[str, str] = conn.state["algos"]
        if seen.get(record.algo_id) == row["state"]:
            return []  # the other leg of a pair ended after the first fired: no new state
        seen[record.algo_id] = row["state"]
        channel = "algo-advance" if record.ord_type == "move_order_stop" else "orders-algo"
        return self._frames(conn, channel, record.inst_id, [row])

    def _algo(self, conn: StreamConnection, record: AlgoRecord) -> dict[str, Any]:
        row = algo_row(self.state, record)
        if record.ord_type == "move_order_stop":
            row["pTime"] = ms(self.engine.clock())
        return row

    def _legs(self, conn: StreamConnection, event: LegsChanged) -> list[str]:
        if event.reason is ChangeReason.MARK:
            frames: list[str] = []
            for arg in conn.state["subs"]:
                if arg["channel"] != "positions" or not _matches(arg, event.symbol):
                    continue
                rows = [self._position(conn, leg) for spec in SPECS if _matches(arg, spec.inst_id)
                        for leg in self.engine.mode_legs(spec.inst_id) if not leg.is_empty]
                push = {"arg": self._push_arg(arg), "eventType": "snapshot", "curPage": 1, "lastPage": True,
                        "data": rows}
                frames.append(_compact(push))
            return frames
        seen: dict[tuple[str, str], tuple[str, ...]] = conn.state["positions"]
        rows = []
        for leg in event.legs:
            key = (leg.symbol, POS_SIDE[leg.position_side])
            row = self._position(conn, leg, remember=False)
            figures = (row["pos"], row["avgPx"], row["mgnMode"], row["lever"], row["margin"])
            before = seen.get(key)
            if before == figures or (before is None and leg.is_empty):
                continue
            seen[key] = figures
            rows.append(row)
        return self._frames(conn, "positions", event.symbol, rows, "event_update")

    # ------------------------------------------------------------------ rows

    def _position(self, conn: StreamConnection, leg: Leg, *, remember: bool = True) -> dict[str, Any]:
        row = position_row(self.state, leg, SPECS_BY_ID[leg.symbol])
        if leg.is_empty:
            row.update(avgPx="", bePx="", liqPx="", upl="0", uplLastPx="0", uplRatio="0", uplRatioLastPx="0")
        row["pTime"] = ms(self.engine.clock())
        if remember:
            seen: dict[tuple[str, str], tuple[str, ...]] = conn.state["positions"]
            seen[(leg.symbol, row["posSide"])] = (row["pos"], row["avgPx"], row["mgnMode"], row["lever"],
                                                   row["margin"])
        return row

    def _order(self, order: Order, fill: FillInfo | None, liquidation: bool) -> dict[str, Any]:
        spec = SPECS_BY_ID[order.symbol]
        row = order_row(self.state, order)
        filled = order.executed_qty
        mark = plain(self.engine.mark_price(order.symbol))
        record = self.state.algos.get(row["algoId"]) if row["algoId"] else None
        row.update(
            avgPx=figure(order.avg_price) if filled else "0",
            algoClOrdId=record.client_id if record is not None else "",
            source=SOURCES.get(record.ord_type, "13") if record is not None else "",
            category="full_liquidation" if liquidation else "normal",
            notionalUsd=figure(order.quantity * (order.price or self.engine.mark_price(order.symbol))),
            fillNotionalUsd=figure(order.cum_quote), lastPx=mark, reqId="", amendResult="", code="0", msg="",
            fillPxVol="", fillPxUsd="", fillMarkVol="", fillFwdPx="", fillIdxPx="", fillMarkPx="",
            fillPx="", fillSz="0", tradeId="", fillFee="0", fillFeeCcy="", fillPnl="0", fillTime="", execType="",
        )
        if fill is not None:
            row.update(
                fillPx=figure(fill.price), fillSz=contracts(spec, fill.quantity), tradeId=str(fill.trade_id),
                fillFee=figure(-fill.fee), fillFeeCcy="USDT", fillPnl=figure(fill.realized_pnl),
                fillTime=ms(fill.time), execType="M" if fill.maker else "T", fillMarkPx=mark, fillIdxPx=mark,
                fee=figure(-fill.fee), pnl=figure(fill.realized_pnl),
            )
        return row

    def _liquidation(self, liquidation: Liquidation) -> dict[str, Any]:
        """The venue's closing order of a liquidated leg (``category`` ``full_liquidation``)."""
        spec = SPECS_BY_ID[liquidation.symbol]
        key = id(liquidation)
        if key not in self._liquidation_ids:
            number = len(self._liquidation_ids) + 1
            self._liquidation_ids[key] = (str(700_000_000_000_000_000 + number), str(900_000_000 + number))
        ord_id, trade_id = self._liquidation_ids[key]
        size = contracts(spec, abs(liquidation.size))
        side = "buy" if liquidation.position_side is PositionSide.SHORT or liquidation.size < 0 else "sell"
        price, when, mark = figure(liquidation.price), ms(liquidation.time), figure(liquidation.price)
        return {
            "accFillSz": size, "algoClOrdId": "", "algoId": "", "amendResult": "", "attachAlgoClOrdId": "",
            "attachAlgoOrds": [], "avgPx": price, "cTime": when, "cancelSource": "", "cancelSourceReason": "",
            "category": "full_liquidation", "ccy": "", "clOrdId": "", "code": "0", "execType": "T", "fee": "0",
            "feeCcy": "USDT", "fillFee": "0", "fillFeeCcy": "USDT", "fillFwdPx": "", "fillIdxPx": mark,
            "fillMarkPx": mark, "fillMarkVol": "", "fillNotionalUsd": figure(abs(liquidation.size) * liquidation.price),
            "fillPnl": figure(liquidation.realized_pnl), "fillPx": price, "fillPxUsd": "", "fillPxVol": "",
            "fillSz": size, "fillTime": when, "instId": spec.inst_id, "instType": "SWAP", "isTpLimit": "false",
            "lastPx": mark, "lever": str(self.engine.leverage(liquidation.symbol, liquidation.position_side)),
            "linkedAlgoOrd": {"algoId": ""}, "msg": "", "notionalUsd": figure(abs(liquidation.size) * liquidation.price),
            "ordId": ord_id, "ordType": "market", "pnl": figure(liquidation.realized_pnl),
            "posSide": POS_SIDE[liquidation.position_side], "px": "", "pxType": "", "pxUsd": "", "pxVol": "",
            "quickMgnType": "", "rebate": "0", "rebateCcy": "USDT", "reduceOnly": "true", "reqId": "", "side": side,
            "slOrdPx": "", "slTriggerPx": "", "slTriggerPxType": "", "source": "", "state": "filled", "stpId": "",
            "stpMode": "", "sz": size, "tag": "", "tdMode": MGN_MODE[self.state.engine.margin_type(liquidation.symbol, liquidation.position_side)],
            "tgtCcy": "", "tpOrdPx": "", "tpTriggerPx": "", "tpTriggerPxType": "", "tradeId": trade_id,
            "uTime": when,
        }


def _matches(arg: dict[str, Any], inst_id: str) -> bool:
    """Whether a subscription ``arg`` covers a SWAP instrument."""
    if arg.get("instType") not in ("SWAP", "ANY"):
        return False
    if "instId" in arg and arg["instId"] != inst_id:
        return False
    family = inst_id.rsplit("-", 1)[0]
    return "instFamily" not in arg or arg["instFamily"] == family
