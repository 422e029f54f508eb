"""The OKX v5 wire frontend of hedgekit's loopback simulator.

:class:`OkxFrontend` answers ``/api/v5/*`` requests the way ``https://www.okx.com`` does, over the
venue-neutral :class:`~hedgekit.testing.engine.Engine`: the same paths, the same ``OK-ACCESS-*``
authentication, the same ``{"code","msg","data"}`` envelope with per-order ``sCode``/``sMsg``,
sizes in contracts. Endpoints live in :mod:`.simulator_account` (public data, configuration,
positions, balance, leverage, margin), :mod:`.simulator_trade` (orders, close-position) and
:mod:`.simulator_algo` (algo orders); the listing is :mod:`.simulator_markets`.

Authentication, in the order checked (#overview-rest-authentication; codes and texts from
#error-code-rest-api-public, HTTP 401, body ``{"msg", "code"}``):

1. the four headers ``OK-ACCESS-KEY``, ``OK-ACCESS-SIGN``, ``OK-ACCESS-TIMESTAMP``,
   ``OK-ACCESS-PASSPHRASE`` must be present (50103, 50106, 50107, 50104);
2. the key must be the venue's (50111 "Invalid OK-ACCESS-KEY.");
3. ``x-simulated-trading: 1`` must be sent with demo keys and only with them (50101 "APIKey does
   not match current environment.");
4. the timestamp is ISO 8601 UTC with milliseconds, ``2020-12-08T09:08:57.715Z`` (50112), no more
   than 30 s from the server clock (50102 "Timestamp request expired."; the 30 s window is the one
   the docs give for WebSocket login, assumed for REST);
5. the passphrase must match (50105);
6. ``OK-ACCESS-SIGN`` = Base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body)), the
   request path including ``?query`` and the body exactly as sent (50113, live text "Invalid Sign").

Fault knobs and simplifications: :attr:`OkxFrontend.account_level` (``acctLv``, default "2",
Futures mode) and :attr:`OkxFrontend.demo_trading`; one price per instrument (mark = last = index);
whole fills; no fees unless a test sets a rate; funding at each interval (:mod:`.simulator_funding`); one margin mode per instrument at a time (see
:mod:`.simulator_account`); positions that closed are not listed again with ``pos "0"``; an unknown
path answers HTTP 404 ``{"code":"404","msg":"Not Found"}`` (the venue's exact answer is UNCONFIRMED).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import string
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import ModeScope
from hedgekit.testing.frontend import Credentials, Frontend, RecordedRequest, WireResponse
from hedgekit.testing.streams import StreamFrontend

from hedgekit_okx import simulator_account as account
from hedgekit_okx import simulator_algo as algo
from hedgekit_okx import simulator_funding as funding
from hedgekit_okx import simulator_trade as trade
from hedgekit_okx.simulator_ledger import OkxEngine
from hedgekit_okx.simulator_markets import SPECS, engine_market
from hedgekit_okx.simulator_wire import AuthError, OkxError, OrderFailure, Params, SimState
from hedgekit_okx.rules import engine_rules

DEFAULT_BALANCE = Decimal("10000")
"""USDT in a fresh simulated trading account."""
TIMESTAMP_WINDOW_MS = 30_000
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$")
ALL_FAILED = "All operations failed"  # live top-level msg of code "1" (huojichuanqi/ds issue 4)
PARTIAL = "Bulk operation partially succeeded."  # code "2" (general class)


@dataclass(frozen=True)
class Endpoint:
    """A route: its handler, its kind and whether it is private (signed).

    ``kind``: ``data`` returns the ``data`` rows; ``order`` returns one order's row or raises
    :class:`OrderFailure`; ``batch`` returns rows that each carry their ``sCode``.
    """

    handler: Callable[..., Any]
    kind: str = "data"
    signed: bool = True


ROUTES: dict[tuple[str, str], Endpoint] = {
    ("GET", "/api/v5/public/time"): Endpoint(account.server_time, signed=False),
    ("GET", "/api/v5/public/instruments"): Endpoint(account.instruments, signed=False),
    ("GET", "/api/v5/public/mark-price"): Endpoint(account.mark_price, signed=False),
    ("GET", "/api/v5/public/funding-rate"): Endpoint(funding.funding_rate, signed=False),
    ("GET", "/api/v5/public/funding-rate-history"): Endpoint(funding.funding_rate_history, signed=False),
    ("GET", "/api/v5/account/bills"): Endpoint(funding.bills),
    ("GET", "/api/v5/account/bills-archive"): Endpoint(funding.bills_archive),
    ("GET", "/api/v5/trade/fills"): Endpoint(funding.fills),
    ("GET", "/api/v5/trade/fills-history"): Endpoint(funding.fills_history),
    ("POST", "/api/v5/trade/amend-order"): Endpoint(funding.amend_order, "order"),
    ("GET", "/api/v5/account/config"): Endpoint(account.account_config),
    ("POST", "/api/v5/account/set-position-mode"): Endpoint(account.set_position_mode),
    ("GET", "/api/v5/account/positions"): Endpoint(account.positions),
    ("GET", "/api/v5/account/balance"): Endpoint(account.balance),
    ("POST", "/api/v5/account/set-leverage"): Endpoint(account.set_leverage),
    ("GET", "/api/v5/account/leverage-info"): Endpoint(account.leverage_info),
    ("POST", "/api/v5/account/position/margin-balance"): Endpoint(account.margin_balance),
    ("POST", "/api/v5/trade/order"): Endpoint(trade.place_order, "order"),
    ("POST", "/api/v5/trade/batch-orders"): Endpoint(trade.place_batch, "batch"),
    ("GET", "/api/v5/trade/order"): Endpoint(trade.get_order),
    ("POST", "/api/v5/trade/cancel-order"): Endpoint(trade.cancel_order, "order"),
    ("GET", "/api/v5/trade/orders-pending"): Endpoint(trade.orders_pending),
    ("GET", "/api/v5/trade/orders-history"): Endpoint(trade.orders_history),
    ("POST", "/api/v5/trade/close-position"): Endpoint(trade.close_position),
    ("POST", "/api/v5/trade/order-algo"): Endpoint(algo.place_algo, "order"),
    ("GET", "/api/v5/trade/order-algo"): Endpoint(algo.get_algo),
    ("POST", "/api/v5/trade/cancel-algos"): Endpoint(algo.cancel_algos, "batch"),
    ("POST", "/api/v5/trade/amend-algos"): Endpoint(algo.amend_algos, "order"),
    ("GET", "/api/v5/trade/orders-algo-pending"): Endpoint(algo.orders_algo_pending),
}
"""Every path the simulator serves, by ``(method, path)``."""
_PATHS = {path for _, path in ROUTES}

EXP_TIME_PATHS = frozenset({"/api/v5/trade/order", "/api/v5/trade/batch-orders", "/api/v5/trade/amend-order",
                            "/api/v5/trade/amend-batch-orders"})
"""Where OKX honours the ``expTime`` header: "Place order, Place multiple orders, Amend order, Amend
multiple orders" (Overview › Transaction Timeouts)."""


def sign(secret: str, prehash: str) -> str:
    """Base64 HMAC-SHA256 of ``prehash`` under ``secret`` (OKX's REST signature)."""
    return base64.b64encode(hmac.new(secret.encode(), prehash.encode(), hashlib.sha256).digest()).decode()


def prehash(request: RecordedRequest, timestamp: str) -> str:
    """timestamp + METHOD + requestPath (+ ``?query``) + body, exactly as sent."""
    path = request.path + (f"?{request.query_string}" if request.query_string else "")
    return timestamp + request.method + path + request.body


def _iso_ms(value: str) -> int | None:
    if not _ISO.match(value):
        return None
    try:
        when = datetime.strptime(value.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        try:
            when = datetime.strptime(value.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            return None
    return int(when.astimezone(timezone.utc).timestamp() * 1000)


class OkxFrontend(Frontend):
    """OKX v5 (``instType=SWAP``) over the simulated engine.

    The position mode is account-wide ("Futures mode and Multi-currency mode: FUTURES and SWAP
    support both long/short mode and net mode" — set-position-mode). Listed: BTC-, ETH-, SOL- and
    ADA-USDT-SWAP. Credentials include a passphrase (``password``).
    """

    venue = "okx"

    def __init__(self, engine: Engine, api_key: str, secret: str, password: str | None = None) -> None:
        if not isinstance(engine, OkxEngine):
            raise TypeError("the OKX simulator drives an OkxEngine (OkxFrontend.create_engine): it keeps a margin "
                            "mode per leg")
        super().__init__(engine, api_key, secret, password)
        self.state = SimState(engine)
        self._stream: StreamFrontend | None = None

    def stream_frontend(self) -> StreamFrontend:
        """``/ws/v5/private`` and ``/ws/v5/business`` (:mod:`.simulator_stream`), made once."""
        if self._stream is None:
            from hedgekit_okx.simulator_stream import OkxStreamFrontend

            self._stream = OkxStreamFrontend(self)
        return self._stream

    @property
    def account_level(self) -> str:
        """``acctLv``: "1" spot, "2" futures (default), "3" multi-currency margin, "4" portfolio margin."""
        return self.state.account_level

    @account_level.setter
    def account_level(self, value: str) -> None:
        if value not in ("1", "2", "3", "4"):
            raise ValueError(f"acctLv is '1', '2', '3' or '4', not {value!r}")
        self.state.account_level = value

    @property
    def demo_trading(self) -> bool:
        """True when the keys are demo-trading keys (requests must carry ``x-simulated-trading: 1``)."""
        return self.state.demo

    @demo_trading.setter
    def demo_trading(self, value: bool) -> None:
        self.state.demo = bool(value)

    @classmethod
    def create_engine(
        cls, *, balance: Decimal | None = None, mark_prices: Mapping[str, Decimal | str] | None = None,
    ) -> Engine:
        """An engine with OKX's swaps, account-wide mode scope, 10 000 USDT and 20x leverage, and a
        margin mode per leg (:class:`~hedgekit_okx.simulator_ledger.OkxEngine`)."""
        engine = OkxEngine(
            [engine_market(spec) for spec in SPECS],
            mark_prices={spec.inst_id: spec.default_mark for spec in SPECS},
            mode_scope=ModeScope.ACCOUNT,
            rules=engine_rules(),  # the venue's own rules (okx rules.py)
            balance=DEFAULT_BALANCE if balance is None else balance,
            default_leverage=20,
            first_order_id=612_345_678_900_000_001,  # ordId sample: "312269865356374016"
            first_conditional_id=1_753_184_812_254_216_193,  # algoId sample: "1753184812254216192"
        )
        for symbol, price in (mark_prices or {}).items():
            engine.set_mark_price(symbol, price)
        return engine

    @classmethod
    def new_credentials(cls) -> Credentials:
        """A UUID API key, a 32-hex-digit secret and a passphrase, as OKX issues them."""
        passphrase = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(16))
        return Credentials(api_key=str(uuid.uuid4()), secret=secrets.token_hex(16).upper(), password=passphrase)

    def fault_response(
        self, kind: Any, request: RecordedRequest, *, retry_after: float, status: int
    ) -> WireResponse:
        """OKX's answers to injected faults (#error-code-rest-api-public, general and API classes).

        * rate limit: HTTP 429 ``50011`` "Too Many Requests" (OKX documents no retry-after header);
        * 5xx: HTTP ``status`` ``50001`` "Service temporarily unavailable. Please try again later.";
        * unknown: HTTP 400 ``50004`` "API endpoint request timeout. (does not mean that the request
          was successful or failed, please check the request result)." (the request may have run);
        * clock: HTTP 401 ``50102`` "Timestamp request expired.".
        """
        name = getattr(kind, "value", str(kind))
        if name == "rate_limit":
            return WireResponse.json({"code": "50011", "data": [], "msg": "Too Many Requests"}, 429)
        if name == "server_error":
            return WireResponse.json(
                {"code": "50001", "data": [], "msg": "Service temporarily unavailable. Please try again later."}, status
            )
        if name == "unknown":
            return WireResponse.json({"code": "50004", "data": [], "msg": (
                "API endpoint request timeout. (does not mean that the request was successful or failed, "
                "please check the request result).")}, 400)
        if name == "clock_skew":
            return AuthError("50102", "Timestamp request expired.", 401).response()
        return super().fault_response(kind, request, retry_after=retry_after, status=status)

    async def handle(self, request: RecordedRequest) -> WireResponse:
        """Route, authenticate and answer one request."""
        endpoint = ROUTES.get((request.method, request.path))
        if endpoint is None:
            if request.path in _PATHS:
                return OkxError("50115", "Invalid request method.", 405).response()
            return WireResponse.json({"code": "404", "msg": "Not Found"}, status=404)
        now = self.engine.clock()
        try:
            algo.reconcile(self.state)
            if endpoint.signed:
                self._authenticate(request)
            if request.method == "POST" and request.path in EXP_TIME_PATHS:
                self._check_exp_time(request, now)
            body = self._body(request)
            if endpoint.kind == "batch":
                rows = endpoint.handler(self.state, body)
                return self._batch(rows, now)
            params = Params(body if request.method == "POST" else dict(request.query_pairs))
            if endpoint.kind == "order":
                return self._order(endpoint, params, now)
            data = endpoint.handler(self.state, params)
        except OkxError as exc:
            return exc.response()
        return WireResponse.json({"code": "0", "msg": "", "data": data})

    # ----------------------------------------------------------------- envelopes

    def _times(self, start: int) -> dict[str, str]:
        """``inTime``/``outTime``: gateway timestamps in microseconds (place-order response)."""
        return {"inTime": str(start * 1000), "outTime": str(self.engine.clock() * 1000)}

    def _order(self, endpoint: Endpoint, params: Params, start: int) -> WireResponse:
        try:
            row = endpoint.handler(self.state, params)
        except OrderFailure as failure:
            row = self._failure_row(endpoint, params, failure)
            return WireResponse.json({"code": "1", "data": [row], "msg": ALL_FAILED, **self._times(start)})
        return WireResponse.json({"code": "0", "data": [row], "msg": "", **self._times(start)})

    def _failure_row(self, endpoint: Endpoint, params: Params, failure: OrderFailure) -> dict[str, Any]:
        if endpoint.handler is algo.place_algo:
            return {"algoClOrdId": params.get("algoClOrdId") or "", "algoId": "", "clOrdId": "",
                    "sCode": failure.s_code, "sMsg": failure.s_msg, "tag": params.get("tag") or ""}
        if endpoint.handler is algo.amend_algos:  # the amend-algos response row
            return {"algoClOrdId": params.get("algoClOrdId") or "", "algoId": params.get("algoId") or "",
                    "reqId": params.get("reqId") or "", "sCode": failure.s_code, "sMsg": failure.s_msg}
        row = {"clOrdId": params.get("clOrdId") or "", "ordId": params.get("ordId") or "",
               "sCode": failure.s_code, "sMsg": failure.s_msg, "subCode": failure.sub_code,
               "ts": str(self.engine.clock())}
        if endpoint.handler is trade.place_order:
            row["tag"] = params.get("tag") or ""
        return row

    def _batch(self, rows: list[dict[str, Any]], start: int) -> WireResponse:
        failed = sum(1 for row in rows if row.get("sCode") != "0")
        code, msg = ("0", "") if not failed else ("1", ALL_FAILED) if failed == len(rows) else ("2", PARTIAL)
        return WireResponse.json({"code": code, "data": rows, "msg": msg, **self._times(start)})

    @staticmethod
    def _body(request: RecordedRequest) -> Any:
        if request.method != "POST":
            return {}
        if not request.body.strip():
            raise OkxError("50000", "Body for POST request cannot be empty.", 400)
        if request.content_type not in ("application/json", ""):
            raise OkxError("50006", 'Invalid Content-Type. Please use "application/JSON".', 400)
        try:
            return json.loads(request.body)
        except ValueError:
            raise OkxError("50002", "JSON syntax error", 400) from None

    @staticmethod
    def _check_exp_time(request: RecordedRequest, now: int) -> None:
        """``expTime``: "the request will not be processed if the current system time of the server
        is after the expTime" (Overview › Transaction Timeouts; place and amend orders only)."""
        raw = request.headers.get("expTime")
        if raw is None:
            return
        if not raw.isdigit():
            raise OkxError("50014", "Parameter expTime error.", 400)  # UNCONFIRMED text
        if now > int(raw):
            raise OkxError("50036", "The expTime can't be earlier than the current system time. "
                           "Please adjust the expTime and try again.")

    # ----------------------------------------------------------------- authentication

    def _authenticate(self, request: RecordedRequest) -> None:
        headers = request.headers
        key = headers.get("OK-ACCESS-KEY", "")
        signature = headers.get("OK-ACCESS-SIGN", "")
        timestamp = headers.get("OK-ACCESS-TIMESTAMP", "")
        passphrase = headers.get("OK-ACCESS-PASSPHRASE", "")
        for value, code, name in ((key, "50103", "OK-ACCESS-KEY"), (signature, "50106", "OK-ACCESS-SIGN"),
                                  (timestamp, "50107", "OK-ACCESS-TIMESTAMP"),
                                  (passphrase, "50104", "OK-ACCESS-PASSPHRASE")):
            if not value:
                raise AuthError(code, f'Request header "{name}" cannot be empty.', 401)
        if not hmac.compare_digest(key, self.api_key):
            raise AuthError("50111", "Invalid OK-ACCESS-KEY.", 401)
        if (headers.get("x-simulated-trading", "0") == "1") != self.state.demo:
            raise AuthError("50101", "APIKey does not match current environment.", 401)
        sent = _iso_ms(timestamp)
        if sent is None:
            raise AuthError("50112", "Invalid OK-ACCESS-TIMESTAMP.", 401)
        if abs((request.time or self.engine.clock()) - sent) > TIMESTAMP_WINDOW_MS:  # checked on arrival
            raise AuthError("50102", "Timestamp request expired.", 401)
        if self.password is None or not hmac.compare_digest(passphrase, self.password):
            raise AuthError("50105", 'Request header "OK-ACCESS-PASSPHRASE" incorrect.', 401)
        expected = sign(self.secret, prehash(request, timestamp))
        if not hmac.compare_digest(signature, expected):
            raise AuthError("50113", "Invalid Sign", 401)
