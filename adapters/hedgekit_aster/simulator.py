"""The Aster wire frontend of hedgekit's loopback simulator.

:class:`AsterFrontend` answers ``/fapi/*`` requests the way ``https://fapi.asterdex.com`` does, over
the venue-neutral :class:`~hedgekit.testing.engine.Engine`: the ``/fapi/v3/*`` paths with v3
API-wallet authentication (EIP-712 signatures recovered and checked against ``signer``, nonces
refused when reused or stale: :mod:`.simulator_auth`), the legacy ``/fapi/v1/*`` and
``/fapi/v2/positionRisk`` paths with v1 HMAC keys, Aster's payloads (:mod:`.simulator_trade`,
:mod:`.simulator_account`, :mod:`.simulator_markets`) and ``{"code","msg"}`` errors.

Credentials: :attr:`credentials` are what ``hedgekit.connect("aster", ...)`` takes for v3:
``api_key`` = the account's main wallet address, ``secret`` = an approved API wallet's private key.
:attr:`legacy_credentials` are a v1 HMAC key pair of the same account. :meth:`approve_agent` /
:meth:`set_user` let a test add API wallets or make the account a wallet whose key it holds.

Parameters may come in the query string or a form body (AST3: GET in the query string; POST, PUT,
DELETE in an ``application/x-www-form-urlencoded`` body; the doc samples also POST everything in the
query string), the query string winning. ``builder``/``feeRate`` on an order are refused with
``-2031 Invalid builder parameter.`` unless the builder was approved (:meth:`approve_builder`).

Simplifications (documented, deliberate): one price per symbol (mark = last = index), whole fills, no
fees unless a test sets a rate, funding at each interval (:mod:`.simulator_funding`), one leverage bracket per symbol, no strategy orders, an unknown path is a plain
404 page (UNCONFIRMED body).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import EngineError, ModeScope
from hedgekit.testing.frontend import Credentials, Frontend, RecordedRequest, WireResponse, random_token

from hedgekit_aster import simulator_account as account
from hedgekit_aster import simulator_funding as funding
from hedgekit_aster import simulator_trade as trade
from hedgekit_aster.auth import MAINNET_CHAIN_ID, address_of, checksum_address, is_address, private_key_bytes
from hedgekit_aster.simulator_auth import V3Accounts, verify_v1
from hedgekit_aster.simulator_markets import SPECS, SPECS_BY_ID, engine_market, exchange_info
from hedgekit_aster.simulator_stream import AsterStreamFrontend
from hedgekit_aster.rules import engine_rules
from hedgekit_binance.simulator_wire import BinanceError, Params, engine_error

EndpointHandler = Callable[[Engine, Params], Any]

DEFAULT_BALANCE = Decimal("10000")
"""USDT in a fresh simulated account."""

NOT_FOUND_PAGE = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
SUCCESS = {"code": 200, "msg": "success"}  # POST /fapi/v3/noop answer (AST3 §Noop)
INVALID_BUILDER = BinanceError(-2031, "Invalid builder parameter.")  # UNCONFIRMED: no Aster document has this code


@dataclass(frozen=True)
class Endpoint:
    """A route: its handler and its authentication (``none``, ``v3`` or ``v1``)."""

    handler: EndpointHandler
    auth: str


def _ping(engine: Engine, params: Params) -> dict[str, Any]:
    return {}


def _time(engine: Engine, params: Params) -> dict[str, Any]:
    return {"serverTime": engine.clock()}


def _exchange_info(engine: Engine, params: Params) -> dict[str, Any]:
    return exchange_info(engine.clock())


def _noop(engine: Engine, params: Params) -> dict[str, Any]:
    return SUCCESS


# (method, path without the version, handler, versions): public paths exist under v1 and v3; a
# signed path under v3 (v3 auth) and under its legacy version (v1 auth).
_TABLE: tuple[tuple[str, str, EndpointHandler, tuple[str, ...]], ...] = (
    ("GET", "ping", _ping, ("v1", "v3")),
    ("GET", "time", _time, ("v1", "v3")),
    ("GET", "exchangeInfo", _exchange_info, ("v1", "v3")),
    ("GET", "premiumIndex", funding.premium_index, ("v1", "v3")),
    ("GET", "fundingInfo", funding.funding_info, ("v1", "v3")),
    ("GET", "fundingRate", funding.funding_rate, ("v1", "v3")),
    ("GET", "income", funding.income, ("v1", "v3")),
    ("GET", "userTrades", funding.user_trades, ("v1", "v3")),
    ("GET", "accountWithJoinMargin", funding.account_with_join_margin, ("v3",)),
    ("GET", "account", funding.account_with_join_margin, ("v4",)),  # AST1 account information (v1 keys)
    ("PUT", "order", funding.modify_order, ("v3",)),  # v3 only: V1 has no amendment (AST1)
    ("GET", "ticker/price", account.ticker_price, ("v1", "v3")),
    ("GET", "positionSide/dual", account.get_position_mode, ("v1", "v3")),
    ("POST", "positionSide/dual", account.set_position_mode, ("v1", "v3")),
    ("GET", "positionRisk", account.position_risk, ("v2", "v3")),
    ("GET", "balance", account.balance, ("v2", "v3")),
    ("GET", "leverageBracket", account.leverage_brackets, ("v1", "v3")),
    ("POST", "leverage", account.set_leverage, ("v1", "v3")),
    ("POST", "marginType", account.set_margin_type, ("v1", "v3")),
    ("POST", "positionMargin", account.modify_position_margin, ("v1", "v3")),
    ("POST", "order", trade.new_order, ("v1", "v3")),
    ("GET", "order", trade.query_order, ("v1", "v3")),
    ("DELETE", "order", trade.cancel_order, ("v1", "v3")),
    ("GET", "openOrder", trade.query_open_order, ("v1", "v3")),
    ("GET", "openOrders", trade.open_orders, ("v1", "v3")),
    ("GET", "allOrders", trade.all_orders, ("v1", "v3")),
    ("DELETE", "allOpenOrders", trade.cancel_all_orders, ("v1", "v3")),
    ("POST", "noop", _noop, ("v3",)),
)
LISTEN_KEY_PATHS = frozenset({"/fapi/v3/listenKey", "/fapi/v1/listenKey"})
"""``POST``/``PUT``/``DELETE``: the user data stream's listen key (AST3, AST1; :mod:`.simulator_stream`)."""
_PUBLIC = {"ping", "time", "exchangeInfo", "premiumIndex", "ticker/price", "fundingInfo", "fundingRate"}

ROUTES: dict[tuple[str, str], Endpoint] = {
    (method, f"/fapi/{version}/{path}"): Endpoint(
        handler, "none" if path in _PUBLIC else ("v3" if version == "v3" else "v1")
    )
    for method, path, handler, versions in _TABLE
    for version in versions
}
"""Every path the simulator serves, by ``(method, path)``."""


def new_private_key() -> str:
    """A fresh secp256k1 private key as ``0x`` + 64 hex digits."""
    while True:
        candidate = "0x" + secrets.token_hex(32)
        try:
            private_key_bytes(candidate)
        except ValueError:  # pragma: no cover - astronomically unlikely
            continue
        return candidate


class AsterFrontend(Frontend):
    """Aster USDT perpetuals (``fapi``) over the simulated engine.

    The mode scope is the account ("Change user's position mode ... on EVERY symbol", AST3). Listed:
    BTCUSDT, ETHUSDT, SOLUSDT, ASTERUSDT.

    Args:
        engine: The engine to drive.
        api_key: The account's main wallet address (the v3 ``user``).
        secret: The private key of an API wallet the user approved (the v3 ``signer``).
        password: Unused (Aster has no passphrase).
        chain_id: The EIP-712 chain id signatures must use (1666: mainnet).
    """

    venue = "aster"

    def __init__(self, engine: Engine, api_key: str, secret: str, password: str | None = None, *,
                 chain_id: int = MAINNET_CHAIN_ID) -> None:
        super().__init__(engine, checksum_address(api_key), secret, password)
        self.accounts = V3Accounts(user=self.api_key, chain_id=chain_id)
        self.accounts.agents.add(address_of(private_key_bytes(secret)).lower())
        self.legacy_api_key = random_token(64)
        self._legacy_secret = random_token(64)
        self.approved_builders: dict[str, Decimal] = {}

    def __repr__(self) -> str:
        return f"AsterFrontend(user={self.api_key!r})"

    @classmethod
    def create_engine(
        cls,
        *,
        balance: Decimal | None = None,
        mark_prices: Mapping[str, Decimal | str] | None = None,
    ) -> Engine:
        """An engine with Aster's markets, account-wide mode scope and 10 000 USDT."""
        marks: dict[str, Decimal | str] = {spec.symbol: spec.default_mark for spec in SPECS}
        engine = Engine(
            [engine_market(spec) for spec in SPECS],
            mark_prices=marks,
            mode_scope=ModeScope.ACCOUNT,
            rules=engine_rules(),  # the venue's own rules (aster rules.py)
            balance=DEFAULT_BALANCE if balance is None else balance,
            first_order_id=20_000_000_001,  # orderId sample 20072994001 (AST3 §Batch Modify Orders)
            first_conditional_id=80_000_000_001,  # one id sequence on the venue; a range of its own here
        )
        for symbol, price in (mark_prices or {}).items():
            engine.set_mark_price(symbol, price)
        funding.configure(engine)  # Aster's funding intervals (simulator_funding.INTERVALS)
        return engine

    @classmethod
    def new_credentials(cls) -> Credentials:
        """A random main-wallet address and the private key of an API wallet it approved."""
        user = checksum_address("0x" + secrets.token_hex(20))
        return Credentials(api_key=user, secret=new_private_key())

    @property
    def legacy_credentials(self) -> Credentials:
        """A v1 HMAC key pair of the same account (``connect`` selects v1 from its shape)."""
        return Credentials(api_key=self.legacy_api_key, secret=self._legacy_secret)

    def approve_agent(self, address: str) -> None:
        """Approve another API wallet for the account (the venue's ``approveAgent``)."""
        if not is_address(address):
            raise ValueError("an agent is a 0x-prefixed 20-byte hex address")
        self.accounts.agents.add(address.lower())

    def revoke_agent(self, address: str) -> None:
        """Withdraw an API wallet's approval."""
        self.accounts.agents.discard(address.lower())

    def set_user(self, address: str) -> None:
        """Make ``address`` the account's main wallet (e.g. one whose key a test holds)."""
        self.api_key = checksum_address(address)
        self.accounts.user = self.api_key

    def approve_builder(self, address: str, max_fee_rate: Decimal | str) -> None:
        """Let orders carry ``builder=address`` with a ``feeRate`` up to ``max_fee_rate``."""
        self.approved_builders[address.lower()] = Decimal(max_fee_rate)

    def fault_response(
        self, kind: Any, request: RecordedRequest, *, retry_after: float, status: int
    ) -> WireResponse:
        """Aster's answers to injected faults (AST3 "HTTP Return Codes" and error table).

        * rate limit: HTTP 429, ``-1003`` (its "current limit is %s requests per minute" text) and a
          ``Retry-After`` header in seconds (Binance's header; UNCONFIRMED on Aster);
        * 5xx: ``-1001`` "Internal error; unable to process your request. Please try again.";
        * unknown: HTTP 503 ("the execution status is UNKNOWN") with ``-1007`` "Timeout waiting for
          response from backend server. Send status unknown; execution status unknown.";
        * clock: on ``/fapi/v3`` the nonce refusal ``-4225 Nonce Expired`` (and that nonce is dead from
          then on, as a nonce Aster calls expired is); on the legacy paths
          ``-1021`` "Timestamp for this request is outside of the recvWindow." (AST1).
        """
        name = getattr(kind, "value", str(kind))
        if name == "rate_limit":
            seconds = str(int(retry_after)) if float(retry_after).is_integer() else f"{retry_after:g}"
            return WireResponse.json(
                {"code": -1003, "msg": "Too many requests; current limit is 2400 requests per minute. Please use "
                 "the websocket for live updates to avoid polling the API."}, 429, {"Retry-After": seconds},
            )
        if name == "server_error":
            return WireResponse.json(
                {"code": -1001, "msg": "Internal error; unable to process your request. Please try again."}, status
            )
        if name == "unknown":
            return WireResponse.json(
                {"code": -1007, "msg": "Timeout waiting for response from backend server. Send status unknown; "
                 "execution status unknown."}, 503,
            )
        if name == "clock_skew":
            if request.path.startswith("/fapi/v3/"):
                # "Nonce Expired" is final for that nonce: it was used, or fell out of the window
                # (AST3 "V3 Nonce Mechanism"), so a later request with it is refused too
                self.accounts.burn(request.params.get("signer"), request.params.get("nonce"))
                return WireResponse.json({"code": -4225, "msg": "Nonce Expired"}, 400)
            return WireResponse.json({"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}, 400)
        return super().fault_response(kind, request, retry_after=retry_after, status=status)

    def stream_frontend(self) -> AsterStreamFrontend:
        """The user data stream over the same engine (:mod:`.simulator_stream`), made once."""
        stream = getattr(self, "_stream", None)
        if stream is None:
            stream = self._stream = AsterStreamFrontend(
                self.engine, self.legacy_api_key, SPECS_BY_ID,
                lambda request: self.accounts.verify(request, Params(request), self.engine.clock()),
            )
        return stream

    async def handle(self, request: RecordedRequest) -> WireResponse:
        """Route, authenticate and answer one request."""
        if request.path in LISTEN_KEY_PATHS:  # USER_STREAM: v3 signature, or the v1 key header
            stream = self.stream_frontend()
            try:
                self._check_duplicates(request)
                stream.check_key_header(request)
            except BinanceError as exc:
                return exc.response()
            return stream.handle_listen_key(request)
        endpoint = ROUTES.get((request.method, request.path))
        if endpoint is None:
            return WireResponse(404, NOT_FOUND_PAGE, "text/html")
        try:
            self._check_duplicates(request)
            params = Params(request)
            if endpoint.auth == "v3":
                self.accounts.verify(request, params, self.engine.clock())
            elif endpoint.auth == "v1":
                # v1 checks its recvWindow on arrival (Binance's scheme, AST1); v3 nonces are checked
                # when the request is taken from the queue (AST3 "V3 Nonce Mechanism", §Noop)
                verify_v1(request, params, self.legacy_api_key, self._legacy_secret,
                          request.time or self.engine.clock())
            if endpoint.handler is trade.new_order:
                self._check_builder(params)
            data = endpoint.handler(self.engine, params)
        except BinanceError as exc:
            return exc.response()
        except EngineError as exc:
            return engine_error(exc).response()
        return WireResponse.json(data)

    @staticmethod
    def _check_duplicates(request: RecordedRequest) -> None:
        for pairs in (request.query_pairs, request.body_pairs):
            if len(pairs) > 1 and len({name.lower() for name, _ in pairs}) != len(pairs):
                raise BinanceError(-1101, "Duplicate values for a parameter detected.")

    def _check_builder(self, params: Params) -> None:
        builder, rate = params.get("builder"), params.decimal("feeRate")
        if builder is None and rate is None:
            return
        cap = self.approved_builders.get((builder or "").lower())
        if builder is None or rate is None or cap is None or rate > cap:
            raise INVALID_BUILDER
