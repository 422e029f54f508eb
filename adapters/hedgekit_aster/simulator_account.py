"""Account and market-data endpoints of the simulated Aster venue.

Wire-identical to Binance, and therefore served by :mod:`hedgekit_binance.simulator_account`'s
handlers (AST3 = asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md``):
``positionSide/dual`` GET/POST (``{"dualSidePosition": true}``; -4059/-4067/-4068), ``leverage``
(``{"leverage":21,"maxNotionalValue":…,"symbol":…}``), ``marginType`` (``{"code":200,"msg":"success"}``),
``positionMargin`` (``{"amount":100.0,"code":200,"msg":"Successfully modify position margin.",
"type":1}``) and ``balance`` (AST3 §Futures Account Balance v3).

Aster's own here: **positionRisk** (AST3 §Position Information v3): every listed symbol (or the one
asked), one row per side, in the documented field order, with a signed ``positionAmt`` (negative on
SHORT), lowercase ``marginType``, ``leverage`` and ``isolatedMargin`` (isolated wallet + unrealised
PnL, as in the doc's numbers), and **no** ``notional``; the leverage brackets, mark price and
ticker, whose precisions are Aster's.
"""

from __future__ import annotations

from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import ZERO, MarginType, PositionMode, PositionSide

from hedgekit_aster.simulator_markets import SPECS_BY_ID, leverage_bracket
from hedgekit_binance.simulator_account import (
    balance,
    get_position_mode,
    modify_position_margin,
    set_leverage,
    set_margin_type,
    set_position_mode,
)
from hedgekit_binance.simulator_markets import MAX_NOTIONAL
from hedgekit_binance.simulator_trade import symbol_of
from hedgekit_binance.simulator_wire import Params, eight, fixed

__all__ = [
    "balance",
    "get_position_mode",
    "leverage_brackets",
    "modify_position_margin",
    "position_risk",
    "premium_index",
    "set_leverage",
    "set_margin_type",
    "set_position_mode",
    "ticker_price",
]


def _sides(engine: Engine, sid: str) -> list[PositionSide]:
    """"only BOTH positions ... with One-way mode; only LONG and SHORT ... with Hedge mode" (AST3)."""
    if engine.position_mode(sid) is PositionMode.HEDGE:
        return [PositionSide.LONG, PositionSide.SHORT]
    return [PositionSide.BOTH]


def position_risk(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v3/positionRisk`` (and legacy ``/fapi/v2/positionRisk``)."""
    only = symbol_of(engine, params) if params.get("symbol") else None
    rows = []
    for market in engine.markets():
        sid = market.symbol_id
        if only not in (None, sid):
            continue
        spec = SPECS_BY_ID[sid]
        for side in _sides(engine, sid):
            leg = engine.leg(sid, side)
            isolated = leg.margin_type is MarginType.ISOLATED
            rows.append({
                "entryPrice": fixed(leg.entry_price, max(5, spec.price_precision)),  # "0.00000"
                "marginType": "isolated" if isolated else "cross",
                "isAutoAddMargin": "false",
                "isolatedMargin": eight(leg.isolated_margin + leg.unrealized_pnl if isolated else ZERO),
                "leverage": str(leg.leverage),
                "liquidationPrice": fixed(leg.liquidation_price, spec.price_precision) if leg.liquidation_price else "0",
                "markPrice": eight(leg.mark_price),
                "maxNotionalValue": str(MAX_NOTIONAL),
                "positionAmt": fixed(leg.signed_size, spec.quantity_precision),
                "symbol": sid,
                "unRealizedProfit": eight(leg.unrealized_pnl),
                "positionSide": side.value,
                "updateTime": leg.update_time,
            })
    return rows


def leverage_brackets(engine: Engine, params: Params) -> Any:
    """``GET /fapi/v3/leverageBracket``: a list, or one object when ``symbol`` is sent (AST3)."""
    if params.get("symbol"):
        return leverage_bracket(SPECS_BY_ID[symbol_of(engine, params)])
    return [leverage_bracket(SPECS_BY_ID[m.symbol_id]) for m in engine.markets()]


def premium_index(engine: Engine, params: Params) -> Any:
    """``GET /fapi/v3/premiumIndex``: mark = index = the engine's mark; funding 0.01 % every 8 h."""
    now = engine.clock()
    next_funding = (now // 28_800_000 + 1) * 28_800_000

    def row(sid: str) -> dict[str, Any]:
        mark = eight(engine.mark_price(sid))
        return {"symbol": sid, "markPrice": mark, "indexPrice": mark, "estimatedSettlePrice": mark,
                "lastFundingRate": "0.00010000", "nextFundingTime": next_funding,
                "interestRate": "0.00010000", "time": now}

    if params.get("symbol"):
        return row(symbol_of(engine, params))
    return [row(m.symbol_id) for m in engine.markets()]


def ticker_price(engine: Engine, params: Params) -> Any:
    """``GET /fapi/v3/ticker/price``: last = the engine's mark."""
    def row(sid: str) -> dict[str, Any]:
        price = fixed(engine.mark_price(sid), SPECS_BY_ID[sid].price_precision)
        return {"symbol": sid, "price": price, "time": engine.clock()}

    if params.get("symbol"):
        return row(symbol_of(engine, params))
    return [row(m.symbol_id) for m in engine.markets()]
