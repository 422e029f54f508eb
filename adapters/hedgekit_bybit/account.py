"""Bybit v5's account views (linear USDT contracts; shared/ACCOUNT.md §3, BYB = bybit-exchange/docs ``docs/v5``).

* Funding now: ``GET /v5/market/tickers`` ``fundingRate``, ``nextFundingTime`` (ms string),
  ``markPrice`` and ``fundingIntervalHour`` (market/tickers.mdx); a row without the interval leaves
  it ``None``.
* Funding paid: ``GET /v5/account/transaction-log?accountType=UNIFIED&category=linear&type=SETTLEMENT``
  (account/transaction-log.mdx; no ``symbol`` parameter: ``baseCoin`` narrows it, rows are matched by
  ``symbol``). ``funding`` is + received / − paid. The row has no ``positionIdx``: its ``side`` gives
  the leg (``Buy`` = the long leg, ``Sell`` = the short; UNCONFIRMED, inferred from the ``feeRate``
  rule and the samples), so each payment is marked derived with basis ``side``. ``feeRate`` is the
  rate on a Buy and −(the rate) on a Sell. At most 7 days per request: longer spans are read 7 days
  at a time; without ``since`` the venue's default, the last 24 hours.
* Fills: ``GET /v5/execution/list?execType=Trade`` (order/execution.mdx): ``execPrice, execQty,
  execFee`` (+ expense, − rebate), ``closedSize``; no ``positionIdx`` and no PnL per fill (``execPnl``
  is on the websocket only), so ``realized_pnl`` is ``None`` and the leg is derived: an opening fill
  (``closedSize`` 0) Buy is the long, Sell the short; a closing one the other way round.
* Balance: ``GET /v5/account/wallet-balance?accountType=UNIFIED&coin=USDT`` (account/wallet-balance.mdx)
  coin row: ``equity``, ``walletBalance``, ``unrealisedPnl``; margin in use ``totalPositionIM +
  totalOrderIM``; available ``equity − totalPositionIM − totalOrderIM − locked`` (``availableToWithdraw``
  is deprecated for UNIFIED since 2025-01-09; ccxt reads "used" the same way, bybit.py parse_balance).
* Amendment: ``POST /v5/order/amend {category, symbol, orderId, qty, price}`` (order/amend-order.mdx);
  the answer is ids only ("asynchronous"), so the order is read back. A conditional order (a stop or
  take-profit placed with ``triggerPrice``) is amended on the same endpoint with ``triggerPrice`` and/or
  ``qty``; "If you expect the price to rise to trigger your conditional order, make sure triggerPrice >
  market price" (110092 / 110093, error.mdx). A trailing stop or a position's TP/SL is a trading-stop,
  not amended here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from hedgekit.account import AccountAdapter, FundingQuote, PaymentRow, oldest_first, read_back
from hedgekit.account_models import AccountFill, Balance
from hedgekit.errors import MalformedResponse
from hedgekit.models import Market, Order, OrderType, PositionSide, Side
from hedgekit.payload import PayloadReader, plain

from hedgekit_bybit import wire

__all__ = ["BybitAccount"]

HOUR_MS = 3_600_000
WEEK_MS = 7 * 24 * HOUR_MS
SETTLE = "USDT"
_READ = PayloadReader("bybit")


class BybitAccount(AccountAdapter):
    """Funding, balance, mark price, fills and amendment on Bybit v5 (linear)."""

    name: ClassVar[str]

    if TYPE_CHECKING:
        async def _call(self, operation: str, method: str, params: dict[str, Any], *, symbol: str | None = None,
                        client_order_id: str | None = None) -> Any: ...

        async def _pages(self, operation: str, method: str, params: dict[str, Any], what: str, *,
                         symbol: str | None = None) -> list[dict[str, Any]]: ...

        def _parsing(self, what: str) -> AbstractContextManager[None]: ...

        def market(self, symbol: str) -> Market: ...

        def venue_time_ms(self) -> int: ...

        async def fetch_order(self, symbol: str, *, order_id: str | None = None,
                              client_order_id: str | None = None, conditional: bool = False) -> Order | None: ...

    async def _ticker(self, market: Market, operation: str) -> dict[str, Any]:
        payload = await self._call(operation, "publicGetV5MarketTickers",
                                   {"category": "linear", "symbol": market.venue_symbol}, symbol=market.symbol)
        with self._parsing("tickers"):
            rows, _ = wire.listing(payload, "tickers", paged=False)
            for row in rows:
                if row.get("symbol") == market.venue_symbol:
                    return row
            raise MalformedResponse(f"tickers has no row for {market.venue_symbol}", venue=self.name,
                                    symbol=market.symbol)

    # -- funding -------------------------------------------------------------------------------
    async def fetch_funding_quote(self, symbol: str) -> FundingQuote:
        market = self.market(symbol)
        row = await self._ticker(market, "funding")
        with self._parsing("tickers"):
            hours = row.get("fundingIntervalHour")
            interval = int(hours) * HOUR_MS if isinstance(hours, str) and hours.isdigit() else None
            next_time = _READ.when(row, "nextFundingTime", required=True)
            assert next_time is not None
            return FundingQuote(
                rate=_READ.req_dec(row, "fundingRate"), next_time_ms=int(next_time.timestamp() * 1000),
                interval_ms=interval, mark_price=_READ.req_dec(row, "markPrice"), raw=row,
            )

    def _windows(self, since_ms: int | None) -> list[dict[str, str]]:
        if since_ms is None:
            return [{}]
        now = self.venue_time_ms() + 1000
        windows: list[dict[str, str]] = []
        start = since_ms
        while start <= now and len(windows) < 30:
            windows.append({"startTime": str(start), "endTime": str(min(start + WEEK_MS - 1, now))})
            start += WEEK_MS
        return windows

    async def _windowed(self, operation: str, method: str, params: dict[str, Any], what: str,
                        since_ms: int | None, symbol: str) -> list[dict[str, Any]]:
        calls: list[Awaitable[list[dict[str, Any]]]] = [
            self._pages(operation, method, {**params, **window}, what, symbol=symbol)
            for window in self._windows(since_ms)]
        return [row for rows in await asyncio.gather(*calls) for row in rows]

    async def fetch_funding_rows(self, symbol: str, since_ms: int | None) -> list[PaymentRow]:
        market = self.market(symbol)
        params = {"accountType": "UNIFIED", "category": "linear", "type": "SETTLEMENT", "currency": SETTLE,
                  "baseCoin": market.base, "limit": "50"}
        rows = await self._windowed("funding_history", "privateGetV5AccountTransactionLog", params,
                                    "transaction-log", since_ms, market.symbol)
        out: list[PaymentRow] = []
        with self._parsing("transaction-log"):
            for row in rows:
                if row.get("symbol") != market.venue_symbol or row.get("type") != "SETTLEMENT":
                    continue
                side = _READ.enum_of({"Buy": PositionSide.LONG, "Sell": PositionSide.SHORT}, row, "side")
                fee_rate = _READ.dec(row, "feeRate", required=False)
                rate = None if fee_rate is None else (fee_rate if side is PositionSide.LONG else -fee_rate)
                at = _READ.when(row, "transactionTime", required=True)
                assert at is not None
                out.append(PaymentRow(
                    symbol=market.symbol, amount=_READ.req_dec(row, "funding"),
                    asset=_READ.text(row, "currency"), time_ms=int(at.timestamp() * 1000),
                    payment_id=_READ.text(row, "id"), side=side, basis="side", rate=rate,
                    mark_price=_READ.dec(row, "tradePrice", required=False), raw=row,
                ))
        out.reverse()  # the log comes newest first
        out.sort(key=lambda r: r.time_ms)
        return out

    # -- balance, mark --------------------------------------------------------------------------
    async def fetch_balance(self) -> Balance:
        payload = await self._call("balance", "privateGetV5AccountWalletBalance",
                                   {"accountType": "UNIFIED", "coin": SETTLE})
        with self._parsing("wallet-balance"):
            accounts, _ = wire.listing(payload, "wallet-balance", paged=False)
            coins = [c for a in accounts for c in (a.get("coin") or []) if isinstance(c, dict)
                     and c.get("coin") == SETTLE]
            if not coins:  # "zero coins are omitted" (wallet-balance.mdx)
                return Balance(venue=self.name, asset=SETTLE, equity=Decimal(0), wallet_balance=Decimal(0),
                               available=Decimal(0), margin_used=Decimal(0), unrealized_pnl=Decimal(0), raw=payload)
            coin = coins[0]
            equity = _READ.req_dec(coin, "equity")
            used = _READ.req_dec(coin, "totalPositionIM") + _READ.req_dec(coin, "totalOrderIM")
            locked = _READ.blank_dec(coin, "locked") or Decimal(0)
            return Balance(
                venue=self.name, asset=SETTLE, equity=equity, wallet_balance=_READ.req_dec(coin, "walletBalance"),
                available=equity - used - locked, margin_used=used,
                unrealized_pnl=_READ.req_dec(coin, "unrealisedPnl"), raw=payload,
            )

    async def fetch_mark_price(self, symbol: str) -> Decimal:
        market = self.market(symbol)
        row = await self._ticker(market, "mark_price")
        with self._parsing("tickers"):
            return _READ.req_dec(row, "markPrice")

    # -- fills --------------------------------------------------------------------------------
    async def fetch_fills(self, symbol: str, since_ms: int | None) -> list[AccountFill]:
        market = self.market(symbol)
        params = {"category": "linear", "symbol": market.venue_symbol, "execType": "Trade", "limit": "100"}
        rows = await self._windowed("fills", "privateGetV5ExecutionList", params, "execution/list",
                                    since_ms, market.symbol)
        fills: list[AccountFill] = []
        with self._parsing("execution/list"):
            for row in rows:
                side = _READ.enum_of({"Buy": Side.BUY, "Sell": Side.SELL}, row, "side")
                closed = _READ.blank_dec(row, "closedSize") or Decimal(0)
                opening = closed == 0
                long = (side is Side.BUY) == opening
                fills.append(AccountFill(
                    venue=self.name, symbol=market.symbol, order_id=_READ.text(row, "orderId"),
                    client_order_id=row.get("orderLinkId") or None, trade_id=_READ.text(row, "execId"),
                    side=side, position_side=PositionSide.LONG if long else PositionSide.SHORT,
                    price=_READ.req_dec(row, "execPrice"), quantity=_READ.req_dec(row, "execQty"),
                    fee=_READ.req_dec(row, "execFee"), fee_asset=SETTLE, realized_pnl=None,
                    maker=wire.boolean(row, "isMaker"), time=_READ.when(row, "execTime", required=True),
                    leg_derived=True, raw=row,
                ))
        return oldest_first(fills)  # the venue lists newest first

    # -- amendment ------------------------------------------------------------------------------
    def conditional_amend_refusal(self, order: Order, quantity: Decimal | None) -> str | None:
        # A trailing stop is a position's trading-stop (trailing.py), not an order with a trigger.
        if order.type not in (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET):
            return f"a {order.type.value} is set on the position (/v5/position/trading-stop), not amended as an order"
        raw = order.raw if isinstance(order.raw, dict) else {}
        if raw.get("stopOrderType", "Stop") != "Stop":
            return f"a position's {raw.get('stopOrderType')} is amended through /v5/position/trading-stop"
        if quantity is not None and order.close_position:
            return "a close-on-trigger order closes the whole leg: it has no quantity to amend"
        return None

    def trigger_on_mark(self, order: Order) -> bool:
        raw = order.raw if isinstance(order.raw, dict) else {}
        return raw.get("triggerBy") == "MarkPrice"  # enum.mdx #triggerby

    async def amend_conditional(self, order: Order, trigger_price: Decimal | None,
                                quantity: Decimal | None) -> Order:
        # BYB order/amend-order.mdx: "triggerPrice: For Perps & Futures, it is the conditional order
        # trigger price"; "qty: Order quantity after modification"; the same endpoint and read-back.
        return await self._amend(order, {"qty": quantity, "triggerPrice": trigger_price}, conditional=True)

    async def amend_order(self, order: Order, price: Decimal | None, quantity: Decimal | None) -> Order:
        return await self._amend(order, {"qty": quantity, "price": price}, conditional=False)

    async def _amend(self, order: Order, changes: dict[str, Decimal | None], *, conditional: bool) -> Order:
        """``POST /v5/order/amend`` with the given changes, then the order read back ("the amendment
        is asynchronous", amend-order.mdx)."""
        market = self.market(order.symbol)
        params: dict[str, Any] = {"category": "linear", "symbol": market.venue_symbol, "orderId": order.order_id}
        params.update({key: plain(value) for key, value in changes.items() if value is not None})
        await self._call("amend_order", "privatePostV5OrderAmend", params, symbol=market.symbol,
                         client_order_id=order.client_order_id)
        found = await self.fetch_order(market.symbol, order_id=order.order_id, conditional=conditional)
        return read_back(found, self.name, market.symbol)

