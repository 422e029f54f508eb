"""Position and account endpoints of the simulated Bybit venue.

``/v5/position/{list,switch-mode,set-leverage,add-margin,trading-stop}`` and
``/v5/account/{info,wallet-balance,set-margin-mode}`` in the shapes of position.mdx,
position-mode.mdx, leverage.mdx, manual-add-margin.mdx, trading-stop.mdx, account-info.mdx,
wallet-balance.mdx and set-margin-mode.mdx.

Bybit rules this module plays: the mode is per symbol, and a ``coin`` switch moves every idle
symbol of the coin and silently skips the busy ones (the engine's ``ModeScope.SYMBOL``); a symbol
query lists its rows "regardless of having position or not" (hedge: ``positionIdx`` 1 and 2,
one-way: 0), a ``settleCoin`` query only positions with size > 0; cross/isolated is one setting
for the account; buy and sell leverage may differ only under isolated margin in hedge mode; a
trading-stop TP/SL/trailing stop is a conditional order on the whole leg, cancelled when the
position closes, and the request must name the leg (``positionIdx`` is required in every mode);
rows carry ``breakEvenPrice`` (position.mdx's formula), ``positionIMByMp``/``positionMMByMp``
(margins at the mark) and ``openTime``; every listing pages as Bybit does (a cursor on every
non-empty page, :func:`.simulator_trade.page`); leverage takes the published 0.01 step. Simplifications: ``tpslMode=Partial`` is
refused; the trailing distance is turned into a percent of the activation price (or the mark) at
placement, so the engine trails by that percent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import (
    ZERO,
    ConditionalType,
    EngineError,
    Leg,
    MarginType,
    PositionMode,
    PositionSide,
    Reason,
    Side,
    leverage_value,
)

from hedgekit_bybit.simulator_markets import SETTLE, average, price, qty
from hedgekit_bybit.simulator_trade import IDX_OUT, State, linear, page, position_side, symbol_of
from hedgekit_bybit.simulator_wire import BybitError, Params, engine_error, fixed, param_error, places, plain

MODES = {0: PositionMode.ONE_WAY, 3: PositionMode.HEDGE}  # switch-mode: 0 Merged Single, 3 Both Sides
MARGIN_MODES = ("ISOLATED_MARGIN", "REGULAR_MARGIN", "PORTFOLIO_MARGIN")
RISK_LIMIT = "2000000"  # riskLimitValue of tier 1 (one tier is simulated)
HUNDRED = Decimal(100)
BREAK_EVEN_FEE_FLOOR = Decimal("0.00055")
"""position.mdx: ``breakeven_price = (entry_price * qty - realized_pnl) / (qty - abs(qty) * max(taker
fee rate, 0.00055))`` (qty signed). The simulator charges no fees, so the rate is the floor."""


def eight(value: Decimal) -> str:
    """Eight decimals: Bybit's scale for USDT amounts in positions and balances."""
    return fixed(value, 8)


def sides(engine: Engine, sid: str) -> list[PositionSide]:
    """Rows of a symbol: 1 and 2 in hedge mode, 0 in one-way mode (position.mdx)."""
    if engine.position_mode(sid) is PositionMode.HEDGE:
        return [PositionSide.LONG, PositionSide.SHORT]
    return [PositionSide.BOTH]


def _close_side(leg: Leg) -> Side:
    if leg.position_side is PositionSide.BOTH:
        return Side.SELL if leg.size > 0 else Side.BUY
    return Side.SELL if leg.position_side is PositionSide.LONG else Side.BUY


def _leg_stops(engine: Engine, sid: str, pos_side: PositionSide) -> dict[str, Any]:
    """The waiting TP/SL/trailing-stop orders trading-stop set on a leg, by stopOrderType."""
    return {c.extra["stopOrderType"]: c for c in engine.conditional_orders(sid)
            if c.position_side is pos_side and c.extra.get("tpslMode") == "Full"}


def break_even(leg: Leg) -> str:
    """``breakEvenPrice`` by position.mdx's formula with no realised PnL (no fees are charged here);
    eight decimals as the doc's example (``"93556.73034991"``); ``"0"`` for an empty leg (UNCONFIRMED)."""
    if leg.size == 0:
        return "0"
    signed = leg.signed_size
    value = leg.entry_price * signed / (signed - abs(signed) * BREAK_EVEN_FEE_FLOOR)
    return eight(value)


def open_time(state: State, leg: Leg) -> int:
    """``openTime`` ("Position open timestamp (ms), default: 0"): when the leg was first seen open.

    The engine keeps a leg's last update only, so the frontend notes it the first time it sees the
    leg open (every request sweeps the legs, :func:`sweep`) and forgets it when the leg is flat.
    """
    key = (leg.symbol, leg.position_side)
    if leg.size == 0:
        state.open_times.pop(key, None)
        return 0
    found = state.open_times.get(key)
    if found is None:
        found = state.open_times[key] = leg.update_time or state.engine.clock()
        state.created_times.setdefault(leg.symbol, found)
    return found


def position_row(state: State, sid: str, pos_side: PositionSide) -> dict[str, Any]:
    """One position row in position.mdx's fields (``side`` ``""`` and size 0 for an empty leg)."""
    engine = state.engine
    leg = engine.leg(sid, pos_side)
    size = abs(leg.size)
    side = "" if size == 0 else ("Buy" if leg.signed_size > 0 else "Sell")
    isolated = leg.margin_type is MarginType.ISOLATED
    stops = _leg_stops(engine, sid, pos_side)
    take, stop, trail = stops.get("TakeProfit"), stops.get("StopLoss"), stops.get("TrailingStop")
    opened = open_time(state, leg)
    # positionIM "the same value as positionIMByMp" (position.mdx): the initial margin at the mark
    # (size x mark / leverage) under cross; an isolated leg's own margin under isolated (positionBalance
    # is deprecated in favour of it; that positionIM is the isolated margin is UNCONFIRMED)
    initial = eight(leg.isolated_margin if isolated else leg.initial_margin)
    maintenance = eight(leg.maintenance_margin)  # size x mark x maintenance rate
    return {
        "positionIdx": IDX_OUT[pos_side], "riskId": 1, "riskLimitValue": RISK_LIMIT, "symbol": sid,
        "side": side, "size": qty(sid, size), "avgPrice": average(sid, leg.entry_price),
        # positionValue "Position value" in USDT at the entry: 8 decimals as the USDT amounts beside it
        # (position.mdx: "positionValue": "0.01092319"; that a linear leg's is padded to 8 is UNCONFIRMED)
        "positionValue": eight(size * leg.entry_price), "tradeMode": 0, "autoAddMargin": 0,
        "positionStatus": "Normal", "leverage": plain(leg.leverage), "markPrice": price(sid, leg.mark_price),
        "liqPrice": price(sid, leg.liquidation_price) if size and leg.liquidation_price else "",
        "bustPrice": "", "breakEvenPrice": break_even(leg), "positionIM": initial, "positionIMByMp": initial,
        "positionMM": maintenance, "positionMMByMp": maintenance, "positionBalance": initial,
        "takeProfit": price(sid, take.trigger_price if take else ZERO),
        "stopLoss": price(sid, stop.trigger_price if stop else ZERO),
        "trailingStop": price(sid, Decimal(trail.extra["trailingStop"]) if trail else ZERO),
        "sessionAvgPrice": "", "delta": "", "gamma": "", "vega": "", "theta": "",
        "unrealisedPnl": eight(leg.unrealized_pnl), "curRealisedPnl": "0", "cumRealisedPnl": "0",
        "adlRankIndicator": 2 if size else 0,
        "createdTime": str(state.created_times.get(sid) or leg.update_time or engine.clock()),
        "updatedTime": str(leg.update_time or engine.clock()), "openTime": opened, "seq": leg.update_time or -1,
        "isReduceOnly": False, "mmrSysUpdatedTime": "", "leverageSysUpdatedTime": "", "tpslMode": "Full",
    }


def sweep(state: State) -> None:
    """Note the open time of legs that opened and forget those that closed; cancel trading-stop
    orders of legs that closed ("The system will cancel these orders if the position is closed",
    trading-stop.mdx)."""
    engine = state.engine
    for leg in engine.legs():
        open_time(state, leg)
    for key in [k for k in state.open_times if engine.leg(*k).size == 0]:
        del state.open_times[key]
    for c in engine.conditional_orders():
        if c.extra.get("tpslMode") == "Full" and engine.leg(c.symbol, c.position_side).size == 0:
            engine.cancel_conditional(conditional_id=c.conditional_id)


# ----------------------------------------------------------------------- positions and mode
def position_list(state: State, params: Params) -> dict[str, Any]:
    """``GET /v5/position/list``: one symbol (every row) or a settle coin (size > 0 only)."""
    linear(params)
    engine = state.engine
    if params.has("symbol"):
        sid = symbol_of(engine, params)
        rows = [position_row(state, sid, s) for s in sides(engine, sid)]
    elif params.text("settleCoin") == SETTLE:
        rows = [position_row(state, m.symbol_id, s) for m in engine.markets() for s in sides(engine, m.symbol_id)
                if engine.leg(m.symbol_id, s).size != 0]
    else:
        raise param_error("Missing some parameters that must be filled in, symbol or settleCoin")
    return page(state, rows, params, style="position", max_limit=200)  # limit [1, 200], default 20 (position.mdx)


def switch_mode(state: State, params: Params) -> dict[str, Any]:
    """``POST /v5/position/switch-mode`` by ``symbol`` (priority) or ``coin`` (skips busy symbols)."""
    linear(params)
    raw_mode = params.integer("mode")
    mode = MODES.get(raw_mode) if raw_mode is not None else None
    if mode is None:
        raise param_error("params error: mode invalid")  # UNCONFIRMED text
    engine = state.engine
    try:
        if params.has("symbol"):
            engine.set_position_mode(mode, symbol_of(engine, params))
        elif params.has("coin"):
            if params.text("coin") != SETTLE:
                raise param_error("params error: coin invalid")  # UNCONFIRMED text
            engine.set_position_mode(mode, coin=SETTLE)  # busy symbols are skipped without an error
        else:
            raise param_error("Missing some parameters that must be filled in, symbol or coin")
    except EngineError as exc:
        raise engine_error(exc) from exc
    return {}


# ----------------------------------------------------------------------- leverage and margin
LEVERAGE_STEP = Decimal("0.01")
"""``leverageFilter.leverageStep`` "The step to increase/reduce leverage" (instrument.mdx), as this
simulator publishes it (:mod:`.simulator_markets`)."""


def _leverage(params: Params, name: str) -> Decimal:
    """``buyLeverage``/``sellLeverage``: a positive number on the published 0.01 step (leverage.mdx:
    "[1, max leverage]", a string such as ``"10"`` or ``"12.5"``); 10001 otherwise."""
    value = params.decimal(name, required=True)
    assert value is not None
    if value <= 0 or value % LEVERAGE_STEP:
        raise engine_error(EngineError(Reason.INVALID_LEVERAGE))
    return leverage_value(value)


def set_leverage(state: State, params: Params) -> dict[str, Any]:
    """``POST /v5/position/set-leverage``: buy and sell may differ only under isolated margin in hedge mode."""
    linear(params)
    engine = state.engine
    sid = symbol_of(engine, params)
    buy, sell = _leverage(params, "buyLeverage"), _leverage(params, "sellLeverage")
    hedge = engine.position_mode(sid) is PositionMode.HEDGE
    if buy != sell and not (hedge and state.margin_mode == "ISOLATED_MARGIN"):
        raise param_error("buyLeverage must be equal to sellLeverage")  # UNCONFIRMED text
    current = (engine.leverage(sid, PositionSide.LONG), engine.leverage(sid, PositionSide.SHORT)) if hedge else (
        engine.leverage(sid, PositionSide.BOTH),) * 2
    if (buy, sell) == current:
        raise BybitError(110043, "Set leverage has not been modified.")
    try:
        if buy == sell:
            engine.set_leverage(sid, buy)
        else:
            engine.set_leverage(sid, buy, PositionSide.LONG)
            engine.set_leverage(sid, sell, PositionSide.SHORT)
    except EngineError as exc:
        if exc.reason is Reason.INSUFFICIENT_CROSS_BALANCE:
            # lowering an isolated leg's leverage under a position draws the extra margin from the
            # available balance (rules.py: no rule against the lowering itself); short of it, error.mdx
            # 110012 "Insufficient available balance." (which of 110012/110014 the venue answers to
            # set-leverage is UNCONFIRMED: 110014 names adding margin)
            raise BybitError(110012, "Insufficient available balance.") from exc
        raise engine_error(exc) from exc
    return {}


def add_margin(state: State, params: Params) -> dict[str, Any]:
    """``POST /v5/position/add-margin``: ``margin`` ``"10"`` adds, ``"-10"`` reduces (≤ 4 decimals)."""
    linear(params)
    engine = state.engine
    sid = symbol_of(engine, params)
    amount = params.decimal("margin", required=True)
    assert amount is not None
    if places(amount) > 4:
        raise param_error("params error: margin invalid")  # "Support up to 4 decimal"; UNCONFIRMED text
    pos_side = position_side(params)
    if pos_side not in sides(engine, sid):
        raise engine_error(EngineError(Reason.POSITION_SIDE_MISMATCH))
    try:
        engine.modify_isolated_margin(sid, pos_side, amount)
    except EngineError as exc:
        raise engine_error(exc) from exc
    row = position_row(state, sid, pos_side)
    keep = ("positionIdx", "riskId", "riskLimitValue", "size", "positionValue", "avgPrice", "liqPrice",
            "bustPrice", "markPrice", "leverage", "autoAddMargin", "positionStatus", "positionIM",
            "positionMM", "unrealisedPnl", "cumRealisedPnl", "stopLoss", "takeProfit", "trailingStop",
            "createdTime", "updatedTime")
    return {"category": "linear", "symbol": sid, **{k: row[k] for k in keep}}


def trading_stop(state: State, params: Params) -> dict[str, Any]:
    """``POST /v5/position/trading-stop`` (``tpslMode=Full``): set, replace or cancel ("0") the
    whole-leg take-profit, stop-loss and trailing stop (``trailingStop`` = a price distance)."""
    linear(params)
    engine = state.engine
    sid = symbol_of(engine, params)
    mode = params.required("tpslMode")
    if mode != "Full":
        raise param_error("params error: tpslMode Partial is not simulated")
    # positionIdx is required here in every mode (trading-stop.mdx: "positionIdx | true | integer");
    # 10001 is the code of every missing parameter (error.mdx); the text is UNCONFIRMED
    params.required("positionIdx")
    pos_side = position_side(params)
    if pos_side not in sides(engine, sid):
        raise engine_error(EngineError(Reason.POSITION_SIDE_MISMATCH))
    leg = engine.leg(sid, pos_side)
    if leg.size == 0:
        raise param_error("can not set tp/sl/ts for zero position")  # UNCONFIRMED text
    mark = engine.mark_price(sid)
    existing = _leg_stops(engine, sid, pos_side)
    close = _close_side(leg)
    base = {"tpslMode": "Full", "closeOnTrigger": "true", "lastPriceOnCreated": price(sid, mark)}
    for name, kind, created_by in (("takeProfit", "TakeProfit", "CreateByTakeProfit"),
                                   ("stopLoss", "StopLoss", "CreateByStopLoss")):
        value = params.decimal(name)
        if value is None:
            continue
        if kind in existing:
            engine.cancel_conditional(conditional_id=existing[kind].conditional_id)
        if value == 0:
            continue  # "0 means cancel"
        ctype = ConditionalType.TAKE_PROFIT_MARKET if kind == "TakeProfit" else ConditionalType.STOP_MARKET
        trigger_by = params.text("tpTriggerBy" if kind == "TakeProfit" else "slTriggerBy") or "LastPrice"
        try:
            engine.place_conditional(sid, close, ctype, trigger_price=value, position_side=pos_side,
                                     reduce_only=True, close_position=True,
                                     extra={**base, "stopOrderType": kind, "triggerBy": trigger_by,
                                            "createType": created_by})
        except EngineError as exc:
            raise param_error(f"params error: {name} invalid") from exc  # UNCONFIRMED text
    distance = params.decimal("trailingStop")
    if distance is not None:
        if "TrailingStop" in existing:
            engine.cancel_conditional(conditional_id=existing["TrailingStop"].conditional_id)
        if distance > 0:
            active = params.decimal("activePrice")
            reference = active or mark
            try:
                engine.place_conditional(
                    sid, close, ConditionalType.TRAILING_STOP_MARKET, position_side=pos_side, reduce_only=True,
                    close_position=True, callback_rate=distance / reference * HUNDRED, activation_price=active,
                    extra={**base, "stopOrderType": "TrailingStop", "trailingStop": str(distance),
                           "triggerBy": "LastPrice", "createType": "CreateByTrailingStop"},
                )
            except EngineError as exc:
                raise param_error("params error: trailingStop invalid") from exc  # UNCONFIRMED text
    return {}


# ----------------------------------------------------------------------- account
def account_info(state: State, params: Params) -> dict[str, Any]:
    """``GET /v5/account/info``: ``marginMode`` is the account's cross/isolated setting."""
    return {"marginMode": state.margin_mode, "updatedTime": str(state.engine.clock()), "unifiedMarginStatus": 5,
            "dcpStatus": "OFF", "timeWindow": 0, "smpGroup": 0, "isMasterTrader": False, "spotHedgingStatus": "OFF"}


def set_margin_mode(state: State, params: Params) -> dict[str, Any]:
    """``POST /v5/account/set-margin-mode``: every contract changes; refused with open exposure."""
    wanted = params.required("setMarginMode")
    if wanted not in MARGIN_MODES:
        raise param_error("params error: setMarginMode invalid")  # UNCONFIRMED text
    engine = state.engine
    reasons: list[dict[str, str]] = []
    if wanted == "PORTFOLIO_MARGIN":
        reasons.append({"reasonCode": "3400000", "reasonMsg": "Portfolio margin is not simulated"})
    elif engine.legs() or engine.open_orders() or engine.conditional_orders():
        reasons.append({"reasonCode": "3400000", "reasonMsg": "You have open positions or orders"})  # UNCONFIRMED
    if reasons:  # set-margin-mode.mdx example: 3400045 "Set margin mode failed" + result.reasons
        raise BybitError(3400045, "Set margin mode failed", result={"reasons": reasons})
    target = MarginType.ISOLATED if wanted == "ISOLATED_MARGIN" else MarginType.CROSSED
    for market in engine.markets():
        if engine.margin_type(market.symbol_id) is not target:
            engine.set_margin_type(market.symbol_id, target)
    state.margin_mode = wanted
    return {"reasons": []}


def wallet_balance(state: State, params: Params) -> dict[str, Any]:
    """``GET /v5/account/wallet-balance?accountType=UNIFIED``: one USDT coin row."""
    if params.required("accountType") != "UNIFIED":
        raise param_error("accountType only support UNIFIED")  # UNCONFIRMED text
    coins = params.text("coin")
    acct = state.engine.account()
    initial = acct.position_initial_margin + acct.open_order_initial_margin
    equity = acct.margin_balance
    coin = {
        "coin": SETTLE, "equity": eight(equity), "usdValue": eight(equity), "walletBalance": eight(acct.wallet_balance),
        "free": "", "locked": "0", "spotHedgingQty": "0", "borrowAmount": "0", "availableToWithdraw": "",
        "accruedInterest": "0", "totalOrderIM": eight(acct.open_order_initial_margin),
        "totalPositionIM": eight(acct.position_initial_margin), "totalPositionMM": eight(acct.maintenance_margin),
        "unrealisedPnl": eight(acct.unrealized_pnl), "cumRealisedPnl": "0", "bonus": "0",
        "marginCollateral": True, "collateralSwitch": True, "availableToBorrow": "",
    }

    def rate(part: Decimal) -> str:
        return eight(part / equity) if equity > 0 else "0"

    return {"list": [{
        "accountType": "UNIFIED", "accountIMRate": rate(initial), "accountMMRate": rate(acct.maintenance_margin),
        "accountLTV": "0", "totalEquity": eight(equity), "totalWalletBalance": eight(acct.wallet_balance),
        "totalMarginBalance": eight(equity), "totalAvailableBalance": eight(acct.available_balance),
        "totalPerpUPL": eight(acct.unrealized_pnl), "totalInitialMargin": eight(initial),
        "totalMaintenanceMargin": eight(acct.maintenance_margin),
        "coin": [coin] if coins in (None, SETTLE) or SETTLE in (coins or "").split(",") else [],
    }]}

