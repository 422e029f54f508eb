"""Private-stream frames of the Binance family (Binance USDⓈ-M, Aster) read into stream updates.

One reader serves both venues, because the frames are the same where they overlap; what differs is
a :class:`Dialect`. Sources (shared/STREAMS.md §1-2):

* Binance: the user-data-stream pages mirrored in ``rosssaunders/coincise``
  ``docs/binance/usdm/private_websocket_api.md`` (BND) and binance-connector-python
  ``websocket_streams/models/{account_update*,order_trade_update_o,algo_update_o,listen_key_expired}.py``
  (BNC); the Algo Service page *Event-Algo-Order-Update* (BNW).
* Aster: asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` §User Data Streams
  (AST3).

Frames read (numbers are strings, ids and times integers):

* ``ACCOUNT_UPDATE`` ``{"e","E","T","a":{"m","B":[…],"P":[{"s","pa","ep","bep","cr","up","mt","iw","ps"}]}}``:
  one :class:`~hedgekit.stream_session.LegUpdate` per ``P`` row. ``pa`` is signed (negative on
  SHORT, also in hedge mode), ``mt`` is ``isolated``/``cross``, ``iw`` the isolated wallet (a
  leg's margin only when isolated; a cross leg's initial margin is not pushed). Whether the
  untouched hedge leg is included is UNCONFIRMED: a row absent is not a flat leg.
* ``ORDER_TRADE_UPDATE`` ``{"e","E","T","o":{…}}``: ``o.i`` order id (int), ``c`` client id, ``S``
  side, ``ps`` position side, ``o``/``ot`` type and original type, ``f`` time in force, ``q``/``p``/
  ``ap``/``sp`` quantity, price, average price, stop price, ``x`` execution type, ``X`` status,
  ``l``/``L``/``z`` last quantity, last price, filled quantity, ``n``/``N`` this fill's commission
  and its asset ("will not push if no commission", AST3), ``t`` trade id (0 = none), ``m`` maker,
  ``rp`` this trade's realised profit, ``R`` reduce-only, ``cp`` close-all, ``AP``/``cr`` trailing
  activation price and callback rate, ``T`` trade time. A fill is a frame whose ``x`` is ``TRADE``
  (or ``CALCULATED``, a liquidation's execution). The frame has no creation time.
* ``ALGO_UPDATE`` (Binance only, conditional orders on the Algo Service since 2025-12)
  ``{"e","T","E","o":{"caid","aid","o","s","S","ps","f","q","X","ai","ap","aq","act","tp","p","cp","R",…}}``:
  the algo order itself; it has no fill fields (the child's ``ORDER_TRADE_UPDATE`` carries the fill)
  and no trailing activation price or callback rate (BNC algo_update_o.py lists neither).
* ``ACCOUNT_CONFIG_UPDATE`` ``{"ac":{"s","l":int}}``: the symbol's leverage, on both legs.
* ``listenKeyExpired`` ``{"e","E","listenKey"}`` (Aster: no ``listenKey``; ``E`` a string in
  Binance's doc, an int in its model): :class:`~hedgekit.stream_session.SessionExpired`.
* Anything else (``MARGIN_CALL``, ``TRADE_LITE``, ``STRATEGY_UPDATE``, ``GRID_UPDATE``,
  ``CONDITIONAL_ORDER_TRIGGER_REJECT``, a ``{"result":null,"id":…}`` subscribe ack) is ignored.
  The official SDK's ``/private/stream`` frames ``{"stream":<listenKey>,"data":{…}}`` are unwrapped.

A frame that cannot be read raises :class:`~hedgekit.errors.MalformedResponse` (the session turns
it into :class:`~hedgekit.stream_session.StreamLost`): never a ``KeyError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from hedgekit.models import Fill, MarginMode, Market, Order, OrderStatus, OrderType, PositionSide, trusted
from hedgekit.payload import PayloadReader
from hedgekit.stream_session import LegUpdate, OrderUpdate, SessionExpired, StreamUpdate

from hedgekit_binance.wire import ALGO_STATUS_IN, POSITION_SIDE_IN, SIDE_IN, STATUS_IN, TIME_IN_FORCE_IN

__all__ = ["Dialect", "StreamReader", "CONDITIONAL_TYPES"]

#: Order types of the frames -> hedgekit types. hedgekit has no stop-limit type: ``STOP`` and
#: ``TAKE_PROFIT`` (placed by another client) read as their market twins, with the limit price in
#: ``price``; ``LIQUIDATION`` (the venue's own close of a liquidated leg) as a market order.
ORDER_TYPE_IN: dict[str, OrderType] = {
    "MARKET": OrderType.MARKET,
    "LIMIT": OrderType.LIMIT,
    "STOP_MARKET": OrderType.STOP_MARKET,
    "STOP": OrderType.STOP_MARKET,
    "TAKE_PROFIT_MARKET": OrderType.TAKE_PROFIT_MARKET,
    "TAKE_PROFIT": OrderType.TAKE_PROFIT_MARKET,
    "TRAILING_STOP_MARKET": OrderType.TRAILING_STOP_MARKET,
    "LIQUIDATION": OrderType.MARKET,
}
#: The conditional ``o``/``ot`` values (BND "Order Type"; AST3 ENUM "Order types").
CONDITIONAL_TYPES = frozenset({"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"})
#: ``P[].mt``: ``isolated``/``cross`` in both docs' examples (MARGIN_CALL writes ``CROSSED``).
MARGIN_TYPE_IN = {"isolated": MarginMode.ISOLATED, "cross": MarginMode.CROSS, "crossed": MarginMode.CROSS}
#: ``x`` values that carry an execution: a trade, or a liquidation's (BND "Execution Type").
FILL_EXECUTIONS = frozenset({"TRADE", "CALCULATED"})
#: Order statuses of the frames: the REST vocabulary (wire.STATUS_IN), which already has Binance's
#: ``EXPIRED_IN_MATCH`` and Aster's ``NEW_INSURANCE``/``NEW_ADL``.
ORDER_STATUS_IN: Mapping[str, OrderStatus] = STATUS_IN


@dataclass(frozen=True)
class Dialect:
    """What one venue of the family does differently on its private stream."""

    venue: str
    algo_service: bool
    """Conditional orders live on the Algo Service and come as ``ALGO_UPDATE`` (Binance); without
    it they are ``ORDER_TRADE_UPDATE`` frames whose ``o`` or ``ot`` is a conditional type (Aster)."""


class StreamReader:
    """Reads one venue's frames for one session.

    Args:
        dialect: The venue's differences.
        market_of: The hedgekit market of a venue symbol, ``None`` for a contract hedgekit does not
            trade (its rows are skipped).
        symbols: Unified symbols to keep (``None``: all).
        listen_key: The session's listen key: a ``listenKeyExpired`` naming another key is ignored.
    """

    def __init__(self, dialect: Dialect, market_of: Callable[[str], Market | None],
                 symbols: tuple[str, ...] | None, listen_key: str | None = None) -> None:
        self.dialect = dialect
        self._market_of = market_of
        self._symbols = None if symbols is None else frozenset(symbols)
        self.listen_key = listen_key
        self._read = PayloadReader(dialect.venue, numbers_required=True)

    # -- entry point ------------------------------------------------------------------------------
    def read(self, payload: Any) -> list[StreamUpdate]:
        """The updates one decoded frame carries (``[]`` for acks and events not read)."""
        r = self._read
        if not isinstance(payload, dict):
            raise r.bad("a frame that is not a JSON object", payload)
        if "e" not in payload and isinstance(payload.get("data"), dict) and "stream" in payload:
            payload = payload["data"]  # /private/stream: {"stream": <listenKey>, "data": {...}}
        event = payload.get("e")
        if event is None:
            if "result" in payload or "id" in payload or "error" in payload:
                if isinstance(payload.get("error"), dict):
                    raise r.bad("the stream answered with an error", payload)
                return []  # {"result": null, "id": ...}: a SUBSCRIBE ack
            raise r.bad("a frame without an event type", payload)
        if event == "ACCOUNT_UPDATE":
            return self._account_update(payload)
        if event == "ORDER_TRADE_UPDATE":
            return self._order_update(payload)
        if event == "ALGO_UPDATE" and self.dialect.algo_service:
            return self._algo_update(payload)
        if event == "ACCOUNT_CONFIG_UPDATE":
            return self._config_update(payload)
        if event == "listenKeyExpired":
            key = payload.get("listenKey")
            if key is not None and self.listen_key is not None and key != self.listen_key:
                return []
            return [SessionExpired("listenKeyExpired")]
        return []  # MARGIN_CALL, TRADE_LITE, STRATEGY_UPDATE, ...: not read

    # -- helpers ----------------------------------------------------------------------------------
    def _event_time(self, payload: Mapping[str, Any]) -> int:
        value = payload.get("E")
        if isinstance(value, bool):
            raise self._read.bad("field 'E' is not a time", payload)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.isdigit() and value.isascii():
            return int(value)  # listenKeyExpired's "E" is a string in Binance's doc
        raise self._read.bad("field 'E' missing or not a time", payload)

    def _market(self, row: Mapping[str, Any]) -> Market | None:
        venue_symbol = row.get("s")
        if not isinstance(venue_symbol, str) or not venue_symbol:
            raise self._read.bad("field 's' missing or not a symbol", row)
        market = self._market_of(venue_symbol)
        if market is None or (self._symbols is not None and market.symbol not in self._symbols):
            return None
        return market

    def _bool(self, row: Mapping[str, Any], key: str, default: bool = False) -> bool:
        value = row.get(key, default)
        if not isinstance(value, bool):
            raise self._read.bad(f"field {key!r} is not a boolean", row)
        return value

    def _time(self, row: Mapping[str, Any], key: str) -> datetime | None:
        return self._read.when(row, key, required=False)

    # -- ACCOUNT_UPDATE ---------------------------------------------------------------------------
    def _account_update(self, payload: Mapping[str, Any]) -> list[StreamUpdate]:
        r = self._read
        time_ms = self._event_time(payload)
        data = r.obj(payload.get("a"), "ACCOUNT_UPDATE.a")
        positions = data.get("P", [])
        out: list[StreamUpdate] = []
        for row in r.rows(positions, "ACCOUNT_UPDATE.a.P"):
            market = self._market(row)
            if market is None:
                continue
            amount = r.req_dec(row, "pa")
            side = r.enum_of(POSITION_SIDE_IN, row, "ps")
            entry = r.req_dec(row, "ep")
            pnl = r.req_dec(row, "up")
            margin_type = row.get("mt")
            mode = MARGIN_TYPE_IN.get(margin_type.lower()) if isinstance(margin_type, str) else None
            if mode is None:
                raise r.bad(f"field 'mt' has unknown value {margin_type!r}", row)
            fields: dict[str, Any] = {
                "size": amount if side is PositionSide.BOTH else abs(amount),
                "entry_price": entry if amount != 0 else None,
                "unrealized_pnl": pnl,
                "margin_mode": mode,
                "updated_at": r.when(payload, "E", required=True),
            }
            if mode is MarginMode.ISOLATED:
                fields["margin"] = r.req_dec(row, "iw")
            out.append(LegUpdate(symbol=market.symbol, side=side, fields=fields, time_ms=time_ms))
        return out

    # -- ACCOUNT_CONFIG_UPDATE --------------------------------------------------------------------
    def _config_update(self, payload: Mapping[str, Any]) -> list[StreamUpdate]:
        config = payload.get("ac")
        if config is None:
            return []  # {"ai": {...}}: multi-assets (and on Aster the position mode), not a leg field
        r = self._read
        row = r.obj(config, "ACCOUNT_CONFIG_UPDATE.ac")
        market = self._market(row)
        if market is None:
            return []
        leverage = row.get("l")
        if isinstance(leverage, bool) or not isinstance(leverage, int) or leverage < 1:
            raise r.bad("field 'l' is not a leverage", row)
        time_ms = self._event_time(payload)
        return [LegUpdate(symbol=market.symbol, side=side, fields={"leverage": Decimal(leverage)}, time_ms=time_ms)
                for side in (PositionSide.LONG, PositionSide.SHORT)]

    # -- ORDER_TRADE_UPDATE -----------------------------------------------------------------------
    def _order_update(self, payload: Mapping[str, Any]) -> list[StreamUpdate]:
        r = self._read
        time_ms = self._event_time(payload)
        row = r.obj(payload.get("o"), "ORDER_TRADE_UPDATE.o")
        market = self._market(row)
        if market is None:
            return []
        kind, orig = r.text(row, "o"), row.get("ot", "")
        if not isinstance(orig, str):
            raise r.bad("field 'ot' is not a string", row)
        # Aster keeps conditional orders on this stream: a stop before (o) or after (ot) it fired
        conditional = kind in CONDITIONAL_TYPES or (not self.dialect.algo_service and orig in CONDITIONAL_TYPES)
        name = orig if conditional and orig in CONDITIONAL_TYPES else kind
        price = r.req_dec(row, "p")
        order_type = ORDER_TYPE_IN.get(name, OrderType.LIMIT if price else OrderType.MARKET)
        trailing = order_type is OrderType.TRAILING_STOP_MARKET
        quantity = r.req_dec(row, "q")
        close_position = self._bool(row, "cp")
        client_id = r.text(row, "c") or None
        side = r.enum_of(SIDE_IN, row, "S")
        position_side = r.enum_of(POSITION_SIDE_IN, row, "ps")
        order_id = r.number_id(row, "i")
        average = r.req_dec(row, "ap")
        stop = r.req_dec(row, "sp")
        updated = r.when(row, "T", required=False) or r.when(payload, "T", required=False)
        order = trusted(
            Order,
            venue=self.dialect.venue,
            symbol=market.symbol,
            order_id=order_id,
            client_order_id=client_id,
            side=side,
            position_side=position_side,
            type=order_type,
            status=r.enum_of(ORDER_STATUS_IN, row, "X"),
            quantity=None if close_position and not quantity else quantity,
            filled_quantity=r.req_dec(row, "z"),
            price=price or None,
            average_price=average or None,
            # "sp: Stop Price. Please ignore with TRAILING_STOP_MARKET order" (BND, AST3)
            trigger_price=None if trailing else stop or None,
            activation_price=r.dec(row, "AP", required=False) or None if trailing else None,
            callback_rate=r.dec(row, "cr", required=False) or None if trailing else None,
            time_in_force=TIME_IN_FORCE_IN.get(str(row.get("f"))),  # GTD (and anything else): None
            reduce_only=self._bool(row, "R"),
            close_position=close_position,
            conditional=conditional,
            created_at=None,  # the frame has no creation time
            updated_at=updated,
            raw=dict(payload),
        )
        fill = None
        if r.text(row, "x") in FILL_EXECUTIONS:
            trade_id = row.get("t")
            if isinstance(trade_id, bool) or not isinstance(trade_id, (int, str)):
                raise r.bad("field 't' is not a trade id", row)
            fee = r.dec(row, "n", required=False)  # "will not push if no commission"
            fee_asset = row.get("N")
            fill = trusted(
                Fill,
                venue=self.dialect.venue,
                symbol=market.symbol,
                order_id=order_id,
                client_order_id=client_id,
                trade_id=str(trade_id) if trade_id not in (0, "0", "") else None,
                side=side,
                position_side=position_side,
                price=r.req_dec(row, "L"),
                quantity=r.req_dec(row, "l"),
                fee=fee,
                fee_asset=fee_asset if isinstance(fee_asset, str) and fee_asset else None,
                realized_pnl=r.dec(row, "rp", required=False),
                maker=self._bool(row, "m"),
                time=updated,
                raw=dict(payload),
            )
        return [OrderUpdate(order=order, fill=fill, time_ms=time_ms)]

    # -- ALGO_UPDATE ------------------------------------------------------------------------------
    def _algo_update(self, payload: Mapping[str, Any]) -> list[StreamUpdate]:
        r = self._read
        time_ms = self._event_time(payload)
        row = r.obj(payload.get("o"), "ALGO_UPDATE.o")
        market = self._market(row)
        if market is None:
            return []
        kind = r.text(row, "o")
        if kind not in ORDER_TYPE_IN:
            raise r.bad(f"field 'o' has unknown value {kind!r}", row)
        close_position = self._bool(row, "cp")
        quantity = r.req_dec(row, "q")
        price = r.dec(row, "p", required=False)
        trigger = r.dec(row, "tp", required=False)
        # the outer T is the transaction time (BNC algo_update.py; nautilus_trader issue 3287)
        updated = r.when(payload, "T", required=False) or r.when(payload, "E", required=True)
        order = trusted(
            Order,
            venue=self.dialect.venue,
            symbol=market.symbol,
            order_id=r.number_id(row, "aid"),
            client_order_id=r.text(row, "caid") or None,
            side=r.enum_of(SIDE_IN, row, "S"),
            position_side=r.enum_of(POSITION_SIDE_IN, row, "ps"),
            type=ORDER_TYPE_IN[kind],
            status=r.enum_of(ALGO_STATUS_IN, row, "X"),
            quantity=None if close_position and not quantity else quantity,
            price=price or None,
            average_price=r.dec(row, "ap", required=False) or None,
            filled_quantity=r.dec(row, "aq", required=False) or Decimal(0),
            trigger_price=trigger or None,
            time_in_force=TIME_IN_FORCE_IN.get(str(row.get("f"))),
            reduce_only=self._bool(row, "R"),
            close_position=close_position,
            conditional=True,
            created_at=None,
            updated_at=updated,
            raw=dict(payload),
        )
        return [OrderUpdate(order=order, fill=None, time_ms=time_ms)]

