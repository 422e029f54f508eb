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
from hedgekit.errors import MISSING_CREDENTIALS
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


#: code, HTTP status and text as OKX documents them, the class that meaning calls for. Written from
#: https://www.okx.com/docs-v5/en/#error-code-rest-api-public (General, API and Trade classes) and
#: #error-code-rest-api-account (mirrored in rosssaunders/coincise docs/okx/error_code.md, 2025-11-30),
#: never read from the adapter. A mode switch refused for open exposure is ModeChangeBlocked; key,
#: signature, IP or permission refusals are AuthenticationError; request limits are RateLimited; an
#: expired timestamp is ClockSkew; "does not mean that the request was successful or failed" and server
#: trouble are ExchangeUnavailable; balance or margin short is InsufficientMargin; an order refused is
#: OrderRejected.
DOCUMENTED: list[tuple[str, int, str, type[Exception]]] = [
    # General Class
    ("50001", 503, "Service temporarily unavailable. Please try again later.", ExchangeUnavailable),
    ("50004", 400, "API endpoint request timeout. (does not mean that the request was successful or failed, "
     "please check the request result).", ExchangeUnavailable),
    ("50011", 200, "Rate limit reached. Please refer to API documentation and throttle requests accordingly.",
     RateLimited),
    ("50011", 429, "Too Many Requests", RateLimited),
    ("50013", 429, "Systems are busy. Please try again later.", ExchangeUnavailable),
    ("50026", 500, "System error. Try again later", ExchangeUnavailable),
    ("50030", 200, "You don't have permission to use this API endpoint", AuthenticationError),
    ("50035", 403, "This endpoint requires that APIKey must be bound to IP", AuthenticationError),
    ("50040", 200, "Too frequent operations, please try again later", RateLimited),
    ("50061", 200, "You've reached the maximum order rate limit for this account.", RateLimited),
    ("50072", 200, "Isolated margin mode is no longer supported in multi-currency margin mode and portfolio "
     "margin mode.", OrderRejected),
    # API Class
    ("50100", 400, "API frozen, please contact customer service.", AuthenticationError),
    ("50101", 401, "APIKey does not match current environment.", AuthenticationError),
    ("50102", 401, "Timestamp request expired.", ClockSkew),
    ("50103", 401, 'Request header "OK-ACCESS-KEY" cannot be empty.', AuthenticationError),
    ("50104", 401, 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.', AuthenticationError),
    ("50105", 401, 'Request header "OK-ACCESS-PASSPHRASE" incorrect.', AuthenticationError),
    ("50106", 401, 'Request header "OK-ACCESS-SIGN" cannot be empty.', AuthenticationError),
    ("50107", 401, 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.', AuthenticationError),
    ("50110", 401, "Your IP 1.2.3.4 is not included in your API key's IP whitelist.", AuthenticationError),
    ("50111", 401, "Invalid OK-ACCESS-KEY.", AuthenticationError),
    ("50112", 401, "Invalid OK-ACCESS-TIMESTAMP.", AuthenticationError),
    ("50113", 401, "Invalid signature.", AuthenticationError),
    ("50114", 401, "Invalid authorization.", AuthenticationError),
    ("50119", 200, "API key doesn't exist", AuthenticationError),
    ("50120", 200, "This API key doesn't have permission to use this function", AuthenticationError),
    # Trade Class
    ("51000", 400, "Parameter sz error", OrderRejected),
    ("51001", 200, "Instrument ID, Instrument ID code or Spread ID doesn't exist.", OrderRejected),
    ("51006", 200, "Order price is not within the price limit (max buy price: 61000 , min sell price: 59000 )",
     OrderRejected),
    ("51008", 200, "Order failed. Insufficient USDT margin in account", InsufficientMargin),
    ("51010", 200, "Request unsupported under current account mode", OrderRejected),
    ("51016", 200, "Client order ID already exists.", OrderRejected),
    ("51020", 200, "Your order should meet or exceed the minimum order amount.", OrderRejected),
    ("51023", 200, "Position doesn't exist.", OrderRejected),
    ("51054", 500, "Request timed out. Please try again.", ExchangeUnavailable),
    ("51065", 200, "algoClOrdId already exists.", OrderRejected),
    ("51088", 200, "You can only place 1 TP/SL order to close an entire position", OrderRejected),
    ("51112", 200, "Close order size exceeds available size for this position.", OrderRejected),
    ("51121", 200, "Order quantity must be a multiple of the lot size.", OrderRejected),
    ("51127", 200, "Available balance is 0.", InsufficientMargin),
    ("51131", 200, "Insufficient balance.", InsufficientMargin),
    ("51149", 500, "Order timed out. Please try again. (does not mean that the request was successful or "
     "failed, please check the request result)", ExchangeUnavailable),
    ("51169", 200, "Order failed because you don't have any positions in this direction for this contract to "
     "reduce or close.", OrderRejected),
    ("51170", 200, "Failed to place order. A reduce-only order can’t be the same trading direction as your "
     "existing positions.", OrderRejected),
    ("51202", 200, "Market order amount exceeds the maximum amount.", OrderRejected),
    ("51203", 200, "Order amount exceeds the limit 100.", OrderRejected),
    ("51257", 200, "Trailing stop order callback rate error. The callback rate should be 0.001< x<=0.3%.",
     OrderRejected),
    ("51277", 200, "TP trigger price cannot be higher than the last price.", OrderRejected),
    ("51278", 200, "SL trigger price cannot be lower than the last price.", OrderRejected),
    ("51279", 200, "TP trigger price cannot be lower than the last price.", OrderRejected),
    ("51280", 200, "SL trigger price cannot be higher than the last price.", OrderRejected),
    ("51298", 200, "Trigger orders are not available in the net mode of Expiry Futures and Perpetual Futures",
     OrderRejected),
    ("51300", 200, "TP trigger price cannot be higher than the mark price", OrderRejected),
    ("51302", 200, "SL trigger price cannot be lower than the mark price", OrderRejected),
    ("51303", 200, "TP trigger price cannot be lower than the mark price", OrderRejected),
    ("51304", 200, "SL trigger price cannot be higher than the mark price", OrderRejected),
    ("51305", 200, "TP trigger price cannot be higher than the index price", OrderRejected),
    ("51306", 200, "SL trigger price cannot be lower than the index price", OrderRejected),
    ("51307", 200, "TP trigger price cannot be lower than the index price", OrderRejected),
    ("51308", 200, "SL trigger price cannot be higher than the index price", OrderRejected),
    ("51328", 200, "closeFraction is only available for reduceOnly orders", OrderRejected),
    ("51400", 200, "Order cancellation failed as the order has been filled, canceled or does not exist.",
     OrderRejected),
    ("51603", 200, "Order does not exist.", OrderRejected),
    # Account (59xxx)
    ("59000", 200, "Settings failed. Close any open positions or orders before modifying settings.",
     ModeChangeBlocked),
    ("59002", 200, "Sub-account settings failed. Close any open positions, orders, or trading bots before "
     "modifying settings.", ModeChangeBlocked),
    ("59103", 200, "Account margin is insufficient and leverage is too low. Please increase the leverage.",
     InsufficientMargin),
    ("59108", 200, "Your account leverage is too low and has insufficient margins. Please increase the leverage.",
     InsufficientMargin),
    ("59109", 200, "Account equity less than the required margin amount after adjustment. Please adjust the "
     "leverage.", InsufficientMargin),
    ("59200", 200, "Insufficient account balance.", InsufficientMargin),
    ("59301", 200, "Margin adjustment failed for exceeding the max limit.", InsufficientMargin),
    ("59303", 200, "Insufficient available margin, add margin or reduce the borrowing amount", InsufficientMargin),
]
TRANSIENT = (RateLimited, ClockSkew, ExchangeUnavailable)


@pytest.mark.parametrize(
    "code, status, msg, cls", DOCUMENTED, ids=[f"{c}-{s}" for c, s, _, _ in DOCUMENTED]
)
def test_documented_code_maps_to_its_meaning(code: str, status: int, msg: str, cls: type[Exception]) -> None:
    # a whole request refused: the code on top, with the documented HTTP status
    whole = error_from_reply(reply({"code": code, "msg": msg, "data": []}, status), operation="set_leverage")
    assert type(whole) is cls, f"{code} {msg!r}: {type(whole).__name__}, expected {cls.__name__}"
    assert whole.code == code and whole.venue_message == msg and whole.transient is (cls in TRANSIENT)
    if code.startswith("51"):  # trade class: also as one order's sCode under code "1" (order endpoints)
        one = error_from_reply(reply(order_failure(code, msg)), operation="place_order")
        assert type(one) is cls and one.code == code


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


async def test_a_key_without_its_passphrase_is_refused_before_anything_private_is_sent(
    venue: SimulatedVenue,
) -> None:
    # the markets are public, so connect() works; the first private call is the one missing-credentials
    # error every venue raises (tests/conformance/test_error_classes.py), and nothing private goes out
    async with hedgekit.connect("okx", base_url=venue.base_url, api_key=venue.credentials["api_key"],
                                secret=venue.credentials["secret"]) as hk:
        before = len(venue.requests)
        with pytest.raises(AuthenticationError) as info:
            await hk.position_mode()
        assert venue.requests[before:] == []
    assert info.value.message == MISSING_CREDENTIALS and "passphrase" in str(info.value)
    assert [r.path for r in venue.requests] == ["/api/v5/public/instruments"]


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
