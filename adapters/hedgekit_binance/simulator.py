"""The Binance USDⓈ-M wire frontend of hedgekit's loopback simulator.

:class:`BinanceFrontend` answers ``/fapi/*`` requests the way ``https://fapi.binance.com`` does,
over the venue-neutral :class:`~hedgekit.testing.engine.Engine`: the same paths, the same
``X-MBX-APIKEY`` + HMAC-SHA256 auth, the same JSON payloads and ``{"code","msg"}`` errors.
Endpoints live in :mod:`.simulator_trade` (orders, Algo Service) and :mod:`.simulator_account`
(mode, positions, balances, margin, leverage); the listing is :mod:`.simulator_markets`.

Auth, in the order checked (https://developers.binance.com/docs/derivatives/usds-margined-futures/general-info,
"SIGNED (TRADE and USER_DATA) Endpoint Security"; error texts from the error-code page):

1. ``X-MBX-APIKEY`` missing or not a 64-character key: HTTP 401 ``-2014 API-key format invalid.``
   (a live unsigned ``/fapi/v1/apiTradingStatus`` answers exactly that); another key: HTTP 401
   ``-2015 Invalid API-key, IP, or permissions for action.``
2. ``timestamp`` missing: ``-1102``; ``recvWindow`` above 60000: ``-1130`` (UNCONFIRMED code).
3. ``signature`` missing: ``-1102``; not ``hex(HMAC-SHA256(secret, totalParams))``, where
   totalParams is the query string concatenated with the body, exactly as sent and without the
   signature parameter: ``-1022 Signature for this request is not valid.`` (case-insensitive).
4. ``timestamp >= serverTime + 1000``: ``-1021 Timestamp for this request was 1000ms ahead of the
   server's time.``; ``serverTime - timestamp > recvWindow`` (default 5000): ``-1021 Timestamp for
   this request is outside of the recvWindow.``

Parameters may come in the query string or a form body, the query string winning (general info:
"If a parameter sent in both the query string and request body, the query string parameter will
be used"); ccxt binanceusdm sends GET/DELETE parameters in the query and POST parameters in a
``application/x-www-form-urlencoded`` body (ccxt binance.py ``sign``). A repeated parameter is
``-1101 Duplicate values for a parameter detected.``. An unknown path is an HTML 404 page, as
``fapi.binance.com`` serves (ccxt issue 18797).

COIN-M: the same account has a COIN-M book (:mod:`.simulator_coinm`, ``/dapi/*`` on the same host,
the same keys and signature rules) that shares the one position-mode setting: either side's open
orders or positions refuse a switch on either path (-4067/-4068). A key created without COIN-M
permission is simulated with :attr:`BinanceFrontend.coinm_enabled` ``= False``: every signed
``/dapi`` request then answers HTTP 401 ``-2015``, while ``/fapi`` works as before.

Simplifications (documented, deliberate): one price per symbol (mark = last = index, so
``workingType`` is echoed but both kinds trigger on the mark), whole fills, no fees unless a
test sets a rate, funding at each interval (:mod:`.simulator_funding`), one leverage bracket per symbol, no COIN-M margin, unread extra parameters are ignored rather
than answered with ``-1104``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import EngineError, ModeScope
from hedgekit.testing.frontend import Frontend, RecordedRequest, WireResponse

from hedgekit_binance import simulator_account as account
from hedgekit_binance import simulator_coinm as coinm
from hedgekit_binance import simulator_funding as funding
from hedgekit_binance import simulator_trade as trade
from hedgekit_binance.simulator_markets import SPECS, SPECS_BY_ID, engine_market, exchange_info
from hedgekit_binance.simulator_stream import BinanceStreamFrontend
from hedgekit_binance.simulator_trade import symbol_of
from hedgekit_binance.simulator_wire import BinanceError, Params, engine_error, fixed, mandatory
from hedgekit_binance.rules import engine_rules

EndpointHandler = Callable[[Engine, Params], Any]

DEFAULT_BALANCE = Decimal("10000")
"""USDT in a fresh simulated account."""

MAX_RECV_WINDOW = 60000  # "recvWindow cannot exceed 60000" (general info, timing security)
DEFAULT_RECV_WINDOW = 5000  # "If recvWindow is not sent, it defaults to 5000"
_API_KEY = re.compile(r"^[A-Za-z0-9]{64}$")  # Binance API keys are 64 alphanumerics

NOT_FOUND_PAGE = (
    "<!DOCTYPE html><html><head><meta charset=\"UTF-8\"><title>Binance</title></head>"
    "<body><div class=\"info\"><h3>404 Not Found</h3>"
    "<p>Sorry, the page you are looking for does not exist.</p></div></body></html>"
)


@dataclass(frozen=True)
class Endpoint:
    """A route: its handler and whether it is a SIGNED (TRADE/USER_DATA) endpoint."""

    handler: EndpointHandler
    signed: bool = True


def _ping(engine: Engine, params: Params) -> dict[str, Any]:
    return {}


def _time(engine: Engine, params: Params) -> dict[str, Any]:
    return {"serverTime": engine.clock()}


def _exchange_info(engine: Engine, params: Params) -> dict[str, Any]:
    return exchange_info(engine.clock())


def _ticker_price(engine: Engine, params: Params) -> Any:
    """``GET /fapi/v1/ticker/price`` and ``/fapi/v2/ticker/price``: last = the engine's mark."""
    def row(sid: str) -> dict[str, Any]:
        price = fixed(engine.mark_price(sid), SPECS_BY_ID[sid].price_precision)
        return {"symbol": sid, "price": price, "time": engine.clock()}

    if params.get("symbol"):
        return row(symbol_of(engine, params))
    return [row(m.symbol_id) for m in engine.markets()]


def _ticker_24hr(engine: Engine, params: Params) -> Any:
    """``GET /fapi/v1/ticker/24hr``: a flat day at the mark (no trades are simulated)."""
    now = engine.clock()

    def row(sid: str) -> dict[str, Any]:
        price = fixed(engine.mark_price(sid), SPECS_BY_ID[sid].price_precision)
        return {"symbol": sid, "priceChange": "0", "priceChangePercent": "0.000",
                "weightedAvgPrice": price, "lastPrice": price, "lastQty": "0",
                "openPrice": price, "highPrice": price, "lowPrice": price, "volume": "0",
                "quoteVolume": "0", "openTime": now - 86_400_000, "closeTime": now,
                "firstId": 0, "lastId": 0, "count": 0}

    if params.get("symbol"):
        return row(symbol_of(engine, params))
    return [row(m.symbol_id) for m in engine.markets()]


LISTEN_KEY_PATH = "/fapi/v1/listenKey"
"""``POST``/``PUT``/``DELETE``: the user data stream's listen key (:mod:`.simulator_stream`)."""

ROUTES: dict[tuple[str, str], Endpoint] = {
    ("GET", "/fapi/v1/ping"): Endpoint(_ping, signed=False),
    ("GET", "/fapi/v1/time"): Endpoint(_time, signed=False),
    ("GET", "/fapi/v1/exchangeInfo"): Endpoint(_exchange_info, signed=False),
    ("GET", "/fapi/v1/premiumIndex"): Endpoint(funding.premium_index, signed=False),
    ("GET", "/fapi/v1/fundingInfo"): Endpoint(funding.funding_info, signed=False),
    ("GET", "/fapi/v1/fundingRate"): Endpoint(funding.funding_rate, signed=False),
    ("GET", "/fapi/v1/income"): Endpoint(funding.income),
    ("GET", "/fapi/v1/userTrades"): Endpoint(funding.user_trades),
    ("PUT", "/fapi/v1/order"): Endpoint(funding.modify_order),
    ("GET", "/fapi/v1/ticker/price"): Endpoint(_ticker_price, signed=False),
    ("GET", "/fapi/v2/ticker/price"): Endpoint(_ticker_price, signed=False),
    ("GET", "/fapi/v1/ticker/24hr"): Endpoint(_ticker_24hr, signed=False),
    ("GET", "/fapi/v1/positionSide/dual"): Endpoint(account.get_position_mode),
    ("POST", "/fapi/v1/positionSide/dual"): Endpoint(account.set_position_mode),
    ("GET", "/fapi/v1/accountConfig"): Endpoint(account.account_config),
    ("GET", "/fapi/v1/symbolConfig"): Endpoint(account.symbol_config),
    ("GET", "/fapi/v1/leverageBracket"): Endpoint(account.leverage_brackets),
    ("GET", "/fapi/v2/positionRisk"): Endpoint(account.position_risk_v2),
    ("GET", "/fapi/v3/positionRisk"): Endpoint(account.position_risk_v3),
    ("GET", "/fapi/v2/account"): Endpoint(account.account_v2),
    ("GET", "/fapi/v3/account"): Endpoint(account.account_v3),
    ("GET", "/fapi/v2/balance"): Endpoint(account.balance),
    ("GET", "/fapi/v3/balance"): Endpoint(account.balance),
    ("POST", "/fapi/v1/leverage"): Endpoint(account.set_leverage),
    ("POST", "/fapi/v1/marginType"): Endpoint(account.set_margin_type),
    ("POST", "/fapi/v1/positionMargin"): Endpoint(account.modify_position_margin),
    ("POST", "/fapi/v1/order"): Endpoint(trade.new_order),
    ("GET", "/fapi/v1/order"): Endpoint(trade.query_order),
    ("DELETE", "/fapi/v1/order"): Endpoint(trade.cancel_order),
    ("GET", "/fapi/v1/openOrder"): Endpoint(trade.query_open_order),
    ("GET", "/fapi/v1/openOrders"): Endpoint(trade.open_orders),
    ("GET", "/fapi/v1/allOrders"): Endpoint(trade.all_orders),
    ("DELETE", "/fapi/v1/allOpenOrders"): Endpoint(trade.cancel_all_orders),
    ("POST", "/fapi/v1/algoOrder"): Endpoint(trade.new_algo_order),
    ("GET", "/fapi/v1/algoOrder"): Endpoint(trade.query_algo_order),
    ("DELETE", "/fapi/v1/algoOrder"): Endpoint(trade.cancel_algo_order),
    ("DELETE", "/fapi/v1/algoOpenOrders"): Endpoint(trade.cancel_all_algo_orders),
    ("GET", "/fapi/v1/openAlgoOrders"): Endpoint(trade.open_algo_orders),
    ("GET", "/fapi/v1/allAlgoOrders"): Endpoint(trade.all_algo_orders),
}
"""Every path the simulator serves, by ``(method, path)``."""

MATCHING_ENGINE_WRITES = frozenset({
    ("POST", "/fapi/v1/order"), ("DELETE", "/fapi/v1/order"), ("PUT", "/fapi/v1/order"), ("DELETE", "/fapi/v1/allOpenOrders"),
    ("POST", "/fapi/v1/algoOrder"), ("DELETE", "/fapi/v1/algoOrder"), ("DELETE", "/fapi/v1/algoOpenOrders"),
})
"""Writes the venue acts on after the gateway took them, and checks ``recvWindow`` for again
(``-5028``). The Algo Service's own re-check is UNCONFIRMED; it is simulated the same way."""


def _without_signature(raw: str) -> str:
    return "&".join(part for part in raw.split("&") if part and not part.startswith("signature="))


def total_params(request: RecordedRequest) -> str:
    """Binance's totalParams: query string + body as sent, without the signature parameter."""
    return _without_signature(request.query_string) + _without_signature(request.body)


def sign(secret: str, payload: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``payload`` under ``secret`` (Binance's HMAC scheme)."""
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


class BinanceFrontend(Frontend):
    """Binance USDⓈ-M Futures (``fapi``) over the simulated engine.

    The mode scope is the account ("Change user's position mode ... on EVERY symbol",
    Change-Position-Mode docs). Listed: BTCUSDT, ETHUSDT, SOLUSDT, XRPUSDT, DOGEUSDT.
    """

    venue = "binance"

    def __init__(self, engine: Engine, api_key: str, secret: str, password: str | None = None) -> None:
        super().__init__(engine, api_key, secret, password)
        self.coinm = coinm.CoinMBook(engine, coinm.create_engine(lambda: self.engine.clock()))
        """The account's COIN-M book (``/dapi``); its :attr:`~.simulator_coinm.CoinMBook.engine`
        holds the COIN-M orders and legs."""
        self.coinm_enabled = True
        """``False`` simulates a key without COIN-M permission: signed ``/dapi`` requests answer
        HTTP 401 ``-2015 Invalid API-key, IP, or permissions for action.``"""
        self._routes = dict(ROUTES)
        # one setting for UM and CM: the /fapi switch checks the COIN-M book too
        self._routes[("POST", "/fapi/v1/positionSide/dual")] = Endpoint(
            lambda _engine, params: self.coinm.switch_mode(params))

    @classmethod
    def create_engine(
        cls,
        *,
        balance: Decimal | None = None,
        mark_prices: Mapping[str, Decimal | str] | None = None,
    ) -> Engine:
        """An engine with Binance's markets, account-wide mode scope and 10 000 USDT."""
        marks: dict[str, Decimal | str] = {spec.symbol: spec.default_mark for spec in SPECS}
        engine = Engine(
            [engine_market(spec) for spec in SPECS],
            mark_prices=marks,
            mode_scope=ModeScope.ACCOUNT,
            rules=engine_rules(),  # the venue's own rules (binance rules.py)
            balance=DEFAULT_BALANCE if balance is None else balance,
            first_order_id=4_000_000_001,  # order ids are large integers on fapi
            first_conditional_id=1_000_000_000_001,  # algoId sample: 1000000022710270
        )
        for symbol, price in (mark_prices or {}).items():
            engine.set_mark_price(symbol, price)
        funding.configure(engine, funding.ADJUSTED_INTERVALS)  # fundingInfo's adjusted symbols
        return engine

    def fault_response(
        self, kind: Any, request: RecordedRequest, *, retry_after: float, status: int
    ) -> WireResponse:
        """Binance's answers to injected faults (USDⓈ-M "General Info": HTTP return codes, limits).

        * rate limit: HTTP 429, ``-1003`` and a ``Retry-After`` header (seconds);
        * 5xx: "Internal error; unable to process your request. Please try again." (``-1001``),
          a failure the client may resend;
        * unknown: HTTP 503 with ``-1007`` "Timeout waiting for response from backend server. Send
          status unknown; execution status unknown." (the request may have been executed);
        * clock: ``-1021`` "Timestamp for this request is outside of the recvWindow."
        """
        name = getattr(kind, "value", str(kind))
        if name == "rate_limit":
            seconds = str(int(retry_after)) if float(retry_after).is_integer() else f"{retry_after:g}"
            return WireResponse.json(
                {"code": -1003, "msg": "Too many requests; current limit of IP(127.0.0.1) is 2400 requests per "
                 "minute. Please use the websocket for live updates to avoid polling the API."},
                429, {"Retry-After": seconds},
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
            return WireResponse.json({"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}, 400)
        return super().fault_response(kind, request, retry_after=retry_after, status=status)

    def stream_frontend(self) -> BinanceStreamFrontend:
        """The user data stream over the same engine (:mod:`.simulator_stream`), made once."""
        stream = getattr(self, "_stream", None)
        if stream is None:
            stream = self._stream = BinanceStreamFrontend(self.engine, self.api_key, SPECS_BY_ID)
        return stream

    async def handle(self, request: RecordedRequest) -> WireResponse:
        """Route, authenticate and answer one request."""
        if request.path == LISTEN_KEY_PATH:  # USER_STREAM: the key header, no signature
            stream = self.stream_frontend()
            try:
                self._check_duplicates(request)
                stream.check_key_header(request)
            except BinanceError as exc:
                return exc.response()
            return stream.handle_listen_key(request)
        if request.path.startswith("/dapi/"):
            return self._handle_coinm(request)
        endpoint = self._routes.get((request.method, request.path))
        if endpoint is None:
            return WireResponse(404, NOT_FOUND_PAGE, "text/html")
        try:
            self._check_duplicates(request)
            params = Params(request)
            if endpoint.signed:
                timestamp, window = self._authenticate(request, params)
                if (request.method, request.path) in MATCHING_ENGINE_WRITES:
                    self._matching_engine_window(timestamp, window)
            data = endpoint.handler(self.engine, params)
        except BinanceError as exc:
            return exc.response()
        except EngineError as exc:
            return engine_error(exc).response()
        return WireResponse.json(data)

    def _handle_coinm(self, request: RecordedRequest) -> WireResponse:
        """A ``/dapi`` request: the same auth, then the COIN-M book (:mod:`.simulator_coinm`)."""
        key = (request.method, request.path)
        public = self.coinm.public_routes.get(key)
        signed = self.coinm.routes.get(key)
        if public is None and signed is None:
            return WireResponse(404, NOT_FOUND_PAGE, "text/html")
        try:
            self._check_duplicates(request)
            params = Params(request)
            if public is not None:
                return WireResponse.json(public(params))
            assert signed is not None
            timestamp, window = self._authenticate(request, params)
            if not self.coinm_enabled:
                raise coinm.COINM_ACCESS_DENIED
            if key in coinm.MATCHING_ENGINE_WRITES:
                self._matching_engine_window(timestamp, window)
            self.coinm.sync_mode()
            data = signed(params)
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

    def _matching_engine_window(self, timestamp: int, window: int) -> None:
        """The matching engine checks the window again when it acts, which may be well after the
        request arrived (a busy venue, :attr:`FaultKind.LATENCY`): "-5028 Timestamp for this request
        is outside of the ME recvWindow." (USDⓈ-M error codes)."""
        if self.engine.clock() - timestamp > window:
            raise BinanceError(-5028, "Timestamp for this request is outside of the ME recvWindow.")

    def _authenticate(self, request: RecordedRequest, params: Params) -> tuple[int, int]:
        """Check key, signature and timing; return the request's ``timestamp`` and ``recvWindow``."""
        key = request.headers.get("X-MBX-APIKEY", "")
        if not _API_KEY.match(key):
            raise BinanceError(-2014, "API-key format invalid.", status=401)
        if not hmac.compare_digest(key, self.api_key):
            raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)
        timestamp = params.get("timestamp")
        if timestamp is None or not timestamp.isdigit():
            raise mandatory("timestamp")
        window = params.integer("recvWindow")
        window = DEFAULT_RECV_WINDOW if window is None else window
        if not 0 < window <= MAX_RECV_WINDOW:
            raise BinanceError(-1130, "Data sent for parameter 'recvwindow' is not valid.")
        signature = params.get("signature")
        if signature is None:
            raise mandatory("signature")
        expected = sign(self.secret, total_params(request))
        if not hmac.compare_digest(signature.lower(), expected):
            raise BinanceError(-1022, "Signature for this request is not valid.")
        now = request.time or self.engine.clock()  # the gateway checks the window on arrival
        if int(timestamp) >= now + 1000:
            raise BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
        if now - int(timestamp) > window:
            raise BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")
        return int(timestamp), window

