"""The Binance USDⓈ-M user data stream in hedgekit's loopback simulator: listen keys and frames.

Listen keys (REST, USER_STREAM security: the ``X-MBX-APIKEY`` header, no signature; BND "Start /
Keepalive / Close User Data Stream", change log 2024-04-19):

* ``POST /fapi/v1/listenKey`` -> ``{"listenKey": <64 alphanumerics>}``; "Doing a POST on an account
  with an active listenKey will return the currently active listenKey and extend its validity for
  60 minutes".
* ``PUT /fapi/v1/listenKey`` -> ``{"listenKey": <the key>}``; without a live key ``-1125 This
  listenKey does not exist.`` (HTTP 400).
* ``DELETE /fapi/v1/listenKey`` -> ``{}``; the key dies, and its ``/private`` sockets get
  ``listenKeyExpired`` (3P measurement: "Deleting the key pushed listenKeyExpired down it").
* A missing or malformed key header: HTTP 401 ``-2014``; another key: HTTP 401 ``-2015`` (as for
  SIGNED endpoints).

Websocket paths served (STREAMS.md §1.1):

* ``/private/ws?listenKey=<k>[&events=A/B]`` (ccxt, python-binance; ``events`` an allow-list),
  ``/private/ws/<k>`` (the COIN-M page's form) and the legacy ``/ws/<k>``: raw event frames;
* ``/ws`` and ``/stream`` (legacy, binance-futures-connector 4.x): as below, raw and wrapped;
* ``/private/stream`` (the official SDK): ``{"method":"SUBSCRIBE","params":[<k>],"id":…}`` ->
  ``{"result":null,"id":…}``, then ``{"stream":<k>,"data":{…}}`` frames; ``UNSUBSCRIBE`` likewise,
  ``LIST_SUBSCRIPTIONS`` -> ``{"result":[…],"id":…}``. An unknown method or invalid JSON answers
  ``{"error":{"code":2|3,"msg":…},"id":…}`` (the market-stream error table; envelope UNCONFIRMED
  for ``/private``).

A socket dialled with an unknown or dead listen key is accepted and gets no events: Binance
acknowledges any stream name and then stays silent (3P: "Nothing rejects a mismatch"); what it does
with an unknown key on ``/private`` is UNCONFIRMED.

Frames, for each engine event (shapes: BND §Event: Balance and Position Update / Order Update /
Account Configuration Update / User Data Stream Expired; BNW §Event: Algo Order Update; numbers as
strings, ids and times integers):

* an order accepted, filled, cancelled or expired: ``ORDER_TRADE_UPDATE`` (``x`` NEW / TRADE /
  CANCELED / EXPIRED, ``X`` its status; a fill carries ``l``/``L``/``n``/``N``/``t``/``m``/``rp``);
* legs after a fill, a margin change, a margin-type change or a liquidation: ``ACCOUNT_UPDATE``
  with ``a.m`` ORDER / MARGIN_TRANSFER / MARGIN_TYPE_CHANGE and **both** legs of the symbol
  (whether the venue includes the untouched leg is UNCONFIRMED); a leverage change:
  ``ACCOUNT_CONFIG_UPDATE`` ``{"ac":{"s","l"}}``; a mark move alone: nothing (Binance pushes no
  position event for it);
* a conditional order (Algo Service): ``ALGO_UPDATE`` NEW, TRIGGERED (its child order's id in
  ``ai``), FINISHED, CANCELED, EXPIRED, REJECTED. A conditional whose market child filled at once
  goes TRIGGERED then FINISHED, after the child's fill (nautilus_trader issue 3664: the child's
  fill can precede TRIGGERED);
* a liquidation: the venue's closing order, ``c`` = ``autoclose-<ms>``, ``o`` = ``LIQUIDATION``,
  first ``x``/``X`` NEW, then ``x`` CALCULATED ("Liquidation Execution") with ``X`` FILLED
  (the exact pair is UNCONFIRMED), then ``ACCOUNT_UPDATE``;
* ``venue.expire_listen_keys()``: every key dies and each socket gets
  ``{"e":"listenKeyExpired","E":"<ms>","listenKey":<k>}`` (``E`` a string, as the doc writes it);
  the socket stays open and gets no more events.

Fees are zero in the simulator (``n`` "0").
"""

from __future__ import annotations

from decimal import Decimal

import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from typing import Any, Protocol

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_events import (
    ChangeReason,
    ConditionalChanged,
    EngineEvent,
    FillInfo,
    LegsChanged,
    LiquidationHappened,
    ModeChanged,
    OrderChanged,
)
from hedgekit.testing.engine_types import (
    ZERO,
    ConditionalOrder,
    ConditionalStatus,
    ConditionalType,
    Leg,
    MarginType,
    Order,
    OrderStatus,
    OrderType,
    PositionSide,
    Side,
    TimeInForce,
)
from hedgekit.testing.frontend import RecordedRequest, WireResponse, random_token
from hedgekit.testing.numbers import at_most
from hedgekit.testing.streams import StreamConnection, StreamFrontend

from hedgekit_binance.simulator_wire import BinanceError, fixed, plain

__all__ = ["BinanceStreamFrontend", "ListenKeys", "Precision"]

KEY_LIFETIME_MS = 60 * 60 * 1000
"""A listen key lives 60 minutes from its last POST or PUT (BND)."""
INVALID_LISTEN_KEY = BinanceError(-1125, "This listenKey does not exist.")
_API_KEY = re.compile(r"^[A-Za-z0-9]{64}$")
EVENT_TYPES = frozenset({"ACCOUNT_UPDATE", "ORDER_TRADE_UPDATE", "ALGO_UPDATE", "ACCOUNT_CONFIG_UPDATE",
                         "listenKeyExpired", "MARGIN_CALL", "TRADE_LITE"})
#: Engine reasons -> ``ACCOUNT_UPDATE.a.m`` (BND's list of reason types).
REASON = {
    ChangeReason.ORDER: "ORDER",
    ChangeReason.LIQUIDATION: "ORDER",
    ChangeReason.MARGIN: "MARGIN_TRANSFER",
    ChangeReason.MARGIN_TYPE: "MARGIN_TYPE_CHANGE",
    ChangeReason.FUNDING: "FUNDING_FEE",
}


class Precision(Protocol):
    """A listing row's decimals (``SymbolSpec`` of either venue)."""

    @property
    def price_precision(self) -> int: ...

    @property
    def quantity_precision(self) -> int: ...


@dataclass
class _Key:
    expires: int
    alive: bool = True


class ListenKeys:
    """The account's listen keys: at most one active at a time, as on the venue."""

    def __init__(self) -> None:
        self._keys: dict[str, _Key] = {}
        self.active: str | None = None

    def alive(self, key: str | None, now: int) -> bool:
        """Whether ``key`` names a live key."""
        record = self._keys.get(key or "")
        return record is not None and record.alive and record.expires > now

    def create(self, now: int) -> str:
        """POST: the live key extended, or a new one."""
        if self.active is not None and self.alive(self.active, now):
            self._keys[self.active].expires = now + KEY_LIFETIME_MS
            return self.active
        key = random_token(64)
        self._keys[key] = _Key(now + KEY_LIFETIME_MS)
        self.active = key
        return key

    def keep(self, now: int) -> str | None:
        """PUT: the live key extended, ``None`` when there is none."""
        if self.active is None or not self.alive(self.active, now):
            return None
        self._keys[self.active].expires = now + KEY_LIFETIME_MS
        return self.active

    def kill(self, key: str | None = None) -> None:
        """DELETE (or the venue's own expiry): the key, or every key, is dead."""
        for name, record in self._keys.items():
            if key is None or name == key:
                record.alive = False
        if key is None or key == self.active:
            self.active = None


class BinanceStreamFrontend(StreamFrontend):
    """The user data stream of the simulated Binance venue (see the module docstring).

    Args:
        engine: The venue's engine.
        api_key: The key ``X-MBX-APIKEY`` must carry for the listen-key endpoints.
        specs: Decimals per venue symbol, for numbers written as the REST answers write them.
    """

    venue = "binance"
    listen_key_path = "/fapi/v1/listenKey"
    algo_service = True
    """Conditional orders are on the Algo Service (``ALGO_UPDATE``)."""

    def __init__(self, engine: Engine, api_key: str, specs: Mapping[str, Precision]) -> None:
        super().__init__(engine)
        self.api_key = api_key
        self.specs = specs
        self.keys = ListenKeys()
        self.connections: list[StreamConnection] = []
        self._liquidation_ids = 9_000_000_001  # the venue's own closing orders: an id range of their own

    # -- REST: listen keys ----------------------------------------------------------------------------
    def check_key_header(self, request: RecordedRequest) -> None:
        """USER_STREAM security: the API key header alone."""
        key = request.headers.get("X-MBX-APIKEY", "")
        if not _API_KEY.match(key):
            raise BinanceError(-2014, "API-key format invalid.", status=401)
        if not hmac.compare_digest(key, self.api_key):
            raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)

    def handle_listen_key(self, request: RecordedRequest) -> WireResponse:
        """``POST``/``PUT``/``DELETE`` of the listen-key path (authenticated by the caller)."""
        now = self.engine.clock()
        if request.method == "POST":
            return WireResponse.json({"listenKey": self.keys.create(now)})
        if request.method == "PUT":
            key = self.keys.keep(now)
            if key is None:
                return INVALID_LISTEN_KEY.response()
            return WireResponse.json(self.keep_answer(key))
        if request.method == "DELETE":
            key = self.keys.active
            self.keys.kill(key)
            if key is not None:
                self._expire_key(key)
            return WireResponse.json({})
        return WireResponse(405, "Method Not Allowed", "text/plain")

    def keep_answer(self, key: str) -> dict[str, Any]:
        """The PUT answer: ``{"listenKey": …}`` on Binance since 2024-04-25."""
        return {"listenKey": key}

    def _expire_key(self, key: str) -> None:
        for conn in list(self.connections):
            if key in conn.state.get("keys", ()) and not conn.expired and not conn.closing:
                for frame in self._expired_frames(conn):
                    conn.send(frame)
                conn.expired = True

    # -- websocket --------------------------------------------------------------------------------
    def accepts(self, path: str) -> bool:
        return (path in ("/private/ws", "/private/stream", "/ws", "/stream") or path.startswith("/private/ws/")
                or (path.startswith("/ws/") and len(path) > len("/ws/")))

    async def on_open(self, conn: StreamConnection) -> bool:
        path = conn.path
        keys: set[str] = set()
        if path in ("/private/stream", "/stream"):
            conn.state["wrapped"] = True
        elif path == "/ws":
            pass  # the legacy raw form with SUBSCRIBE (binance-futures-connector 4.x user_data)
        elif path == "/private/ws":
            given = conn.query.get("listenKey", "")
            keys.update(k for k in given.split("/") if k)
        else:
            keys.add(path.rsplit("/", 1)[-1])
        events = conn.query.get("events")
        conn.state["events"] = None if events is None else frozenset(e for e in events.split("/") if e)
        conn.state["keys"] = keys
        self.connections.append(conn)
        return True

    def on_close(self, conn: StreamConnection) -> None:
        if conn in self.connections:
            self.connections.remove(conn)

    async def on_message(self, conn: StreamConnection, text: str) -> None:
        try:
            request = json.loads(text)
        except ValueError:
            conn.send_json({"error": {"code": 3, "msg": "Invalid JSON: expected value at line 1 column 1"}})
            return
        if not isinstance(request, dict):
            conn.send_json({"error": {"code": 2, "msg": "Invalid request: request must be an object"}})
            return
        method, params, request_id = request.get("method"), request.get("params"), request.get("id")
        keys: set[str] = conn.state.setdefault("keys", set())
        if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
            if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
                conn.send_json({"error": {"code": 2, "msg": "Invalid request: params must be a list of strings"},
                                "id": request_id})
                return
            if method == "SUBSCRIBE":
                keys.update(params)
            else:
                keys.difference_update(params)
            conn.send_json({"result": None, "id": request_id})
        elif method == "LIST_SUBSCRIPTIONS":
            conn.send_json({"result": sorted(keys), "id": request_id})
        else:
            conn.send_json({"error": {"code": 2, "msg": f"Invalid request: unknown variant {method!r}, expected "
                                      "one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, "
                                      "`GET_PROPERTY`"}, "id": request_id})

    def _live_keys(self, conn: StreamConnection) -> list[str]:
        now = self.engine.clock()
        return [k for k in sorted(conn.state.get("keys", ())) if self.keys.alive(k, now)]

    def _frames(self, conn: StreamConnection, events: list[dict[str, Any]]) -> list[str]:
        keys = self._live_keys(conn)
        if not keys or not events:
            return []
        allowed: frozenset[str] | None = conn.state.get("events")
        out = []
        for event in events:
            if allowed is not None and event["e"] not in allowed:
                continue
            if conn.state.get("wrapped"):
                out.append(_dump({"stream": keys[0], "data": event}))
            else:
                out.append(_dump(event))
        return out

    def render(self, conn: StreamConnection, event: EngineEvent) -> list[str]:
        return self._frames(conn, self.events_of(conn, event))

    def expire(self, conn: StreamConnection) -> list[str]:
        self.keys.kill()  # the venue's expiry: every key of the account is dead
        return self._expired_frames(conn)

    def _expired_frames(self, conn: StreamConnection) -> list[str]:
        keys = sorted(conn.state.get("keys", ()))
        allowed: frozenset[str] | None = conn.state.get("events")
        if not keys or (allowed is not None and "listenKeyExpired" not in allowed):
            return []
        event = self.expired_event(keys[0])
        if conn.state.get("wrapped"):
            return [_dump({"stream": keys[0], "data": event})]
        return [_dump(event)]

    def expired_event(self, key: str) -> dict[str, Any]:
        """``listenKeyExpired``: ``E`` a string and the key, as BND's example writes them."""
        return {"e": "listenKeyExpired", "E": str(self.engine.clock()), "listenKey": key}

    # -- engine events -> venue events -------------------------------------------------------------
    def events_of(self, conn: StreamConnection, event: EngineEvent) -> list[dict[str, Any]]:
        """The venue's events (decoded frames) for one engine event on ``conn``."""
        if isinstance(event, OrderChanged):
            return [self.order_event(event.order, event.fill, event.time)]
        if isinstance(event, ConditionalChanged):
            return self.conditional_events(conn, event.conditional, event.time)
        if isinstance(event, LegsChanged):
            return self.legs_events(event)
        if isinstance(event, LiquidationHappened):
            return self.liquidation_events(event)
        if isinstance(event, ModeChanged):
            return self.mode_events(event)
        return []

    def _pp(self, sid: str) -> int:
        return self.specs[sid].price_precision

    def _qp(self, sid: str) -> int:
        return self.specs[sid].quantity_precision

    def order_fields(self, order: Order, fill: FillInfo | None) -> dict[str, Any]:
        """``ORDER_TRADE_UPDATE.o`` for a regular order (BND §Event: Order Update, field order kept)."""
        sid = order.symbol
        pp, qp = self._pp(sid), self._qp(sid)
        wide = max(pp, 5)
        if fill is not None:
            execution = "TRADE"
        elif order.status is OrderStatus.NEW:
            execution = "NEW"
        else:
            execution = order.status.value  # CANCELED, EXPIRED
        remaining = order.quantity - order.executed_qty
        resting = order.status is OrderStatus.NEW and order.order_type is OrderType.LIMIT
        notional = remaining * order.price if resting else ZERO
        data: dict[str, Any] = {
            "s": sid,
            "c": order.client_order_id,
            "S": order.side.value,
            "o": order.order_type.value,
            # an order Aster expired on arrival carries its own price and time in force in extra
            "f": order.extra.get("timeInForce", order.time_in_force.value),
            "q": fixed(order.quantity, qp),
            "p": fixed(Decimal(order.extra["price"]) if "price" in order.extra else order.price, pp),
            "ap": fixed(order.avg_price, wide),
            "sp": fixed(order.stop_price, pp),
            "x": execution,
            "X": order.status.value,
            "i": order.order_id,
            "l": fixed(fill.quantity if fill else ZERO, qp),
            "z": fixed(order.executed_qty, qp),
            "L": fixed(fill.price if fill else ZERO, pp),
            "N": "USDT",
            "n": at_most(fill.fee if fill else ZERO, 8),
            "T": fill.time if fill else order.update_time,
            "t": fill.trade_id if fill else 0,
            "b": plain(notional) if order.side is Side.BUY else "0",
            "a": plain(notional) if order.side is Side.SELL else "0",
            "m": bool(fill and fill.maker),
            "R": order.reduce_only,
            "wt": order.extra.get("workingType", "CONTRACT_PRICE"),
            "ot": order.orig_type,
            "ps": order.position_side.value,
            "cp": order.close_position,
            # realised PnL at the 8 decimals of the REST figures (userTrades' "realizedPnl": "-0.91539999"),
            # unpadded as the event's example ("rp":"0"); the stream's own rounding is UNCONFIRMED
            "rp": at_most(fill.realized_pnl if fill else ZERO, 8),
            "pP": order.extra.get("priceProtect", "false").lower() == "true",
            "si": 0,
            "ss": 0,
            "V": order.extra.get("selfTradePreventionMode", "EXPIRE_MAKER"),
            "pm": order.extra.get("priceMatch", "NONE"),
            "gtd": int(order.extra.get("goodTillDate", "0")),
            # "2: IOC order could not be filled completely, remaining quantity is canceled"
            "er": "2" if order.status is OrderStatus.EXPIRED and order.time_in_force is TimeInForce.IOC else "0",
        }
        return data

    def order_event(self, order: Order, fill: FillInfo | None, time: int) -> dict[str, Any]:
        """``ORDER_TRADE_UPDATE`` for one regular order change."""
        return {"e": "ORDER_TRADE_UPDATE", "E": time, "T": fill.time if fill else order.update_time,
                "o": self.order_fields(order, fill)}

    def conditional_events(self, conn: StreamConnection, conditional: ConditionalOrder,
                           time: int) -> list[dict[str, Any]]:
        """``ALGO_UPDATE`` for a conditional order's change (BNW §Event: Algo Order Update)."""
        seen: dict[int, ConditionalStatus] = conn.state.setdefault("algo_seen", {})
        before = seen.get(conditional.conditional_id)
        seen[conditional.conditional_id] = conditional.status
        if (conditional.status is ConditionalStatus.FINISHED and conditional.triggered_order_id is not None
                and before is not ConditionalStatus.TRIGGERED):
            # a market child filled at once: TRIGGERED (with ai) and then FINISHED
            triggered = replace(conditional, status=ConditionalStatus.TRIGGERED)
            return [self.algo_event(triggered, time), self.algo_event(conditional, time)]
        return [self.algo_event(conditional, time)]

    def algo_event(self, conditional: ConditionalOrder, time: int) -> dict[str, Any]:
        sid = conditional.symbol
        pp, qp = self._pp(sid), self._qp(sid)
        child = None
        if conditional.triggered_order_id is not None:
            child = self.engine.get_order(sid, order_id=conditional.triggered_order_id)
        wide = max(pp, 5)
        o: dict[str, Any] = {
            "caid": conditional.client_id,
            "aid": conditional.conditional_id,
            "at": "CONDITIONAL",
            "o": conditional.conditional_type.value,
            "s": sid,
            "S": conditional.side.value,
            "ps": conditional.position_side.value,
            "f": conditional.time_in_force.value,
            "q": fixed(conditional.quantity or ZERO, qp),
            "X": conditional.status.value,
            "ai": "" if child is None else str(child.order_id),
        }
        if child is not None:  # "only display when order is triggered and placed in matching engine"
            o["ap"] = fixed(child.avg_price, wide)
            o["aq"] = fixed(child.executed_qty, qp)
            o["act"] = child.order_type.value
        o.update({
            "tp": fixed(conditional.trigger_price or ZERO, pp),
            "p": fixed(conditional.price or ZERO, pp),
            "V": conditional.extra.get("selfTradePreventionMode", "EXPIRE_MAKER"),
            "wt": conditional.extra.get("workingType", "CONTRACT_PRICE"),
            "pm": conditional.extra.get("priceMatch", "NONE"),
            "cp": conditional.close_position,
            "pP": conditional.extra.get("priceProtect", "false").lower() == "true",
            "R": conditional.reduce_only,
            "tt": conditional.trigger_time,
            "gtd": int(conditional.extra.get("goodTillDate", "0")),
        })
        if conditional.status is ConditionalStatus.REJECTED:
            o["rm"] = "Reduce Only reject"  # the doc's example reason (BNW)
        if conditional.conditional_type is ConditionalType.TRAILING_STOP_MARKET:
            o["ia"] = conditional.status is not ConditionalStatus.NEW or self._trail_active(conditional)
        # T is the transaction time and E the event time (BNC algo_update.py; the page swaps the labels)
        return {"e": "ALGO_UPDATE", "T": conditional.update_time, "E": time, "o": o}

    def _trail_active(self, conditional: ConditionalOrder) -> bool:
        activation = conditional.activation_price
        if activation is None:
            return True
        mark = self.engine.mark_price(conditional.symbol)
        return mark >= activation if conditional.side is Side.SELL else mark <= activation

    def position_row(self, leg: Leg) -> dict[str, Any]:
        """One ``ACCOUNT_UPDATE.a.P`` row (BND: ``s, pa, ep, bep, cr, up, mt, iw, ps``)."""
        # the REST row's entryPrice value (8 decimals at most), padded to the 5 decimals of the
        # event's example ("ep":"6563.66500")
        entry = fixed(Decimal(fixed(leg.entry_price, 8)).normalize(), 5) if decimals8(leg.entry_price) <= 5 \
            else fixed(leg.entry_price, 8)
        return {
            "s": leg.symbol,
            "pa": plain(leg.signed_size),
            "ep": entry,
            "bep": entry,  # no fees in the simulator: breakeven = entry
            "cr": "0",
            "up": fixed(leg.unrealized_pnl, 8),
            "mt": "isolated" if leg.margin_type is MarginType.ISOLATED else "cross",
            "iw": fixed(leg.isolated_margin if leg.margin_type is MarginType.ISOLATED else ZERO, 8),
            "ps": leg.position_side.value,
        }

    def legs_events(self, event: LegsChanged) -> list[dict[str, Any]]:
        if event.reason is ChangeReason.LEVERAGE:
            leverage = int(max((leg.leverage for leg in event.legs), default=Decimal(1)))  # "l": an integer
            return [{"e": "ACCOUNT_CONFIG_UPDATE", "E": event.time, "T": event.time,
                     "ac": {"s": event.symbol, "l": leverage}}]
        reason = REASON.get(event.reason)
        if reason is None:  # MARK: no position event on the venue
            return []
        account = self.engine.account()
        balance = {"a": account.asset, "wb": fixed(account.wallet_balance, 8),
                   "cw": fixed(account.cross_wallet_balance, 8), "bc": "0"}
        return [{"e": "ACCOUNT_UPDATE", "E": event.time, "T": event.time,
                 "a": {"m": reason, "B": [balance], "P": [self.position_row(leg) for leg in event.legs]}}]

    def liquidation_events(self, event: LiquidationHappened) -> list[dict[str, Any]]:
        """The venue's closing order of a liquidated leg: NEW, then its execution (CALCULATED)."""
        liquidation = event.liquidation
        sid = liquidation.symbol
        pp, qp = self._pp(sid), self._qp(sid)
        order_id = self._liquidation_ids
        self._liquidation_ids += 1
        side = "SELL" if liquidation.position_side is PositionSide.LONG or (
            liquidation.position_side is PositionSide.BOTH and liquidation.size > 0) else "BUY"
        size = abs(liquidation.size)
        out = []
        for execution, status, filled in (("NEW", "NEW", False), ("CALCULATED", "FILLED", True)):
            o = {
                "s": sid, "c": f"autoclose-{liquidation.time}", "S": side, "o": "LIQUIDATION", "f": "IOC",
                "q": fixed(size, qp), "p": fixed(liquidation.price, pp),
                "ap": fixed(liquidation.price if filled else ZERO, max(pp, 5)), "sp": fixed(ZERO, pp),
                "x": execution, "X": status, "i": order_id,
                "l": fixed(size if filled else ZERO, qp), "z": fixed(size if filled else ZERO, qp),
                "L": fixed(liquidation.price if filled else ZERO, pp), "N": "USDT", "n": "0",
                "T": liquidation.time, "t": order_id if filled else 0, "b": "0", "a": "0",
                "m": False, "R": True, "wt": "CONTRACT_PRICE", "ot": "LIQUIDATION",
                "ps": liquidation.position_side.value, "cp": False,
                "rp": at_most(liquidation.realized_pnl if filled else ZERO, 8), "pP": False, "si": 0, "ss": 0,
                "V": "NONE", "pm": "NONE", "gtd": 0, "er": "0",
            }
            out.append(self.trim_order_fields(o))
        return [{"e": "ORDER_TRADE_UPDATE", "E": liquidation.time, "T": liquidation.time, "o": o} for o in out]

    def trim_order_fields(self, o: dict[str, Any]) -> dict[str, Any]:
        """The venue's subset of ``o`` (all of it on Binance)."""
        return o

    def mode_events(self, event: ModeChanged) -> list[dict[str, Any]]:
        """Binance documents no event for a position-mode change."""
        return []


def decimals8(value: Decimal) -> int:
    """How many decimals ``value`` needs once rounded to 8."""
    exponent = Decimal(fixed(value, 8)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _dump(event: Mapping[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"))
