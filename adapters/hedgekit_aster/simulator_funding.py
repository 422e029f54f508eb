"""Funding, income, fill-history, account and amendment endpoints of the simulated Aster venue.

Binance's shapes (:mod:`hedgekit_binance.simulator_funding`) with Aster's own differences, each
from AST3 (asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md``; shared/ACCOUNT.md §2):

* ``GET /fapi/v3/premiumIndex``: Binance's fields and types.
* ``GET /fapi/v3/fundingInfo?symbol=`` (§Get Funding Rate Config): ``symbol, interestRate, time,
  fundingIntervalHours, fundingFeeCap, fundingFeeFloor``, the cap and floor JSON **numbers** (the
  example's 0.03/-0.03). Every symbol is listed (whether the venue lists all is UNCONFIRMED; its
  example has 8 h symbols). :data:`INTERVALS` gives the simulated 4 h contract.
* ``GET /fapi/v3/fundingRate``: ``symbol, fundingRate, fundingTime``, **no** ``markPrice``; without
  times the most recent ``limit`` rows.
* ``GET /fapi/v3/income``: Binance's rows with ``tranId`` a **string**; no ``page``.
* ``GET /fapi/v3/userTrades``: Binance's rows and rules, **no** ``orderId`` parameter.
* ``GET /fapi/v3/accountWithJoinMargin`` (weight 5): the v3 account totals, ``assets[]`` and
  ``positions[]`` with ``leverage``, ``isolated`` and ``entryPrice`` (the §Account Information
  example's fields).
* ``PUT /fapi/v3/order`` (§Modify Order): ``orderId|origClientOrderId``, ``symbol``, ``quantity``
  and ``price`` (the table marks both optional, the notes say "Both must be sent": both are
  required here), **no** ``side``; LIMIT only. AST3's error table has no modify codes: Binance's
  ``-5025``/``-5027`` are answered (UNCONFIRMED).
"""

from __future__ import annotations

from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import MarginType

from hedgekit_aster.simulator_markets import SPECS_BY_ID
from hedgekit_binance import simulator_account as binance_account
from hedgekit_binance import simulator_funding as binance
from hedgekit_aster.simulator_trade import order_json
from hedgekit_binance.simulator_trade import symbol_of
from hedgekit_binance.simulator_wire import Params, eight, plain

INTERVALS = {"DOGEUSDT": 4}
"""Aster symbols with a funding interval other than 8 h ("1/4/8 h occur", ASTW)."""

premium_index = binance.premium_index


def configure(engine: Engine) -> None:
    """Give the engine's markets Aster's funding intervals."""
    binance.configure(engine, INTERVALS)


def funding_info(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v3/fundingInfo``: every symbol, or the one asked."""
    only = symbol_of(engine, params) if params.get("symbol") else None
    book = engine.account_book
    return [
        {"symbol": m.symbol_id, "interestRate": "0.00010000", "time": engine.clock(),
         "fundingIntervalHours": book.interval_hours[m.symbol_id], "fundingFeeCap": 0.03,
         "fundingFeeFloor": -0.03}
        for m in engine.markets() if only in (None, m.symbol_id)
    ]


def funding_rate(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v3/fundingRate``: ``{symbol, fundingRate, fundingTime}``."""
    return binance.rate_rows(engine, params, lambda r: {
        "symbol": r.symbol, "fundingRate": eight(r.rate), "fundingTime": r.time})


def income(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v3/income``: ``tranId`` as a string, no paging."""
    rows = binance.select_income(engine, params, paged=False)
    return [{**row, "tranId": str(row["tranId"])} for row in rows]


def user_trades(engine: Engine, params: Params) -> list[dict[str, Any]]:
    """``GET /fapi/v3/userTrades`` (no ``orderId`` parameter)."""
    rows = []
    for fill in binance.select_trades(engine, params, order_filter=False):
        spec = SPECS_BY_ID[fill.symbol]
        rows.append(binance.trade_row(fill, spec.price_precision, spec.quantity_precision))
    return rows


def account_with_join_margin(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /fapi/v3/accountWithJoinMargin``: totals, assets and every symbol's legs."""
    base = binance_account.account_v3(engine, params)
    positions = []
    for market in engine.markets():
        sides = [leg.position_side for leg in engine.mode_legs(market.symbol_id)]
        for side in sides:
            leg = engine.leg(market.symbol_id, side)
            places = SPECS_BY_ID[market.symbol_id].quantity_precision
            positions.append({
                "symbol": leg.symbol, "initialMargin": eight(leg.initial_margin),
                "maintMargin": eight(leg.maintenance_margin), "unrealizedProfit": eight(leg.unrealized_pnl),
                "positionInitialMargin": eight(leg.initial_margin),
                "openOrderInitialMargin": eight(engine.open_order_margin(leg.symbol, side)),
                "leverage": str(leg.leverage), "isolated": leg.margin_type is MarginType.ISOLATED,
                "entryPrice": binance_account.entry_price_text(leg.entry_price), "maxNotional": "250000",
                "positionSide": side.value, "positionAmt": f"{leg.signed_size:.{places}f}",
                "updateTime": leg.update_time,
            })
    return {**{k: v for k, v in base.items() if k != "positions"}, "positions": positions}


def modify_order(engine: Engine, params: Params) -> dict[str, Any]:
    """``PUT /fapi/v3/order``: an order object after the amendment."""
    return order_json(engine, binance.amend(engine, params, side_required=False), "QUERY")
