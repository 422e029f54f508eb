"""The COIN-M (``/dapi``) book of the simulated Binance account, and the position mode it shares.

Since the COIN-M / USDⓈ-M architecture integration (Binance "Important Notice — COIN-M / USDⓈ-M
Architecture Integration", published 2026-06-10, effective 2026-06-30, §A.1): "UM and CM share the
same dualSidePosition setting. Calling POST /fapi/v1/positionSide/dual or POST
/dapi/v1/positionSide/dual will flip the value for both UM and CM at once. If either side has any
open order or open position, switching is rejected with: -4067 "Position side cannot be changed
if there exists open orders." -4068 "Position side cannot be changed if there exists position.""
(also binance-connector-python ``derivatives_trading_coin_futures`` ``trade_api.change_position_mode``).

:class:`CoinMBook` keeps the COIN-M contracts in a second :class:`~hedgekit.testing.engine.Engine`
on the same account and clock, and serves:

* ``GET /dapi/v1/time``, ``GET /dapi/v1/exchangeInfo`` (BTCUSD_PERP, ETHUSD_PERP);
* ``GET|POST /dapi/v1/positionSide/dual`` (the one shared setting, as ``/fapi``);
* ``POST|GET|DELETE /dapi/v1/order``, ``GET /dapi/v1/openOrders``, ``DELETE /dapi/v1/allOpenOrders`` (LIMIT and MARKET: since the
  integration, stop types on ``/dapi/v1/order`` answer ``-4120``, "Use the new /dapi/v1/algoOrder
  endpoint instead", CM ``trade_api.new_order``);
* ``POST|GET|DELETE /dapi/v1/algoOrder``, ``GET /dapi/v1/openAlgoOrders``,
  ``DELETE /dapi/v1/algoOpenOrders`` (the notice §C.5;
  ccxt 4.5.90 binance.py: "algoOrder and allAlgoOrders exist on dapi like on fapi, verified
  live"), in the ``/fapi`` Algo Service shape (that the rows are field for field the same is
  UNCONFIRMED);
* ``GET /dapi/v1/positionRisk`` (rows of CM ``position_information_response_inner``).

Quantities are whole contracts (``"quantity measured by contract number"``). Simplifications:
COIN-M margin is not simulated (the book's wallet covers any test order; the engine's own margin
figures are linear and never shown), the trailing ``callbackRate`` stays 0.1–10 on COIN-M (the
2026-10-23 change to 20 names only ``/fapi`` and ``/papi``), and the 200-algo-order limit is
counted per book (whether CM shares UM's is UNCONFIRMED).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import (
    ZERO,
    EngineError,
    Leg,
    Market,
    MarginType,
    ModeScope,
    PositionMode,
    PositionSide,
    Reason,
)

from hedgekit_binance import simulator_trade as trade
from hedgekit_binance.simulator_markets import (
    COINM_CONTRACT_SIZE,
    COINM_SPECS,
    ORDER_TYPES,
    PERPETUAL_DELIVERY,
    RATE_LIMITS,
    TIME_IN_FORCE,
    SymbolSpec,
)
from hedgekit_binance.simulator_wire import BinanceError, Params, eight, engine_error, fixed, invalid, plain

SUCCESS = {"code": 200, "msg": "success"}
COINM_BALANCE = Decimal("1000000000")
"""The COIN-M wallet (margin is not simulated on COIN-M: no test order runs out of it)."""
#: CM ``trade_api.new_order``: "callback_rate ... min 0.1, max 10 where 1 for 1%".
COINM_MIN_CALLBACK, COINM_MAX_CALLBACK = Decimal("0.1"), Decimal(10)
#: dapi writes the matching engine acts on (and re-checks ``recvWindow`` for, as on fapi).
MATCHING_ENGINE_WRITES = frozenset({
    ("POST", "/dapi/v1/order"), ("DELETE", "/dapi/v1/order"),
    ("POST", "/dapi/v1/algoOrder"), ("DELETE", "/dapi/v1/algoOrder"),
    ("DELETE", "/dapi/v1/allOpenOrders"), ("DELETE", "/dapi/v1/algoOpenOrders"),
})


def pair_of(sid: str) -> str:
    """``BTCUSD_PERP`` -> ``BTCUSD`` (the ``pair`` field of COIN-M rows)."""
    return sid.split("_", 1)[0]


def engine_market(spec: SymbolSpec) -> Market:
    """The engine's view of a COIN-M perpetual (quantities in contracts, quote USD, settle coin)."""
    return Market(
        symbol_id=spec.symbol, symbol=f"{spec.base}/USD:{spec.base}", base=spec.base, quote="USD",
        settle=spec.base, tick_size=Decimal(spec.tick), lot_step=Decimal(spec.step),
        min_qty=Decimal(spec.step), max_qty=Decimal(spec.max_qty),
        market_max_qty=Decimal(spec.market_max_qty), min_notional=ZERO,
        max_leverage=spec.max_leverage, maintenance_margin_rate=Decimal(spec.maint_rate),
    )


def create_engine(clock: Callable[[], int]) -> Engine:
    """The COIN-M book: BTCUSD_PERP and ETHUSD_PERP at their default marks, on ``clock``."""
    return Engine(
        [engine_market(spec) for spec in COINM_SPECS],
        mark_prices={spec.symbol: spec.default_mark for spec in COINM_SPECS},
        mode_scope=ModeScope.ACCOUNT, balance=COINM_BALANCE, asset="BTC",
        first_order_id=90_000_000_001, first_conditional_id=5_000_000_000_001, clock=clock,
    )


def exchange_info_symbol(spec: SymbolSpec) -> dict[str, Any]:
    """One ``/dapi/v1/exchangeInfo`` symbol (CM ``exchange_information_response_symbols_inner``)."""
    return {
        "symbol": spec.symbol, "pair": pair_of(spec.symbol), "contractType": "PERPETUAL",
        "deliveryDate": PERPETUAL_DELIVERY, "onboardDate": spec.onboard, "contractStatus": "TRADING",
        "contractSize": COINM_CONTRACT_SIZE[spec.symbol], "marginAsset": spec.base,
        "maintMarginPercent": "2.5000", "requiredMarginPercent": "5.0000", "baseAsset": spec.base,
        "quoteAsset": "USD", "pricePrecision": spec.price_precision,
        "quantityPrecision": spec.quantity_precision, "baseAssetPrecision": 8, "quotePrecision": 8,
        "equalQtyPrecision": 4, "maxMoveOrderLimit": 10000, "triggerProtect": "0.0500",
        "underlyingType": "COIN", "underlyingSubType": [spec.sub_type],
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": spec.min_price, "maxPrice": spec.max_price,
             "tickSize": spec.tick},
            {"filterType": "LOT_SIZE", "stepSize": spec.step, "maxQty": spec.max_qty, "minQty": spec.step},
            {"filterType": "MARKET_LOT_SIZE", "stepSize": spec.step, "maxQty": spec.market_max_qty,
             "minQty": spec.step},
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "PERCENT_PRICE", "multiplierUp": "1.0500", "multiplierDown": "0.9500",
             "multiplierDecimal": "4"},
        ],
        "orderTypes": list(ORDER_TYPES), "timeInForce": list(TIME_IN_FORCE),
        "liquidationFee": "0.015000", "marketTakeBound": "0.05",
    }


class CoinMBook:
    """The account's COIN-M book beside its USDⓈ-M one (``um``), sharing the position mode.

    Args:
        um: The USDⓈ-M engine (the venue's ``engine``); its mode is the account's one setting.
        cm: The COIN-M engine (:func:`create_engine`).

    Example (a test)::

        book = venue.frontend.coinm
        book.engine.place_order("BTCUSD_PERP", "BUY", "3")   # or POST /dapi/v1/order on the wire
    """

    def __init__(self, um: Engine, cm: Engine) -> None:
        self.um = um
        self.engine = cm
        self.routes: dict[tuple[str, str], Callable[[Params], Any]] = {
            ("GET", "/dapi/v1/positionSide/dual"): self.get_position_mode,
            ("POST", "/dapi/v1/positionSide/dual"): self.set_position_mode,
            ("POST", "/dapi/v1/order"): self.new_order,
            ("GET", "/dapi/v1/order"): self.query_order,
            ("DELETE", "/dapi/v1/order"): self.cancel_order,
            ("GET", "/dapi/v1/openOrders"): self.open_orders,
            ("DELETE", "/dapi/v1/allOpenOrders"): lambda p: trade.cancel_all_orders(self.engine, p),
            ("DELETE", "/dapi/v1/algoOpenOrders"): lambda p: trade.cancel_all_algo_orders(self.engine, p),
            ("POST", "/dapi/v1/algoOrder"): self.new_algo_order,
            ("GET", "/dapi/v1/algoOrder"): lambda p: trade.query_algo_order(self.engine, p),
            ("DELETE", "/dapi/v1/algoOrder"): lambda p: trade.cancel_algo_order(self.engine, p),
            ("GET", "/dapi/v1/openAlgoOrders"): lambda p: trade.open_algo_orders(self.engine, p),
            ("GET", "/dapi/v1/positionRisk"): self.position_risk,
        }
        """Signed ``/dapi`` endpoints by ``(method, path)``."""
        self.public_routes: dict[tuple[str, str], Callable[[Params], Any]] = {
            ("GET", "/dapi/v1/time"): lambda p: {"serverTime": self.engine.clock()},
            ("GET", "/dapi/v1/ping"): lambda p: {},
            ("GET", "/dapi/v1/exchangeInfo"): self.exchange_info,
        }
        """Unsigned ``/dapi`` endpoints."""

    # -- the shared mode -----------------------------------------------------------------
    def holds_anything(self) -> bool:
        """Whether the COIN-M book has an open order, an open algo order or a position."""
        cm = self.engine
        return bool(cm.open_orders() or cm.conditional_orders() or cm.legs())

    def sync_mode(self) -> None:
        """Make the COIN-M book follow the account's setting (kept on the USDⓈ-M engine).

        A test that switched the USDⓈ-M engine directly while COIN-M held something leaves the
        two apart (the venue could never get there); the COIN-M book then keeps its mode.
        """
        mode = self.um.position_mode()
        if self.engine.position_mode() is not mode:
            try:
                self.engine.set_position_mode(mode)
            except EngineError:
                pass

    def switch_mode(self, params: Params) -> dict[str, Any]:
        """``POST /fapi/v1/positionSide/dual`` and ``/dapi/v1/positionSide/dual``: one setting.

        -4059 when already set; -4067 when either book has an open regular or algo order
        (checked first, as the engine does); -4068 when either holds a position (§A.1).
        """
        hedge = params.boolean("dualSidePosition")
        if hedge is None:
            params.required("dualSidePosition")
        mode = PositionMode.HEDGE if hedge else PositionMode.ONE_WAY
        um, cm = self.um, self.engine
        if um.position_mode() is mode:
            raise engine_error(EngineError(Reason.MODE_UNCHANGED))
        if um.open_orders() or um.conditional_orders() or cm.open_orders() or cm.conditional_orders():
            raise engine_error(EngineError(Reason.MODE_BLOCKED_BY_ORDERS))
        if um.legs() or cm.legs():
            raise engine_error(EngineError(Reason.MODE_BLOCKED_BY_POSITION))
        try:
            um.set_position_mode(mode)
        except EngineError as exc:
            raise engine_error(exc) from exc
        self.sync_mode()
        return SUCCESS

    def get_position_mode(self, params: Params) -> dict[str, Any]:
        """``GET /dapi/v1/positionSide/dual``: the same flag as ``/fapi``."""
        return {"dualSidePosition": self.um.position_mode() is PositionMode.HEDGE}

    def set_position_mode(self, params: Params) -> dict[str, Any]:
        """``POST /dapi/v1/positionSide/dual``: flips UM and CM at once (:meth:`switch_mode`)."""
        return self.switch_mode(params)

    # -- market data ---------------------------------------------------------------------
    def exchange_info(self, params: Params) -> dict[str, Any]:
        """``GET /dapi/v1/exchangeInfo`` (CM ``exchange_information_response``)."""
        return {"exchangeFilters": [], "rateLimits": RATE_LIMITS, "serverTime": self.engine.clock(),
                "symbols": [exchange_info_symbol(spec) for spec in COINM_SPECS], "timezone": "UTC"}

    # -- orders ----------------------------------------------------------------------------
    def _row(self, data: dict[str, Any], *, answer: bool) -> dict[str, Any]:
        """A ``/fapi``-shaped order row made COIN-M's: ``pair``, ``cumBase`` for ``cumQuote``.

        The new-order answer (CM ``new_order_response``) has neither ``avgPrice`` nor ``cumBase``;
        query and list rows (``current_all_open_orders_response_inner``) have both.
        """
        sid = data["symbol"]
        executed, avg = Decimal(data["executedQty"]), Decimal(data.pop("avgPrice"))
        data.pop("cumQuote", None)
        data.pop("goodTillDate", None)
        out: dict[str, Any] = {}
        for key, value in data.items():
            out[key] = value
            if key == "symbol":
                out["pair"] = pair_of(sid)
        if not answer:
            base = executed * COINM_CONTRACT_SIZE[sid] / avg if avg else ZERO
            out["avgPrice"] = plain(avg) if avg else "0.0"
            out["cumBase"] = eight(base)
        return out

    def new_order(self, params: Params) -> dict[str, Any]:
        """``POST /dapi/v1/order``: LIMIT and MARKET in contracts (stop types: -4120)."""
        return self._row(trade.new_order(self.engine, params), answer=True)

    def query_order(self, params: Params) -> dict[str, Any]:
        """``GET /dapi/v1/order``; -2013 when unknown."""
        return self._row(trade.query_order(self.engine, params), answer=False)

    def cancel_order(self, params: Params) -> dict[str, Any]:
        """``DELETE /dapi/v1/order``; -2011 unless the order is open."""
        return self._row(trade.cancel_order(self.engine, params), answer=False)

    def open_orders(self, params: Params) -> list[dict[str, Any]]:
        """``GET /dapi/v1/openOrders`` (``symbol`` optional)."""
        return [self._row(row, answer=False) for row in trade.open_orders(self.engine, params)]

    def new_algo_order(self, params: Params) -> dict[str, Any]:
        """``POST /dapi/v1/algoOrder`` (``algoType=CONDITIONAL``), the fapi Algo Service's rules."""
        rate = params.decimal("callbackRate")
        if rate is not None and not COINM_MIN_CALLBACK <= rate <= COINM_MAX_CALLBACK:
            raise invalid("callbackRate")
        return trade.new_algo_order(self.engine, params)

    # -- positions -------------------------------------------------------------------------
    def position_risk(self, params: Params) -> list[dict[str, Any]]:
        """``GET /dapi/v1/positionRisk`` (``pair``/``marginAsset`` optional): every TRADING symbol.

        "for One-way Mode user, the response will only show the "BOTH" positions; for Hedge Mode
        user, the response will show "BOTH", "LONG", and "SHORT" positions" (CM
        ``trade_api.position_information``).
        """
        pair, asset = params.get("pair"), params.get("marginAsset")
        hedge = self.engine.position_mode() is PositionMode.HEDGE
        sides = [PositionSide.BOTH, PositionSide.LONG, PositionSide.SHORT] if hedge else [PositionSide.BOTH]
        rows = []
        for spec in COINM_SPECS:
            if pair not in (None, pair_of(spec.symbol)) or asset not in (None, spec.base):
                continue
            for side in sides:
                rows.append(self._position_row(spec, self.engine.leg(spec.symbol, side)))
        return rows

    def _position_row(self, spec: SymbolSpec, leg: Leg) -> dict[str, Any]:
        size = COINM_CONTRACT_SIZE[spec.symbol]
        signed, entry, mark = leg.signed_size, leg.entry_price, leg.mark_price
        # inverse contracts: PnL in the coin, q * size * (1/entry - 1/mark)
        pnl = signed * size * (1 / entry - 1 / mark) if signed and entry else ZERO
        return {
            "symbol": spec.symbol, "positionAmt": fixed(signed, 0),
            "entryPrice": plain(entry) if entry else "0.0",
            "breakEvenPrice": plain(entry) if entry else "0.0",
            "markPrice": eight(mark), "unRealizedProfit": eight(pnl), "liquidationPrice": "0",
            "leverage": str(leg.leverage), "maxQty": "50",
            "marginType": "isolated" if leg.margin_type is MarginType.ISOLATED else "cross",
            "isolatedMargin": "0.00000000", "isAutoAddMargin": "false",
            "positionSide": leg.position_side.value,
            # not in the connector's model; live rows carry it and ccxt reads it (UNCONFIRMED)
            "notionalValue": eight(signed * size / mark), "isolatedWallet": "0",
            "updateTime": leg.update_time,
        }


COINM_ACCESS_DENIED = BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)
"""A key without COIN-M permission, on any signed ``/dapi`` endpoint (error-code page, -2015)."""
