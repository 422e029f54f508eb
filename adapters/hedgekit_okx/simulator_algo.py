"""Algo-order endpoints of the simulated OKX venue: place, cancel, query, list.

Request parameters and row shapes: #order-book-trading-algo-trading-post-place-algo-order,
-post-cancel-algo-order, -get-algo-order-details, -get-algo-order-list. Each OKX algo order rides
on one engine conditional order, or two for a stop-loss + take-profit pair (``oco``, or a
``conditional`` order with both legs in long/short mode), linked so that one leg firing cancels
the other.

Simulated: ``conditional`` and ``oco`` (TP/SL, ``-1`` = market, or a limit price), ``trigger``
(direction taken from the mark when placed) and ``move_order_stop`` with ``callbackRatio``.
Not simulated, answered 51000 "Parameter ordType error": ``chase``, ``twap``, ``iceberg`` and
``smart_iceberg``; nor ``callbackSpread`` (51000). Every trigger-price type (last, index, mark) is
watched on the engine's single mark price.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine_types import (
    ConditionalOrder,
    ConditionalStatus,
    ConditionalType,
    EngineError,
    PositionMode,
    Reason,
    Side,
)

from hedgekit_okx.simulator_account import MGN_MODE, POS_SIDE, align_margin
from hedgekit_okx.simulator_markets import SPECS_BY_ID
from hedgekit_okx.rules import ACTIVE_PX_WRONG_SIDE, CALLBACK_RATIO_REFUSAL
from hedgekit_okx.simulator_trade import client_id_of, closes, page, position_side_of, side_of
from hedgekit_okx.simulator_wire import (
    CANCEL_FAILED,
    ORDER_NOT_FOUND,
    AlgoRecord,
    OkxError,
    OrderFailure,
    Params,
    SimState,
    contracts,
    figure,
    instrument_of,
    ms,
    order_failure,
    param_error,
    param_failure,
    plain,
    to_base,
)

SIMULATED = ("conditional", "oco", "trigger", "move_order_stop")
LISTED = (*SIMULATED, "chase", "iceberg", "twap", "smart_iceberg")
PX_TYPES = ("last", "index", "mark")
_KEYS = itertools.count(1)

#: A TP/SL trigger on the wrong side of the price, by (leg, order side, price type) -> code, text.
#: "SL trigger price cannot be higher than the last price" (51280) ... mark (51300-51304), index (51305-51308).
WRONG_SIDE = {
    ("tp", "buy"): {"last": "51277", "mark": "51300", "index": "51305"},
    ("sl", "buy"): {"last": "51278", "mark": "51302", "index": "51306"},
    ("tp", "sell"): {"last": "51279", "mark": "51303", "index": "51307"},
    ("sl", "sell"): {"last": "51280", "mark": "51304", "index": "51308"},
}


def _wrong_side(leg: str, side: Side, px_type: str) -> OrderFailure:
    code = WRONG_SIDE[(leg, side.value.lower())][px_type]
    name = "TP" if leg == "tp" else "SL"
    direction = "higher" if (leg == "tp") == (side is Side.BUY) else "lower"
    source = {"last": "last price", "mark": "mark price", "index": "index price"}[px_type]
    return OrderFailure(code, f"{name} trigger price cannot be {direction} than the {source}")


def status_of(state: SimState, record: AlgoRecord) -> str:
    """OKX's ``state`` of an algo order from its engine legs."""
    kids = [state.engine.get_conditional(conditional_id=c) for c in record.children]
    statuses = {kid.status for kid in kids}
    if statuses == {ConditionalStatus.NEW}:
        return "live"
    if statuses & {ConditionalStatus.TRIGGERED, ConditionalStatus.FINISHED}:
        return "effective"
    if ConditionalStatus.REJECTED in statuses:
        return "order_failed"
    return "canceled"


def live_records(state: SimState, inst_id: str | None = None) -> list[AlgoRecord]:
    """The algo orders whose state is ``live`` (every leg waiting), optionally of one instrument.

    A live algo order has all its legs among the engine's waiting conditional orders, so it is
    found through them: O(waiting orders), not O(algo orders ever placed).
    """
    found = dict.fromkeys(
        state.algo_of[c.conditional_id] for c in state.engine.conditional_orders(inst_id)
        if c.conditional_id in state.algo_of
    )
    records = (state.algos[algo_id] for algo_id in found)
    return [r for r in records if inst_id in (None, r.inst_id) and status_of(state, r) == "live"]


def adopt(state: SimState) -> None:
    """Give an algo record to every conditional order a test placed on the engine directly.

    Only the conditional orders placed since the last call are looked at.
    """
    fresh = state.engine.conditional_orders_since(state.seen_conditionals)
    state.seen_conditionals += len(fresh)
    for order in fresh:
        if order.conditional_id in state.algo_of:
            continue
        trailing = order.conditional_type is ConditionalType.TRAILING_STOP_MARKET
        fields = {"tdMode": MGN_MODE[state.engine.margin_type(order.symbol, order.position_side)], "posSide": POS_SIDE[order.position_side]}
        if trailing:
            fields["callbackRatio"] = plain((order.callback_rate or Decimal(0)) / 100)
            if order.activation_price is not None:
                fields["activePx"] = plain(order.activation_price)
        else:
            leg = "sl" if order.conditional_type in (ConditionalType.STOP, ConditionalType.STOP_MARKET) else "tp"
            fields.update({f"{leg}TriggerPx": plain(order.trigger_price or Decimal(0)), f"{leg}TriggerPxType": "last",
                           f"{leg}OrdPx": plain(order.price) if order.price is not None else "-1"})
        if order.close_position:
            fields["closeFraction"] = "1"
        algo_id = str(order.conditional_id)
        state.add_algo(AlgoRecord(algo_id, order.symbol, "move_order_stop" if trailing else "conditional",
                                  [order.conditional_id], order.client_id, fields))


def reconcile(state: SimState) -> None:
    """Adopt engine-made conditional orders; when one leg of a TP/SL pair fired or ended, cancel the other."""
    adopt(state)
    for algo_id in list(state.pending_pairs):  # pairs only; once settled, a pair stays settled
        kids = [state.engine.get_conditional(conditional_id=c) for c in state.algos[algo_id].children]
        if any(kid.status is not ConditionalStatus.NEW for kid in kids):
            for kid in kids:
                if kid.status is ConditionalStatus.NEW:
                    state.engine.cancel_conditional(conditional_id=kid.conditional_id)
            del state.pending_pairs[algo_id]


def algo_row(state: SimState, record: AlgoRecord) -> dict[str, Any]:
    """An algo order as ``/trade/orders-algo-pending`` and ``/trade/order-algo`` show it."""
    spec = SPECS_BY_ID[record.inst_id]
    kids = [state.engine.get_conditional(conditional_id=c) for c in record.children]
    first = kids[0]
    fired = next((kid for kid in kids if kid.triggered_order_id is not None), None)
    child = None if fired is None else state.engine.get_order(record.inst_id, order_id=fired.triggered_order_id)
    f = record.fields
    return {
        "activePx": f.get("activePx", ""), "actualPx": figure(child.avg_price) if child and child.executed_qty else "",
        "actualSide": ("sl" if fired is kids[0] and "slTriggerPx" in f else "tp") if fired else "",
        "actualSz": contracts(spec, child.quantity) if child else "0", "algoClOrdId": record.client_id,
        "algoId": record.algo_id, "amendPxOnTriggerType": "0", "attachAlgoOrds": [], "cTime": ms(first.create_time),
        "callbackRatio": f.get("callbackRatio", ""), "callbackSpread": "", "ccy": "", "chaseType": "",
        "chaseVal": "", "clOrdId": "", "closeFraction": f.get("closeFraction", ""), "failCode": "",
        "instId": record.inst_id, "instType": "SWAP", "isTradeBorrowMode": "",
        "last": plain(state.engine.mark_price(record.inst_id)),
        "lever": str(state.engine.leverage(record.inst_id, first.position_side)), "linkedOrd": {"ordId": ""},
        "maxChaseType": "", "maxChaseVal": "", "moveTriggerPx": "", "ordId": str(child.order_id) if child else "",
        "ordIdList": [str(child.order_id)] if child else [], "ordPx": f.get("orderPx", ""),
        "ordType": record.ord_type, "posSide": POS_SIDE[first.position_side], "pxLimit": "", "pxSpread": "",
        "pxVar": "", "quickMgnType": "", "reduceOnly": "true" if first.reduce_only else "false",
        "side": first.side.value.lower(), "slOrdPx": f.get("slOrdPx", ""), "slTriggerPx": f.get("slTriggerPx", ""),
        "slTriggerPxType": f.get("slTriggerPxType", ""), "state": status_of(state, record),
        "sz": contracts(spec, first.quantity) if first.quantity is not None else "", "szLimit": "",
        "tag": f.get("tag", ""), "tdMode": f.get("tdMode", ""), "tgtCcy": "", "timeInterval": "",
        "tpOrdPx": f.get("tpOrdPx", ""), "tpTriggerPx": f.get("tpTriggerPx", ""),
        "tpTriggerPxType": f.get("tpTriggerPxType", ""), "triggerPx": f.get("triggerPx", ""),
        "triggerPxType": f.get("triggerPxType", ""), "triggerTime": ms(fired.trigger_time) if fired else "",
        "tradeQuoteCcy": "", "uTime": ms(max(kid.update_time for kid in kids)),
    }


def _legs(state: SimState, params: Params, kind: str, side: Side, hedge: bool) -> list[dict[str, Any]]:
    """The engine conditional orders one OKX algo order needs, as keyword sets."""
    mark = state.engine.mark_price(params.required("instId"))
    legs: list[dict[str, Any]] = []
    if kind in ("conditional", "oco"):
        for leg, market_type, limit_type in (("sl", ConditionalType.STOP_MARKET, ConditionalType.STOP),
                                             ("tp", ConditionalType.TAKE_PROFIT_MARKET, ConditionalType.TAKE_PROFIT)):
            trigger = params.decimal(f"{leg}TriggerPx", order=True)
            if trigger is None:
                continue
            order_px = params.decimal(f"{leg}OrdPx", order=True)
            if order_px is None:
                raise param_failure(f"{leg}OrdPx")
            px_type = params.get(f"{leg}TriggerPxType") or "last"
            if px_type not in PX_TYPES:
                raise param_failure(f"{leg}TriggerPxType")
            market = order_px == -1
            legs.append({"leg": leg, "conditional_type": market_type if market else limit_type,
                         "trigger_price": trigger, "price": None if market else order_px, "px_type": px_type})
        if not legs or (kind == "oco" and len(legs) < 2):
            raise param_failure("slTriggerPx" if not legs or legs[0]["leg"] == "tp" else "tpTriggerPx")
        if kind == "conditional" and not hedge:
            legs = legs[:1]  # "When placing net TP/SL order ... only stop-loss logic will be performed"
    elif kind == "trigger":
        trigger = params.decimal("triggerPx", required=True, order=True)
        order_px = params.decimal("orderPx", required=True, order=True)
        assert trigger is not None and order_px is not None
        if trigger == mark:
            raise param_failure("triggerPx")
        rising = trigger > mark  # a stop fires buying upwards or selling downwards
        stop = rising == (side is Side.BUY)
        market = order_px == -1
        kinds = {(True, True): ConditionalType.STOP_MARKET, (True, False): ConditionalType.STOP,
                 (False, True): ConditionalType.TAKE_PROFIT_MARKET, (False, False): ConditionalType.TAKE_PROFIT}
        legs.append({"leg": "trigger", "conditional_type": kinds[(stop, market)], "trigger_price": trigger,
                     "price": None if market else order_px, "px_type": params.get("triggerPxType") or "last"})
    else:  # move_order_stop
        if params.get("callbackSpread") is not None:
            raise param_failure("callbackSpread")  # not simulated: the engine trails by a ratio only
        ratio = params.decimal("callbackRatio", order=True)
        if ratio is None:
            raise param_failure("callbackRatio")
        if not state.engine.rules.callback_rate_allowed(ratio * 100):  # rules.py: 51257, bounds UNCONFIRMED
            raise OrderFailure(*CALLBACK_RATIO_REFUSAL)
        legs.append({"leg": "trail", "conditional_type": ConditionalType.TRAILING_STOP_MARKET, "trigger_price": None,
                     "price": None, "callback_rate": ratio * 100, "activation_price": params.decimal("activePx", order=True),
                     "px_type": "last"})
    return legs


def place_algo(state: SimState, params: Params) -> dict[str, Any]:
    """``POST /api/v5/trade/order-algo``: one algo order; refusals are raised as :class:`OrderFailure`."""
    spec = instrument_of(params, order=True)
    sid = spec.inst_id
    td_mode = params.required("tdMode")
    side = side_of(params)
    kind = params.required("ordType")
    if kind not in SIMULATED:
        raise param_failure("ordType")
    position_side = position_side_of(state, params)
    hedge = state.engine.position_mode() is PositionMode.HEDGE
    reduce_only = not hedge and params.boolean("reduceOnly")
    client_id = client_id_of(params, "algoClOrdId") or ""
    client_id_of(params, "clOrdId")  # deprecated here, sent by ccxt; checked, not used
    fraction = params.get("closeFraction")
    count = params.decimal("sz", order=True)
    quantity = None
    if fraction is not None:
        if fraction != "1" or kind not in ("conditional", "oco"):
            raise param_failure("closeFraction")
        if count is not None:
            raise OrderFailure("50024", "Parameter sz and closeFraction can not exist at the same time.")
        if not hedge and not reduce_only:  # "If posSide is net, reduceOnly must be true."
            raise OrderFailure("51328", "closeFraction is only available for reduceOnly orders")
        if any(r.inst_id == sid and r.fields.get("closeFraction") == "1" and r.fields.get("posSide") ==
               POS_SIDE[position_side] for r in live_records(state, sid)):
            raise OrderFailure("51088", "You can only place 1 TP/SL order to close an entire position")
    elif count is None:
        raise OkxError("50015", "Either parameter sz or closeFraction is required", 400)
    else:
        quantity = to_base(spec, count)
    align_margin(state, sid, td_mode, position_side, closing=fraction is not None or closes(side, position_side, reduce_only))
    if client_id and any(status_of(state, state.algos[a]) == "live" for a in state.algos_by_client.get(client_id, [])):
        raise OrderFailure("51065", "algoClOrdId already exists.")
    key = f"algo{next(_KEYS)}"
    tag = params.get("tag") or ""
    placed: list[ConditionalOrder] = []
    for number, leg in enumerate(_legs(state, params, kind, side, hedge)):
        try:
            placed.append(state.engine.place_conditional(
                sid, side, leg["conditional_type"], quantity=quantity, trigger_price=leg["trigger_price"],
                price=leg["price"], position_side=position_side, reduce_only=reduce_only,
                close_position=quantity is None, callback_rate=leg.get("callback_rate"),
                activation_price=leg.get("activation_price"),
                client_id=f"{client_id or key}{'' if number == 0 else f'.{number}'}",
                extra={"algoKey": key, "tdMode": td_mode, "tag": tag},
            ))
        except EngineError as exc:
            for done in placed:
                state.engine.cancel_conditional(conditional_id=done.conditional_id)
            if exc.reason is Reason.WOULD_IMMEDIATELY_TRIGGER and leg["leg"] in ("sl", "tp"):
                raise _wrong_side(leg["leg"], side, leg["px_type"]) from exc
            if exc.reason is Reason.WOULD_IMMEDIATELY_TRIGGER and leg["leg"] == "trail":  # activePx (rules.py)
                raise OrderFailure(*ACTIVE_PX_WRONG_SIDE[side.value]) from exc
            if exc.reason is Reason.DUPLICATE_CLIENT_ID:
                raise OrderFailure("51065", "algoClOrdId already exists.") from exc
            raise order_failure(exc) from exc
    algo_id = str(placed[0].conditional_id)
    echo = ("slTriggerPx", "slOrdPx", "slTriggerPxType", "tpTriggerPx", "tpOrdPx", "tpTriggerPxType",
            "triggerPx", "orderPx", "triggerPxType", "callbackRatio", "activePx", "closeFraction")
    fields = {name: value for name in echo if (value := params.get(name)) is not None}
    for leg_name in ("sl", "tp"):
        if f"{leg_name}TriggerPx" in fields:
            fields.setdefault(f"{leg_name}TriggerPxType", "last")
    fields.update(tdMode=td_mode, tag=tag, posSide=POS_SIDE[position_side])
    state.add_algo(AlgoRecord(algo_id, sid, kind, [c.conditional_id for c in placed], client_id, fields))
    state.algo_keys[key] = algo_id
    return {"algoClOrdId": client_id, "algoId": algo_id, "clOrdId": "", "sCode": "0", "sMsg": "", "tag": tag}


def _find(state: SimState, algo_id: str | None, client_id: str | None, inst_id: str | None = None) -> AlgoRecord:
    """The algo order with this algoId or else the newest with this algoClOrdId (of ``inst_id``)."""
    if algo_id is not None:
        record = state.algos.get(algo_id)
        candidates = [] if record is None else [record]
    else:
        candidates = [state.algos[a] for a in reversed(state.algos_by_client.get(client_id or "", []))]
    for record in candidates:
        if inst_id is None or record.inst_id == inst_id:
            return record
    raise ORDER_NOT_FOUND


def get_algo(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/trade/order-algo``: by ``algoId`` or ``algoClOrdId``; 51603 when unknown."""
    algo_id, client_id = params.get("algoId"), params.get("algoClOrdId")
    if algo_id is None and client_id is None:
        raise OkxError("50015", "Either parameter algoId or algoClOrdId is required", 400)
    return [algo_row(state, _find(state, algo_id, client_id))]


def orders_algo_pending(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/trade/orders-algo-pending``: ``ordType`` required, one per request except conditional,oco."""
    kinds = params.required("ordType").split(",")
    if any(k not in LISTED for k in kinds) or (len(kinds) > 1 and not set(kinds) <= {"conditional", "oco"}):
        raise param_error("ordType")
    inst_type = params.get("instType")
    if inst_type is not None and inst_type not in ("SPOT", "SWAP", "FUTURES", "MARGIN"):
        raise param_error("instType")
    if inst_type not in (None, "SWAP"):
        return []
    only = instrument_of(params).inst_id if params.get("instId") else None
    algo_id = params.get("algoId")
    rows = [  # page() orders them by algoId
        algo_row(state, record) for record in live_records(state, only)
        if record.ord_type in kinds and algo_id in (None, record.algo_id)
    ]
    return page(rows, params, "algoId")


def cancel_algos(state: SimState, body: Any) -> list[dict[str, Any]]:
    """``POST /api/v5/trade/cancel-algos``: an array of up to 10 ``{instId, algoId|algoClOrdId}``."""
    if not isinstance(body, list) or not body or not all(isinstance(item, dict) for item in body):
        raise OkxError("50002", "JSON syntax error", 400)
    if len(body) > 10:
        raise OkxError("50025", "Parameter algoId count exceeds the limit 10.")
    rows = []
    for item in body:
        params = Params(item)
        spec = instrument_of(params)
        algo_id, client_id = params.get("algoId"), params.get("algoClOrdId")
        if algo_id is None and client_id is None:
            raise OkxError("50015", "Either parameter algoId or algoClOrdId is required", 400)
        row = {"algoClOrdId": "", "algoId": algo_id or "", "clOrdId": "", "sCode": "0", "sMsg": "", "tag": ""}
        try:
            record = _find(state, algo_id, client_id, spec.inst_id)
            if status_of(state, record) != "live":
                raise CANCEL_FAILED
        except (OkxError, OrderFailure):
            row.update(sCode=CANCEL_FAILED.s_code, sMsg=CANCEL_FAILED.s_msg)
        else:
            row["algoId"] = record.algo_id
            for conditional_id in record.children:
                if state.engine.get_conditional(conditional_id=conditional_id).status is ConditionalStatus.NEW:
                    state.engine.cancel_conditional(conditional_id=conditional_id)
        rows.append(row)
    return rows



#: The algo row's trigger field of each leg.
_FIELD = {"sl": "slTriggerPx", "tp": "tpTriggerPx", "trigger": "triggerPx"}


def amend_algos(state: SimState, params: Params) -> dict[str, Any]:
    """``POST /api/v5/trade/amend-algos``: a live algo order's size and/or trigger price.

    "Amend unfilled algo orders (Support Stop order and Trigger order only, not including
    Move_order_stop order, Iceberg order, TWAP order, Trailing Stop order)" (#order-book-trading-
    algo-trading-post-amend-algo-order). ``instId`` required, ``algoId`` or ``algoClOrdId``;
    ``newSz`` (contracts, "has to be larger than 0"); a TP/SL (``conditional``/``oco``) order's
    ``newSlTriggerPx``/``newTpTriggerPx`` (a ``newSlOrdPx``/``newTpOrdPx`` other than ``-1``, a
    limit price, is not simulated: 51000); a ``trigger`` order's ``newTriggerPx`` with
    ``newOrdPx`` (required; ``-1`` only). The answer row: ``algoId, algoClOrdId, reqId, sCode,
    sMsg``. Refusals: not live 51603 "Order does not exist." (UNCONFIRMED which code OKX gives a
    triggered or canceled algo order), a trailing stop 51000 "Parameter ordType error"
    (UNCONFIRMED), a trigger on the wrong side 51277-51308 as on placement, nothing to change
    51000 "Parameter newSz error" (UNCONFIRMED). ``cxlOnFail`` and the ``*TriggerPxType``
    fields are not simulated (ignored, and a price type stays as placed).
    """
    spec = instrument_of(params, order=True)
    algo_id, client_id = params.get("algoId"), params.get("algoClOrdId")
    if algo_id is None and client_id is None:
        raise OrderFailure("50015", "Either parameter algoId or algoClOrdId is required")
    try:
        record = _find(state, algo_id, client_id, spec.inst_id)
    except OkxError as exc:
        raise OrderFailure(exc.code, exc.msg) from exc
    if status_of(state, record) != "live":
        raise OrderFailure(ORDER_NOT_FOUND.code, ORDER_NOT_FOUND.msg)
    if record.ord_type not in ("conditional", "oco", "trigger"):
        raise param_failure("ordType")
    size = params.decimal("newSz", order=True)
    quantity = None if size is None else to_base(spec, size)
    triggers: dict[str, Decimal] = {}  # field leg -> new trigger
    for leg, name in (("sl", "newSlTriggerPx"), ("tp", "newTpTriggerPx"), ("trigger", "newTriggerPx")):
        value = params.decimal(name, order=True)
        if value is None:
            continue
        if (leg == "trigger") != (record.ord_type == "trigger") or _FIELD[leg] not in record.fields:
            raise param_failure(name)
        order_px_name = {"sl": "newSlOrdPx", "tp": "newTpOrdPx", "trigger": "newOrdPx"}[leg]
        order_px = params.get(order_px_name)
        if (leg == "trigger" and order_px is None) or order_px not in (None, "-1"):
            raise param_failure(order_px_name)
        triggers[leg] = value
    if quantity is None and not triggers:
        raise param_failure("newSz")
    legs = ["sl", "tp"] if record.ord_type in ("conditional", "oco") else ["trigger"]
    legs = [leg for leg in legs if _FIELD[leg] in record.fields][:len(record.children)]
    side = state.engine.get_conditional(conditional_id=record.children[0]).side
    for leg, conditional_id in zip(legs, record.children):
        trigger = triggers.get(leg)
        if trigger is None and quantity is None:
            continue
        try:
            state.engine.amend_conditional(conditional_id=conditional_id, quantity=quantity, trigger_price=trigger)
        except EngineError as exc:
            if exc.reason is Reason.AMEND_UNCHANGED:
                continue  # accepted as it is (UNCONFIRMED), as amend-order does
            if exc.reason is Reason.WOULD_IMMEDIATELY_TRIGGER and leg in ("sl", "tp"):
                raise _wrong_side(leg, side, record.fields.get(f"{leg}TriggerPxType", "last")) from exc
            if exc.reason is Reason.WOULD_IMMEDIATELY_TRIGGER:
                raise param_failure("newTriggerPx") from exc
            if exc.reason is Reason.ORDER_NOT_AMENDABLE:
                raise param_failure("newSz") from exc  # a closeFraction order has no size (UNCONFIRMED)
            raise order_failure(exc) from exc
        if trigger is not None:
            record.fields[_FIELD[leg]] = plain(trigger)
    return {"algoClOrdId": record.client_id, "algoId": record.algo_id, "reqId": params.get("reqId") or "",
            "sCode": "0", "sMsg": ""}
