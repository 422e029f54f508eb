"""The Bybit v5 wire frontend of hedgekit's loopback simulator (USDT perpetuals, ``category=linear``).

:class:`BybitFrontend` answers ``/v5/*`` requests the way ``https://api.bybit.com`` does, over the
venue-neutral :class:`~hedgekit.testing.engine.Engine` in ``ModeScope.SYMBOL`` (the mode per symbol,
a per-coin default, the silent skip of busy symbols on a coin-wide switch). Endpoints live in
:mod:`.simulator_markets` (public), :mod:`.simulator_trade` (orders) and
:mod:`.simulator_position` (positions, mode, leverage, margin, trading-stop, account).

Auth, in the order checked (guide.mdx "Authentication"; the checks and texts of Bybit's API gateway
``bgw``, ``openapi`` v3 checker):

1. ``X-BAPI-TIMESTAMP`` or ``X-BAPI-API-KEY`` missing: ``10001 empty value: apiTimestamp[…]
   apiKey[…]``; ``X-BAPI-SIGN`` missing: the same with ``apiSignature[]``.
2. Another key: ``10003 API key is invalid.`` (captured answer, bybit-java-api issue 57).
3. ``X-BAPI-SIGN`` is not the lower-case hex HMAC-SHA256 of ``timestamp + apiKey + recvWindow +
   (raw query string | raw JSON body)``, with ``recvWindow`` the header as sent (empty when absent):
   ``10004 error sign! origin_string[<that string>]`` (HTTP 200, as captured from the live venue).
4. Outside ``server_time - recv_window <= timestamp < server_time + 1000`` (recv_window default
   5000): ``10002 invalid request, please check your server timestamp or recv_window param.
   req_timestamp[…],server_timestamp[…],recv_window[…]`` (captured answer).

Signed answers carry ``X-Bapi-Limit``, ``X-Bapi-Limit-Status`` and ``X-Bapi-Limit-Reset-Timestamp``
(rate-limit.mdx); :func:`.simulator_wire.too_many_visits` builds the ``10006`` answer for a
fault-injection middleware. An unknown route is HTTP 404 with ``10017 Route not found.``
(UNCONFIRMED body). Simplifications: one price per symbol (last = mark = index), whole fills, no
fees unless a test sets a rate, funding at each interval (:mod:`.simulator_account`), one risk-limit tier.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import EngineError, ModeScope
from hedgekit.testing.frontend import Frontend, RecordedRequest, WireResponse
from hedgekit.testing.streams import StreamFrontend

from hedgekit_bybit import simulator_account as account
from hedgekit_bybit import simulator_position as position
from hedgekit_bybit import simulator_trade as trade
from hedgekit_bybit.simulator_markets import INSTRUMENTS, default_marks, engine_market, instruments_info
from hedgekit_bybit.simulator_markets import server_time
from hedgekit_bybit.simulator_trade import State
from hedgekit_bybit.simulator_wire import BybitError, Params, engine_error, envelope, too_many_visits
from hedgekit_bybit.rules import engine_rules

EndpointHandler = Callable[[State, Params], Any]

DEFAULT_BALANCE = Decimal("10000")
"""USDT in a fresh simulated account."""
DEFAULT_LEVERAGE = 10  # a contract nobody has set yet (UNCONFIRMED; Bybit's web default)
DEFAULT_RECV_WINDOW = 5000  # "X-BAPI-RECV-WINDOW (unit in millisecond and default value is 5,000)"
FUTURE_TOLERANCE = 1000  # "timestamp < server_time + 1000"
LIMIT_HEADERS = {"X-Bapi-Limit": "10", "X-Bapi-Limit-Status": "9"}


@dataclass(frozen=True)
class Endpoint:
    """A route: its handler and whether it needs the ``X-BAPI-*`` signature."""

    handler: EndpointHandler
    signed: bool = True


def _public(fn: Callable[[Engine, Params], Any]) -> EndpointHandler:
    def handler(state: State, params: Params) -> Any:
        return fn(state.engine, params)

    return handler


ROUTES: dict[tuple[str, str], Endpoint] = {
    ("GET", "/v5/market/time"): Endpoint(_public(server_time), signed=False),
    ("GET", "/v5/market/instruments-info"): Endpoint(_public(instruments_info), signed=False),
    ("GET", "/v5/market/tickers"): Endpoint(account.tickers, signed=False),
    ("GET", "/v5/market/funding/history"): Endpoint(account.funding_history, signed=False),
    ("GET", "/v5/account/transaction-log"): Endpoint(account.transaction_log),
    ("GET", "/v5/execution/list"): Endpoint(account.execution_list),
    ("POST", "/v5/order/amend"): Endpoint(account.amend_order),
    ("GET", "/v5/position/list"): Endpoint(position.position_list),
    ("POST", "/v5/position/switch-mode"): Endpoint(position.switch_mode),
    ("POST", "/v5/position/set-leverage"): Endpoint(position.set_leverage),
    ("POST", "/v5/position/add-margin"): Endpoint(position.add_margin),
    ("POST", "/v5/position/trading-stop"): Endpoint(position.trading_stop),
    ("GET", "/v5/account/info"): Endpoint(position.account_info),
    ("GET", "/v5/account/wallet-balance"): Endpoint(position.wallet_balance),
    ("POST", "/v5/account/set-margin-mode"): Endpoint(position.set_margin_mode),
    ("POST", "/v5/order/create"): Endpoint(trade.create_order),
    ("POST", "/v5/order/cancel"): Endpoint(trade.cancel_order),
    ("POST", "/v5/order/cancel-all"): Endpoint(trade.cancel_all),
    ("GET", "/v5/order/realtime"): Endpoint(trade.realtime),
    ("GET", "/v5/order/history"): Endpoint(trade.history),
}
"""Every path the simulator serves, by ``(method, path)``."""


def sign(secret: str, payload: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``payload`` under ``secret`` (Bybit's HMAC scheme)."""
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def signed_text(request: RecordedRequest) -> str:
    """The part of the signed string after ``timestamp + apiKey + recvWindow``: the raw query
    string of a GET, the raw body otherwise (exactly as sent)."""
    return request.query_string if request.method == "GET" else request.body


class BybitFrontend(Frontend):
    """Bybit v5 linear over the simulated engine: the mode per symbol, a default per settle coin.

    Listed: BTCUSDT, ETHUSDT, SOLUSDT, XRPUSDT. Cross margin ("REGULAR_MARGIN") until
    ``/v5/account/set-margin-mode`` changes the whole account.
    """

    venue = "bybit"

    def __init__(self, engine: Engine, api_key: str, secret: str, password: str | None = None) -> None:
        super().__init__(engine, api_key, secret, password)
        self.state = State(engine)
        self._stream: StreamFrontend | None = None

    def stream_frontend(self) -> StreamFrontend:
        """``/v5/private`` over the same engine and state (:mod:`.simulator_stream`), made once."""
        if self._stream is None:
            from hedgekit_bybit.simulator_stream import BybitStreamFrontend

            self._stream = BybitStreamFrontend(self.engine, self.api_key, self.secret, self.state)
        return self._stream

    @classmethod
    def create_engine(
        cls,
        *,
        balance: Decimal | None = None,
        mark_prices: Mapping[str, Decimal | str] | None = None,
    ) -> Engine:
        """An engine with Bybit's USDT perpetuals, per-symbol mode scope and 10 000 USDT."""
        engine = Engine(
            [engine_market(spec) for spec in INSTRUMENTS],
            mark_prices=default_marks(),
            mode_scope=ModeScope.SYMBOL,
            rules=engine_rules(),  # the venue's own rules (bybit rules.py)
            balance=DEFAULT_BALANCE if balance is None else balance,
            default_leverage=DEFAULT_LEVERAGE,
        )
        for symbol, mark in (mark_prices or {}).items():
            engine.set_mark_price(symbol, mark)
        return engine

    def fault_response(
        self, kind: Any, request: RecordedRequest, *, retry_after: float, status: int
    ) -> WireResponse:
        """Bybit's answers to injected faults (error.mdx, rate-limit.mdx).

        * rate limit: ``10006 Too many visits!`` (HTTP 200) with ``X-Bapi-Limit-Reset-Timestamp``;
        * 5xx: the HTTP status with ``10016 Server error.`` (a failure the client may resend);
        * unknown: ``10000 Server Timeout`` after the request was processed (outcome unknown);
        * clock: ``10002`` with the timestamp message the venue sends.
        """
        now = self.engine.clock()
        name = getattr(kind, "value", str(kind))
        if name == "rate_limit":
            return too_many_visits(now, int(retry_after * 1000))
        if name == "server_error":
            return BybitError(10016, "Server error.", status=status).response(now)
        if name == "unknown":
            return BybitError(10000, "Server Timeout").response(now)
        if name == "clock_skew":
            timestamp = request.headers.get("X-BAPI-TIMESTAMP", "")
            return BybitError(
                10002, "invalid request, please check your server timestamp or recv_window param. "
                f"req_timestamp[{timestamp}],server_timestamp[{now}],recv_window[{DEFAULT_RECV_WINDOW}]",
            ).response(now)
        return super().fault_response(kind, request, retry_after=retry_after, status=status)

    async def handle(self, request: RecordedRequest) -> WireResponse:
        """Route, authenticate and answer one request in Bybit's envelope."""
        now = self.engine.clock()
        endpoint = ROUTES.get((request.method, request.path))
        if endpoint is None:
            return BybitError(10017, "Route not found.", status=404).response(now)
        headers = dict(LIMIT_HEADERS, **{"X-Bapi-Limit-Reset-Timestamp": str(now)}) if endpoint.signed else {}
        try:
            if endpoint.signed:
                # X-BAPI-RECV-WINDOW is checked when the request arrives ("server_time - recv_window
                # <= timestamp < server_time + 1000", guide.mdx); Bybit keeps no deadline after that
                self._authenticate(request, request.time or now)
            position.sweep(self.state)
            result = endpoint.handler(self.state, Params(request))
        except BybitError as exc:
            return exc.response(now, headers)
        except EngineError as exc:
            return engine_error(exc).response(now, headers)
        return WireResponse.json(envelope(result, now), headers=headers)

    def _authenticate(self, request: RecordedRequest, now: int) -> None:
        timestamp = request.headers.get("X-BAPI-TIMESTAMP", "")
        key = request.headers.get("X-BAPI-API-KEY", "")
        signature = request.headers.get("X-BAPI-SIGN", "")
        window = request.headers.get("X-BAPI-RECV-WINDOW", "")
        if not timestamp or not key:
            raise BybitError(10001, f"empty value: apiTimestamp[{timestamp}] apiKey[{key}]")
        if not signature:
            raise BybitError(10001, f"empty value: apiTimestamp[{timestamp}] apiKey[{key}] apiSignature[]")
        if not hmac.compare_digest(key, self.api_key):
            raise BybitError(10003, "API key is invalid.")
        origin = timestamp + key + window + signed_text(request)
        if not hmac.compare_digest(signature.lower(), sign(self.secret, origin)):
            raise BybitError(10004, f"error sign! origin_string[{origin}]")
        recv = int(window) if window.isdigit() else DEFAULT_RECV_WINDOW
        if not timestamp.isdigit() or not now - recv <= int(timestamp) < now + FUTURE_TOLERANCE:
            raise BybitError(
                10002,
                "invalid request, please check your server timestamp or recv_window param. "
                f"req_timestamp[{timestamp}],server_timestamp[{now}],recv_window[{recv}]",
            )
