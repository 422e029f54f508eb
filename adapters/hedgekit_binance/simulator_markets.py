"""The markets the simulated Binance USDⓈ-M venue lists, in ``GET /fapi/v1/exchangeInfo`` form.

Each symbol is built from a short table row so the filters stay readable. Field names, filter
shapes and the BTCUSDT/ETHUSDT values follow captured ``/fapi/v1/exchangeInfo`` responses
(``BTCUSDT``: ``PRICE_FILTER`` tick ``0.10`` min ``556.80`` max ``4529764``, ``LOT_SIZE`` step
``0.001`` max ``1000``, ``MARKET_LOT_SIZE`` max ``120``, ``MAX_NUM_ORDERS`` 200,
``MIN_NOTIONAL`` ``notional`` ``100``, ``PERCENT_PRICE`` ``1.0500/0.9500``, ``liquidationFee``
``0.012500``, ``marketTakeBound`` ``0.05``) and the filter definitions of
https://developers.binance.com/docs/derivatives/usds-margined-futures/common-definition.
The other symbols' numbers are a 2025 snapshot of the same endpoint and may drift from live values.

Limits and when each took its current form (Binance derivatives change log, "BCL", unless named):

* ``MAX_NUM_ALGO_ORDERS`` is gone: BCL 2025-12-29 removed the filter from exchangeInfo; conditional
  orders are limited to 200 across all symbols (enforced in :mod:`.simulator_trade`, ``-4045``).
  It was 10 per symbol before (Binance announcement 2021-02-23).
* ``MAX_NUM_ORDERS`` 200 per symbol: the captured listing above; its start date is UNCONFIRMED
  (no futures change-log entry names it).
* ``MIN_NOTIONAL``: the filter since BCL 2021-01-26 ("New filter MIN_NOTIONAL"); the 5 USDT floor
  since the announcement of 2021-02-23; BTCUSDT's 100 is the captured value.
* ``liquidationFee`` and ``marketTakeBound``: fields since BCL 2021-07-06.
* ``rateLimits`` (REQUEST_WEIGHT 2400/min, ORDERS 1200/min and 300/10 s): General Info "LIMITS";
  since the COIN-M integration (notice published 2026-06-10, effective 2026-06-30, §A.3) UM and
  CM draw on these same counters.
* ``PERCENT_PRICE`` 1.05/0.95: the captured listing; its date is UNCONFIRMED.

Leverage brackets are simplified to one bracket per symbol (its maximum leverage and
maintenance margin rate, no notional cap): the engine prices every position with the first
bracket. https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Notional-and-Leverage-Brackets
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine_types import Market

# "deliveryDate" of every perpetual: 2100-12-25, the value ccxt treats as "no expiry"
# (ccxt binance.py parse_market: `expiry == 4133404800000`).
PERPETUAL_DELIVERY = 4133404800000

# Every USDⓈ-M perpetual lists the same order types and time-in-force values (exchangeInfo).
ORDER_TYPES = [
    "LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET",
    "TRAILING_STOP_MARKET",
]
TIME_IN_FORCE = ["GTC", "IOC", "FOK", "GTX", "GTD"]

# Account rate limits as exchangeInfo lists them (REQUEST_WEIGHT 2400/min, ORDERS 1200/min and
# 300/10s) - https://developers.binance.com/docs/derivatives/usds-margined-futures/general-info;
# shared by UM and CM since 2026-06-30 (COIN-M integration notice §A.3)
RATE_LIMITS = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 2400},
    {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
]


@dataclass(frozen=True)
class SymbolSpec:
    """One row of the listing table; see :func:`exchange_info_symbol` for the wire shape."""

    symbol: str
    base: str
    onboard: int
    price_precision: int
    quantity_precision: int
    tick: str
    min_price: str
    max_price: str
    step: str
    max_qty: str
    market_max_qty: str
    min_notional: str
    sub_type: str
    max_leverage: int
    maint_rate: str
    default_mark: str


# symbol, base, onboardDate, pricePrecision, quantityPrecision, tickSize, minPrice, maxPrice,
# stepSize (= minQty), LOT_SIZE maxQty, MARKET_LOT_SIZE maxQty, MIN_NOTIONAL notional,
# underlyingSubType, max leverage (bracket 1), maintMarginRatio (bracket 1), default mark.
SPECS: tuple[SymbolSpec, ...] = (
    SymbolSpec("BTCUSDT", "BTC", 1569398400000, 2, 3, "0.10", "556.80", "4529764", "0.001",
               "1000", "120", "100", "PoW", 125, "0.004", "60000.00"),
    SymbolSpec("ETHUSDT", "ETH", 1569398400000, 2, 3, "0.01", "39.86", "306177", "0.001",
               "10000", "2000", "20", "Layer-1", 125, "0.004", "3000.00"),
    SymbolSpec("SOLUSDT", "SOL", 1599552000000, 4, 0, "0.0100", "0.4200", "6857", "1",
               "1000000", "5000", "5", "Layer-1", 100, "0.005", "150.0000"),
    SymbolSpec("XRPUSDT", "XRP", 1578988800000, 4, 1, "0.0001", "0.0143", "100000", "0.1",
               "10000000", "2000000", "5", "Payment", 75, "0.005", "0.5000"),
    SymbolSpec("DOGEUSDT", "DOGE", 1593673200000, 6, 0, "0.000010", "0.002440", "30", "1",
               "50000000", "30000000", "5", "Meme", 75, "0.005", "0.150000"),
)

# COIN-M (``/dapi``) perpetuals of the same account, quoted in USD, margined and settled in the coin,
# traded in whole contracts of ``contractSize`` USD (BTC 100, ETH 10: the dapi exchangeInfo
# ``contractSize``; the CM new-order docstring: "quantity measured by contract number"). Filters
# are a snapshot of the live ``/dapi/v1/exchangeInfo`` rows (tick 0.1 / 0.01, lot step 1,
# MAX_NUM_ORDERS 200, PERCENT_PRICE 1.05/0.95); the exact min/max prices and quantity caps are
# UNCONFIRMED (no document prints them) and may drift from live values.
COINM_SPECS: tuple[SymbolSpec, ...] = (
    SymbolSpec("BTCUSD_PERP", "BTC", 1597042800000, 1, 0, "0.1", "1000", "4520958", "1",
               "1000000", "60000", "0", "PoW", 125, "0.004", "60000.0"),
    SymbolSpec("ETHUSD_PERP", "ETH", 1597734000000, 2, 0, "0.01", "50", "306177", "1",
               "1000000", "50000", "0", "Layer-1", 125, "0.005", "3000.00"),
)
COINM_CONTRACT_SIZE: dict[str, int] = {"BTCUSD_PERP": 100, "ETHUSD_PERP": 10}
"""USD per contract of each COIN-M perpetual (dapi exchangeInfo ``contractSize``)."""

SPECS_BY_ID = {spec.symbol: spec for spec in SPECS + COINM_SPECS}
"""Every listed contract by venue id, USDⓈ-M and COIN-M (the order handlers serve both books)."""


def exchange_info_symbol(spec: SymbolSpec) -> dict[str, Any]:
    """One element of ``exchangeInfo.symbols``, with every field ccxt's parser reads."""
    return {
        "symbol": spec.symbol,
        "pair": spec.symbol,
        "contractType": "PERPETUAL",
        "deliveryDate": PERPETUAL_DELIVERY,
        "onboardDate": spec.onboard,
        "status": "TRADING",
        "maintMarginPercent": "2.5000",
        "requiredMarginPercent": "5.0000",
        "baseAsset": spec.base,
        "quoteAsset": "USDT",
        "marginAsset": "USDT",
        "pricePrecision": spec.price_precision,
        "quantityPrecision": spec.quantity_precision,
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "underlyingType": "COIN",
        "underlyingSubType": [spec.sub_type],
        "settlePlan": 0,
        "triggerProtect": "0.0500",
        "liquidationFee": "0.012500",
        "marketTakeBound": "0.05",
        "maxMoveOrderLimit": 10000,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": spec.min_price,
             "maxPrice": spec.max_price, "tickSize": spec.tick},
            {"filterType": "LOT_SIZE", "minQty": spec.step, "maxQty": spec.max_qty,
             "stepSize": spec.step},
            {"filterType": "MARKET_LOT_SIZE", "minQty": spec.step,
             "maxQty": spec.market_max_qty, "stepSize": spec.step},
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "MIN_NOTIONAL", "notional": spec.min_notional},
            {"filterType": "PERCENT_PRICE", "multiplierUp": "1.0500",
             "multiplierDown": "0.9500", "multiplierDecimal": "4"},
        ],
        "orderTypes": list(ORDER_TYPES),
        "timeInForce": list(TIME_IN_FORCE),
        "permissionSet": ["GRID", "COPY"],
    }


def exchange_info(server_time: int) -> dict[str, Any]:
    """The whole ``GET /fapi/v1/exchangeInfo`` answer."""
    return {
        "timezone": "UTC",
        "serverTime": server_time,
        "futuresType": "U_MARGINED",
        "rateLimits": RATE_LIMITS,
        "exchangeFilters": [],
        "assets": [{"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"}],
        "symbols": [exchange_info_symbol(spec) for spec in SPECS],
    }


def engine_market(spec: SymbolSpec) -> Market:
    """The engine's view of a listed symbol."""
    return Market(
        symbol_id=spec.symbol,
        symbol=f"{spec.base}/USDT:USDT",
        base=spec.base,
        quote="USDT",
        settle="USDT",
        tick_size=Decimal(spec.tick),
        lot_step=Decimal(spec.step),
        min_qty=Decimal(spec.step),
        max_qty=Decimal(spec.max_qty),
        market_max_qty=Decimal(spec.market_max_qty),
        min_notional=Decimal(spec.min_notional),
        max_leverage=spec.max_leverage,
        maintenance_margin_rate=Decimal(spec.maint_rate),
    )


def leverage_bracket(spec: SymbolSpec) -> dict[str, Any]:
    """One ``GET /fapi/v1/leverageBracket`` element (a single bracket, see the module note)."""
    return {
        "symbol": spec.symbol,
        "brackets": [{
            "bracket": 1,
            "initialLeverage": spec.max_leverage,
            "notionalCap": MAX_NOTIONAL,
            "notionalFloor": 0,
            "maintMarginRatio": float(spec.maint_rate),
            "cum": 0.0,
        }],
    }


MAX_NOTIONAL = 1_000_000_000
"""The notional cap the single simulated bracket reports (``maxNotionalValue``)."""
