"""The markets the simulated Aster venue lists, in ``GET /fapi/v3/exchangeInfo`` form.

The shape is Binance's (AST3 §Exchange Information), so the listing row, the engine's market and
the single leverage bracket are built with :mod:`hedgekit_binance.simulator_markets`' helpers from
an :class:`AsterSymbolSpec`, which adds the fields whose values differ on Aster.

Sources of the numbers:

* ``BTCUSDT`` and ``ASTERUSDT``: the perpetual rows of a captured Aster ``exchangeInfo``
  (ccxt ``ts/src/test/static/markets/aster.json``, ``info``): tick ``0.1`` / min price ``1`` / max
  ``1000000``, step ``0.001`` / max ``100``, market max ``10``, ``MIN_NOTIONAL`` ``5``,
  ``PERCENT_PRICE`` ``1.0200``/``0.9800``, ``MAX_NUM_ALGO_ORDERS`` 10, ``triggerProtect`` ``0.0200``,
  ``liquidationFee`` ``0.025000``, ``marketTakeBound`` ``0.02``, ``onboardDate`` 1627628400000 for
  BTC; tick ``0.00010`` / max price ``200``, step ``0.01`` / max ``2000000``, market max ``200000``,
  ``PERCENT_PRICE`` ``1.0500``/``0.9500``, ``triggerProtect`` ``0.1500``, onboard 1758178800000 for
  ASTER (whose ``pricePrecision`` is 5 although its tick has 4 decimals: kept as listed).
* ``ETHUSDT``, ``SOLUSDT``: no capture was found; their filters follow BTCUSDT's pattern on Aster
  with the coin's usual tick/step (UNCONFIRMED, may differ from the live listing).
* Leverage: "target initial leverage: int from 1 to 125" (AST3 §Change Initial Leverage); the
  per-symbol maxima and maintenance rates are modelled (UNCONFIRMED), one bracket per symbol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hedgekit_binance.simulator_markets import PERPETUAL_DELIVERY, SymbolSpec, engine_market, leverage_bracket

__all__ = ["SPECS", "SPECS_BY_ID", "AsterSymbolSpec", "engine_market", "exchange_info", "leverage_bracket"]

ORDER_TYPES = [
    "LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET",
    "TRAILING_STOP_MARKET",
]

# REQUEST_WEIGHT 2400/min and ORDERS 1200/min (AST3 §Exchange Information example)
RATE_LIMITS = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 2400},
    {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
]


@dataclass(frozen=True)
class AsterSymbolSpec(SymbolSpec):
    """A :class:`~hedgekit_binance.simulator_markets.SymbolSpec` plus the fields Aster sets per symbol."""

    percent_up: str = "1.0500"
    percent_down: str = "0.9500"
    trigger_protect: str = "0.0500"
    liquidation_fee: str = "0.025000"
    market_take_bound: str = "0.05"
    max_algo_orders: int = 10
    time_in_force: tuple[str, ...] = ("GTC", "IOC", "FOK", "GTX", "RPI")


SPECS: tuple[AsterSymbolSpec, ...] = (
    AsterSymbolSpec("BTCUSDT", "BTC", 1627628400000, 1, 3, "0.1", "1", "1000000", "0.001",
                    "100", "10", "5", "", 125, "0.004", "60000.0",
                    percent_up="1.0200", percent_down="0.9800", trigger_protect="0.0200",
                    market_take_bound="0.02"),
    AsterSymbolSpec("ETHUSDT", "ETH", 1627628400000, 2, 3, "0.01", "0.01", "100000", "0.001",
                    "2000", "200", "5", "", 100, "0.005", "3000.00",
                    percent_up="1.0200", percent_down="0.9800", trigger_protect="0.0200",
                    market_take_bound="0.02"),
    AsterSymbolSpec("SOLUSDT", "SOL", 1627628400000, 2, 2, "0.01", "0.01", "10000", "0.01",
                    "50000", "5000", "5", "", 75, "0.005", "150.00",
                    percent_up="1.0200", percent_down="0.9800", trigger_protect="0.0200",
                    market_take_bound="0.02"),
    AsterSymbolSpec("ASTERUSDT", "ASTER", 1758178800000, 5, 2, "0.00010", "0.00010", "200", "0.01",
                    "2000000", "200000", "5", "", 50, "0.01", "1.50000",
                    trigger_protect="0.1500", time_in_force=("GTC", "IOC", "FOK", "GTX", "RPI", "HIDDEN")),
)
SPECS_BY_ID = {spec.symbol: spec for spec in SPECS}


def exchange_info_symbol(spec: AsterSymbolSpec) -> dict[str, Any]:
    """One element of ``exchangeInfo.symbols`` with the fields of the captured Aster rows."""
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
        "underlyingSubType": [spec.sub_type] if spec.sub_type else [],
        "settlePlan": 0,
        "triggerProtect": spec.trigger_protect,
        "liquidationFee": spec.liquidation_fee,
        "marketTakeBound": spec.market_take_bound,
        "filters": [
            {"minPrice": spec.min_price, "maxPrice": spec.max_price, "filterType": "PRICE_FILTER",
             "tickSize": spec.tick},
            {"stepSize": spec.step, "filterType": "LOT_SIZE", "maxQty": spec.max_qty, "minQty": spec.step},
            {"stepSize": spec.step, "filterType": "MARKET_LOT_SIZE", "maxQty": spec.market_max_qty,
             "minQty": spec.step},
            {"limit": 200, "filterType": "MAX_NUM_ORDERS"},
            {"limit": spec.max_algo_orders, "filterType": "MAX_NUM_ALGO_ORDERS"},
            {"notional": spec.min_notional, "filterType": "MIN_NOTIONAL"},
            {"multiplierDown": spec.percent_down, "multiplierUp": spec.percent_up,
             "multiplierDecimal": "4", "filterType": "PERCENT_PRICE"},
        ],
        "orderTypes": list(ORDER_TYPES),
        "timeInForce": list(spec.time_in_force),
    }


def exchange_info(server_time: int) -> dict[str, Any]:
    """The whole ``GET /fapi/v3/exchangeInfo`` (and ``/fapi/v1/exchangeInfo``) answer."""
    return {
        "exchangeFilters": [],
        "rateLimits": RATE_LIMITS,
        "serverTime": server_time,
        "assets": [{"asset": "USDT", "marginAvailable": True, "autoAssetExchange": 0}],
        "symbols": [exchange_info_symbol(spec) for spec in SPECS],
        "timezone": "UTC",
    }
