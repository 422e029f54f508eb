"""Account views of the Binance family (Binance USDⓈ-M, and Aster, which shares its wire shapes).

:class:`BinanceFamilyAccount` implements :class:`hedgekit.account.AccountAdapter` over the
endpoints of shared/ACCOUNT.md §1 (Binance) and §2 (Aster); each venue's adapter names its own
ccxt methods (:attr:`BinanceFamilyAccount.account_methods`) and says what differs.

* Funding now: ``premiumIndex`` (``lastFundingRate``, ``nextFundingTime``, ``markPrice``) and the
  interval from ``fundingInfo`` ``fundingIntervalHours``. Binance lists only the symbols whose cap,
  floor or interval was adjusted, so an absent symbol is taken as 8 h (UNCONFIRMED, ACCOUNT.md §1).
* Funding paid: ``income?incomeType=FUNDING_FEE`` (``income``: + received, − paid). The rows carry
  **no** ``positionSide``: the facade derives the leg (:mod:`hedgekit.account`). The rate of each
  payment comes from ``fundingRate`` history (``fundingTime`` = the payment's ``time``), with the mark
  where the venue gives it (Binance ``markPrice``; Aster none).
* Fills: ``userTrades`` rows each name their leg (``positionSide``) with ``realizedPnl`` and
  ``commission`` (read as a fee paid when positive; the doc example's negative sign is UNCONFIRMED).
  The venue answers at most 7 days per request: longer spans are read 7 days at a time.
* Balance: Binance ``GET /fapi/v3/account`` totals (``totalMarginBalance`` equity,
  ``totalWalletBalance``, ``availableBalance``, ``totalInitialMargin``, ``totalUnrealizedProfit``; in
  single-asset mode they cover USDT only, ACCOUNT.md §1); Aster ``GET /fapi/v3/accountWithJoinMargin``
  (the same totals).
* Amendment: Binance ``PUT /fapi/v1/order`` (``side``, ``quantity`` and ``price`` all required, LIMIT
  only, no Algo Service order); Aster ``PUT /fapi/v3/order`` (no ``side``; v3 keys only).
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from hedgekit.account import AccountAdapter, FundingQuote, PaymentRow
from hedgekit.account_models import AccountFill, Balance
from hedgekit.errors import InvalidRequest
from hedgekit.models import Market, Order, OrderType
from hedgekit.payload import PayloadReader, plain

from hedgekit_binance import wire  # the family's enum tables and order parser

__all__ = ["BinanceFamilyAccount"]

HOUR_MS = 3_600_000
WEEK_MS = 7 * 24 * HOUR_MS
DEFAULT_INTERVAL_HOURS = 8  # a symbol fundingInfo does not list (UNCONFIRMED, ACCOUNT.md §1)
PAGE = 1000  # income / userTrades / fundingRate: "limit ... max 1000"


class BinanceFamilyAccount(AccountAdapter):
    """Funding, balance, mark price, fills and amendment over Binance-shaped endpoints."""

    name: ClassVar[str]
    #: ccxt implicit method (or the venue adapter's endpoint key) of each account endpoint
    account_methods: ClassVar[dict[str, str]]
    #: Whether ``PUT …/order`` requires ``side`` (Binance) or takes none (Aster).
    amend_sends_side: ClassVar[bool] = True
    #: Whether ``fundingInfo`` takes a ``symbol`` (Aster) or lists adjusted symbols only (Binance).
    funding_info_by_symbol: ClassVar[bool] = False

    if TYPE_CHECKING:
        async def _call(self, operation: str, method: str, params: dict[str, str], *, symbol: str | None = None,
                        client_order_id: str | None = None) -> Any: ...

        def _parsing(self, what: str) -> AbstractContextManager[None]: ...

        def market(self, symbol: str) -> Market: ...

        def venue_time_ms(self) -> int: ...

    def _reader(self) -> PayloadReader:
        return PayloadReader(self.name, numbers_required=True)

    async def _account_call(self, operation: str, key: str, params: dict[str, str], symbol: str | None) -> Any:
        return await self._call(operation, self.account_methods[key], params, symbol=symbol)

    # -- funding -------------------------------------------------------------------------------
    async def fetch_funding_quote(self, symbol: str) -> FundingQuote:
        market = self.market(symbol)
        info_params = {"symbol": market.venue_symbol} if self.funding_info_by_symbol else {}
        premium, info = await asyncio.gather(
            self._account_call("funding", "premium_index", {"symbol": market.venue_symbol}, symbol),
            self._account_call("funding", "funding_info", info_params, symbol),
        )
        read = self._reader()
        with self._parsing("premiumIndex"):
            row = read.obj(premium, "premiumIndex")
            rate = read.req_dec(row, "lastFundingRate")
            mark = read.req_dec(row, "markPrice")
            next_time = row.get("nextFundingTime")
            if isinstance(next_time, bool) or not isinstance(next_time, int):
                raise read.bad("field 'nextFundingTime' missing or not an integer", row)
        with self._parsing("fundingInfo"):
            hours = DEFAULT_INTERVAL_HOURS
            for item in read.rows(info, "fundingInfo"):
                if item.get("symbol") == market.venue_symbol:
                    value = item.get("fundingIntervalHours")
                    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                        raise read.bad("field 'fundingIntervalHours' missing or not a whole number", item)
                    hours = value
        return FundingQuote(rate=rate, next_time_ms=next_time, interval_ms=hours * HOUR_MS, mark_price=mark,
                            raw={"premiumIndex": premium, "fundingInfo": info})

    async def fetch_funding_rows(self, symbol: str, since_ms: int | None) -> list[PaymentRow]:
        market = self.market(symbol)
        params = {"symbol": market.venue_symbol, "incomeType": "FUNDING_FEE", "limit": str(PAGE)}
        rate_params = {"symbol": market.venue_symbol, "limit": str(PAGE)}
        if since_ms is not None:
            params["startTime"] = rate_params["startTime"] = str(since_ms)
        income, rates = await asyncio.gather(
            self._account_call("funding_history", "income", params, symbol),
            self._account_call("funding_history", "funding_rate", rate_params, symbol),
        )
        read = self._reader()
        with self._parsing("fundingRate"):
            by_time: dict[int, tuple[Decimal, Decimal | None]] = {}
            for row in read.rows(rates, "fundingRate"):
                at = read.when(row, "fundingTime", required=True)
                assert at is not None
                by_time[int(at.timestamp() * 1000)] = (read.req_dec(row, "fundingRate"),
                                                       read.dec(row, "markPrice", required=False))
        out: list[PaymentRow] = []
        with self._parsing("income"):
            for row in read.rows(income, "income"):
                if row.get("incomeType") not in ("FUNDING_FEE", "SPECIAL_FUNDING_FEE"):
                    continue
                at = read.when(row, "time", required=True)
                assert at is not None
                time_ms = int(at.timestamp() * 1000)
                rate, mark = _nearest(by_time, time_ms)
                tran = row.get("tranId")
                out.append(PaymentRow(
                    symbol=market.symbol, amount=read.req_dec(row, "income"), asset=read.text(row, "asset"),
                    time_ms=time_ms, payment_id=None if tran in (None, "") else str(tran),
                    rate=rate, mark_price=mark, raw=row,
                ))
        out.sort(key=lambda r: r.time_ms)
        return out

    # -- balance, mark --------------------------------------------------------------------------
    async def fetch_balance(self) -> Balance:
        payload = await self._account_call("balance", "account", {}, None)
        read = self._reader()
        with self._parsing("account"):
            row = read.obj(payload, "account")
            wallet = read.req_dec(row, "totalWalletBalance")
            upnl = read.req_dec(row, "totalUnrealizedProfit")
            return Balance(
                venue=self.name, asset="USDT", equity=read.req_dec(row, "totalMarginBalance"),
                wallet_balance=wallet, available=read.req_dec(row, "availableBalance"),
                margin_used=read.req_dec(row, "totalInitialMargin"), unrealized_pnl=upnl, raw=payload,
            )

    async def fetch_mark_price(self, symbol: str) -> Decimal:
        market = self.market(symbol)
        payload = await self._account_call("mark_price", "premium_index", {"symbol": market.venue_symbol}, symbol)
        read = self._reader()
        with self._parsing("premiumIndex"):
            return read.req_dec(read.obj(payload, "premiumIndex"), "markPrice")

    # -- fills --------------------------------------------------------------------------------
    async def fetch_fills(self, symbol: str, since_ms: int | None) -> list[AccountFill]:
        market = self.market(symbol)
        windows: list[dict[str, str]] = []
        if since_ms is None:
            windows.append({})
        else:
            now = self.venue_time_ms() + 1000
            start = since_ms
            while start <= now and len(windows) < 30:  # at most 30 weeks: userTrades keeps 6 months
                windows.append({"startTime": str(start), "endTime": str(min(start + WEEK_MS - 1, now))})
                start += WEEK_MS
        payloads = await asyncio.gather(*(
            self._account_call("fills", "user_trades",
                               {"symbol": market.venue_symbol, "limit": str(PAGE), **window}, symbol)
            for window in windows))
        read = self._reader()
        fills: list[AccountFill] = []
        with self._parsing("userTrades"):
            for payload in payloads:
                for row in read.rows(payload, "userTrades"):
                    fills.append(AccountFill(
                        venue=self.name, symbol=market.symbol, order_id=read.number_id(row, "orderId"),
                        trade_id=read.number_id(row, "id"), side=read.enum_of(wire.SIDE_IN, row, "side"),
                        position_side=read.enum_of(wire.POSITION_SIDE_IN, row, "positionSide"),
                        price=read.req_dec(row, "price"), quantity=read.req_dec(row, "qty"),
                        fee=read.req_dec(row, "commission"), fee_asset=read.text(row, "commissionAsset"),
                        realized_pnl=read.req_dec(row, "realizedPnl"), maker=read.flag(row, "maker", required=True),
                        time=read.when(row, "time", required=True), raw=row,
                    ))
        fills.sort(key=lambda f: f.time.timestamp() if f.time else 0.0)
        return fills

    # -- amendment ------------------------------------------------------------------------------
    def amend_refusal(self, order: Order) -> str | None:
        if order.conditional:
            return "a conditional (Algo Service) order cannot be modified; cancel it and place a new one"
        if order.type is not OrderType.LIMIT:
            return f"only LIMIT orders can be modified (-5025), not {order.type.value}"
        return super().amend_refusal(order)

    async def amend_order(self, order: Order, price: Decimal | None, quantity: Decimal | None) -> Order:
        market = self.market(order.symbol)
        new_price = price if price is not None else order.price
        new_quantity = quantity if quantity is not None else order.quantity
        if new_price is None or new_quantity is None:
            raise InvalidRequest("the order has no price or quantity to keep; give both", venue=self.name,
                                 symbol=market.symbol)
        params = {"symbol": market.venue_symbol, "orderId": order.order_id,
                  "quantity": plain(new_quantity), "price": plain(new_price)}
        if self.amend_sends_side:
            params["side"] = order.side.value
        payload = await self._account_call("amend_order", "amend", params, market.symbol)
        with self._parsing("order"):
            amended = self._parse_amended(payload, market)
        return amended

    def _parse_amended(self, payload: Any, market: Market) -> Order:
        return wire.parse_order(payload, market)


def _nearest(by_time: dict[int, tuple[Decimal, Decimal | None]], time_ms: int) -> tuple[Decimal | None, Decimal | None]:
    """The rate row of a payment: the same ``fundingTime``, else the latest within a minute before
    it (Aster may charge up to 15 s after the nominal time, ASTW)."""
    if time_ms in by_time:
        return by_time[time_ms]
    before = [t for t in by_time if time_ms - 60_000 <= t <= time_ms]
    if before:
        return by_time[max(before)]
    return None, None

