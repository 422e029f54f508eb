"""The Aster perpetuals adapter, on ccxt's ``aster`` transport with hedgekit's own signing.

ccxt holds the HTTP session and the implicit endpoints (requests are paced by
:mod:`hedgekit.throttle` with Aster's own weights, :mod:`.limits`); this module installs its
own ``sign`` on that one exchange instance (as :func:`hedgekit.ccxt_bridge.install_reply_hook`
does for ``handle_errors``), because ccxt's ``aster`` cannot sign as an API wallet: it derives
``user`` from the key it is given, so it would need the main wallet's key, and its ``sign_in``
approves ccxt's own builder and adds a 10 bp fee to every order unless told not to (shared/
VENUES.md §5). hedgekit never calls ``load_markets``/``sign_in``, never calls a builder endpoint,
and sends ``builder``/``feeRate`` only when the user configured them.

Credentials, chosen by their shape:

* **v3 API wallet (recommended)**: ``api_key`` = the main wallet address (``0x`` + 40 hex),
  ``secret`` = the API wallet's private key. The signer address is derived from the key;
  ``options={"signer": "0x…"}`` makes hedgekit check it. Endpoints ``/fapi/v3/*``.
* **v1 legacy HMAC key**: any other ``api_key`` with its ``secret``: ``X-MBX-APIKEY`` + HMAC,
  endpoints ``/fapi/v1/*`` and ``/fapi/v2/positionRisk``.
* **your own ccxt ``aster``** (``exchange=``) holding a ``privateKey``: signed as ccxt would (user =
  signer = the key's address, its ``v3ChainId``), but with hedgekit's unique nonces. Its own ccxt
  throttle stays as the user set it (ccxt's default spaces requests 333 ms per unit of its cost
  table), under hedgekit's limiter; hedgekit's own exchange has ccxt's throttle off.

Other ``options``: ``chain_id`` (EIP-712 chain id; default 1666, 714 with ``testnet=True``),
``builder`` + ``fee_rate`` (send a builder fee with every order: opt-in only), ``ccxt_options``
(merged into the ccxt exchange's options).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import types
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from urllib.parse import urlencode

from pydantic import ValidationError

from hedgekit.adapter import ConditionalRules, ConnectConfig, OrderRequest, VenueAdapter
from hedgekit.ccxt_bridge import (
    call_endpoint,
    install_reply_hook,
    make_pacer,
    new_exchange,
    no_close_wait_without_tls,
    route_logs,
    secrets_of,
    share_ssl_context,
)
from hedgekit.ccxt_loader import exchange_class
from hedgekit.stream_session import StreamOptions, StreamSession
from hedgekit.errors import (
    MISSING_CREDENTIALS,
    ConfigurationError,
    ExchangeError,
    HedgekitError,
    InvalidRequest,
    MalformedResponse,
    OrderRejected,
    missing_credentials,
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

from hedgekit_aster import ids, wire
from hedgekit_aster.account import AsterAccount
from hedgekit_aster import limits
from hedgekit_aster import rules
from hedgekit_aster.auth import (
    MAINNET_CHAIN_ID,
    TESTNET_CHAIN_ID,
    BrokenCredentials,
    HmacSigner,
    RequestSigner,
    V3Signer,
    address_of,
    checksum_address,
    is_address,
    private_key_bytes,
)
from hedgekit_aster.errors import (
    NONCE_EXPIRED,
    NO_NEED_TO_CHANGE_MARGIN_TYPE,
    NO_NEED_TO_CHANGE_POSITION_SIDE,
    ORDER_DOES_NOT_EXIST,
    UNKNOWN_ORDER_SENT,
    error_from_reply,
)
from hedgekit_binance.errors import parse_envelope

log = logging.getLogger(__name__)



MAINNET_URL = "https://fapi.asterdex.com"  # AST3 "The base endpoint is: https://fapi.asterdex.com"
TESTNET_URL = "https://fapi.asterdex-testnet.com"  # ASTT example ``host``

#: hedgekit operation -> (v3 ccxt implicit method, legacy v1 method); paths from AST3 and AST1.
ENDPOINTS: dict[str, tuple[str, str]] = {
    "exchange_info": ("fapiPublicGetV3ExchangeInfo", "fapiPublicGetV1ExchangeInfo"),
    "time": ("fapiPublicGetV3Time", "fapiPublicGetV1Time"),
    "get_mode": ("fapiPrivateGetV3PositionSideDual", "fapiPrivateGetV1PositionSideDual"),
    "set_mode": ("fapiPrivatePostV3PositionSideDual", "fapiPrivatePostV1PositionSideDual"),
    "position_risk": ("fapiPrivateGetV3PositionRisk", "fapiPrivateGetV2PositionRisk"),
    "open_orders": ("fapiPrivateGetV3OpenOrders", "fapiPrivateGetV1OpenOrders"),
    "new_order": ("fapiPrivatePostV3Order", "fapiPrivatePostV1Order"),
    "get_order": ("fapiPrivateGetV3Order", "fapiPrivateGetV1Order"),
    "cancel_order": ("fapiPrivateDeleteV3Order", "fapiPrivateDeleteV1Order"),
    "position_margin": ("fapiPrivatePostV3PositionMargin", "fapiPrivatePostV1PositionMargin"),
    "leverage": ("fapiPrivatePostV3Leverage", "fapiPrivatePostV1Leverage"),
    "margin_type": ("fapiPrivatePostV3MarginType", "fapiPrivatePostV1MarginType"),
    "noop": ("fapiPrivatePostV3Noop", "fapiPrivatePostV3Noop"),  # v3 only (AST3 §Noop)
    # account views (shared/ACCOUNT.md §2; hedgekit_binance.account): AST3 / AST1 paths
    "premium_index": ("fapiPublicGetV3PremiumIndex", "fapiPublicGetV1PremiumIndex"),
    "funding_info": ("fapiPublicGetV3FundingInfo", "fapiPublicGetV1FundingInfo"),
    "funding_rate": ("fapiPublicGetV3FundingRate", "fapiPublicGetV1FundingRate"),
    "income": ("fapiPrivateGetV3Income", "fapiPrivateGetV1Income"),
    "user_trades": ("fapiPrivateGetV3UserTrades", "fapiPrivateGetV1UserTrades"),
    # AST3 §Account Information v3 is accountWithJoinMargin, not v3/account; AST1's is v4/account
    "account": ("fapiPrivateGetV3AccountWithJoinMargin", "fapiPrivateGetV4Account"),
    # AST3 §Modify Order (PUT /fapi/v3/order): ccxt 4.5.90 has no implicit method for it (its
    # editOrder cancels and re-creates); hedgekit_aster.account adds one. V1 has no amendment.
    "amend": ("fapiPrivatePutV3Order", "fapiPrivatePutV3Order"),
    # user data stream (AST3 §User Data Streams; AST1: USER_STREAM = the API key)
    "listen_key_new": ("fapiPrivatePostV3ListenKey", "fapiPrivatePostV1ListenKey"),
    "listen_key_keep": ("fapiPrivatePutV3ListenKey", "fapiPrivatePutV1ListenKey"),
    "listen_key_close": ("fapiPrivateDeleteV3ListenKey", "fapiPrivateDeleteV1ListenKey"),
}

NONCE_WINDOW_MS = 10_000
"""A v3 nonce more than 10 s from the venue's time is refused: "the difference from server time must
not exceed 10 seconds" (AST3 "V3 Nonce Mechanism"; the testnet doc and the nonce example say the
same). Aster takes a v3 request from a queue and checks its nonce then ("the request is considered
invalid", and a ``noop`` with the same nonce voids a request "still in the queue", AST3 §Noop), so
a request not acted on within the window never will be."""

NONCES_KEPT = 1024
"""How many recent orders' nonces the adapter remembers, for :meth:`AsterAdapter.fence_order`."""


def _is_error(status: int, payload: Any) -> bool:
    if status >= 400:
        return True
    code, _ = parse_envelope(payload)  # some refusals come with HTTP 200 and a negative code
    return code is not None and code < 0


def make_signer(config: ConnectConfig) -> RequestSigner | None:
    """The request signer the credentials call for; ``None`` without credentials.

    Raises:
        ConfigurationError: contradictory settings (a ``signer`` option that is not the key's).
    """
    api_key = config.api_key.get_secret_value().strip() if config.api_key else ""
    secret = config.secret.get_secret_value() if config.secret else ""
    if not api_key and not secret:
        return _exchange_signer(config)
    if not api_key or not secret:
        return BrokenCredentials(MISSING_CREDENTIALS)  # one of the two: missing, like both
    if not is_address(api_key):
        return HmacSigner(api_key, secret, config.recv_window)
    chain_id = config.options.get("chain_id", TESTNET_CHAIN_ID if config.testnet else MAINNET_CHAIN_ID)
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id <= 0:
        raise ConfigurationError(f"options['chain_id'] must be a positive int, not {chain_id!r}", venue="aster")
    try:
        key = private_key_bytes(secret)
    except ValueError as exc:
        return BrokenCredentials(f"{exc}; for v3 the secret is the API wallet's private key")
    signer = V3Signer(api_key, key, chain_id)
    expected = config.options.get("signer")
    if expected is not None and (not is_address(expected) or checksum_address(expected) != signer.signer):
        raise ConfigurationError(
            "options['signer'] is not the address of the secret's key; the secret must be the private "
            "key of the API wallet named in options['signer']", venue="aster",
        )
    return signer


def _exchange_signer(config: ConnectConfig) -> RequestSigner | None:
    """A signer for a user's own ccxt ``aster`` holding a ``privateKey`` (ccxt's "L1 key" mode).

    ccxt signs as ``user`` = ``signer`` = the key's address, with a nonce of milliseconds × 1000
    that repeats within a millisecond; hedgekit signs the same way with unique nonces instead.
    """
    exchange = config.exchange
    key = getattr(exchange, "privateKey", None) if exchange is not None else None
    if not isinstance(key, str) or not key:
        return None
    try:
        secret = private_key_bytes(key)
    except ValueError as exc:
        return BrokenCredentials(f"the exchange's privateKey: {exc}")
    options = getattr(exchange, "options", None)
    chain_id = options.get("v3ChainId", MAINNET_CHAIN_ID) if isinstance(options, dict) else MAINNET_CHAIN_ID
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id <= 0:
        raise ConfigurationError(f"the exchange's options['v3ChainId'] is not a chain id: {chain_id!r}", venue="aster")
    wallet = getattr(exchange, "walletAddress", None)
    user = wallet if is_address(wallet) else address_of(secret)
    return V3Signer(str(user), secret, chain_id)


def _builder(config: ConnectConfig) -> tuple[str, str] | None:
    builder, rate = config.options.get("builder"), config.options.get("fee_rate")
    if builder is None and rate is None:
        return None
    try:
        ok = is_address(builder) and Decimal(str(rate)).is_finite() and Decimal(str(rate)) >= 0
    except InvalidOperation:
        ok = False
    if not ok:
        raise ConfigurationError("options['builder'] needs an address and options['fee_rate'] a decimal",
                                 venue="aster")
    return str(builder), str(rate)


def install_signer(exchange: Any, signer: RequestSigner) -> None:
    """Make ``exchange`` sign its private requests with ``signer`` (this instance only)."""

    def sign(self: Any, path: str, api: Any = "public", method: str = "GET", params: Any = None,
             headers: Any = None, body: Any = None) -> dict[str, Any]:
        api_name = api[0] if isinstance(api, list) else api
        url = f"{self.urls['api'][api_name]}/{path}"
        values = {str(k): str(v) for k, v in (params or {}).items()}
        if not str(api_name).endswith("Private"):
            return {"url": url + ("?" + urlencode(values) if values else ""), "method": method,
                    "body": None, "headers": None}
        query, extra = signer.sign(values)
        if method == "GET":
            return {"url": f"{url}?{query}", "method": method, "body": None, "headers": extra or None}
        # "For POST, PUT, and DELETE ... send data in the request body (application/x-www-form-urlencoded)"
        return {"url": url, "method": method, "body": query,
                "headers": {**extra, "Content-Type": "application/x-www-form-urlencoded"}}

    exchange.sign = types.MethodType(sign, exchange)


class AsterAdapter(VenueAdapter, AsterAccount):
    """Aster USDT perpetuals: account-wide mode, ``positionSide``, stops on the order endpoint."""

    name: ClassVar[str] = "aster"
    conditional_limits: ClassVar[ConditionalRules] = rules.CONDITIONAL  # documented ranges (rules.py)
    client_order_id_max: ClassVar[int] = 36
    #: newClientOrderId regex ``^[\\.A-Z\\:/a-z0-9_-]{1,36}$`` (AST3 §New Order)
    client_order_id_alphabet: ClassVar[str] = (
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:/_-"
    )

    def __init__(self, config: ConnectConfig) -> None:
        super().__init__(config)
        self._signer = make_signer(config)
        self._builder = _builder(config)
        self._legacy = isinstance(self._signer, HmacSigner)
        self._exchange: Any = None
        self._inflight: dict[tuple[str, str], asyncio.Task[Any]] = {}
        #: the nonce each recent v3 order was signed with, by client order id (oldest first)
        self._order_nonces: OrderedDict[str, int] = OrderedDict()

    def __repr__(self) -> str:
        return f"AsterAdapter(base_url={self.config.base_url!r}, testnet={self.config.testnet}, signer={self._signer!r})"

    # -- lifecycle ---------------------------------------------------------------------------
    def _make_exchange(self) -> Any:
        cfg = self.config
        exchange = cfg.exchange
        if exchange is None:
            exchange = new_exchange(exchange_class("aster"), {
                "timeout": int(cfg.timeout * 1000),
                # hedgekit limits instead, with Aster's own weights (hedgekit_aster.limits): ccxt
                # counts v3/positionRisk as 1 where Aster documents 5
                "enableRateLimit": False,
                "options": {
                    "builderFee": False,  # never approve or charge ccxt's builder (VENUES.md §5)
                    "defaultType": "swap",
                    **dict(cfg.options.get("ccxt_options", {})),
                },
            })
            exchange.has["fetchCurrencies"] = False  # no spot sapi call
        root = cfg.base_url or (TESTNET_URL if cfg.testnet else None)
        if root:
            api = dict(exchange.urls["api"])
            api["fapiPublic"] = api["fapiPrivate"] = root + "/fapi"  # paths are v1/…, v3/…
            exchange.urls["api"] = api
        if self._signer is not None:
            install_signer(exchange, self._signer)
        route_logs(exchange, self.name, self._secrets)  # ccxt prints every signed URL and key header: redacted
        share_ssl_context(exchange)
        no_close_wait_without_tls(exchange, cfg)
        install_reply_hook(exchange, _is_error)
        # the account's pause after a rate-limit answer and, with rate_limit, Aster's weights
        self._pacer = make_pacer(exchange, cfg, url_key="fapiPrivate", table=limits.WEIGHTS,
                                 default=limits.DEFAULT, backoff=limits.BACKOFF)
        return exchange

    async def open(self) -> None:
        if self._exchange is None:
            self._exchange = self._make_exchange()
        payload = await self._call("connect", "exchange_info", {})
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
        """``GET /fapi/v3/time`` (v1: ``/fapi/v1/time``) ``serverTime`` (ms)."""
        payload = await self._call("resync_time", "time", {})
        with self._parsing("time"):
            return int(wire.obj(payload, "time")["serverTime"])

    async def resync_time(self) -> None:
        """Measure the venue's clock: v3 nonces and v1 timestamps are taken on it."""
        server = await self.server_time_ms()
        offset = server - self._exchange.milliseconds()
        self.clock_offset_ms = offset
        if self._signer is not None:
            self._signer.offset_ms = offset
        log.debug("aster clock offset now %s ms", offset)

    # -- deadlines ---------------------------------------------------------------------------
    def write_deadline_ms(self, *, conditional: bool) -> int | None:
        """v3: the nonce window (:data:`NONCE_WINDOW_MS`); v1: ``timestamp + recvWindow`` (AST1,
        Binance's scheme: ``-1021`` outside the window)."""
        window = self.config.recv_window if self._legacy else NONCE_WINDOW_MS
        return self.venue_time_ms() + window

    async def fence_order(self, request: OrderRequest) -> bool:
        """Void a lost v3 order still in the venue's queue: ``POST /fapi/v3/noop`` with its nonce.

        AST3 §Noop: "it is possible to efficiently cancel previously sent transactions that are
        still in the queue ... (Nonce should be equal to this request ...)"; its sample shows the
        order then refused ``-4225 Nonce Expired``. A noop answered ``{"code":200}`` took the nonce
        first, so the order can no longer be acted on. A noop refused ``-4225`` found the nonce used
        (by the order, or by an earlier noop of ours whose answer was lost) or too old, and a used
        or too old nonce stays so ("If the nonce has already been used → rejected as a duplicate
        request"; "smaller than the current minimum → rejected as expired"), so the order cannot
        be acted on later either. The one exception is a nonce ahead of the venue's clock (this
        machine's clock running fast): it may come into the window later, so that is not a fence.
        v1 keys have no noop.
        """
        nonce = self._order_nonces.get(request.client_order_id)
        if nonce is None or self._legacy or not isinstance(self._signer, V3Signer):
            return False
        try:
            await self._call("fence_order", "noop", {"nonce": str(nonce)}, symbol=request.symbol,
                             client_order_id=request.client_order_id)
        except HedgekitError as exc:
            if exc.code != NONCE_EXPIRED:
                raise
            return nonce // 1000 <= self.venue_time_ms()  # used or old, not early
        return True

    # -- transport ---------------------------------------------------------------------------
    def _secrets(self) -> tuple[str | None, ...]:
        """The credentials to scrub from venue texts: key, secret, and the wallet and signer addresses."""
        signer = self._signer
        wallets = (getattr(signer, "user", None), getattr(signer, "signer", None))
        return secrets_of(self.config) + tuple(w for w in wallets if isinstance(w, str))

    async def _call(
        self, operation: str, endpoint: str, params: dict[str, str], *, symbol: str | None = None,
        client_order_id: str | None = None,
    ) -> Any:
        if self._exchange is None:
            raise ConfigurationError("the adapter is not open", venue=self.name, operation=operation)
        method = ENDPOINTS[endpoint][1 if self._legacy else 0]
        if "Private" in method and self._signer is None:
            raise missing_credentials(self.name, operation)
        return await call_endpoint(
            self._exchange, method, params, venue=self.name, operation=operation,
            translate=lambda reply: error_from_reply(
                reply, operation=operation, symbol=symbol, client_order_id=client_order_id
            ),
            secrets=self._secrets, symbol=symbol, client_order_id=client_order_id, pacer=self._pacer,
        )

    async def _read_once(self, operation: str, endpoint: str, params: dict[str, str],
                         symbol: str | None) -> Any:
        """One request for concurrent identical reads (``open_orders`` serves two listings)."""
        key = (endpoint, repr(sorted(params.items())))
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._call(operation, endpoint, params, symbol=symbol))
            self._inflight[key] = task
            task.add_done_callback(lambda _: self._inflight.pop(key, None))
        return await asyncio.shield(task)

    @contextmanager
    def _parsing(self, what: str) -> Iterator[None]:
        try:
            yield
        except HedgekitError as exc:
            if exc.venue not in (None, self.name):  # a shared Binance reader names its own venue
                named = copy.copy(exc)  # keeps what the error carries (code, unreadable, ...)
                named.venue, named.operation = self.name, what
                raise named from None
            raise
        except (ValidationError, KeyError, TypeError, ValueError, AttributeError, IndexError,
                ArithmeticError) as exc:
            raise MalformedResponse(f"malformed answer to {what}: {type(exc).__name__}", venue=self.name) from None

    def _market_of(self, venue_symbol: Any, wanted: Market | None = None) -> Market | None:
        """The market a row's ``symbol`` names; ``None`` for a well-formed symbol of a contract
        hedgekit does not trade (not a USDT perpetual that is trading). A missing or non-string
        symbol, or (``wanted``: the one asked for) another symbol, is a malformed answer."""
        if not isinstance(venue_symbol, str) or not venue_symbol:
            raise MalformedResponse(f"malformed answer: a row without a symbol ({venue_symbol!r})", venue=self.name)
        market = self._by_venue_id.get(venue_symbol.upper())
        if wanted is not None and market is not wanted:
            raise MalformedResponse(f"malformed answer: a row of {venue_symbol} in the answer for "
                                    f"{wanted.venue_symbol}", venue=self.name, symbol=wanted.symbol)
        return market

    def _symbol_params(self, symbol: str | None) -> dict[str, str]:
        return {"symbol": self.market(symbol).venue_symbol} if symbol else {}

    # -- mode --------------------------------------------------------------------------------
    def mode_scope(self, symbol: str | None) -> tuple[ModeScope, str | None]:
        """Aster keeps one setting for the whole account ("on EVERY symbol", AST3)."""
        return ModeScope.ACCOUNT, None

    async def fetch_mode(self, symbol: str | None) -> ModeState:
        payload = await self._call("position_mode", "get_mode", {})
        with self._parsing("positionSide/dual"):
            mode = wire.parse_mode(payload)
        return ModeState(venue=self.name, mode=mode, scope=ModeScope.ACCOUNT, raw=payload)

    async def switch_mode(self, mode: PositionMode, symbol: str | None) -> None:
        params = {"dualSidePosition": "true" if mode is PositionMode.HEDGE else "false"}
        try:
            await self._call("set_position_mode", "set_mode", params)
        except HedgekitError as exc:
            if exc.code == NO_NEED_TO_CHANGE_POSITION_SIDE:
                return  # -4059 "No need to change position side.": already there
            raise

    # -- reads -------------------------------------------------------------------------------
    async def fetch_legs(self, symbol: str | None) -> list[Leg]:
        wanted = self.market(symbol) if symbol else None
        payload = await self._call("legs", "position_risk", self._symbol_params(symbol), symbol=symbol)
        with self._parsing("positionRisk"):
            # AST3 does not say whether flat symbols are listed (its one-way example is a flat
            # row, and the venue lists every symbol's legs), so [] is read as flat, not refused
            legs = []
            for row in wire.rows(payload, "positionRisk"):
                market = self._market_of(row.get("symbol"), wanted)
                if market is not None:  # None: not a USDT perpetual hedgekit trades
                    legs.append(wire.parse_leg(row, market))
            return legs

    async def _orders(self, symbol: str | None, *, conditional: bool) -> list[Order]:
        """One kind of ``openOrders`` rows; every row is read in full, so that a row whose kind
        cannot be told fails both listings instead of falling out of one."""
        wanted = self.market(symbol) if symbol else None
        payload = await self._read_once("open_orders", "open_orders", self._symbol_params(symbol), symbol)
        with self._parsing("openOrders"):
            out = []
            for row in wire.rows(payload, "openOrders"):  # [] when nothing is open
                market = self._market_of(row.get("symbol"), wanted)
                if market is not None:
                    order = wire.parse_order(row, market, listed=True)
                    if order.conditional is conditional:
                        out.append(order)
            return out

    async def fetch_open_orders(self, symbol: str | None) -> list[Order]:
        """Open limit and market orders (``GET /fapi/v3/openOrders``, conditional rows left out)."""
        return await self._orders(symbol, conditional=False)

    async def fetch_conditional_orders(self, symbol: str | None) -> list[Order]:
        """Open stops, take-profits and trailing stops: the same ``openOrders`` listing (AST3)."""
        return await self._orders(symbol, conditional=True)

    async def fetch_exposure(self, scope: ModeScope, scope_key: str | None) -> Exposure:
        """Positions and every open order across the account: two requests, read at once."""
        legs, orders, conditional = await asyncio.gather(
            self.fetch_legs(None), self.fetch_open_orders(None), self.fetch_conditional_orders(None)
        )
        return Exposure(
            venue=self.name, scope=scope, scope_key=scope_key, legs=tuple(leg for leg in legs if leg.is_open),
            orders=tuple(orders), conditional_orders=tuple(conditional),
        )

    # -- orders ------------------------------------------------------------------------------
    async def place_order(self, request: OrderRequest) -> Order:
        params = wire.order_params(request, self._builder)
        if isinstance(self._signer, V3Signer) and not self._legacy:
            # sign with a nonce kept per client id, so a lost order can be voided (fence_order)
            nonce = self._signer.nonce()
            params["nonce"] = str(nonce)
            self._order_nonces[request.client_order_id] = nonce
            self._order_nonces.move_to_end(request.client_order_id)
            while len(self._order_nonces) > NONCES_KEPT:
                self._order_nonces.popitem(last=False)
        payload = await self._call(
            "place_order", "new_order", params, symbol=request.symbol,
            client_order_id=request.client_order_id,
        )
        with self._parsing("order"):
            return wire.parse_order(payload, request.market)

    def _id_params(self, market: Market, order_id: str | None, client_order_id: str | None) -> dict[str, str]:
        params = {"symbol": market.venue_symbol}
        order_id, client_order_id = ids.check_ids(self.name, market.symbol, order_id, client_order_id)
        if order_id is not None:
            params["orderId"] = order_id
        elif client_order_id is not None:
            params["origClientOrderId"] = client_order_id
        else:
            raise InvalidRequest("give order_id or client_order_id", venue=self.name, symbol=market.symbol)
        return params

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None,
        conditional: bool = False,
    ) -> Order | None:
        """One order of any kind: regular and conditional orders share ``GET /fapi/v3/order``."""
        market = self.market(symbol)
        params = self._id_params(market, order_id, client_order_id)
        try:
            payload = await self._call("fetch_order", "get_order", params, symbol=symbol,
                                       client_order_id=client_order_id)
        except OrderRejected as exc:
            if exc.code in (ORDER_DOES_NOT_EXIST, UNKNOWN_ORDER_SENT):
                return None
            raise
        with self._parsing("order"):
            self._market_of(wire.obj(payload, "order").get("symbol"), market)
            return wire.parse_order(payload, market, listed=True)

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None,
        conditional: bool = False,
    ) -> Order:
        """Cancel an order of any kind (``DELETE /fapi/v3/order``)."""
        market = self.market(symbol)
        params = self._id_params(market, order_id, client_order_id)
        payload = await self._call("cancel_order", "cancel_order", params, symbol=symbol,
                                   client_order_id=client_order_id)
        with self._parsing("order"):
            return wire.parse_order(payload, market)

    # -- margin and leverage -----------------------------------------------------------------
    async def adjust_margin(self, symbol: str, side: PositionSide, amount: Decimal) -> None:
        """``POST /fapi/v3/positionMargin``: type 1 adds, 2 reduces; isolated legs only (AST3)."""
        market = self.market(symbol)
        params = {
            "symbol": market.venue_symbol,
            "positionSide": wire.POSITION_SIDE[side],
            "amount": wire.fmt(abs(amount)),
            "type": "1" if amount > 0 else "2",
        }
        await self._call("adjust_margin", "position_margin", params, symbol=symbol)

    async def set_leverage(self, symbol: str, leverage: Decimal, side: PositionSide | None) -> Leverage:
        """``POST /fapi/v3/leverage``: one leverage per symbol for both legs, 1..125 (AST3)."""
        market = self.market(symbol)
        if side is not None:
            raise InvalidRequest(
                "Aster keeps one leverage per symbol for both legs; call set_leverage without a side",
                venue=self.name, symbol=market.symbol,
            )
        payload = await self._call(
            "set_leverage", "leverage", {"symbol": market.venue_symbol, "leverage": wire.fmt(leverage)}, symbol=symbol,
        )
        with self._parsing("leverage"):
            value = Decimal(int(wire.obj(payload, "leverage")["leverage"]))
        return Leverage(venue=self.name, symbol=market.symbol, long=value, short=value, raw=payload)

    async def set_margin_mode(self, symbol: str, margin_mode: MarginMode) -> None:
        """``POST /fapi/v3/marginType`` (ISOLATED|CROSSED); -4046 means already set."""
        market = self.market(symbol)
        params = {
            "symbol": market.venue_symbol,
            "marginType": "ISOLATED" if margin_mode is MarginMode.ISOLATED else "CROSSED",
        }
        try:
            await self._call("set_margin_mode", "margin_type", params, symbol=symbol)
        except HedgekitError as exc:
            if exc.code == NO_NEED_TO_CHANGE_MARGIN_TYPE:
                return  # -4046 "No need to change margin type."
            raise

    # -- live state --------------------------------------------------------------------------
    def stream_session(self, symbols: tuple[str, ...] | None, options: StreamOptions) -> StreamSession:
        """The user data stream: a signed listen key and ``…/ws/<listenKey>`` (:mod:`.stream`)."""
        from hedgekit_aster.stream import AsterStreamSession

        return AsterStreamSession(self, symbols, options)
