"""The contracts the simulated Bybit venue lists, and its public market endpoints.

``GET /v5/market/instruments-info``, ``/v5/market/tickers`` and ``/v5/market/time`` in the shapes of
instrument.mdx, tickers.mdx and time.mdx. BTCUSDT is the instrument.mdx example verbatim (priceScale
2, tick 0.10, qtyStep 0.001, minOrderQty 0.001, maxOrderQty 1190, maxMktOrderQty 500, leverage 1-100
step 0.01, minNotionalValue 5); the other rows are a 2025 snapshot of the live endpoint and may
drift. Maintenance margin rates are the first risk-limit tier (market/risk-limit), one tier per
contract: the engine prices every position with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import Market
from hedgekit.testing.numbers import scaled

from hedgekit_bybit.simulator_wire import Params, fixed, param_error, places

SETTLE = "USDT"
FUNDING_INTERVAL = 480  # minutes, fundingInterval of USDT perpetuals (instrument.mdx example)


@dataclass(frozen=True)
class Instrument:
    """One row of the listing table."""

    symbol: str
    base: str
    launch: str
    price_scale: int
    min_price: str
    max_price: str
    tick: str
    max_qty: str
    min_qty: str
    step: str
    max_mkt_qty: str
    max_leverage: str
    maint_rate: str
    default_mark: str


# symbol, base, launchTime, priceScale, minPrice, maxPrice, tickSize, maxOrderQty, minOrderQty,
# qtyStep, maxMktOrderQty, maxLeverage, maintenance margin rate (tier 1), default mark.
INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument("BTCUSDT", "BTC", "1585526400000", 2, "0.10", "1999999.80", "0.10", "1190.000", "0.001",
               "0.001", "500.000", "100.00", "0.005", "60000.00"),
    Instrument("ETHUSDT", "ETH", "1615766400000", 2, "0.01", "199999.98", "0.01", "7240.00", "0.01",
               "0.01", "3620.00", "100.00", "0.005", "3000.00"),
    Instrument("SOLUSDT", "SOL", "1630548900000", 3, "0.010", "19999.980", "0.010", "79770.0", "0.1",
               "0.1", "15950.0", "100.00", "0.01", "150.000"),
    Instrument("XRPUSDT", "XRP", "1616042700000", 4, "0.0001", "199.9998", "0.0001", "2480000", "1",
               "1", "496000", "75.00", "0.01", "0.5000"),
)
BY_ID = {i.symbol: i for i in INSTRUMENTS}
MIN_NOTIONAL = "5"  # lotSizeFilter.minNotionalValue of USDT perpetuals (instrument.mdx example)


def engine_market(spec: Instrument) -> Market:
    """The engine's view of a listed contract."""
    return Market(
        symbol_id=spec.symbol, symbol=f"{spec.base}/{SETTLE}:{SETTLE}", base=spec.base, quote=SETTLE,
        settle=SETTLE, tick_size=Decimal(spec.tick), lot_step=Decimal(spec.step), min_qty=Decimal(spec.min_qty),
        max_qty=Decimal(spec.max_qty), market_max_qty=Decimal(spec.max_mkt_qty),
        min_notional=Decimal(MIN_NOTIONAL), max_leverage=int(Decimal(spec.max_leverage)),
        maintenance_margin_rate=Decimal(spec.maint_rate),
    )


def qty_places(symbol_id: str) -> int:
    """Decimals of quantities of a contract (from its qtyStep)."""
    return places(Decimal(BY_ID[symbol_id].step))


def price(symbol_id: str, value: Decimal) -> str:
    """A price with the contract's ``priceScale`` decimals."""
    return fixed(value, BY_ID[symbol_id].price_scale)


def average(symbol_id: str, value: Decimal) -> str:
    """An average price (a position's entry, an order's fills): at most 8 decimals, at least the
    contract's ``priceScale`` (position.mdx ``"avgPrice": "27464.50441675"``; an average on the tick
    keeps the tick's decimals, ``"60000.10"``, as the other prices of the row)."""
    return scaled(value, BY_ID[symbol_id].price_scale, 8)


def qty(symbol_id: str, value: Decimal) -> str:
    """A quantity with the contract's qtyStep decimals."""
    return fixed(value, qty_places(symbol_id))


def instrument_row(spec: Instrument) -> dict[str, Any]:
    """One linear instrument in instrument.mdx's field order."""
    return {
        "symbol": spec.symbol, "contractType": "LinearPerpetual", "status": "Trading",
        "baseCoin": spec.base, "quoteCoin": SETTLE, "launchTime": spec.launch, "deliveryTime": "0",
        "deliveryFeeRate": "", "priceScale": str(spec.price_scale),
        "leverageFilter": {"minLeverage": "1", "maxLeverage": spec.max_leverage, "leverageStep": "0.01"},
        "priceFilter": {"minPrice": spec.min_price, "maxPrice": spec.max_price, "tickSize": spec.tick},
        "lotSizeFilter": {"maxOrderQty": spec.max_qty, "minOrderQty": spec.min_qty, "qtyStep": spec.step,
                          "postOnlyMaxOrderQty": spec.max_qty, "maxMktOrderQty": spec.max_mkt_qty,
                          "minNotionalValue": MIN_NOTIONAL},
        "unifiedMarginTrade": True, "fundingInterval": FUNDING_INTERVAL, "settleCoin": SETTLE,
        "copyTrading": "both", "upperFundingRate": "0.005", "lowerFundingRate": "-0.005",
        "isPreListing": False, "preListingInfo": None,
        "riskParameters": {"priceLimitRatioX": "0.01", "priceLimitRatioY": "0.02"}, "symbolType": "",
    }


def _category(params: Params) -> str:
    category = params.required("category")
    if category not in ("linear", "inverse", "spot", "option"):
        raise param_error("params error: category invalid")  # UNCONFIRMED text
    return category


def instruments_info(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /v5/market/instruments-info``: linear contracts in Trading status (one page).

    Other categories and ``status=PreLaunch`` list nothing: only USDT perpetuals are simulated.
    """
    category = _category(params)
    status = params.text("status") or "Trading"
    rows = []
    if category == "linear" and status == "Trading":
        only = params.text("symbol")
        rows = [instrument_row(BY_ID[m.symbol_id]) for m in engine.markets() if only in (None, m.symbol_id)]
    return {"category": category, "list": rows, "nextPageCursor": ""}


def tickers(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /v5/market/tickers`` (linear): last = mark = index = the engine's mark, a flat day."""
    category = _category(params)
    only = params.text("symbol")
    rows = []
    now = engine.clock()
    next_funding = (now // 28_800_000 + 1) * 28_800_000
    for market in engine.markets() if category == "linear" else []:
        if only not in (None, market.symbol_id):
            continue
        mark = price(market.symbol_id, engine.mark_price(market.symbol_id))
        rows.append({
            "symbol": market.symbol_id, "lastPrice": mark, "indexPrice": mark, "markPrice": mark,
            "prevPrice24h": mark, "price24hPcnt": "0", "highPrice24h": mark, "lowPrice24h": mark,
            "prevPrice1h": mark, "openInterest": "0", "openInterestValue": "0", "turnover24h": "0",
            "volume24h": "0", "fundingRate": "0.0001", "nextFundingTime": str(next_funding),
            "predictedDeliveryPrice": "", "basisRate": "", "deliveryFeeRate": "", "deliveryTime": "0",
            "ask1Size": "1", "bid1Price": mark, "ask1Price": mark, "bid1Size": "1", "basis": "",
        })
    return {"category": category, "list": rows}


def server_time(engine: Engine, params: Params) -> dict[str, Any]:
    """``GET /v5/market/time``: ``timeSecond`` and ``timeNano`` strings (time.mdx)."""
    now = engine.clock()
    return {"timeSecond": str(now // 1000), "timeNano": str(now * 1_000_000)}


def default_marks() -> dict[str, Decimal | str]:
    """The default mark of every listed contract."""
    return {spec.symbol: spec.default_mark for spec in INSTRUMENTS}

