"""The Binance USDⓈ-M adapter, on ccxt ``binanceusdm``.

ccxt sends and times the requests (paced by :mod:`hedgekit.throttle` with Binance's own weights,
:mod:`.limits`; signed with an HMAC key by :mod:`.auth`, or by
ccxt for RSA and Ed25519 keys); this module calls its implicit endpoints
(``fapiPrivateGetPositionSideDual``, ...) and parses the venue's JSON itself (:mod:`.wire`), so
numbers stay Decimal and no field is lost. Linear markets only: no currency, spot or ``sapi`` call.

Settings through ``connect(..., options={...})``: none are needed; ``ccxt_options`` is merged into
the ccxt exchange's options, and ``coinm`` says how the mode-change check treats COIN-M.

COIN-M and the position mode. UM and COIN-M share one ``dualSidePosition`` setting since the
COIN-M integration (2026-06-30): open COIN-M orders, conditional orders or positions refuse a
USDⓈ-M switch with -4067/-4068. So :meth:`BinanceAdapter.fetch_exposure` also reads
``/dapi/v1/positionRisk``, ``/dapi/v1/openOrders`` and ``/dapi/v1/openAlgoOrders`` (in the same
parallel round as the USDⓈ-M reads) and lists each COIN-M row as a blocker under its unified
COIN-M symbol (``BTC/USD:BTC``; sizes in contracts, see :mod:`.coinm`). A key without COIN-M
permission is refused by ``/dapi`` (``-2015``, HTTP 401/403); ``options={"coinm": ...}`` decides:

* ``"check"`` (default): the COIN-M side counts as unverified, the check goes on with the USDⓈ-M
  exposure alone, and a WARNING is logged (``hedgekit_binance.adapter``) saying so. The switch
  is then sent if USDⓈ-M is flat, and should COIN-M hold something the venue refuses it with
  -4067/-4068, which hedgekit raises as :class:`~hedgekit.errors.ModeChangeBlocked` (without the
  COIN-M blockers, which it could not read): nothing unverified is ever reported as clear.
* ``"require"``: the refusal is raised as :class:`~hedgekit.errors.AuthenticationError` and no
  switch is sent;
* ``"skip"``: ``/dapi`` is never read (accounts that have no COIN-M wallet at all).
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
from hedgekit.stream_session import StreamOptions, StreamSession
from hedgekit.errors import (
    AuthenticationError,
    ConfigurationError,
    ExchangeError,
    HedgekitError,
    InvalidRequest,
    MalformedResponse,
    OrderRejected,
)
from hedgekit.models import (
    Exposure,
    Leg,
    Leverage,
    MarginMode,
    Market,
    ModeScope,
    ModeState,
    Order,
    PositionMode,
    PositionSide,
)

from hedgekit_binance import coinm, ids, wire
from hedgekit_binance.account import BinanceFamilyAccount
from hedgekit_binance import limits
from hedgekit_binance import rules
from hedgekit_binance.auth import install_hmac_signer
from hedgekit_binance.errors import (
    NO_NEED_TO_CHANGE_MARGIN_TYPE,
    NO_NEED_TO_CHANGE_POSITION_SIDE,
    ORDER_DOES_NOT_EXIST,
    UNKNOWN_ORDER_SENT,
    error_from_reply,
)

log = logging.getLogger(__name__)

DEFAULT_RECV_WINDOW = 5000
"""``recvWindow`` when a request does not send one: "If recvWindow is not sent, it defaults to 5000"
(USDⓈ-M General Info, SIGNED endpoint security)."""

#: ccxt ``urls['api']`` keys of binanceusdm and the path each one stands for (VENUES.md §5).
URL_KEYS = {
    "fapiPublic": "/fapi/v1",
    "fapiPrivate": "/fapi/v1",
    "fapiPublicV2": "/fapi/v2",
    "fapiPrivateV2": "/fapi/v2",
    "fapiPublicV3": "/fapi/v3",
    "fapiPrivateV3": "/fapi/v3",
    "fapiData": "/futures/data",
    # COIN-M: read for the mode-change check only (UM and CM share the mode)
    "dapiPublic": "/dapi/v1",
    "dapiPrivate": "/dapi/v1",
}

#: ``options["coinm"]`` values (see the module docstring).
COINM_POLICIES = ("check", "require", "skip")


def _is_error(status: int, payload: Any) -> bool:
    if status >= 400:
        return True
    # Binance answers some refusals with HTTP 200 and a negative code.
    if isinstance(payload, dict):
        code = payload.get("code")
        return isinstance(code, int) and not isinstance(code, bool) and code < 0
    return False


class BinanceAdapter(VenueAdapter, BinanceFamilyAccount):
    """Binance USDⓈ-M Futures: account-wide mode, ``positionSide``, conditional orders on the Algo Service."""

    name: ClassVar[str] = "binance"
    #: the account views' endpoints (shared/ACCOUNT.md §1; :mod:`.account`)
    account_methods: ClassVar[dict[str, str]] = {
        "premium_index": "fapiPublicGetPremiumIndex", "funding_info": "fapiPublicGetFundingInfo",
        "funding_rate": "fapiPublicGetFundingRate", "income": "fapiPrivateGetIncome",
        "user_trades": "fapiPrivateGetUserTrades", "account": "fapiPrivateV3GetAccount",
        "amend": "fapiPrivatePutOrder",
    }
    conditional_limits: ClassVar[ConditionalRules] = rules.CONDITIONAL  # documented ranges (rules.py)
    client_order_id_max: ClassVar[int] = 36
    #: newClientOrderId / clientAlgoId regex ``^[\\.A-Z\\:/a-z0-9_-]{1,36}$`` (BNC trade_api.new_order)
    client_order_id_alphabet: ClassVar[str] = (
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:/_-"
    )

    def __init__(self, config: ConnectConfig) -> None:
        super().__init__(config)
        self._exchange: Any = None
        self._owns_exchange = config.exchange is None
        policy = config.options.get("coinm", "check")
        if policy not in COINM_POLICIES:
            raise ConfigurationError(f"options['coinm'] must be one of {', '.join(COINM_POLICIES)}, not {policy!r}",
                                     venue=self.name)
        self.coinm_policy: str = policy
        """How COIN-M exposure is checked before a mode change: ``check``, ``require`` or ``skip``."""
        self.coinm_verified: bool | None = None
        """After an exposure read: ``True`` when COIN-M was read, ``False`` when ``/dapi`` refused
        the key (``check`` policy) and COIN-M is unverified, ``None`` when not read (``skip``)."""

    def __repr__(self) -> str:
        return f"BinanceAdapter(base_url={self.config.base_url!r}, testnet={self.config.testnet})"

    # -- lifecycle ---------------------------------------------------------------------------
    def _make_exchange(self) -> Any:
        cfg = self.config
        if cfg.exchange is not None:
            exchange = cfg.exchange
        else:
            exchange = new_exchange(exchange_class("binanceusdm"),
                {
                    "apiKey": cfg.api_key.get_secret_value() if cfg.api_key else None,
                    "secret": cfg.secret.get_secret_value() if cfg.secret else None,
                    "timeout": int(cfg.timeout * 1000),
                    # hedgekit limits instead, with Binance's own weights (hedgekit_binance.limits);
                    # ccxt's cost table is not Binance's (v3/positionRisk 1, not 5)
                    "enableRateLimit": False,
                    "options": {
                        "fetchCurrencies": False,  # no sapi/capital calls (VENUES.md §5)
                        "fetchMarkets": {"types": ["linear"]},
                        "recvWindow": cfg.recv_window,
                        "adjustForTimeDifference": False,
                        "warnOnFetchOpenOrdersWithoutSymbol": False,
                        **dict(cfg.options.get("ccxt_options", {})),
                    },
                }
            )
        if cfg.testnet:
            exchange.enable_demo_trading(True)  # demo-fapi.binance.com (VENUES.md §2.7)
        if cfg.base_url:
            api = dict(exchange.urls["api"])
            for key, path in URL_KEYS.items():
                api[key] = cfg.base_url + path
            exchange.urls["api"] = api
        route_logs(exchange, self.name, self._secrets)  # ccxt's lines, scrubbed of this client's key
        share_ssl_context(exchange)
        no_close_wait_without_tls(exchange, cfg)
        install_reply_hook(exchange, _is_error)
        if cfg.exchange is None:
            install_hmac_signer(exchange, self.name)  # a user's own exchange keeps its own signing
        # the account's pause after a rate-limit answer and, with rate_limit, Binance's weights
        self._pacer = make_pacer(exchange, cfg, url_key="fapiPrivate", table=limits.WEIGHTS,
                                 default=limits.DEFAULT, backoff=limits.BACKOFF)
        return exchange

    async def open(self) -> None:
        if self._exchange is None:
            self._exchange = self._make_exchange()
        payload = await self._call("connect", "fapiPublicGetExchangeInfo", {})
        with self._parsing("exchangeInfo"):
            self._set_markets(wire.parse_markets(payload))
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
        """``GET /fapi/v1/time`` ``serverTime`` (ms)."""
        payload = await self._call("resync_time", "fapiPublicGetTime", {})
        with self._parsing("time"):
            return int(wire.obj(payload, "time")["serverTime"])

    async def resync_time(self) -> None:
        server = await self.server_time_ms()
        local = self._exchange.milliseconds()
        self.clock_offset_ms = server - local
        self._exchange.options["timeDifference"] = local - server
        log.debug("binance clock offset now %s ms", self._exchange.options["timeDifference"])

    # -- deadlines ---------------------------------------------------------------------------
    def write_deadline_ms(self, *, conditional: bool) -> int | None:
        """``timestamp + recvWindow`` of a request signed up to now, on the venue's clock.

        The venue checks the window when the request arrives (``-1021``) and its matching engine
        checks it again before it acts: "-5028 Timestamp for this request is outside of the ME
        recvWindow" (USDⓈ-M error codes; shared/VENUES.md "Deadlines the venues enforce"). So an
        order or cancel not acted on by then never will be. That the Algo Service re-checks the
        window for conditional orders is not documented; hedgekit takes the same bound for them.
        """
        window = self._exchange.options.get("recvWindow") if self._exchange is not None else None
        if isinstance(window, bool) or not isinstance(window, int) or window <= 0:
            window = DEFAULT_RECV_WINDOW
        return self.venue_time_ms() + window

    # -- transport ---------------------------------------------------------------------------
    def _secrets(self) -> tuple[str | None, ...]:
        return secrets_of(self.config)

    async def _call(
        self, operation: str, method: str, params: dict[str, str], *, symbol: str | None = None,
        client_order_id: str | None = None,
    ) -> Any:
        if self._exchange is None:
            raise ConfigurationError("the adapter is not open", venue=self.name, operation=operation)
        return await call_endpoint(
            self._exchange, method, params, venue=self.name, operation=operation,
            translate=lambda reply: error_from_reply(
                reply, operation=operation, symbol=symbol, client_order_id=client_order_id
            ),
            secrets=self._secrets, symbol=symbol, client_order_id=client_order_id, pacer=self._pacer,
        )

    def _parsing(self, what: str) -> AbstractContextManager[None]:
        return parsing(self.name, what)

    def _market_of(self, venue_symbol: Any, wanted: Market | None = None) -> Market | None:
        """The market a row's ``symbol`` names; ``None`` for a well-formed symbol of a contract
        hedgekit does not trade (the account's USDC-margined or delivery contracts share these
        listings). A missing or non-string symbol, or (``wanted``: the one asked for) another
        symbol, is a malformed answer."""
        if not isinstance(venue_symbol, str) or not venue_symbol:
            raise MalformedResponse(f"malformed answer: a row without a symbol ({venue_symbol!r})", venue=self.name)
        market = self._by_venue_id.get(venue_symbol.upper())
        if wanted is not None and market is not wanted:
            raise MalformedResponse(f"malformed answer: a row of {venue_symbol} in the answer for "
                                    f"{wanted.venue_symbol}", venue=self.name, symbol=wanted.symbol)
        return market

    # -- mode --------------------------------------------------------------------------------
    def mode_scope(self, symbol: str | None) -> tuple[ModeScope, str | None]:
        """Binance keeps one setting for the whole account ("on EVERY symbol")."""
        return ModeScope.ACCOUNT, None

    async def fetch_mode(self, symbol: str | None) -> ModeState:
        payload = await self._call("position_mode", "fapiPrivateGetPositionSideDual", {})
        with self._parsing("positionSide/dual"):
            mode = wire.parse_mode(payload)
        return ModeState(venue=self.name, mode=mode, scope=ModeScope.ACCOUNT, raw=payload)

    async def switch_mode(self, mode: PositionMode, symbol: str | None) -> None:
        params = {"dualSidePosition": "true" if mode is PositionMode.HEDGE else "false"}
        try:
            await self._call("set_position_mode", "fapiPrivatePostPositionSideDual", params)
        except HedgekitError as exc:
            if exc.code == NO_NEED_TO_CHANGE_POSITION_SIDE:
                return  # -4059 "No need to change position side.": already there
            raise

    # -- reads -------------------------------------------------------------------------------
    async def _position_rows(self, symbol: str | None) -> list[dict[str, Any]]:
        params = {"symbol": self.market(symbol).venue_symbol} if symbol else {}
        payload = await self._call("legs", "fapiPrivateV3GetPositionRisk", params, symbol=symbol)
        with self._parsing("positionRisk"):
            # [] is a flat account: v3 positionRisk "returns only symbols with a position or open
            # orders" (BNC account_api.position_information_v3; VENUES.md §2.4)
            return wire.rows(payload, "positionRisk")

    async def fetch_legs(self, symbol: str | None) -> list[Leg]:
        wanted = self.market(symbol) if symbol else None
        params = {"symbol": wanted.venue_symbol} if wanted is not None else {}
        position_rows, config_payload = await asyncio.gather(
            self._position_rows(symbol),
            self._call("legs", "fapiPrivateGetSymbolConfig", params, symbol=symbol),
        )
        with self._parsing("positionRisk"):
            configs = wire.parse_symbol_configs(config_payload)
            legs = []
            for row in position_rows:
                market = self._market_of(row.get("symbol"), wanted)
                if market is None:
                    continue  # another UM contract (USDC-margined, delivery): not one hedgekit trades
                config = configs.get(market.venue_symbol)
                if config is None:  # symbolConfig lists the symbol asked for, or every symbol
                    raise MalformedResponse(f"malformed answer: symbolConfig has no row for {market.venue_symbol}",
                                            venue=self.name, symbol=market.symbol)
                legs.append(wire.parse_leg(row, market, config))
        if wanted is not None and not legs:
            legs = await self._flat_legs(wanted, configs)
        return legs

    async def _flat_legs(self, market: Market, configs: dict[str, wire.SymbolConfig]) -> list[Leg]:
        """Both legs of a symbol v3 positionRisk does not list (it "returns only symbols with a
        position or open orders"), flat, with what a listed flat leg carries: the mark (from
        ``GET /fapi/v1/premiumIndex``, ``markPrice``) and the symbolConfig's leverage and margin mode."""
        config = configs.get(market.venue_symbol)
        if config is None:
            raise MalformedResponse(f"malformed answer: symbolConfig has no row for {market.venue_symbol}",
                                    venue=self.name, symbol=market.symbol)
        payload = await self._call("legs", "fapiPublicGetPremiumIndex", {"symbol": market.venue_symbol},
                                   symbol=market.symbol)
        with self._parsing("premiumIndex"):
            mark = wire.req_dec(wire.obj(payload, "premiumIndex"), "markPrice")
        margin_mode, leverage = config
        return [wire.flat_leg(market, side, mark, margin_mode, leverage)
                for side in (PositionSide.LONG, PositionSide.SHORT)]

    async def fetch_open_orders(self, symbol: str | None) -> list[Order]:
        wanted = self.market(symbol) if symbol else None
        params = {"symbol": wanted.venue_symbol} if wanted is not None else {}
        payload = await self._call("open_orders", "fapiPrivateGetOpenOrders", params, symbol=symbol)
        with self._parsing("openOrders"):
            out = []
            for row in wire.rows(payload, "openOrders"):  # [] when nothing is open
                market = self._market_of(row.get("symbol"), wanted)
                if market is not None:
                    out.append(wire.parse_order(row, market, listed=True))
            return out

    async def fetch_conditional_orders(self, symbol: str | None) -> list[Order]:
        wanted = self.market(symbol) if symbol else None
        params = {"symbol": wanted.venue_symbol} if wanted is not None else {}
        payload = await self._call("open_orders", "fapiPrivateGetOpenAlgoOrders", params, symbol=symbol)
        with self._parsing("openAlgoOrders"):
            # a list of rows (BNC current_all_algo_open_orders_response); [] when nothing is open
            out = []
            for row in wire.rows(payload, "openAlgoOrders"):
                market = self._market_of(row.get("symbol"), wanted)
                if market is not None:
                    out.append(wire.parse_algo_order(row, market))
            return out

    async def _coinm_exposure(self) -> tuple[list[Leg], list[Order], list[Order]] | None:
        """COIN-M legs, orders and algo orders (three reads at once); ``None`` when not read.

        A refused key follows ``options["coinm"]`` (module docstring): ``check`` logs a warning
        and returns ``None``, ``require`` raises the :class:`AuthenticationError`.
        """
        if self.coinm_policy == "skip":
            self.coinm_verified = None
            return None
        try:
            positions, orders, algo = await asyncio.gather(
                self._call("exposure", "dapiPrivateGetPositionRisk", {}),
                self._call("exposure", "dapiPrivateGetOpenOrders", {}),
                self._call("exposure", "dapiPrivateGetOpenAlgoOrders", {}),
            )
        except AuthenticationError as exc:
            if self.coinm_policy == "require":
                raise AuthenticationError(
                    "COIN-M exposure cannot be read with this key (UM and COIN-M share the position mode); "
                    f"the venue said: {exc.venue_message or exc.message}", venue=self.name, operation="exposure",
                    code=exc.code, venue_message=exc.venue_message, http_status=exc.http_status,
                ) from exc
            self.coinm_verified = False
            log.warning(
                "binance: COIN-M exposure is unverified: /dapi refused the key (%s); the mode-change check "
                "covers USD-M only and the venue still refuses a switch COIN-M blocks (-4067/-4068)", exc.code,
            )
            return None
        with self._parsing("dapi exposure"):
            found = coinm.parse_exposure(positions, orders, algo)
        self.coinm_verified = True
        return found

    async def fetch_exposure(self, scope: ModeScope, scope_key: str | None) -> Exposure:
        """Positions, open orders and open algo orders across the account, USDⓈ-M and COIN-M
        (one parallel round; COIN-M rows under their unified COIN-M symbols, see :mod:`.coinm`)."""
        position_rows, orders, conditional, cm = await asyncio.gather(
            self._position_rows(None), self.fetch_open_orders(None), self.fetch_conditional_orders(None),
            self._coinm_exposure(),
        )
        with self._parsing("positionRisk"):
            legs = []
            for row in position_rows:
                market = self._market_of(row.get("symbol"))
                if market is not None:  # None: another UM contract
                    leg = wire.parse_leg(row, market, None)
                    if leg.is_open:
                        legs.append(leg)
        if cm is not None:
            legs += cm[0]
            orders = orders + cm[1]
            conditional = conditional + cm[2]
        return Exposure(
            venue=self.name, scope=scope, scope_key=scope_key, legs=tuple(legs), orders=tuple(orders),
            conditional_orders=tuple(conditional),
        )

    # -- orders ------------------------------------------------------------------------------
    async def place_order(self, request: OrderRequest) -> Order:
        cid = request.client_order_id
        if request.type.conditional:
            payload = await self._call(
                "place_order", "fapiPrivatePostAlgoOrder", wire.algo_params(request),
                symbol=request.symbol, client_order_id=cid,
            )
            with self._parsing("algoOrder"):
                return wire.parse_algo_order(payload, request.market)
        payload = await self._call(
            "place_order", "fapiPrivatePostOrder", wire.order_params(request), symbol=request.symbol,
            client_order_id=cid,
        )
        with self._parsing("order"):
            return wire.parse_order(payload, request.market)

    def _id_params(self, market: Market, order_id: str | None, client_order_id: str | None,
                   conditional: bool) -> dict[str, str]:
        params = {"symbol": market.venue_symbol}
        order_id, client_order_id = ids.check_ids(self.name, market.symbol, order_id, client_order_id)
        if order_id is not None:
            params["algoId" if conditional else "orderId"] = order_id
        elif client_order_id is not None:
            params["clientAlgoId" if conditional else "origClientOrderId"] = client_order_id
        else:
            raise InvalidRequest("give order_id or client_order_id", venue=self.name, symbol=market.symbol)
        return params

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None,
        conditional: bool = False,
    ) -> Order | None:
        market = self.market(symbol)
        params = self._id_params(market, order_id, client_order_id, conditional)
        method = "fapiPrivateGetAlgoOrder" if conditional else "fapiPrivateGetOrder"
        try:
            payload = await self._call("fetch_order", method, params, symbol=symbol, client_order_id=client_order_id)
        except OrderRejected as exc:
            if exc.code in (ORDER_DOES_NOT_EXIST, UNKNOWN_ORDER_SENT):
                return None
            raise
        with self._parsing("order"):
            self._market_of(wire.obj(payload, "order").get("symbol"), market)
            if conditional:
                return wire.parse_algo_order(payload, market)
            return wire.parse_order(payload, market, listed=True)

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None,
        conditional: bool = False,
    ) -> Order:
        market = self.market(symbol)
        params = self._id_params(market, order_id, client_order_id, conditional)
        if conditional:
            await self._call("cancel_order", "fapiPrivateDeleteAlgoOrder", params, symbol=symbol,
                             client_order_id=client_order_id)
            found = await self.fetch_order(symbol, order_id=order_id, client_order_id=client_order_id, conditional=True)
            if found is None:
                raise ExchangeError("the canceled algo order could not be read back", venue=self.name, symbol=symbol)
            return found
        payload = await self._call("cancel_order", "fapiPrivateDeleteOrder", params, symbol=symbol,
                                   client_order_id=client_order_id)
        with self._parsing("order"):
            return wire.parse_order(payload, market)

    # -- margin and leverage -----------------------------------------------------------------
    async def adjust_margin(self, symbol: str, side: PositionSide, amount: Decimal) -> None:
        market = self.market(symbol)
        params = {
            "symbol": market.venue_symbol,
            "positionSide": wire.POSITION_SIDE[side],
            "amount": wire.fmt(abs(amount)),
            "type": "1" if amount > 0 else "2",  # 1 = add, 2 = reduce
        }
        await self._call("adjust_margin", "fapiPrivatePostPositionMargin", params, symbol=symbol)

    async def set_leverage(self, symbol: str, leverage: Decimal, side: PositionSide | None) -> Leverage:
        market = self.market(symbol)
        if side is not None:
            raise InvalidRequest(
                "Binance keeps one leverage per symbol for both legs; call set_leverage without a side",
                venue=self.name, symbol=market.symbol,
            )
        payload = await self._call(
            "set_leverage", "fapiPrivatePostLeverage",
            {"symbol": market.venue_symbol, "leverage": wire.fmt(leverage)}, symbol=symbol,
        )
        with self._parsing("leverage"):
            value = Decimal(int(wire.obj(payload, "leverage")["leverage"]))
        return Leverage(venue=self.name, symbol=market.symbol, long=value, short=value, raw=payload)

    async def set_margin_mode(self, symbol: str, margin_mode: MarginMode) -> None:
        market = self.market(symbol)
        params = {
            "symbol": market.venue_symbol,
            "marginType": "ISOLATED" if margin_mode is MarginMode.ISOLATED else "CROSSED",
        }
        try:
            await self._call("set_margin_mode", "fapiPrivatePostMarginType", params, symbol=symbol)
        except HedgekitError as exc:
            if exc.code == NO_NEED_TO_CHANGE_MARGIN_TYPE:
                return  # -4046 "No need to change margin type."
            raise

    # -- live state --------------------------------------------------------------------------
    def stream_session(self, symbols: tuple[str, ...] | None, options: StreamOptions) -> StreamSession:
        """The user data stream: a listen key and ``…/private/ws?listenKey=`` (:mod:`.stream`)."""
        from hedgekit_binance.stream import BinanceStreamSession

        return BinanceStreamSession(self, symbols, options)
