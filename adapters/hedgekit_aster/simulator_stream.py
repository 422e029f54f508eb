"""The Aster user data stream in hedgekit's loopback simulator: Binance's, with Aster's differences.

Everything not listed here is :mod:`hedgekit_binance.simulator_stream`. Sources: asterdex/api-docs
``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` §User Data Streams (AST3) and the legacy
``V1(Legacy)/EN/aster-finance-futures-api.md`` (AST1); shared/STREAMS.md §2.

* Listen keys: ``POST|PUT|DELETE /fapi/v3/listenKey``, USER_STREAM = "A valid signer and signature
  are required" (the v3 API-wallet signature, checked by the REST frontend); ``/fapi/v1/listenKey``
  with the legacy API key header alone (AST1). POST -> ``{"listenKey"}``; **PUT and DELETE ->
  ``{}``** (AST3); a dead key on PUT -> ``-1125 This listenKey does not exist.`` (AST3 error table).
* One websocket path, ``/ws/<listenKey>`` ("User Data Streams are accessed at /ws/<listenKey>";
  no ``/private`` split, no SUBSCRIBE envelope).
* No ``ALGO_UPDATE``: a conditional order is an ``ORDER_TRADE_UPDATE`` under its own id: ``o`` its
  conditional type while it waits (``x``/``X`` NEW, CANCELED, EXPIRED); once it fires, the order it
  placed shows under the conditional's id and client id with ``o`` MARKET/LIMIT and ``ot`` the
  conditional type, as the REST frontend lists it (:mod:`.simulator_trade`). Whether the venue also
  sends an ``EXPIRED`` frame for the conditional at the trigger is UNCONFIRMED: none is sent.
  The fired order's frames are held until the engine links it to its conditional (the same engine
  call), so they follow that fill's ``ACCOUNT_UPDATE`` ("not guaranteed to be in order", AST3).
* ``o`` fields: AST3's example set only (no ``pP``, ``si``, ``ss``, ``V``, ``pm``, ``gtd``, ``er``);
  ``N``/``n`` only with a fill ("will not push if no commission"); ``AP``/``cr`` only on a trailing
  stop.
* ``ACCOUNT_UPDATE.a.P[]`` has no ``bep``. AST3 says only symbols with a non-zero isolated wallet or
  position are pushed; the simulator sends both legs, a closed one as ``pa:"0"`` as the example
  does (UNCONFIRMED which the venue does).
* ``listenKeyExpired`` is ``{"e","E"}`` with no ``listenKey`` and ``E`` an integer (AST3 example).
* A position-mode change: ``ACCOUNT_CONFIG_UPDATE`` ``{"ai":{"j","f","d"}}`` (``d`` true = hedge).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_events import ConditionalChanged, EngineEvent, FillInfo, ModeChanged, OrderChanged
from hedgekit.testing.engine_types import ZERO, ConditionalOrder, ConditionalStatus, ConditionalType, Order, PositionMode
from hedgekit.testing.frontend import RecordedRequest
from hedgekit.testing.streams import StreamConnection

from hedgekit_binance.simulator_stream import BinanceStreamFrontend, Precision
from hedgekit_binance.simulator_wire import BinanceError, fixed, plain

__all__ = ["AsterStreamFrontend", "CONDITIONAL_ORIG_TYPES"]

CONDITIONAL_ORIG_TYPES = frozenset(t.value for t in ConditionalType)
#: ``o`` keys of AST3's ORDER_TRADE_UPDATE example (N/n only with a commission, AP/cr on trailing).
AST3_ORDER_FIELDS = ("s", "c", "S", "o", "f", "q", "p", "ap", "sp", "x", "X", "i", "l", "z", "L", "N", "n",
                     "T", "t", "b", "a", "m", "R", "wt", "ot", "ps", "cp", "AP", "cr", "rp")
_LEGACY_KEY = re.compile(r"^[A-Za-z0-9]{64}$")


class AsterStreamFrontend(BinanceStreamFrontend):
    """The user data stream of the simulated Aster venue (see the module docstring).

    Args:
        engine: The venue's engine.
        legacy_api_key: The v1 key the ``/fapi/v1/listenKey`` header must carry.
        specs: Decimals per venue symbol.
        verify_v3: Checks a ``/fapi/v3/listenKey`` request's v3 signature (raises Aster's refusal).
    """

    venue = "aster"
    algo_service = False

    def __init__(self, engine: Engine, legacy_api_key: str, specs: Mapping[str, Precision],
                 verify_v3: Callable[[RecordedRequest], None]) -> None:
        super().__init__(engine, legacy_api_key, specs)
        self._verify_v3 = verify_v3

    # -- REST -------------------------------------------------------------------------------------------
    def check_key_header(self, request: RecordedRequest) -> None:
        if request.path.startswith("/fapi/v3/"):
            self._verify_v3(request)
            return
        key = request.headers.get("X-MBX-APIKEY", "")
        if not _LEGACY_KEY.match(key):
            raise BinanceError(-2014, "API-key format invalid.", status=401)
        if not hmac.compare_digest(key, self.api_key):
            raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)

    def keep_answer(self, key: str) -> dict[str, Any]:
        return {}  # AST3 §Keepalive User Data Stream: "{}"

    # -- websocket ----------------------------------------------------------------------------------------
    def accepts(self, path: str) -> bool:
        return path.startswith("/ws/") and len(path) > len("/ws/")

    async def on_message(self, conn: StreamConnection, text: str) -> None:
        return None  # AST3 documents no client frame on the user data stream

    def expired_event(self, key: str) -> dict[str, Any]:
        return {"e": "listenKeyExpired", "E": self.engine.clock()}  # AST3: no listenKey, E an int

    def events_of(self, conn: StreamConnection, event: EngineEvent) -> list[dict[str, Any]]:
        held: dict[int, list[OrderChanged]] = conn.state.setdefault("held", {})
        if isinstance(event, OrderChanged):
            order = event.order
            parent = self.engine.conditional_of_order(order.order_id)
            if parent is None and order.orig_type in CONDITIONAL_ORIG_TYPES:
                held.setdefault(order.order_id, []).append(event)  # fired; its conditional is not linked yet
                return []
            if parent is not None:
                return [self._fired_event(parent, order, event.fill, event.time)]
            return [self.order_event(order, event.fill, event.time)]
        if isinstance(event, ConditionalChanged):
            conditional = event.conditional
            child_id = conditional.triggered_order_id
            if child_id is not None:
                return [self._fired_event(conditional, e.order, e.fill, e.time) for e in held.pop(child_id, [])]
            return [self._waiting_event(conditional, event.time)]
        return super().events_of(conn, event)

    def trim_order_fields(self, o: dict[str, Any]) -> dict[str, Any]:
        """AST3's field set: the Binance-only ones dropped, N/n only with a commission."""
        trimmed = {k: o[k] for k in AST3_ORDER_FIELDS if k in o}
        if trimmed.get("x") not in ("TRADE", "CALCULATED"):
            trimmed.pop("N", None)
            trimmed.pop("n", None)
        return trimmed

    def order_event(self, order: Order, fill: FillInfo | None, time: int) -> dict[str, Any]:
        event = super().order_event(order, fill, time)
        event["o"] = self.trim_order_fields(event["o"])
        return event

    def _conditional_fields(self, conditional: ConditionalOrder, o: dict[str, Any]) -> dict[str, Any]:
        pp = self._pp(conditional.symbol)
        o.update(c=conditional.client_id, i=conditional.conditional_id, ot=conditional.conditional_type.value,
                 sp=fixed(conditional.trigger_price or ZERO, pp), cp=conditional.close_position,
                 R=conditional.reduce_only, wt=conditional.extra.get("workingType", "CONTRACT_PRICE"))
        if conditional.conditional_type is ConditionalType.TRAILING_STOP_MARKET:
            o["AP"] = fixed(conditional.activation_price or ZERO, pp)
            o["cr"] = plain(conditional.callback_rate or ZERO)
        else:
            o.pop("AP", None)
            o.pop("cr", None)
        return self.trim_order_fields(o)

    def _fired_event(self, conditional: ConditionalOrder, child: Order, fill: FillInfo | None,
                     time: int) -> dict[str, Any]:
        """The order a conditional placed, under the conditional's id (as REST lists it)."""
        o = super().order_fields(child, fill)
        return {"e": "ORDER_TRADE_UPDATE", "E": time, "T": fill.time if fill else child.update_time,
                "o": self._conditional_fields(conditional, o)}

    def _waiting_event(self, conditional: ConditionalOrder, time: int) -> dict[str, Any]:
        """A conditional order accepted, cancelled or ended without an order of its own."""
        sid = conditional.symbol
        pp, qp = self._pp(sid), self._qp(sid)
        status = {ConditionalStatus.NEW: "NEW", ConditionalStatus.CANCELED: "CANCELED"}.get(
            conditional.status, "EXPIRED")
        kind = conditional.conditional_type.value
        o: dict[str, Any] = {
            "s": sid, "c": conditional.client_id, "S": conditional.side.value, "o": kind,
            "f": conditional.time_in_force.value, "q": fixed(conditional.quantity or ZERO, qp),
            "p": fixed(conditional.price or ZERO, pp), "ap": fixed(ZERO, max(pp, 5)), "sp": "0",
            "x": status, "X": status, "i": conditional.conditional_id, "l": fixed(ZERO, qp),
            "z": fixed(ZERO, qp), "L": fixed(ZERO, pp), "T": conditional.update_time, "t": 0, "b": "0", "a": "0",
            "m": False, "R": False, "wt": "CONTRACT_PRICE", "ot": kind, "ps": conditional.position_side.value,
            "cp": False, "rp": "0",
        }
        return {"e": "ORDER_TRADE_UPDATE", "E": time, "T": conditional.update_time,
                "o": self._conditional_fields(conditional, o)}

    def position_row(self, leg: Any) -> dict[str, Any]:
        row = super().position_row(leg)
        del row["bep"]  # AST3's P rows have no breakeven price
        return row

    def mode_events(self, event: ModeChanged) -> list[dict[str, Any]]:
        """``ACCOUNT_CONFIG_UPDATE.ai``: ``j`` multi-assets, ``f`` fee token, ``d`` hedge (AST3)."""
        return [{"e": "ACCOUNT_CONFIG_UPDATE", "E": event.time, "T": event.time,
                 "ai": {"j": False, "f": False, "d": event.mode is PositionMode.HEDGE}}]
