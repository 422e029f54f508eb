"""OKX refusals reach hedgekit's error tree: the code table, retries, exactly-once orders, no secrets."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import ccxt.async_support as ccxt
import pytest

import hedgekit
from hedgekit import (
    AuthenticationError,
    ClockSkew,
    ConfigurationError,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientMargin,
    ModeChangeBlocked,
    OrderRejected,
    PositionMode,
    PositionSideMismatch,
    RateLimited,
)
from hedgekit.adapter import ConnectConfig
from hedgekit.ccxt_bridge import VenueReply
from hedgekit.retry import RetryPolicy
from hedgekit.testing import RecordedRequest, SimulatedVenue, WireResponse
from hedgekit.testing.frontend import Handler
from hedgekit_okx.errors import error_from_reply, is_error
from hedgekit_okx.transport import make_exchange

from .conftest import BTC, posts, sent

FAST = RetryPolicy(attempts=3, backoff_initial=0.01, backoff_cap=0.02)


def reply(payload: Any, status: int = 200) -> VenueReply:
    return VenueReply(status, "", {}, "", payload, "http://h/api/v5/x", "POST")


def order_failure(s_code: str, s_msg: str) -> dict[str, Any]:
    return {"code": "1", "msg": "All operations failed",
            "data": [{"clOrdId": "a", "ordId": "", "sCode": s_code, "sMsg": s_msg, "tag": ""}]}


@pytest.mark.parametrize(
    "payload, status, cls, code",
    [
        (order_failure("51000", "Parameter posSide error "), 200, PositionSideMismatch, "51000"),
        (order_failure("51000", "Parameter sz error"), 200, OrderRejected, "51000"),
        (order_failure("51008", "Order failed. Insufficient USDT margin in account"), 200, InsufficientMargin, "51008"),
        ({"code": "51000", "data": [], "msg": "Parameter posSide error"}, 400, PositionSideMismatch, "51000"),
        ({"code": "59000", "data": [], "msg": "Settings failed."}, 200, ModeChangeBlocked, "59000"),
        ({"code": "50011", "data": [], "msg": "Rate limit reached."}, 200, RateLimited, "50011"),
        ({"code": "50011", "data": [], "msg": "Too Many Requests"}, 429, RateLimited, "50011"),
        ({"msg": "Timestamp request expired.", "code": "50102"}, 401, ClockSkew, "50102"),
        ({"code": "50004", "data": [], "msg": "API endpoint request timeout."}, 400, ExchangeUnavailable, "50004"),
        ({"code": "50013", "data": [], "msg": "Systems are busy."}, 429, ExchangeUnavailable, "50013"),
        ({"msg": "Invalid Sign", "code": "50113"}, 401, AuthenticationError, "50113"),
        ({"code": "58001", "data": [], "msg": "Incorrect trade password"}, 200, ExchangeError, "58001"),
        (None, 503, ExchangeUnavailable, None),
    ],
)
def test_the_code_table(payload: Any, status: int, cls: type[Exception], code: str | None) -> None:
    assert is_error(status, payload)
    error = error_from_reply(reply(payload, status), operation="place_order", symbol=BTC)
    assert type(error) is cls and error.code == code and error.venue == "okx"
    assert error.transient is (cls in (RateLimited, ClockSkew, ExchangeUnavailable))


def test_success_is_not_an_error() -> None:
    assert not is_error(200, {"code": "0", "msg": "", "data": [{"ordId": "1", "sCode": "0", "sMsg": ""}]})
    assert is_error(200, {"code": "0", "msg": "", "data": [{"algoId": "1", "sCode": "51400", "sMsg": "x"}]})


def _once(path: str, payload: dict[str, Any], status: int = 200, *, after: bool = False) -> Any:
    """A middleware answering the first request to ``path`` with ``payload`` (after the venue acted, if asked)."""
    state = {"done": False}

    async def middleware(request: RecordedRequest, call_next: Handler) -> WireResponse:
        if request.path == path and not state["done"]:
            state["done"] = True
            if after:
                await call_next(request)
            return WireResponse.json(payload, status=status)
        return await call_next(request)

    return middleware


async def test_rate_limit_and_clock_skew_are_retried(venue: SimulatedVenue) -> None:
    venue.add_middleware(_once("/api/v5/account/config", {"code": "50011", "data": [], "msg": "Too Many Requests"}, 429))
    async with hedgekit.connect("okx", base_url=venue.base_url, retry=FAST, **venue.credentials) as hk:
        assert (await hk.position_mode()).mode is PositionMode.ONE_WAY
        venue.add_middleware(_once("/api/v5/account/config", {"msg": "Timestamp request expired.", "code": "50102"}, 401))
        assert (await hk.position_mode()).mode is PositionMode.ONE_WAY
    assert sent(venue, "GET", "public/time")  # the clock was re-measured after 50102


async def test_an_order_whose_answer_is_lost_is_placed_once(venue: SimulatedVenue) -> None:
    timeout = {"code": "50004", "data": [], "msg": "API endpoint request timeout. (does not mean that the request "
                                                   "was successful or failed, please check the request result)."}
    venue.add_middleware(_once("/api/v5/trade/order", timeout, 400, after=True))
    async with hedgekit.connect("okx", base_url=venue.base_url, retry=FAST, **venue.credentials) as hk:
        order = await hk.open_long(BTC, Decimal("0.01"))
    assert len(sent(venue, "POST", "trade/order")) == 1
    assert order.quantity == Decimal("0.01") and len(venue.engine.all_orders(BTC)) == 1
    lookups = [dict(r.query_pairs) for r in sent(venue, "GET", "trade/order")]
    assert {"instId": "BTC-USDT-SWAP", "clOrdId": order.client_order_id} in lookups


@pytest.mark.parametrize(
    "payload",
    [{"code": "0", "msg": "", "data": [{"posMode": 5, "acctLv": "2"}]}, {"code": "0", "msg": ""},
     {"code": "0", "msg": "", "data": [{"acctLv": "2"}]}, ["not", "an", "envelope"]],
)
async def test_malformed_answers_are_exchange_errors(venue: SimulatedVenue, payload: Any) -> None:
    async def garbage(request: RecordedRequest, call_next: Handler) -> WireResponse:
        if request.path == "/api/v5/account/config":
            return WireResponse.json(payload)
        return await call_next(request)

    venue.add_middleware(garbage)
    async with hedgekit.connect("okx", base_url=venue.base_url, **venue.credentials) as hk:
        with pytest.raises(ExchangeError, match="malformed answer"):
            await hk.position_mode()


async def test_no_secret_in_errors_or_logs(venue: SimulatedVenue, caplog: pytest.LogCaptureFixture) -> None:
    creds = dict(venue.credentials)
    secrets = (creds["api_key"], creds["secret"], creds["password"], "wrong-passphrase-123")
    caplog.set_level(logging.DEBUG)
    async with hedgekit.connect("okx", base_url=venue.base_url, **venue.credentials) as hk:
        await hk.set_position_mode(PositionMode.HEDGE)
        await hk.open_long(BTC, Decimal("0.01"))
        await hk.open_orders()
    creds["password"] = "wrong-passphrase-123"
    async with hedgekit.connect("okx", base_url=venue.base_url, **creds) as hk:
        with pytest.raises(AuthenticationError) as info:
            await hk.position_mode()
        assert info.value.code == "50105"
        assert "wrong-passphrase-123" not in repr(hk.adapter.config)
    text = f"{info.value} {info.value!r} {info.value.venue_message} {caplog.text}"
    assert not [s for s in secrets if s in text]


async def test_a_key_without_its_passphrase_is_a_configuration_error(venue: SimulatedVenue) -> None:
    creds = {"api_key": venue.credentials["api_key"], "secret": venue.credentials["secret"]}
    with pytest.raises(ConfigurationError, match="passphrase"):
        async with hedgekit.connect("okx", base_url=venue.base_url, **creds):
            pass
    assert venue.requests == []


async def test_demo_trading_sends_the_simulated_trading_header(venue: SimulatedVenue) -> None:
    exchange = make_exchange(ConnectConfig(venue="okx", api_key="k", secret="s", password="p", testnet=True))
    try:
        assert exchange.headers["x-simulated-trading"] == "1"
        assert exchange.urls["api"]["rest"] == "https://{hostname}"  # demo trading keeps the host
    finally:
        await exchange.close()
    venue.frontend.demo_trading = True  # type: ignore[attr-defined]
    async with hedgekit.connect("okx", base_url=venue.base_url, retry=FAST, **venue.credentials) as live:
        with pytest.raises(AuthenticationError) as info:
            await live.position_mode()
        assert info.value.code == "50101"
    c = venue.credentials
    demo = ccxt.okx({"apiKey": c["api_key"], "secret": c["secret"], "password": c["password"]})
    demo.set_sandbox_mode(True)
    async with hedgekit.connect("okx", base_url=venue.base_url, exchange=demo) as hk:
        assert (await hk.position_mode()).mode is PositionMode.ONE_WAY
    assert sent(venue, "GET", "account/config")[-1].headers["x-simulated-trading"] == "1"
    assert posts(venue) == 0
