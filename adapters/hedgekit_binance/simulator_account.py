"""Account endpoints of the simulated Binance USDⓈ-M venue: mode, positions, balances, margin.

Payload shapes follow the Binance USDⓈ-M docs examples (mirrored in ``rosssaunders/coincise
docs/binance/usdm/endpoints/private/*.md``) and binance-connector-python's models
(``position_information_v3_response_inner.py``, ``futures_account_configuration_response.py``).
Numbers are strings except where Binance sends JSON numbers (``updateTime``, ``leverage`` in
symbolConfig, the ``amount`` of positionMargin).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import (
    ZERO,
    EngineError,
    Leg,
    MarginType,
    PositionMode,
    PositionSide,
    Reason,
    Side,
)

from hedgekit_binance.simulator_markets import MAX_NOTIONAL, SPECS_BY_ID, leverage_bracket
from hedgekit_binance.simulator_trade import symbol_of
from hedgekit_binance.simulator_wire import (
    BinanceError,
    Params,
    eight,
    engine_error,
    fixed,
    invalid,
    plain,
)

SUCCESS = {"code": 200, "msg": "success"}  # positionSide/dual and marginType answers
ACCOUNT_ALIAS = "SgsR"  # "accountAlias" of /fapi/v3/balance (docs example value)


def _sides(engine: Engine, sid: str) -> list[PositionSide]:
    """BOTH rows in one-way mode, LONG and SHORT rows in hedge mode (positionRisk docs)."""
    if engine.position_mode(sid) is PositionMode.HEDGE:
        return [PositionSide.LONG, PositionSide.SHORT]
    return [PositionSide.BOTH]


def _active_symbols(engine: Engine, params: Params) -> list[str]:
    """Symbols with a position or open (regular or algo) orders, optionally one symbol only."""
    only = symbol_of(engine, params) if params.get("symbol") else None
    active = {leg.symbol for leg in engine.legs()}
    active |= {o.symbol for o in engine.open_orders()}
    active |= {c.symbol for c in engine.conditional_orders()}
    return [m.symbol_id for m in engine.markets() if m.symbol_id in active and only in (None, m.symbol_id)]


def entry_price_text(value: Decimal) -> str:
    """Entry-style prices: at most 8 decimals, unpadded, ``"0.0"`` for none (positionRisk examples:
    ``"entryPrice": "0.385"``, ``"breakEvenPrice": "0.385077"``, COIN-M ``"11707.70000003"``; that
    Binance rounds an average entry to 8 decimals is UNCONFIRMED: the examples never show more)."""
    return "0.0" if value == ZERO else plain(Decimal(eight(value)))


def _book(engine: Engine, leg: Leg, side: Side) -> Decimal:
    return sum(
        (o.price * o.quantity for o in engine.open_orders(leg.symbol)
         if o.position_side is leg.position_side and o.side is side),
        ZERO,
    )


def _figures(engine: Engine, leg: Leg) -> dict[str, Any]:
    isolated = leg.margin_type is MarginType.ISOLATED
    order_margin = engine.open_order_margin(leg.symbol, leg.position_side)
    return {
        "positionAmt": fixed(leg.signed_size, SPECS_BY_ID[leg.symbol].quantity_precision),
        "entryPrice": entry_price_text(leg.entry_price),
        "breakEvenPrice": entry_price_text(leg.entry_price),  # no fees are simulated
        "markPrice": eight(leg.mark_price),
        "unRealizedProfit": eight(leg.unrealized_pnl),
        "liquidationPrice": eight(leg.liquidation_price) if leg.liquidation_price else "0",
        # isolatedMargin = isolated wallet + unrealised PnL; 0 on cross legs (v2/v3 examples)
        "isolatedMargin": eight(leg.isolated_margin + leg.unrealized_pnl if isolated else ZERO),
        "notional": eight(leg.notional),
        "isolatedWallet": eight(leg.isolated_margin) if isolated else "0",
        "initialMargin": eight(leg.initial_margin + order_margin),
        "maintMargin": eight(leg.maintenance_margin),
        "positionInitialMargin": eight(leg.initial_margin),
        "openOrderInitialMargin": eight(order_margin),
        "bidNotional": eight(_book(engine, leg, Side.BUY)),
        "askNotional": eight(_book(engine, leg, Side.SELL)),
    }


def position_risk_v3(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v3/positionRisk``: symbols with a position or open orders, a row per side."""
    rows = []
    for sid in _active_symbols(engine, params):
        for side in _sides(engine, sid):
            leg = engine.leg(sid, side)
            f = _figures(engine, leg)
            rows.append({
                "symbol": sid, "positionSide": side.value, "positionAmt": f["positionAmt"],
                "entryPrice": f["entryPrice"], "breakEvenPrice": f["breakEvenPrice"],
                "markPrice": f["markPrice"], "unRealizedProfit": f["unRealizedProfit"],
                "liquidationPrice": f["liquidationPrice"], "isolatedMargin": f["isolatedMargin"],
                "notional": f["notional"], "marginAsset": "USDT",
                "isolatedWallet": f["isolatedWallet"], "initialMargin": f["initialMargin"],
                "maintMargin": f["maintMargin"],
                "positionInitialMargin": f["positionInitialMargin"],
                "openOrderInitialMargin": f["openOrderInitialMargin"], "adl": 0,
                "bidNotional": f["bidNotional"], "askNotional": f["askNotional"],
                "updateTime": leg.update_time,
            })
    return rows


def position_risk_v2(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v2/positionRisk``: every symbol (or one), with leverage and margin type."""
    only = symbol_of(engine, params) if params.get("symbol") else None
    rows = []
    for market in engine.markets():
        if only not in (None, market.symbol_id):
            continue
        for side in _sides(engine, market.symbol_id):
            leg = engine.leg(market.symbol_id, side)
            f = _figures(engine, leg)
            rows.append({
                "symbol": leg.symbol, "positionAmt": f["positionAmt"],
                "entryPrice": f["entryPrice"], "breakEvenPrice": f["breakEvenPrice"],
                "markPrice": f["markPrice"], "unRealizedProfit": f["unRealizedProfit"],
                "liquidationPrice": f["liquidationPrice"], "leverage": str(leg.leverage),
                "maxNotionalValue": str(MAX_NOTIONAL),
                "marginType": "isolated" if leg.margin_type is MarginType.ISOLATED else "cross",
                "isolatedMargin": f["isolatedMargin"], "isAutoAddMargin": "false",
                "positionSide": side.value, "notional": f["notional"],
                "isolatedWallet": f["isolatedWallet"], "updateTime": leg.update_time,
            })
    return rows


def _totals(engine: Engine) -> dict[str, str]:
    account = engine.account()
    initial = account.position_initial_margin + account.open_order_initial_margin
    return {
        "totalInitialMargin": eight(initial),
        "totalMaintMargin": eight(account.maintenance_margin),
        "totalWalletBalance": eight(account.wallet_balance),
        "totalUnrealizedProfit": eight(account.unrealized_pnl),
        "totalMarginBalance": eight(account.margin_balance),
        "totalPositionInitialMargin": eight(account.position_initial_margin),
        "totalOpenOrderInitialMargin": eight(account.open_order_initial_margin),
        "totalCrossWalletBalance": eight(account.cross_wallet_balance),
        "totalCrossUnPnl": eight(account.cross_unrealized_pnl),
        "availableBalance": eight(account.available_balance),
        "maxWithdrawAmount": eight(max(min(account.available_balance,
                                           account.cross_wallet_balance), ZERO)),
    }


def _asset(engine: Engine, totals: dict[str, str]) -> dict[str, Any]:
    # ccxt skips assets whose updateTime is 0 (binance.py parse_balance_custom), so it is "now".
    return {
        "asset": engine.asset, "walletBalance": totals["totalWalletBalance"],
        "unrealizedProfit": totals["totalUnrealizedProfit"],
        "marginBalance": totals["totalMarginBalance"],
        "maintMargin": totals["totalMaintMargin"], "initialMargin": totals["totalInitialMargin"],
        "positionInitialMargin": totals["totalPositionInitialMargin"],
        "openOrderInitialMargin": totals["totalOpenOrderInitialMargin"],
        "crossWalletBalance": totals["totalCrossWalletBalance"],
        "crossUnPnl": totals["totalCrossUnPnl"],
        "availableBalance": totals["availableBalance"],
        "maxWithdrawAmount": totals["maxWithdrawAmount"],
        "marginAvailable": True, "updateTime": engine.clock(),
    }


def account_v3(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /fapi/v3/account`` (single-asset mode)."""
    totals = _totals(engine)
    positions = []
    for sid in _active_symbols(engine, params):
        for side in _sides(engine, sid):
            leg = engine.leg(sid, side)
            f = _figures(engine, leg)
            positions.append({
                "symbol": sid, "positionSide": side.value, "positionAmt": f["positionAmt"],
                "unrealizedProfit": f["unRealizedProfit"],
                "isolatedMargin": f["isolatedMargin"], "notional": f["notional"],
                "isolatedWallet": f["isolatedWallet"], "initialMargin": f["initialMargin"],
                "maintMargin": f["maintMargin"], "updateTime": leg.update_time,
            })
    return {**totals, "assets": [_asset(engine, totals)], "positions": positions}


def account_v2(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /fapi/v2/account``: account flags, totals, assets, and every symbol's legs."""
    totals = _totals(engine)
    positions = []
    for market in engine.markets():
        for side in _sides(engine, market.symbol_id):
            leg = engine.leg(market.symbol_id, side)
            f = _figures(engine, leg)
            positions.append({
                "symbol": leg.symbol, "initialMargin": f["initialMargin"],
                "maintMargin": f["maintMargin"], "unrealizedProfit": f["unRealizedProfit"],
                "positionInitialMargin": f["positionInitialMargin"],
                "openOrderInitialMargin": f["openOrderInitialMargin"],
                "leverage": str(leg.leverage),
                "isolated": leg.margin_type is MarginType.ISOLATED,
                "entryPrice": f["entryPrice"], "breakEvenPrice": f["breakEvenPrice"],
                "maxNotional": str(MAX_NOTIONAL), "bidNotional": f["bidNotional"],
                "askNotional": f["askNotional"], "positionSide": side.value,
                "positionAmt": f["positionAmt"], "updateTime": leg.update_time,
            })
    flags = {"feeTier": 0, "feeBurn": False, "canTrade": True, "canDeposit": True,
             "canWithdraw": True, "updateTime": 0, "multiAssetsMargin": False, "tradeGroupId": -1}
    return {**flags, **totals, "assets": [_asset(engine, totals)], "positions": positions}


def balance(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v2/balance`` and ``/fapi/v3/balance``."""
    totals = _totals(engine)
    return [{
        "accountAlias": ACCOUNT_ALIAS, "asset": engine.asset,
        "balance": totals["totalWalletBalance"],
        "crossWalletBalance": totals["totalCrossWalletBalance"],
        "crossUnPnl": totals["totalCrossUnPnl"], "availableBalance": totals["availableBalance"],
        "maxWithdrawAmount": totals["maxWithdrawAmount"], "marginAvailable": True,
        "updateTime": engine.clock(),
    }]


def account_config(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /fapi/v1/accountConfig`` (futures_account_configuration_response.py)."""
    return {
        "feeTier": 0, "canTrade": True, "canDeposit": True, "canWithdraw": True,
        "dualSidePosition": engine.position_mode() is PositionMode.HEDGE,
        "updateTime": 0, "multiAssetsMargin": False, "tradeGroupId": -1,
    }


def symbol_config(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v1/symbolConfig``: ``marginType`` CROSSED|ISOLATED, integer ``leverage``."""
    only = symbol_of(engine, params) if params.get("symbol") else None
    return [
        {"symbol": m.symbol_id, "marginType": engine.margin_type(m.symbol_id).value,
         "isAutoAddMargin": "false", "leverage": int(engine.leverage(m.symbol_id)),  # whole on Binance
         "maxNotionalValue": str(MAX_NOTIONAL)}
        for m in engine.markets() if only in (None, m.symbol_id)
    ]


def leverage_brackets(engine: Engine, params: Params) -> Any:
    """``GET /fapi/v1/leverageBracket``: a list, or one object when ``symbol`` is sent."""
    if params.get("symbol"):
        return leverage_bracket(SPECS_BY_ID[symbol_of(engine, params)])
    return [leverage_bracket(SPECS_BY_ID[m.symbol_id]) for m in engine.markets()]


def get_position_mode(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /fapi/v1/positionSide/dual``: ``{"dualSidePosition": true}`` means hedge mode."""
    return {"dualSidePosition": engine.position_mode() is PositionMode.HEDGE}


def set_position_mode(engine: Engine, params: Params) -> dict[str, Any]:
    """``POST /fapi/v1/positionSide/dual`` (``dualSidePosition`` "true"/"false").

    -4059 when already set, -4067 with open regular or algo orders, -4068 with a position.
    """
    hedge = params.boolean("dualSidePosition")
    if hedge is None:
        params.required("dualSidePosition")
    try:
        engine.set_position_mode(PositionMode.HEDGE if hedge else PositionMode.ONE_WAY)
    except EngineError as exc:
        raise engine_error(exc) from exc
    return SUCCESS


def set_leverage(engine: Engine, params: Params) -> dict[str, Any]:
    """``POST /fapi/v1/leverage`` -> ``{"leverage": 21, "maxNotionalValue": "...", "symbol": ...}``."""
    sid = symbol_of(engine, params)
    leverage = params.integer("leverage", required=True)
    assert leverage is not None
    try:
        engine.set_leverage(sid, leverage)
    except EngineError as exc:
        raise engine_error(exc, leverage=leverage) from exc
    return {"leverage": leverage, "maxNotionalValue": str(MAX_NOTIONAL), "symbol": sid}


def set_margin_type(engine: Engine, params: Params) -> dict[str, Any]:
    """``POST /fapi/v1/marginType`` (ISOLATED|CROSSED); -4046 when unchanged."""
    sid = symbol_of(engine, params)
    value = params.required("marginType")
    if value not in ("ISOLATED", "CROSSED"):
        raise invalid("marginType")
    try:
        engine.set_margin_type(sid, MarginType(value))
    except EngineError as exc:
        raise engine_error(exc) from exc
    return SUCCESS


def modify_position_margin(engine: Engine, params: Params) -> dict[str, Any]:
    """``POST /fapi/v1/positionMargin``: type 1 adds, 2 reduces; isolated legs only.

    ``positionSide`` "must be sent with Hedge Mode" (LONG/SHORT), BOTH otherwise.
    """
    sid = symbol_of(engine, params)
    raw = params.get("positionSide") or "BOTH"
    if raw not in ("BOTH", "LONG", "SHORT"):
        raise BinanceError(-4060, "Invalid position side.")
    side = PositionSide(raw)
    if (engine.position_mode(sid) is PositionMode.HEDGE) == (side is PositionSide.BOTH):
        raise engine_error(EngineError(Reason.POSITION_SIDE_MISMATCH))
    amount = params.decimal("amount", required=True)
    kind = params.integer("type", required=True)
    assert amount is not None
    if kind not in (1, 2):
        raise invalid("type")
    try:
        engine.modify_isolated_margin(sid, side, amount if kind == 1 else -amount)
    except EngineError as exc:
        raise engine_error(exc) from exc
    return {"amount": float(amount), "code": 200,
            "msg": "Successfully modify position margin.", "type": kind}
