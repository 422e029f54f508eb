"""Account and public endpoints of the simulated OKX venue.

Shapes follow the v5 docs' response examples (#trading-account-rest-api-get-account-configuration,
-set-position-mode, -get-positions, -get-balance, -set-leverage, -get-leverage,
-increase-decrease-margin; #public-data-rest-api-get-instruments, -get-system-time,
-get-mark-price). All numbers are strings; sizes are contracts.

Margin mode: OKX keeps it per position (``mgnMode``, chosen by each order's ``tdMode``), so one
instrument holds a cross long and an isolated short side by side. The engine keeps a margin mode per
leg (:class:`~hedgekit_okx.simulator_ledger.OkxEngine`); the first order of a flat leg sets it, and an
order in the other mode while that leg holds a position or orders is refused (a documented
simplification: OKX would open a second position on the same ``posSide``). Cross leverage (per
instrument) and isolated leverage (per ``posSide`` in long/short mode) are kept apart, as OKX keeps
them, and each leg's engine leverage is the one of its own margin mode.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hedgekit.testing.engine_types import (
    ZERO,
    EngineError,
    Leg,
    MarginType,
    PositionMode,
    PositionSide,
    Reason,
    leverage_value,
)

from hedgekit_okx.simulator_markets import SPECS, SPECS_BY_ID, InstrumentSpec, instrument
from hedgekit_okx.simulator_wire import (
    ACCOUNT_MODE,
    ISOLATED_UNAVAILABLE,
    AlgoRecord,
    OkxError,
    OrderFailure,
    Params,
    SimState,
    contracts,
    figure,
    instrument_of,
    ms,
    param_error,
    plain,
)

POS_MODE = {PositionMode.HEDGE: "long_short_mode", PositionMode.ONE_WAY: "net_mode"}
POS_SIDE = {PositionSide.LONG: "long", PositionSide.SHORT: "short", PositionSide.BOTH: "net"}
MGN_MODE = {MarginType.CROSSED: "cross", MarginType.ISOLATED: "isolated"}
MGN_MODE_IN = {v: k for k, v in MGN_MODE.items()}
LEVER_STEP = Decimal("0.01")
"""The ``lever`` step the simulator takes (OKX publishes none: UNCONFIRMED)."""
INST_TYPES = ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION", "EVENTS")


# ----------------------------------------------------------------------- public data


def server_time(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/public/time``: ``[{"ts": "1597026383085"}]``."""
    return [{"ts": ms(state.engine.clock())}]


def instruments(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/public/instruments``: ``instType`` is required; only SWAP is listed here."""
    inst_type = params.required("instType")
    if inst_type not in INST_TYPES:
        raise param_error("instType")
    only = params.get("instId")
    if inst_type != "SWAP":
        return []
    return [instrument(spec) for spec in SPECS if only in (None, spec.inst_id)]


def mark_price(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/public/mark-price``: the engine's mark per swap."""
    inst_type = params.required("instType")
    if inst_type not in INST_TYPES:
        raise param_error("instType")
    only = params.get("instId")
    now = ms(state.engine.clock())
    return [
        {"instType": "SWAP", "instId": spec.inst_id, "markPx": plain(state.engine.mark_price(spec.inst_id)), "ts": now}
        for spec in SPECS if inst_type == "SWAP" and only in (None, spec.inst_id)
    ]


# ----------------------------------------------------------------------- account configuration


def account_config(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/account/config``: ``posMode`` and ``acctLv`` (the docs' example row)."""
    return [{
        "acctLv": state.account_level, "acctStpMode": "cancel_maker", "autoLoan": False,
        "ctIsoMode": "automatic", "enableSpotBorrow": False, "greeksType": "PA", "feeType": "0", "ip": "",
        "type": "0", "kycLv": "3", "label": "hedgekit simulator", "level": "Lv1", "levelTmp": "",
        "liquidationGear": "-1", "mainUid": "44705892343619584", "mgnIsoMode": "automatic", "opAuth": "0",
        "perm": "read_only,trade", "posMode": POS_MODE[state.engine.position_mode()], "roleType": "0",
        "spotBorrowAutoRepay": False, "spotOffsetType": "", "spotRoleType": "0", "spotTraderInsts": [],
        "stgyType": "0", "traderInsts": [], "uid": "44705892343619584", "settleCcy": "USDC",
        "settleCcyList": ["USD", "USDC", "USDG"],
    }]


def set_position_mode(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``POST /api/v5/account/set-position-mode``.

    59000 while anything is open; "already set" answers success (UNCONFIRMED at the venue:
    shared/VENUES.md §4.2); portfolio margin refuses long/short mode with 51041 "Portfolio margin
    account only supports the Buy/Sell mode."; spot mode cannot hold swaps (51010).
    """
    value = params.required("posMode")
    modes = {v: k for k, v in POS_MODE.items()}
    if value not in modes:
        raise param_error("posMode")
    if state.account_level == "1":
        raise OkxError(*ACCOUNT_MODE)
    if state.account_level == "4" and modes[value] is PositionMode.HEDGE:
        raise OkxError("51041", "Portfolio margin account only supports the Buy/Sell mode.")
    try:
        state.engine.set_position_mode(modes[value])
    except EngineError as exc:
        if exc.reason is not Reason.MODE_UNCHANGED:
            raise OkxError(
                "59000", "Settings failed. Close any open positions or orders before modifying settings."
            ) from exc
    return [{"posMode": value}]


# ----------------------------------------------------------------------- margin mode and leverage


def mode_sides(state: SimState) -> tuple[PositionSide, ...]:
    """The legs of the account's position mode: ``long`` and ``short``, or ``net``."""
    if state.engine.position_mode() is PositionMode.HEDGE:
        return (PositionSide.LONG, PositionSide.SHORT)
    return (PositionSide.BOTH,)


def leg_lever(state: SimState, sid: str, side: PositionSide) -> Decimal:
    """The leverage OKX applies to a leg: the instrument's cross leverage on a cross leg; on an
    isolated leg the ``posSide``'s own (long/short mode), else the instrument's isolated one."""
    default = state.default_lever
    if state.engine.margin_type(sid, side) is MarginType.CROSSED:
        return state.cross_lever.get(sid, default)
    base = state.isolated_lever.get((sid, "net"), default)
    return state.isolated_lever.get((sid, POS_SIDE[side]), base) if side is not PositionSide.BOTH else base


def push_leverage(state: SimState, sid: str, only: PositionSide | None = None) -> None:
    """Give each leg of the instrument (or ``only`` that one) the leverage of its own margin mode."""
    engine = state.engine
    for side in mode_sides(state):
        if only in (None, side) and engine.leverage(sid, side) != (lever := leg_lever(state, sid, side)):
            engine.set_leverage(sid, lever, side)


def align_margin(state: SimState, sid: str, td_mode: str, side: PositionSide, *, closing: bool) -> None:
    """Check an order's ``tdMode`` against the account level and its leg's margin mode.

    A flat leg without orders takes the order's mode; a leg that holds a position or orders in the
    other mode refuses it (51169 for a closing order: nothing to close in that mode; 51000 for an
    opening one, the simulator's limit of one margin mode per leg).
    """
    if td_mode not in MGN_MODE_IN:
        raise OrderFailure("51000", "Parameter tdMode error")
    if state.account_level == "1":
        raise OrderFailure(*ACCOUNT_MODE)
    if td_mode == "isolated" and state.account_level != "2":
        raise OrderFailure(*ISOLATED_UNAVAILABLE)
    engine = state.engine
    wanted = MGN_MODE_IN[td_mode]
    if engine.margin_type(sid, side) is not wanted:
        try:
            engine.set_leg_margin_type(sid, side, wanted)
        except EngineError as exc:  # the leg is busy in the other margin mode
            if closing:
                raise OrderFailure(
                    "51169",
                    "Order failed because you don't have any positions in this direction for this contract to reduce or close.",
                ) from exc
            raise OrderFailure("51000", "Parameter tdMode error") from exc  # simulator limit: one mode per leg
    push_leverage(state, sid, side)


LEVERAGE_BLOCKED_BY_ORDERS = (
    "59101", "Leverage can't be modified. Please cancel all pending isolated margin orders before adjusting the leverage."
)
"""OKX error codes (error_code.md, account class): an isolated leverage change while isolated orders
are pending on the leg."""


def set_leverage(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``POST /api/v5/account/set-leverage``: cross per contract; isolated per posSide in long/short mode.

    Refusals: 59102 above the instrument's ``lever``; 59101 for an isolated change while isolated
    orders are pending on the legs it applies to (the ``posSide``'s leg in long/short mode, the
    ``net`` leg otherwise; UNCONFIRMED whether OKX also counts the other ``posSide``'s orders, or
    pending algo orders, or refuses a request that keeps the leverage as it is: the simulator does
    not); 59103 when a lowering needs more margin than the account has. A cross change with
    pending cross orders is accepted (OKX documents no refusal for it).
    """
    spec = instrument_of(params)
    sid = spec.inst_id
    mgn_mode = params.required("mgnMode")
    if mgn_mode not in MGN_MODE_IN:
        raise param_error("mgnMode")
    lever_text = params.required("lever")
    try:
        lever_value = Decimal(lever_text)
    except ArithmeticError:
        raise param_error("lever") from None
    # OKX's lever is a decimal string (leverage-info answers "5.00000000", ccxt okx.py fetch_leverage's
    # sample); the step it takes is not published: 0.01 here (UNCONFIRMED)
    if not lever_value.is_finite() or lever_value % LEVER_STEP or lever_value < 1:
        raise param_error("lever")
    lever = leverage_value(lever_value)
    if lever > Decimal(spec.lever):
        raise OkxError("59102", "Leverage exceeds the maximum limit. Please lower the leverage.")
    pos_side = params.get("posSide") or ""
    hedge = state.engine.position_mode() is PositionMode.HEDGE
    if mgn_mode == "isolated":
        if state.account_level != "2":
            raise OkxError(*ISOLATED_UNAVAILABLE)
        # "posSide: Only required when margin mode is isolated in long/short mode" (set-leverage)
        if (hedge and pos_side not in ("long", "short")) or (not hedge and pos_side not in ("", "net")):
            raise param_error("posSide")
        key = pos_side if hedge else "net"
        previous = state.isolated_lever.get((sid, key))
        current = state.isolated_lever.get((sid, key), state.isolated_lever.get((sid, "net"), state.default_lever))
        legs = {PositionSide.LONG} if key == "long" else {PositionSide.SHORT} if key == "short" else set(mode_sides(state))
        engine = state.engine
        if lever != current and any(order.position_side in legs and engine.margin_type(sid, order.position_side)
                                    is MarginType.ISOLATED for order in engine.open_orders(sid)):
            raise OkxError(*LEVERAGE_BLOCKED_BY_ORDERS)
        state.isolated_lever[(sid, key)] = lever
    else:
        previous = state.cross_lever.get(sid)
        state.cross_lever[sid] = lever
    try:
        push_leverage(state, sid)  # the legs in this margin mode take it
    except EngineError as exc:  # put every leg back as it was
        table: dict[Any, Decimal] = state.isolated_lever if mgn_mode == "isolated" else state.cross_lever
        setting = (sid, pos_side if hedge else "net") if mgn_mode == "isolated" else sid
        if previous is None:
            table.pop(setting, None)
        else:
            table[setting] = previous
        push_leverage(state, sid)
        raise OkxError("59103", "Account margin is insufficient and leverage is too low. "
                                    "Please increase the leverage.") from exc
    return [{"lever": plain(lever), "mgnMode": mgn_mode, "instId": sid, "posSide": pos_side}]


def leverage_info(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/account/leverage-info``: one row per posSide that has its own leverage."""
    spec = instrument_of(params)
    sid = spec.inst_id
    mgn_mode = params.required("mgnMode")
    if mgn_mode not in MGN_MODE_IN:
        raise param_error("mgnMode")
    default = state.default_lever
    if mgn_mode == "cross":
        rows = [("net", state.cross_lever.get(sid, default))]
    elif state.engine.position_mode() is PositionMode.HEDGE:
        base = state.isolated_lever.get((sid, "net"), default)
        rows = [(side, state.isolated_lever.get((sid, side), base)) for side in ("long", "short")]
    else:
        rows = [("net", state.isolated_lever.get((sid, "net"), default))]
    return [{"instId": sid, "mgnMode": mgn_mode, "posSide": side, "lever": plain(lever)} for side, lever in rows]


def margin_balance(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``POST /api/v5/account/position/margin-balance``: add or reduce one isolated leg's margin;
    the answer's ``leverage`` is the leg's real leverage afterwards (:func:`real_leverage`)."""
    spec = instrument_of(params)
    sid = spec.inst_id
    pos_side = params.required("posSide")
    kind = params.required("type")
    if kind not in ("add", "reduce"):
        raise param_error("type")
    amount = params.decimal("amt", required=True)
    assert amount is not None
    if amount <= 0:
        raise param_error("amt")
    hedge = state.engine.position_mode() is PositionMode.HEDGE
    sides = {"long": PositionSide.LONG, "short": PositionSide.SHORT} if hedge else {"net": PositionSide.BOTH}
    if pos_side not in sides:
        raise param_error("posSide")
    try:
        state.engine.modify_isolated_margin(sid, sides[pos_side], amount if kind == "add" else -amount)
    except EngineError as exc:
        if exc.reason is Reason.INSUFFICIENT_CROSS_BALANCE:
            raise OkxError("59200", "Insufficient account balance.") from exc
        if exc.reason is Reason.INSUFFICIENT_ISOLATED_BALANCE:
            raise OkxError("59301", "Margin adjustment failed for exceeding the max limit.") from exc
        raise OkxError("59300", "Margin call failed. Position does not exist.") from exc
    return [{"amt": plain(amount), "ccy": "USDT", "instId": sid, "leverage": real_leverage(state.engine.leg(sid, sides[pos_side])),
             "posSide": pos_side, "type": kind}]


def real_leverage(leg: Leg) -> str:
    """``leverage`` of a margin-balance answer: "Real leverage after the margin adjustment"
    (trading_account.md, Increase/decrease margin), the position's notional at the mark over its
    isolated margin. UNCONFIRMED: OKX publishes neither the formula nor its rounding (two decimals
    here, half up; the docs' example answers ``"leverage": ""`` for a MARGIN position)."""
    if not leg.isolated_margin:
        return ""
    return plain((abs(leg.notional) / leg.isolated_margin).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# ----------------------------------------------------------------------- positions and balance


def _ratio(numerator: Decimal, denominator: Decimal) -> str:
    return figure(numerator / denominator) if denominator else ""


def _waiting_algos(state: SimState, inst_id: str) -> list[AlgoRecord]:
    """Algo orders with a leg among the waiting conditional orders of ``inst_id``, in placing order."""
    found = {state.algo_of[c.conditional_id] for c in state.engine.conditional_orders(inst_id)
             if c.conditional_id in state.algo_of}
    return [state.algos[algo_id] for algo_id in sorted(found, key=state.algo_rank.__getitem__)]


def position_row(state: SimState, leg: Leg, spec: InstrumentSpec) -> dict[str, Any]:
    """One position, as ``GET /account/positions`` shows it (``pos`` signed in net mode)."""
    engine = state.engine
    isolated = leg.margin_type is MarginType.ISOLATED
    pos_side = POS_SIDE[leg.position_side]
    account = engine.account()
    if isolated:
        ratio = _ratio(leg.isolated_margin + leg.unrealized_pnl, leg.maintenance_margin)
    else:
        ratio = _ratio(account.cross_wallet_balance + account.cross_unrealized_pnl, account.maintenance_margin)
    mark = plain(leg.mark_price)
    close_algos = [
        {"algoId": record.algo_id, "slTriggerPx": record.fields.get("slTriggerPx", ""),
         "slTriggerPxType": record.fields.get("slTriggerPxType", ""),
         "tpTriggerPx": record.fields.get("tpTriggerPx", ""),
         "tpTriggerPxType": record.fields.get("tpTriggerPxType", ""), "closeFraction": "1"}
        for record in _waiting_algos(state, spec.inst_id)
        if record.inst_id == spec.inst_id and record.fields.get("closeFraction") == "1"
        and record.fields.get("posSide", "net") == pos_side
    ]
    upl = leg.unrealized_pnl
    return {
        "adl": "1", "availPos": "", "avgPx": figure(leg.entry_price), "baseBal": "", "baseBorrowed": "",
        "baseInterest": "", "bePx": figure(leg.entry_price), "bizRefId": "", "bizRefType": "",
        "cTime": ms(leg.update_time), "ccy": "USDT", "clSpotInUseAmt": "", "closeOrderAlgo": close_algos,
        "deltaBS": "", "deltaPA": "", "fee": "0", "fundingFee": plain(engine.account_book.leg_funding(spec.inst_id, leg.position_side)), "gammaBS": "", "gammaPA": "",
        "hedgedPos": "", "idxPx": mark, "imr": "" if isolated else figure(leg.initial_margin), "instId": spec.inst_id,
        "instType": "SWAP", "interest": "", "last": mark, "lever": plain(leg.leverage), "liab": "", "liabCcy": "",
        "liqPenalty": "0", "liqPx": figure(leg.liquidation_price) if leg.liquidation_price else "",
        "margin": figure(leg.isolated_margin) if isolated else "", "markPx": mark, "maxSpotInUseAmt": "",
        "mgnMode": MGN_MODE[leg.margin_type], "mgnRatio": ratio, "mmr": figure(leg.maintenance_margin),
        "notionalUsd": figure(abs(leg.notional)), "optVal": "", "pendingCloseOrdLiabVal": "", "pnl": "0",
        "pos": contracts(spec, leg.size), "posCcy": "", "posId": state.pos_id(spec.inst_id, pos_side),
        "posSide": pos_side, "quoteBal": "", "quoteBorrowed": "", "quoteInterest": "", "realizedPnl": "",
        "spotInUseAmt": "", "spotInUseCcy": "", "thetaBS": "", "thetaPA": "", "tradeId": "",
        "uTime": ms(leg.update_time), "upl": figure(upl), "uplLastPx": figure(upl),
        "uplRatio": _ratio(upl, leg.initial_margin), "uplRatioLastPx": _ratio(upl, leg.initial_margin),
        "usdPx": "", "vegaBS": "", "vegaPA": "", "nonSettleAvgPx": "", "settledPnl": "",
    }


def positions(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/account/positions``: open legs, newest first; ``instId`` takes up to 10 ids."""
    inst_type = params.get("instType")
    if inst_type is not None and inst_type not in ("MARGIN", "SWAP", "FUTURES", "OPTION", "EVENTS"):
        raise param_error("instType")
    wanted = params.get("instId")
    ids = set(wanted.split(",")) if wanted else None
    if ids is not None and (len(ids) > 10 or not ids <= set(SPECS_BY_ID)):
        if len(ids) > 10:
            raise param_error("instId")
        raise OkxError("51001", "Instrument ID, Instrument ID code or Spread ID doesn't exist.")
    pos_ids = params.get("posId")
    if inst_type not in (None, "SWAP"):
        return []
    legs = [leg for leg in state.engine.legs() if ids is None or leg.symbol in ids]
    rows = [position_row(state, leg, SPECS_BY_ID[leg.symbol]) for leg in legs]
    if pos_ids:
        rows = [row for row in rows if row["posId"] in pos_ids.split(",")]
    return sorted(rows, key=lambda row: int(row["cTime"]), reverse=True)


def balance(state: SimState, params: Params) -> list[dict[str, Any]]:
    """``GET /api/v5/account/balance``: the USDT line of a Futures-mode trading account.

    Its figures are written as doubles (:func:`figure`), as a captured live answer shows them
    (``"availBal": "4834.317093622894"``, ``"availEq": "4834.3170936228935"``, ``"cashBal":
    "4850.435693622894"``: a ccxt test fixture of OKX's balance)."""
    account = state.engine.account()
    now = ms(state.engine.clock())
    wanted = params.get("ccy")
    equity = account.margin_balance
    isolated_eq = sum((leg.isolated_margin + leg.unrealized_pnl for leg in state.engine.legs()
                       if leg.margin_type is MarginType.ISOLATED), ZERO)
    isolated_upl = sum((leg.unrealized_pnl for leg in state.engine.legs()
                        if leg.margin_type is MarginType.ISOLATED), ZERO)
    imr = account.position_initial_margin + account.open_order_initial_margin
    notional = sum((abs(leg.notional) for leg in state.engine.legs()), ZERO)
    detail = {
        "availBal": figure(max(account.available_balance, ZERO)), "availEq": figure(max(account.available_balance, ZERO)),
        "borrowFroz": "", "cashBal": figure(account.wallet_balance), "ccy": state.engine.asset, "crossLiab": "",
        "disEq": figure(equity), "eq": figure(equity), "eqUsd": figure(equity), "fixedBal": "0",
        "frozenBal": figure(equity - max(account.available_balance, ZERO)), "imr": figure(imr), "interest": "",
        "isoEq": figure(isolated_eq), "isoLiab": "", "isoUpl": figure(isolated_upl), "liab": "", "maxLoan": "",
        "mgnRatio": _ratio(account.cross_wallet_balance + account.cross_unrealized_pnl, account.maintenance_margin),
        "mmr": figure(account.maintenance_margin), "notionalLever": _ratio(notional, equity),
        "ordFrozen": figure(account.open_order_initial_margin), "spotInUseAmt": "", "stgyEq": "0", "twap": "0",
        "uTime": now, "upl": figure(account.unrealized_pnl), "uplLiab": "",
    }
    details = [detail] if wanted in (None, state.engine.asset) or (
        wanted is not None and state.engine.asset in wanted.split(",")) else []
    return [{
        "adjEq": "", "borrowFroz": "", "details": details, "imr": figure(imr), "isoEq": figure(isolated_eq),
        "mgnRatio": detail["mgnRatio"], "mmr": detail["mmr"], "notionalUsd": figure(notional),
        "ordFroz": detail["ordFrozen"], "totalEq": figure(equity), "uTime": now, "upl": detail["upl"],
    }]

