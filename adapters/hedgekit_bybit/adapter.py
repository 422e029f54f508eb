"""The Bybit v5 adapter (USDT perpetuals, ``category=linear``), on ccxt ``bybit``.

ccxt times the requests; :mod:`.auth` signs them (``X-BAPI-*`` headers, the very
request ccxt's ``sign`` would build, with less CPU; a ccxt exchange passed in keeps ccxt's signing).
This module calls ccxt's implicit endpoints (``privateGetV5PositionList``, ...) and parses the
venue's JSON itself (:mod:`.wire`), so numbers stay Decimal and no field is lost. Linear markets
only: no currency, spot, inverse or option call, and no account-type probing
(``enableUnifiedAccount=True``, ``enableUnifiedMargin=False``: ccxt would otherwise call
``/v5/user/query-api`` and ``/v5/account/info`` lazily, ccxt bybit.py ``is_unified_enabled``).

The position mode lives per symbol (symbol > settle coin > one-way default; position-mode.mdx):
``mode_scope("BTC/USDT:USDT")`` is ``(SYMBOL, "BTC/USDT:USDT")`` and ``mode_scope(None)`` is
``(COIN, "USDT")``, the coin-wide setting handled in :mod:`.coin`.

Settings through ``connect(..., options={...})``:

* ``coin_symbols``: the contracts (unified or venue ids) that the coin-wide read
  (``position_mode()`` with no symbol) probes one by one; default: every listed USDT perpetual.
  Bybit has no endpoint for the mode, so each contract costs one ``position/list`` request
  (50 per second per UID, rate-limit.mdx): on the live venue's ~500 contracts name the ones you trade.
* ``demo``: ``True`` to trade on Bybit's demo-trading host ``api-demo.bybit.com`` (ccxt
  ``enable_demo_trading``; demo.mdx lists switch-mode, add-margin, set-leverage, position/list).
* ``confirm_orders``: ``True`` to read every order back after placing it (``GET /v5/order/realtime``,
  then ``/v5/order/history`` if it already left the open list: one or two more round trips) and
  return it as the venue then reports it, e.g. a market order ``FILLED`` with its average price; if
  that read fails the acknowledged order is returned. Default ``False``: ``POST /v5/order/create``
  answers ``orderId`` and ``orderLinkId`` only ("Order create/amend/cancel is asynchronous",
  create-order.mdx), so :meth:`BybitAdapter.place_order` returns the order as accepted (status
  ``NEW``, nothing filled yet, ``raw`` the venue's answer) in one round trip; ``fetch_order`` shows
  fills later. Trailing stops are read back either way: they are a position setting, and the order
  Bybit makes for them is found only in the order list (:mod:`.trailing`).
* ``ccxt_options``: merged into the ccxt exchange's options.

``testnet=True`` uses ``api-testnet.bybit.com`` (ccxt ``set_sandbox_mode(True)`` swaps
``urls['api']`` for ``urls['test']``). ``base_url`` replaces the hosts of the ``public``,
``private``, ``spot``, ``futures`` and ``v2`` API keys (paths start with ``v5/``; VENUES.md §5).
Rate limiting: :mod:`hedgekit.throttle` with Bybit's own limits (:mod:`.limits`: each endpoint's
per-UID limit per second and the IP's 600 requests per 5 s), ccxt's throttle off.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any, ClassVar


from hedgekit.adapter import ConditionalRules, ConnectConfig, OrderRequest, VenueAdapter
from hedgekit.ccxt_bridge import (
    call_endpoint,
    install_reply_hook,
    make_pacer,
    new_exchange,
    no_close_wait_without_tls,
    parsing,
    route_logs,
    secrets_of,
    share_ssl_context,
)
from hedgekit.ccxt_loader import exchange_class
from hedgekit.errors import ConfigurationError, ExchangeError, HedgekitError, InvalidRequest, MalformedResponse
from hedgekit.stream_session import StreamOptions, StreamSession
from hedgekit.models import (
    Exposure,
    Leg,
    Leverage,
    MarginMode,
    Market,
    ModeScope,
    ModeState,
    Order,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    TimeInForce,
    trusted,
)

from hedgekit_bybit import coin, ids, trailing, wire
from hedgekit_bybit.account import BybitAccount
from hedgekit_bybit import limits
from hedgekit_bybit import rules
from hedgekit_bybit.auth import install_hmac_signer
from hedgekit_bybit.errors import (
    DUPLICATE_LINK_ID,
    LEVERAGE_NOT_MODIFIED,
    MARGIN_MODE_NOT_MODIFIED,
    POSITION_MODE_NOT_MODIFIED,
    error_from_reply,
    ret_code,
)

log = logging.getLogger(__name__)

#: ccxt ``urls['api']`` keys of bybit; each takes the bare host (VENUES.md §5).
URL_KEYS = ("public", "private", "spot", "futures", "v2")
POSITION_PAGE = 200  # position/list limit [1, 200] (position.mdx)
ORDER_PAGE = 50  # order/realtime limit [1, 50] (open-order.mdx): "pages at 50"
INSTRUMENT_PAGE = 1000  # instruments-info limit [1, 1000] (instrument.mdx)
MAX_PAGES = 200
MARGIN_DECIMALS = 4  # add-margin "Support up to 4 decimal" (manual-add-margin.mdx)


def _is_error(status: int, payload: Any) -> bool:
    if status >= 400:
        return True
    code = ret_code(payload)  # refusals come with HTTP 200 and retCode != 0
    return code is not None and code != 0


class BybitAdapter(VenueAdapter, BybitAccount):
    """Bybit v5 linear: per-symbol mode, ``positionIdx`` 0/1/2, conditional orders in the order list."""

    name: ClassVar[str] = "bybit"
    conditional_limits: ClassVar[ConditionalRules] = rules.CONDITIONAL  # documented ranges (rules.py)
    client_order_id_max: ClassVar[int] = 36  # orderLinkId: max 36 of letters, digits, "-", "_"
    client_order_id_alphabet: ClassVar[str] = (
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
    )

    def __init__(self, config: ConnectConfig) -> None:
        super().__init__(config)
        self._exchange: Any = None
        symbols = config.options.get("coin_symbols")
        if symbols is not None and (isinstance(symbols, str) or not all(isinstance(s, str) for s in symbols)):
            raise ConfigurationError("options['coin_symbols'] must be a list of symbols", venue=self.name)
        self.coin_symbols: tuple[str, ...] | None = tuple(symbols) if symbols is not None else None
        confirm = config.options.get("confirm_orders", False)
        if not isinstance(confirm, bool):
            raise ConfigurationError(f"options['confirm_orders'] must be True or False, not {confirm!r}",
                                     venue=self.name)
        self.confirm_orders = confirm
        self._inflight: dict[str, asyncio.Task[list[dict[str, Any]]]] = {}

    def __repr__(self) -> str:
        return f"BybitAdapter(base_url={self.config.base_url!r}, testnet={self.config.testnet})"

    # -- lifecycle ---------------------------------------------------------------------------
    def _make_exchange(self) -> Any:
        cfg = self.config
        if cfg.exchange is not None:
            exchange = cfg.exchange
        else:
            exchange = new_exchange(exchange_class("bybit"),
                {
                    "apiKey": cfg.api_key.get_secret_value() if cfg.api_key else None,
                    "secret": cfg.secret.get_secret_value() if cfg.secret else None,
                    "timeout": int(cfg.timeout * 1000),
                    # hedgekit limits instead, with Bybit's own per-endpoint limits
                    # (hedgekit_bybit.limits), not ccxt's one shared budget
                    "enableRateLimit": False,
                    "options": {
                        "fetchMarkets": {"types": ["linear"]},  # VENUES.md §5: 2 calls, linear only
                        "enableUnifiedAccount": True,  # no /v5/user/query-api probing
                        "enableUnifiedMargin": False,
                        "recvWindow": cfg.recv_window,
                        "adjustForTimeDifference": False,
                        **dict(cfg.options.get("ccxt_options", {})),
                    },
                }
            )
            exchange.has["fetchCurrencies"] = False  # no private /v5/asset/coin/query-info
        if cfg.testnet:
            exchange.set_sandbox_mode(True)  # api-testnet.bybit.com
        elif cfg.options.get("demo"):
            exchange.enable_demo_trading(True)  # api-demo.bybit.com
        if cfg.base_url:
            api = dict(exchange.urls["api"])
            for key in URL_KEYS:
                api[key] = cfg.base_url
            exchange.urls["api"] = api
        # ccxt's DEBUG lines carry X-BAPI-API-KEY / X-BAPI-SIGN, and a 10004 answer echoes the key
        route_logs(exchange, self.name, self._secrets)
        share_ssl_context(exchange)
        no_close_wait_without_tls(exchange, cfg)
        install_reply_hook(exchange, _is_error)
        if cfg.exchange is None:
            install_hmac_signer(exchange, self.name)  # a user's own exchange keeps its own signing
        # the account's pause after a rate-limit answer and, with rate_limit, Bybit's limits
        self._pacer = make_pacer(exchange, cfg, url_key="private", table=limits.WEIGHTS,
                                 default=limits.DEFAULT, backoff=limits.BACKOFF)
        return exchange

    async def open(self) -> None:
        if self._exchange is None:
            self._exchange = self._make_exchange()
        rows = await self._pages("connect", "publicGetV5MarketInstrumentsInfo",
                                 {"category": wire.CATEGORY, "limit": str(INSTRUMENT_PAGE)}, "instruments-info")
        with self._parsing("instruments-info"):
            self._set_markets(wire.parse_markets(rows))
        if not self._markets:
            raise ExchangeError("the venue lists no USDT perpetual that is trading", venue=self.name)

    async def close(self) -> None:
        exchange, self._exchange = self._exchange, None
        if exchange is not None:
            await exchange.close()

    @property
    def exchange(self) -> Any:
        """The ccxt exchange this adapter sends through; ``None`` before :meth:`open` and after :meth:`close`."""
        return self._exchange

    async def server_time_ms(self) -> int:
        """``GET /v5/market/time``: the envelope's ``time`` (ms)."""
        payload = await self._call("resync_time", "publicGetV5MarketTime", {})
        with self._parsing("market/time"):
            return wire.integer(wire.obj(payload, "market/time"), "time")

    def refuses_duplicate_client_id(self, *, conditional: bool) -> bool:
        """``orderLinkId`` is "always unique" (create-order.mdx, "Futures, Perps & Spot: orderLinkId
        rules"): a second order with an id Bybit has seen is refused (``110072`` "OrderLinkedID is
        duplicate"), so an order whose answer was lost is sent again at once with the same id.

        Bybit checks ``X-BAPI-RECV-WINDOW`` when a request arrives (``10002``) and keeps no deadline
        after that, so :meth:`write_deadline_ms` stays ``None``: the resend is what settles it.
        """
        return True

    async def resync_time(self) -> None:
        server = await self.server_time_ms()
        local = self._exchange.milliseconds()
        self.clock_offset_ms = server - local
        self._exchange.options["timeDifference"] = local - server
        log.debug("bybit clock offset now %s ms", self._exchange.options["timeDifference"])

    def stream_session(self, symbols: tuple[str, ...] | None, options: StreamOptions) -> StreamSession:
        """A session on ``/v5/private`` (topics position, order, execution; see :mod:`.stream`)."""
        from hedgekit_bybit.stream import BybitStreamSession

        return BybitStreamSession(self, symbols, options)

    # -- transport ---------------------------------------------------------------------------
    def _secrets(self) -> tuple[str | None, ...]:
        return secrets_of(self.config)

    async def _call(
        self, operation: str, method: str, params: dict[str, Any], *, symbol: str | None = None,
        client_order_id: str | None = None,
    ) -> Any:
        if self._exchange is None:
            raise ConfigurationError("the adapter is not open", venue=self.name, operation=operation)
        return await call_endpoint(
            self._exchange, method, params, venue=self.name, operation=operation,
            translate=lambda reply: error_from_reply(
                reply, operation=operation, symbol=symbol, client_order_id=client_order_id,
                secrets=self._secrets(),
            ),
            secrets=self._secrets, symbol=symbol, client_order_id=client_order_id, pacer=self._pacer,
        )

    async def _pages(
        self, operation: str, method: str, params: dict[str, Any], what: str, *, symbol: str | None = None,
    ) -> list[dict[str, Any]]:
        """Every row of a cursor-paged listing.

        Bybit answers a non-empty ``nextPageCursor`` on the last page too (the request with it
        answers an empty list), so the next page is asked for only when this one came back full:
        a page with fewer rows than ``limit`` is the last one, and a listing that fits in one page
        costs one request. An empty cursor, an empty page or a cursor seen before ends it as well.
        """
        out: list[dict[str, Any]] = []
        cursor, seen = "", set()
        limit = int(params["limit"])
        for _ in range(MAX_PAGES):
            page = dict(params, cursor=cursor) if cursor else dict(params)
            payload = await self._call(operation, method, page, symbol=symbol)
            with self._parsing(what):
                rows, cursor = wire.listing(payload, what)
            out.extend(rows)
            if len(rows) < limit or not cursor or cursor in seen:
                return out
            seen.add(cursor)
        raise ExchangeError(f"{what} did not end after {MAX_PAGES} pages", venue=self.name, operation=operation)

    def _parsing(self, what: str) -> AbstractContextManager[None]:
        return parsing(self.name, what)

    def _market_of(self, venue_symbol: Any, wanted: Market | None = None) -> Market | None:
        """The market a row's ``symbol`` names; ``None`` for a well-formed symbol of a contract
        hedgekit does not trade (a coin-wide read lists every linear contract of the coin, USDT
        futures included). A missing or non-string symbol, or (``wanted``: the one asked for)
        another symbol, is a malformed answer."""
        if not isinstance(venue_symbol, str) or not venue_symbol:
            raise MalformedResponse(f"malformed answer: a row without a symbol ({venue_symbol!r})", venue=self.name)
        market = self._by_venue_id.get(venue_symbol.upper())
        if wanted is not None and market is not wanted:
            raise MalformedResponse(f"malformed answer: a row of {venue_symbol} in the answer for "
                                    f"{wanted.venue_symbol}", venue=self.name, symbol=wanted.symbol)
        return market

    # -- mode --------------------------------------------------------------------------------
    def mode_scope(self, symbol: str | None) -> tuple[ModeScope, str | None]:
        """A symbol's own setting, or (no symbol) the USDT settle coin's (position-mode.mdx)."""
        if symbol is None:
            return ModeScope.COIN, wire.SETTLE_COIN
        return ModeScope.SYMBOL, self.market(symbol).symbol

    async def fetch_mode(self, symbol: str | None) -> ModeState:
        """The mode read from ``positionIdx`` of the symbol's position rows (no mode endpoint exists).

        Without a symbol: the mode every contract of the coin is in (see :func:`.coin.read_mode`).
        """
        if symbol is None:
            return await coin.read_mode(self)
        market = self.market(symbol)
        rows = await self.position_rows(market, operation="position_mode")
        with self._parsing("position/list"):
            mode = wire.parse_mode(rows, market.venue_symbol)
        return ModeState(venue=self.name, mode=mode, scope=ModeScope.SYMBOL, scope_key=market.symbol, raw=rows)

    async def switch_mode(self, mode: PositionMode, symbol: str | None) -> None:
        """``POST /v5/position/switch-mode`` for one symbol, or coin-wide (see :func:`.coin.switch`)."""
        if symbol is None:
            await coin.switch(self, mode)
            return
        market = self.market(symbol)
        params = {"category": wire.CATEGORY, "symbol": market.venue_symbol, "mode": wire.SWITCH_MODE[mode]}
        try:
            await self._call("set_position_mode", "privatePostV5PositionSwitchMode", params, symbol=market.symbol)
        except HedgekitError as exc:
            if exc.code == POSITION_MODE_NOT_MODIFIED:
                return  # 110025 "Position mode has not been modified.": already there
            raise

    # -- reads -------------------------------------------------------------------------------
    async def position_rows(self, market: Market | None, *, operation: str = "legs") -> list[dict[str, Any]]:
        """Position rows of one symbol (every leg, even empty) or of the coin (open legs only)."""
        params: dict[str, Any] = {"category": wire.CATEGORY, "limit": str(POSITION_PAGE)}
        if market is not None:
            params["symbol"] = market.venue_symbol
        else:
            params["settleCoin"] = wire.SETTLE_COIN
        # position/list is the mode read and the legs read at once: concurrent identical reads (legs()
        # asks for the mode and the legs together) share one request
        key = repr(sorted(params.items()))
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._pages(operation, "privateGetV5PositionList", params, "position/list",
                                                     symbol=market.symbol if market else None))
            self._inflight[key] = task
            task.add_done_callback(lambda _: self._inflight.pop(key, None))
        return await asyncio.shield(task)

    async def margin_mode(self) -> MarginMode:
        """The account-wide margin mode (``GET /v5/account/info`` ``marginMode``)."""
        payload = await self._call("legs", "privateGetV5AccountInfo", {})
        with self._parsing("account/info"):
            return wire.parse_margin_mode(payload)

    def legs_of(self, rows: list[dict[str, Any]], margin_mode: MarginMode | None,
                wanted: Market | None = None) -> list[Leg]:
        """Legs of position rows, skipping contracts hedgekit does not trade.

        ``wanted``: the rows are the answer for that one symbol, which "returns data regardless of
        having position or not" (position.mdx): no row, or a row of another symbol, is a malformed
        answer. Without it (``settleCoin``: "position size greater than zero" only) ``[]`` is flat.
        """
        with self._parsing("position/list"):
            if wanted is not None and not rows:
                raise MalformedResponse(f"malformed answer: no position row for {wanted.venue_symbol}",
                                        venue=self.name, symbol=wanted.symbol)
            legs: list[Leg] = []
            for row in rows:
                market = self._market_of(row.get("symbol"), wanted)
                if market is not None:
                    legs.extend(wire.parse_legs(row, market, margin_mode))
            return legs

    async def fetch_legs(self, symbol: str | None) -> list[Leg]:
        market = self.market(symbol) if symbol is not None else None
        rows, margin_mode = await asyncio.gather(self.position_rows(market), self.margin_mode())
        legs = self.legs_of(rows, margin_mode, market)
        if market is None:
            legs.extend(await self._flat_partners(legs, margin_mode))
        return legs

    async def _flat_partners(self, legs: list[Leg], margin_mode: MarginMode | None) -> list[Leg]:
        """The flat legs a coin-wide read leaves out ("position size greater than zero" only), beside
        the open leg of the same contract, as a symbol read gives them (Leg's rule for a flat leg).

        Under cross margin both legs share the contract's leverage (leverage.mdx: buy and sell
        leverage may differ only under isolated margin), so the open leg's leverage and mark are the
        flat one's; under isolated margin they may differ, so the contract's own rows are read.
        """
        found: dict[str, dict[PositionSide, Leg]] = {}
        for leg in legs:
            found.setdefault(leg.symbol, {})[leg.side] = leg
        out: list[Leg] = []
        isolated: list[Market] = []
        for name, by_side in found.items():
            missing = [side for side in (PositionSide.LONG, PositionSide.SHORT) if side not in by_side]
            if not missing:
                continue
            if margin_mode is MarginMode.ISOLATED:
                isolated.append(self.market(name))
                continue
            model = next(iter(by_side.values()))
            out.extend(Leg(venue=self.name, symbol=name, side=side, mark_price=model.mark_price, margin=Decimal(0),
                           margin_mode=margin_mode, leverage=model.leverage) for side in missing)
        if isolated:
            reads = await asyncio.gather(*(self.position_rows(m) for m in isolated))
            for market, rows in zip(isolated, reads):
                have = found[market.symbol]
                out.extend(leg for leg in self.legs_of(rows, margin_mode, market) if leg.side not in have)
        return out

    async def order_rows(self, market: Market | None, extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every page of ``/v5/order/realtime`` (all kinds of orders by default; ≤ 50 a page)."""
        params: dict[str, Any] = {"category": wire.CATEGORY, "limit": str(ORDER_PAGE), **(extra or {})}
        if market is not None:
            params["symbol"] = market.venue_symbol
        else:
            params["settleCoin"] = wire.SETTLE_COIN
        return await self._pages("open_orders", "privateGetV5OrderRealtime", params, "order/realtime",
                                 symbol=market.symbol if market else None)

    async def parse_orders(self, rows: list[dict[str, Any]], *, conditional: bool,
                           wanted: Market | None = None) -> list[Order]:
        """Orders of one kind from order rows; TrailingStop rows get their leg's distance.

        A row of a contract hedgekit does not trade is skipped; one whose symbol or kind
        (``stopOrderType``) cannot be read fails the read, whichever kind was asked for.
        """
        with self._parsing("order/realtime"):
            chosen: list[tuple[dict[str, Any], Market]] = []
            for row in rows:
                market = self._market_of(row.get("symbol"), wanted)
                if market is not None and wire.is_conditional(row) == conditional:
                    chosen.append((row, market))
        distances = await self._trailing_distances(chosen)
        with self._parsing("order/realtime"):
            out = []
            for row, market in chosen:
                key = (market.venue_symbol, wire.enum_of(wire.POSITION_IDX_IN, row, "positionIdx"))
                out.append(wire.parse_order(row, market, distances.get(key)))
            return out

    async def _trailing_distances(self, rows: list[tuple[dict[str, Any], Market]]
                                  ) -> dict[tuple[str, PositionSide], Decimal]:
        """``trailingStop`` of each leg that has a TrailingStop row (it is on the position row only)."""
        wanted = {m.venue_symbol: m for r, m in rows if r.get("stopOrderType") == "TrailingStop"}
        markets = [wanted[s] for s in sorted(wanted)]
        listings = await asyncio.gather(*(self.position_rows(m, operation="open_orders") for m in markets))
        out: dict[tuple[str, PositionSide], Decimal] = {}
        with self._parsing("position/list"):
            for market, positions in zip(markets, listings):
                for row in positions:
                    self._market_of(row.get("symbol"), market)
                    distance = wire.positive(row, "trailingStop")
                    if distance is not None:
                        out[(market.venue_symbol, wire.enum_of(wire.POSITION_IDX_IN, row, "positionIdx"))] = distance
        return out

    async def fetch_open_orders(self, symbol: str | None) -> list[Order]:
        market = self.market(symbol) if symbol is not None else None
        return await self.parse_orders(await self.order_rows(market), conditional=False, wanted=market)

    async def fetch_conditional_orders(self, symbol: str | None) -> list[Order]:
        market = self.market(symbol) if symbol is not None else None
        return await self.parse_orders(await self.order_rows(market), conditional=True, wanted=market)

    async def fetch_exposure(self, scope: ModeScope, scope_key: str | None) -> Exposure:
        """Open legs and every open order in the scope: one symbol, or every symbol of the coin."""
        market = self.market(scope_key) if scope is ModeScope.SYMBOL and scope_key else None
        positions, orders = await asyncio.gather(self.position_rows(market, operation="exposure"),
                                                 self.order_rows(market))
        legs = [leg for leg in self.legs_of(positions, None, market) if leg.is_open]
        regular, conditional = await asyncio.gather(
            self.parse_orders(orders, conditional=False, wanted=market),
            self.parse_orders(orders, conditional=True, wanted=market),
        )
        return Exposure(venue=self.name, scope=scope, scope_key=scope_key, legs=tuple(legs),
                        orders=tuple(regular), conditional_orders=tuple(conditional))

    # -- orders ------------------------------------------------------------------------------
    async def place_order(self, request: OrderRequest) -> Order:
        """Send one order (``POST /v5/order/create``) and return it.

        By default the order as accepted (status ``NEW``, the venue's ``orderId``); with
        ``options={"confirm_orders": True}`` as read back right after. A resend that Bybit refuses
        as a duplicate ``orderLinkId`` returns the order already placed, read by that id.
        """
        if request.type is OrderType.TRAILING_STOP_MARKET:
            return await trailing.place(self, request)
        cid = request.client_order_id
        params = wire.order_params(request)
        try:
            payload = await self._call("place_order", "privatePostV5OrderCreate", params,
                                       symbol=request.symbol, client_order_id=cid)
        except HedgekitError as exc:
            if exc.code != DUPLICATE_LINK_ID:
                raise
            # 110072 "OrderLinkedID is duplicate": orderLinkId is "always unique", so a resend after
            # an ambiguous failure finds the order already placed; report that one
            found = await self.fetch_order(request.symbol, client_order_id=cid)
            if found is None:
                raise
            return found
        with self._parsing("order/create"):
            order_id = wire.text(wire.result(payload, "order/create"), "orderId")
        if self.confirm_orders:
            try:
                found = await self.fetch_order(request.symbol, order_id=order_id)
            except HedgekitError as exc:  # placed for sure: a failed read-back must not look like a refusal
                log.debug("bybit place_order %s placed, read-back failed: %s", cid, type(exc).__name__)
                found = None
            if found is not None:
                return found
        return self._acknowledged(request, params, order_id, payload)

    def _acknowledged(self, request: OrderRequest, params: dict[str, Any], order_id: str, payload: Any) -> Order:
        """The order as accepted: the request as sent, the venue's id, status NEW (create-order.mdx
        answers ``orderId`` and ``orderLinkId`` only).

        Fields read as a read-back would show them: ``reduceOnly`` as sent, and a regular market
        order's time in force IOC ("Market order will always use IOC", create-order.mdx).
        """
        conditional = request.type.conditional
        tif = wire.TIME_IN_FORCE_IN.get(params.get("timeInForce", ""))
        if tif is None and params.get("orderType") == "Market" and not conditional:
            tif = TimeInForce.IOC
        return trusted(
            Order, venue=self.name, symbol=request.market.symbol, order_id=order_id, client_order_id=request.client_order_id,
            side=request.plan.side, position_side=request.plan.position_side, type=request.type,
            status=OrderStatus.NEW, quantity=request.quantity, price=request.price,
            trigger_price=request.trigger_price, time_in_force=tif if not conditional else None,
            reduce_only=params.get("reduceOnly") is True, close_position=request.close_position,
            conditional=conditional, raw=payload,
        )

    async def order_row(self, market: Market, order_id: str | None, client_order_id: str | None
                         ) -> dict[str, Any] | None:
        key = ids.id_key(self.name, market.symbol, order_id, client_order_id)
        for method, what in (("privateGetV5OrderRealtime", "order/realtime"),
                             ("privateGetV5OrderHistory", "order/history")):
            payload = await self._call("fetch_order", method,
                                       {"category": wire.CATEGORY, "symbol": market.venue_symbol, **key},
                                       symbol=market.symbol, client_order_id=client_order_id)
            with self._parsing(what):
                rows, _ = wire.listing(payload, what)
            if rows:
                return rows[0]  # newest first (open-order.mdx)
        return None

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None,
        conditional: bool = False,
    ) -> Order | None:
        market = self.market(symbol)
        if order_id is None and client_order_id is None:
            raise InvalidRequest("give order_id or client_order_id", venue=self.name, symbol=market.symbol)
        row = await self.order_row(market, order_id, client_order_id)
        if row is None:
            return None
        with self._parsing("order/realtime"):
            conditional = wire.is_conditional(row)
        (parsed,) = await self.parse_orders([row], conditional=conditional, wanted=market)
        return parsed

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None,
        conditional: bool = False,
    ) -> Order:
        market = self.market(symbol)
        if order_id is None and client_order_id is None:
            raise InvalidRequest("give order_id or client_order_id", venue=self.name, symbol=market.symbol)
        row = await self.order_row(market, order_id, client_order_id) if conditional else None
        if row is not None and row.get("stopOrderType") == "TrailingStop":
            order_id = await trailing.cancel(self, market, row)
        else:
            key = ids.id_key(self.name, market.symbol, order_id, client_order_id)
            payload = await self._call("cancel_order", "privatePostV5OrderCancel",
                                       {"category": wire.CATEGORY, "symbol": market.venue_symbol, **key},
                                       symbol=market.symbol, client_order_id=client_order_id)
            with self._parsing("order/cancel"):
                order_id = wire.text(wire.result(payload, "order/cancel"), "orderId")
        found = await self.fetch_order(market.symbol, order_id=order_id)
        if found is None:
            raise ExchangeError("the canceled order could not be read back", venue=self.name, symbol=market.symbol)
        return found

    # -- margin and leverage -----------------------------------------------------------------
    async def adjust_margin(self, symbol: str, side: PositionSide, amount: Decimal) -> None:
        """``POST /v5/position/add-margin``: a signed ``margin`` on the leg's ``positionIdx`` (isolated only)."""
        market = self.market(symbol)
        exponent = amount.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > MARGIN_DECIMALS:
            raise InvalidRequest(f"Bybit takes margin amounts with up to {MARGIN_DECIMALS} decimals, not {amount}",
                                 venue=self.name, symbol=market.symbol)
        params = {"category": wire.CATEGORY, "symbol": market.venue_symbol, "margin": wire.fmt(amount),
                  "positionIdx": wire.POSITION_IDX[side]}
        await self._call("adjust_margin", "privatePostV5PositionAddMargin", params, symbol=market.symbol)

    async def set_leverage(self, symbol: str, leverage: Decimal, side: PositionSide | None) -> Leverage:
        """``POST /v5/position/set-leverage``; a single leg's only under isolated margin in hedge mode."""
        market = self.market(symbol)
        buy = sell = leverage
        if side is not None:
            rows, margin_mode = await asyncio.gather(self.position_rows(market, operation="set_leverage"),
                                                     self.margin_mode())
            if margin_mode is not MarginMode.ISOLATED:
                raise InvalidRequest("Bybit lets buy and sell leverage differ only under isolated margin (the "
                                     "account is on cross); call set_leverage without a side",
                                     venue=self.name, symbol=market.symbol)
            with self._parsing("position/list"):
                if wire.parse_mode(rows) is not PositionMode.HEDGE:
                    raise InvalidRequest(f"{market.symbol} is in one-way mode: one leverage for the position",
                                         venue=self.name, symbol=market.symbol)
                other = 2 if side is PositionSide.LONG else 1
                current = next((wire.leverage_of(r) for r in rows if r.get("positionIdx") == other), None)
            if current is None:
                raise ExchangeError("the other leg's leverage cannot be read", venue=self.name, symbol=market.symbol)
            buy, sell = (leverage, current) if side is PositionSide.LONG else (current, leverage)
        params = {"category": wire.CATEGORY, "symbol": market.venue_symbol, "buyLeverage": wire.fmt(buy),
                  "sellLeverage": wire.fmt(sell)}
        payload: Any = None
        try:
            payload = await self._call("set_leverage", "privatePostV5PositionSetLeverage", params, symbol=market.symbol)
        except HedgekitError as exc:
            if exc.code != LEVERAGE_NOT_MODIFIED:  # 110043: already so
                raise
        return Leverage(venue=self.name, symbol=market.symbol, long=buy, short=sell, raw=payload)

    async def set_margin_mode(self, symbol: str, margin_mode: MarginMode) -> None:
        """Bybit keeps cross/isolated for the whole account: ``POST /v5/account/set-margin-mode``.

        ``symbol`` only names the contract the caller has in mind; every contract changes.
        """
        self.market(symbol)
        if await self.margin_mode() is margin_mode:
            return
        params = {"setMarginMode": wire.MARGIN_MODE[margin_mode]}
        try:
            payload = await self._call("set_margin_mode", "privatePostV5AccountSetMarginMode", params, symbol=symbol)
        except HedgekitError as exc:
            if exc.code == MARGIN_MODE_NOT_MODIFIED:
                return
            raise
        with self._parsing("account/set-margin-mode"):
            reasons = wire.result(payload, "account/set-margin-mode").get("reasons")
        if reasons:  # "If requested successfully, it is an empty array" (set-margin-mode.mdx)
            raise ExchangeError(f"set-margin-mode refused: {reasons!r}", venue=self.name, symbol=symbol)
