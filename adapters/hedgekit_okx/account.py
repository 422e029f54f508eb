"""OKX v5's account views (USDT-margined SWAP; shared/ACCOUNT.md §4, OKX = docs-v5 by anchor).

* Funding now: ``GET /api/v5/public/funding-rate?instId=`` (#get-funding-rate) ``fundingRate`` for
  ``fundingTime`` (the coming settlement); the interval is ``nextFundingTime − fundingTime`` (OKX has
  no interval field); the mark from ``GET /api/v5/public/mark-price`` (#get-mark-price). OKX keeps
  funding per leg: ``GET /api/v5/account/positions`` rows carry ``posSide`` and ``fundingFee``
  ("Accumulated funding fee", #get-positions), handed out as each leg's ``accumulated``.
* Funding paid: ``GET /api/v5/account/bills?instType=SWAP&type=8`` (the last 7 days) or
  ``/account/bills-archive`` (3 months) (#get-bills-details-*): ``subType`` 173 expense / 174 income,
  ``pnl`` signed. The bill names no ``posSide``, so the facade derives the leg (the rate from
  ``GET /api/v5/public/funding-rate-history`` ``realizedRate``, the actual rate; the mark from ``px``).
* Fills: ``GET /api/v5/trade/fills`` (3 days) or ``/trade/fills-history`` (3 months, ``instType``
  required) (#get-transaction-details-*): ``fillPx``, ``fillSz`` in contracts (× ``ctVal``),
  ``fillPnl``, ``posSide`` (each fill names its leg), ``fee`` negative when charged (hedgekit's
  ``fee`` is positive when paid), ``execType`` M = maker.
* Balance: ``GET /api/v5/account/balance?ccy=USDT`` (#get-balance) ``details[]``: ``eq``, ``cashBal``,
  ``availEq`` (``availBal`` when blank), ``upl``, ``imr`` (``frozenBal`` when blank: in Futures mode
  the top-level figures are ``""``).
* Amendment: ``POST /api/v5/trade/amend-order {instId, ordId, newSz, newPx}`` (#post-amend-order);
  ``newSz`` in contracts and including the filled part; ``sCode "0"`` means accepted, so the order is
  read back. A stop or take-profit (an algo order, ``ordType=conditional``) is amended with
  ``POST /api/v5/trade/amend-algos {instId, algoId, newSz, newSlTriggerPx|newTpTriggerPx, newSlOrdPx|
  newTpOrdPx=-1}`` (#order-book-trading-algo-trading-post-amend-algo-order) and read back too; a
  trailing stop (``move_order_stop``) cannot be amended there and is refused locally.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from hedgekit.account import AccountAdapter, FundingQuote, PaymentRow, oldest_first, read_back
from hedgekit.account_models import AccountFill, Balance
from hedgekit.errors import MalformedResponse
from hedgekit.models import Market, Order, OrderType, PositionSide, Side

from hedgekit_okx import wire
from hedgekit_okx.transport import parsing

__all__ = ["OkxAccount"]

DAY_MS = 86_400_000
MAX_PAGES = 20
POS_SIDE_IN = {"long": PositionSide.LONG, "short": PositionSide.SHORT, "net": PositionSide.BOTH}


class OkxAccount(AccountAdapter):
    """Funding, balance, mark price, fills and amendment on OKX v5 (SWAP)."""

    name: ClassVar[str]

    if TYPE_CHECKING:
        async def _call(self, operation: str, method: str, params: dict[str, Any] | list[dict[str, Any]], *,
                        symbol: str | None = None, client_order_id: str | None = None) -> Any: ...

        def market(self, symbol: str) -> Market: ...

        def venue_time_ms(self) -> int: ...

        async def fetch_order(self, symbol: str, *, order_id: str | None = None,
                              client_order_id: str | None = None, conditional: bool = False) -> Order | None: ...

    def _parsing(self, what: str) -> AbstractContextManager[None]:
        return parsing(what)

    async def _paged(self, operation: str, method: str, params: dict[str, str], symbol: str) -> list[dict[str, Any]]:
        """Every row of a listing paged by ``after`` = the last row's ``billId`` (newest first, 100 a page)."""
        out: list[dict[str, Any]] = []
        cursor = ""
        for _ in range(MAX_PAGES):
            page = dict(params, after=cursor) if cursor else dict(params)
            payload = await self._call(operation, method, page, symbol=symbol)
            with self._parsing(method):
                rows = wire.data_rows(payload, method)
                out.extend(rows)
                if len(rows) < int(params["limit"]):
                    return out
                cursor = wire.text(rows[-1], "billId")
        return out

    # -- funding -------------------------------------------------------------------------------
    async def fetch_funding_quote(self, symbol: str) -> FundingQuote:
        market = self.market(symbol)
        inst = {"instId": market.venue_symbol}
        rate_payload, mark_payload, position_payload = await asyncio.gather(
            self._call("funding", "publicGetPublicFundingRate", inst, symbol=symbol),
            self._call("funding", "publicGetPublicMarkPrice", {"instType": "SWAP", **inst}, symbol=symbol),
            self._call("funding", "privateGetAccountPositions", {"instType": "SWAP", **inst}, symbol=symbol),
        )
        with self._parsing("funding-rate"):
            row = wire.first_row(rate_payload, "funding-rate")
            coming = wire.when(row, "fundingTime", required=True)
            after = wire.when(row, "nextFundingTime", required=False)
            assert coming is not None
            coming_ms = int(coming.timestamp() * 1000)
            interval = None if after is None else int(after.timestamp() * 1000) - coming_ms
            rate = wire.req_dec(row, "fundingRate")
        with self._parsing("mark-price"):
            mark = wire.req_dec(wire.first_row(mark_payload, "mark-price"), "markPx")
        accumulated: dict[PositionSide, Decimal] = {}
        with self._parsing("positions"):
            for pos in wire.data_rows(position_payload, "positions"):
                if pos.get("instId") != market.venue_symbol:
                    continue
                side = wire.enum_of(POS_SIDE_IN, pos, "posSide")
                fee = wire.blank_dec(pos, "fundingFee")
                if side is PositionSide.BOTH:
                    size = wire.blank_dec(pos, "pos") or Decimal(0)
                    side = PositionSide.LONG if size >= 0 else PositionSide.SHORT
                if fee is not None:
                    accumulated[side] = accumulated.get(side, Decimal(0)) + fee
        return FundingQuote(rate=rate, next_time_ms=coming_ms, interval_ms=interval, mark_price=mark,
                            accumulated=accumulated, raw={"funding-rate": rate_payload, "positions": position_payload})

    async def fetch_funding_rows(self, symbol: str, since_ms: int | None) -> list[PaymentRow]:
        market = self.market(symbol)
        now = self.venue_time_ms()
        archive = since_ms is not None and since_ms < now - 7 * DAY_MS
        method = "privateGetAccountBillsArchive" if archive else "privateGetAccountBills"
        params = {"instType": "SWAP", "instId": market.venue_symbol, "type": "8", "limit": "100"}
        if since_ms is not None:
            params["begin"] = str(since_ms)
        bills, history = await asyncio.gather(
            self._paged("funding_history", method, params, market.symbol),
            self._call("funding_history", "publicGetPublicFundingRateHistory",
                       {"instId": market.venue_symbol, "limit": "400"}, symbol=market.symbol),
        )
        with self._parsing("funding-rate-history"):
            rates: dict[int, Decimal] = {}
            for row in wire.data_rows(history, "funding-rate-history"):
                at = wire.when(row, "fundingTime", required=True)
                assert at is not None
                actual = wire.blank_dec(row, "realizedRate")
                rates[int(at.timestamp() * 1000)] = actual if actual is not None else wire.req_dec(row, "fundingRate")
        out: list[PaymentRow] = []
        with self._parsing("bills"):
            for row in bills:
                if row.get("instId") != market.venue_symbol or row.get("subType") not in ("173", "174"):
                    continue
                at = wire.when(row, "ts", required=True)
                assert at is not None
                time_ms = int(at.timestamp() * 1000)
                out.append(PaymentRow(
                    symbol=market.symbol, amount=wire.req_dec(row, "pnl"), asset=wire.text(row, "ccy"),
                    time_ms=time_ms, payment_id=wire.text(row, "billId"), rate=_rate_at(rates, time_ms),
                    mark_price=wire.blank_dec(row, "px"), raw=row,
                ))
        out.reverse()  # bills come newest first
        out.sort(key=lambda r: r.time_ms)
        return out

    # -- balance, mark --------------------------------------------------------------------------
    async def fetch_balance(self) -> Balance:
        payload = await self._call("balance", "privateGetAccountBalance", {"ccy": "USDT"})
        with self._parsing("balance"):
            account = wire.first_row(payload, "balance")
            details = account.get("details")
            if not isinstance(details, list):
                raise wire.bad("field 'details' missing or not a list", account)
            rows = [d for d in details if isinstance(d, dict) and d.get("ccy") == "USDT"]
            zero = Decimal(0)
            if not rows:  # zero currencies are omitted (#get-balance)
                return Balance(venue=self.name, asset="USDT", equity=zero, wallet_balance=zero, available=zero,
                               margin_used=zero, unrealized_pnl=zero, raw=payload)
            row = rows[0]
            available = wire.blank_dec(row, "availEq")
            if available is None:
                available = wire.blank_dec(row, "availBal") or zero
            used = wire.blank_dec(row, "imr")
            if used is None:
                used = wire.blank_dec(row, "frozenBal") or zero
            return Balance(
                venue=self.name, asset="USDT", equity=wire.req_dec(row, "eq"),
                wallet_balance=wire.req_dec(row, "cashBal"), available=available, margin_used=used,
                unrealized_pnl=wire.blank_dec(row, "upl") or zero, raw=payload,
            )

    async def fetch_mark_price(self, symbol: str) -> Decimal:
        market = self.market(symbol)
        payload = await self._call("mark_price", "publicGetPublicMarkPrice",
                                   {"instType": "SWAP", "instId": market.venue_symbol}, symbol=symbol)
        with self._parsing("mark-price"):
            return wire.req_dec(wire.first_row(payload, "mark-price"), "markPx")

    # -- fills --------------------------------------------------------------------------------
    async def fetch_fills(self, symbol: str, since_ms: int | None) -> list[AccountFill]:
        market = self.market(symbol)
        history = since_ms is not None and since_ms < self.venue_time_ms() - 3 * DAY_MS
        method = "privateGetTradeFillsHistory" if history else "privateGetTradeFills"
        params = {"instType": "SWAP", "instId": market.venue_symbol, "limit": "100"}
        if since_ms is not None:
            params["begin"] = str(since_ms)
        rows = await self._paged("fills", method, params, market.symbol)
        fills: list[AccountFill] = []
        with self._parsing("fills"):
            for row in rows:
                fee = wire.blank_dec(row, "fee")
                fills.append(AccountFill(
                    venue=self.name, symbol=market.symbol, order_id=wire.text(row, "ordId"),
                    client_order_id=row.get("clOrdId") or None, trade_id=wire.text(row, "tradeId"),
                    side=wire.enum_of({"buy": Side.BUY, "sell": Side.SELL}, row, "side"),
                    position_side=wire.enum_of(POS_SIDE_IN, row, "posSide"),
                    price=wire.req_dec(row, "fillPx"),
                    quantity=wire.from_contracts(market, wire.req_dec(row, "fillSz")),
                    fee=None if fee is None else -fee, fee_asset=row.get("feeCcy") or None,
                    realized_pnl=wire.blank_dec(row, "fillPnl"), maker=row.get("execType") == "M",
                    time=wire.when(row, "fillTime", required=False) or wire.when(row, "ts", required=True),
                    raw=row,
                ))
        return oldest_first(fills)  # the venue lists newest first

    # -- amendment ------------------------------------------------------------------------------
    def conditional_amend_refusal(self, order: Order, quantity: Decimal | None) -> str | None:
        # OKX #order-book-trading-algo-trading-post-amend-algo-order: "Amend unfilled algo orders
        # (Support Stop order and Trigger order only, not including Move_order_stop order, Iceberg
        # order, TWAP order, Trailing Stop order)".
        if order.type not in (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET):
            return f"amend-algos does not amend a {order.type.value} (move_order_stop)"
        if quantity is not None and order.close_position:
            return "a closeFraction order closes the whole leg: it has no size to amend"
        return None

    def trigger_on_mark(self, order: Order) -> bool:
        raw = order.raw if isinstance(order.raw, dict) else {}
        leg = "sl" if order.type is OrderType.STOP_MARKET else "tp"
        return raw.get(f"{leg}TriggerPxType") == "mark"

    async def amend_conditional(self, order: Order, trigger_price: Decimal | None,
                                quantity: Decimal | None) -> Order:
        market = self.market(order.symbol)
        # OKX #order-book-trading-algo-trading-post-amend-algo-order: instId, algoId, newSz ("New
        # quantity after amendment", contracts as sz is), and for a TP/SL order newSlTriggerPx /
        # newTpTriggerPx with newSlOrdPx / newTpOrdPx ("If the price is -1, stop-loss will be
        # executed at the market price"; hedgekit's conditional orders are placed with -1). The
        # row's sCode "0" means accepted, so the order is read back (GET /trade/order-algo).
        params: dict[str, Any] = {"instId": market.venue_symbol, "algoId": order.order_id}
        if quantity is not None:
            params["newSz"] = wire.fmt(wire.to_contracts(market, quantity))
        if trigger_price is not None:
            leg = "Sl" if order.type is OrderType.STOP_MARKET else "Tp"
            params[f"new{leg}TriggerPx"] = wire.fmt(trigger_price)
            params[f"new{leg}OrdPx"] = "-1"
        payload = await self._call("amend_order", "privatePostTradeAmendAlgos", params, symbol=market.symbol,
                                   client_order_id=order.client_order_id)
        with self._parsing("amend-algos"):
            row = wire.first_row(payload, "amend-algos")
            if row.get("sCode") != "0":
                raise wire.bad("amend-algos answered without sCode 0", row)
        found = await self.fetch_order(market.symbol, order_id=order.order_id, conditional=True)
        return read_back(found, self.name, market.symbol)

    async def amend_order(self, order: Order, price: Decimal | None, quantity: Decimal | None) -> Order:
        market = self.market(order.symbol)
        params: dict[str, Any] = {"instId": market.venue_symbol, "ordId": order.order_id}
        if quantity is not None:
            params["newSz"] = wire.fmt(wire.to_contracts(market, quantity))
        if price is not None:
            params["newPx"] = wire.fmt(price)
        payload = await self._call("amend_order", "privatePostTradeAmendOrder", params, symbol=market.symbol,
                                   client_order_id=order.client_order_id)
        with self._parsing("amend-order"):
            row = wire.first_row(payload, "amend-order")
            if row.get("sCode") != "0":
                raise wire.bad("amend-order answered without sCode 0", row)
        found = await self.fetch_order(market.symbol, order_id=order.order_id)  # "accepted", not "amended"
        return read_back(found, self.name, market.symbol)


def _rate_at(rates: dict[int, Decimal], time_ms: int) -> Decimal | None:
    """The settled rate of a bill: the same ``fundingTime``, else the latest within a minute before."""
    if time_ms in rates:
        return rates[time_ms]
    before = [t for t in rates if time_ms - 60_000 <= t <= time_ms]
    return rates[max(before)] if before else None
