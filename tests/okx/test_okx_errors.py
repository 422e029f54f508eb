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
    ("50028", 200, "Unable to place the order. Please contact the customer service for details.", OrderRejected),
    ("50030", 200, "You don't have permission to use this API endpoint", AuthenticationError),
    ("50035", 403, "This endpoint requires that APIKey must be bound to IP", AuthenticationError),
    # the order reached OKX after its expTime deadline and was not processed (Overview › Transaction
    # Timeouts): the request's time is the fault, and a resend carries a fresh deadline
    ("50036", 200, "The expTime can't be earlier than the current system time. Please adjust the expTime and try "
     "again.", ClockSkew),
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
    ("51003", 200, "Either client order ID or order ID is required.", OrderRejected),
    # a position cap at the current leverage, not a margin shortfall (as Binance's -2027)
    ("51004", 200, "Order failed. For isolated long/short mode of {param0}, the sum of current order size, "
     "position quantity in the same direction, and pending orders in the same direction can’t be more than "
     "{param1}(contracts) which is the maximum position amount under current leverage. Please lower the leverage "
     "or use a new sub-account to place the order again (current leverage: {param2}×, current order size: "
     "{param3} contracts, position quantity in the same direction: {param4} contracts, pending orders in the same "
     "direction: {param5} contracts).", OrderRejected),
    ("51005", 200, "Your order amount exceeds the max order amount.", OrderRejected),
    ("51006", 200, "Order price is not within the price limit (max buy price: 61000 , min sell price: 59000 )",
     OrderRejected),
    ("51007", 200, "Order failed. Please place orders of at least 1 contract or more.", OrderRejected),
    ("51008", 200, "Order failed. Insufficient USDT margin in account", InsufficientMargin),
    ("51009", 200, "Order blocked. Please contact customer support for assistance.", OrderRejected),
    ("51010", 200, "Request unsupported under current account mode", OrderRejected),
    ("51011", 200, "Order ID already exists.", OrderRejected),
    ("51016", 200, "Client order ID already exists.", OrderRejected),
    ("51020", 200, "Your order should meet or exceed the minimum order amount.", OrderRejected),
    ("51022", 200, "Contract suspended.", OrderRejected),
    ("51023", 200, "Position doesn't exist.", OrderRejected),
    # counts of orders or positions (51025, 51102-51107, 51117, 51165, 51174, 51260, 51261, 51299): caps
    # that cancelling or closing lifts, not request rates that waiting lifts
    ("51025", 200, "Order count exceeds the limit.", OrderRejected),
    ("51027", 200, "Contract expired.", OrderRejected),
    ("51028", 200, "Contract under delivery.", OrderRejected),
    ("51029", 200, "Contract is being settled.", OrderRejected),
    ("51030", 200, "Funding fee is being settled.", OrderRejected),
    ("51031", 200, "This order price is not within the closing price range.", OrderRejected),
    ("51033", 200, "The total amount per order for this pair has reached the upper limit.", OrderRejected),
    ("51037", 200, "This account only supports placing IOC orders to reduce account risk.", OrderRejected),
    # a mode the account cannot have at all: neither a blocked switch (no exposure to close) nor an order's
    # parameter refused, so a plain ExchangeError (as Bybit's 110029 "Hedge mode is not supported")
    ("51041", 200, "Portfolio margin account only supports the Buy/Sell mode.", ExchangeError),
    ("51054", 500, "Request timed out. Please try again.", ExchangeUnavailable),
    ("51065", 200, "algoClOrdId already exists.", OrderRejected),
    ("51088", 200, "You can only place 1 TP/SL order to close an entire position", OrderRejected),
    ("51100", 200, "Unable to place order. Take profit/Stop loss conditions cannot be added to reduce-only "
     "orders.", OrderRejected),
    ("51101", 200, "Order failed, the sz of the current order can’t be more than {param0} (contracts).",
     OrderRejected),
    ("51102", 200, "Order failed, the number of pending orders for this instId can’t be more than {param0} "
     "(orders)", OrderRejected),
    ("51103", 200, "Order failed, the number of pending orders across all instIds under the {param0} current "
     "instFamily can’t be more than {param1} (orders)", OrderRejected),
    ("51104", 200, "Order failed, the aggregated contract quantity for all pending orders across all instIds "
     "under the {param0} current instFamily can’t be more than {param1} (contracts)", OrderRejected),
    ("51105", 200, "Order failed, the maximal sum of position quantity and pending orders quantity with the same "
     "direction for current instId can’t be more than {param0} (contracts)", OrderRejected),
    ("51106", 200, "Order failed, the maximal sum of position quantity and pending orders quantity with the same "
     "direction across all instIds under the {param0} current instFamily can’t be more than {param1} (contracts)",
     OrderRejected),
    ("51107", 200, "Order failed, the maximal sum of position quantity and pending orders quantity in both "
     "directions across all instIds under the {param0} current instFamily can’t be more than {param1} (contracts)",
     OrderRejected),
    ("51108", 200, "Positions exceed the limit for closing out with the market price.", OrderRejected),
    ("51112", 200, "Close order size exceeds available size for this position.", OrderRejected),
    ("51116", 200, "Order price or trigger price exceeds {param0}.", OrderRejected),
    ("51117", 200, "Pending close-orders count exceeds limit.", OrderRejected),
    ("51120", 200, "Order amount is less than {param0}, please try again.", OrderRejected),
    ("51121", 200, "Order quantity must be a multiple of the lot size.", OrderRejected),
    ("51122", 200, "Order price should higher than the min price {param0}", OrderRejected),
    ("51127", 200, "Available balance is 0.", InsufficientMargin),
    ("51131", 200, "Insufficient balance.", InsufficientMargin),
    ("51135", 200, "Your closing price has triggered the limit price, and the max buy price is {param0}.",
     OrderRejected),
    ("51136", 200, "Your closing price has triggered the limit price, and the min sell price is {param0}.",
     OrderRejected),
    ("51137", 200, "The highest price limit for buy orders is {param0}.", OrderRejected),
    ("51138", 200, "The lowest price limit for sell orders is {param0}.", OrderRejected),
    ("51148", 200, "Failed to place order. The new order may execute an opposite trading direction of your "
     "existing reduce-only positions. Cancel or edit pending orders to continue order", OrderRejected),
    ("51149", 500, "Order timed out. Please try again. (does not mean that the request was successful or "
     "failed, please check the request result)", ExchangeUnavailable),
    ("51150", 200, "The precision of the number of trades or the price exceeds the limit.", OrderRejected),
    ("51165", 200, "The number of {instrument} reduce-only orders reached the upper limit of {upLimit}. Cancel "
     "some orders to proceed.", OrderRejected),
    ("51169", 200, "Order failed because you don't have any positions in this direction for this contract to "
     "reduce or close.", OrderRejected),
    ("51170", 200, "Failed to place order. A reduce-only order can’t be the same trading direction as your "
     "existing positions.", OrderRejected),
    ("51174", 200, "Order failed, number of pending orders for {param0} exceed the limit of {param1}.",
     OrderRejected),
    ("51185", 200, "The maximum value allowed per order is {maxOrderValue} USD", OrderRejected),
    ("51186", 200, "Order failed. The leverage for {param0} in your current margin mode is {param1}x, which "
     "exceeds the platform limit of {param2}x.", OrderRejected),
    ("51187", 200, "Order failed. For {param0} {param1} in your current margin mode, the sum of your current "
     "order amount, position sizes, and open orders is {param2} contracts, which exceeds the platform limit of "
     "{param3} contracts. Reduce your order amount, cancel orders, or close positions.", OrderRejected),
    ("51201", 200, "The value of a market order can't exceed {param0}.", OrderRejected),
    ("51202", 200, "Market order amount exceeds the maximum amount.", OrderRejected),
    ("51203", 200, "Order amount exceeds the limit 100.", OrderRejected),
    ("51204", 200, "The price for the limit order cannot be empty.", OrderRejected),
    ("51205", 200, "Reduce Only is not available.", OrderRejected),
    ("51206", 200, "Please cancel the Reduce Only order before placing the current {param0} order to avoid "
     "opening a reverse position.", OrderRejected),
    ("51250", 200, "Algo order price is out of the available range.", OrderRejected),
    ("51252", 200, "Algo order amount is out of the available range.", OrderRejected),
    ("51257", 200, "Trailing stop order callback rate error. The callback rate should be 0.001< x<=0.3%.",
     OrderRejected),
    ("51258", 200, "Trailing stop order placement failed. The trigger price of a sell order must be higher than "
     "the last transaction price.", OrderRejected),
    ("51259", 200, "Trailing stop order placement failed. The trigger price of a buy order must be lower than the "
     "last transaction price.", OrderRejected),
    ("51260", 200, "Maximum of {param0} pending trailing stop orders can be held at the same time.", OrderRejected),
    ("51261", 200, "Each user can hold up to {param0} pending stop orders at the same time.", OrderRejected),
    ("51275", 200, "The amount of single stop-market order cannot exceed the upper limit.", OrderRejected),
    ("51276", 200, "Prices cannot be specified for stop market orders.", OrderRejected),
    ("51277", 200, "TP trigger price cannot be higher than the last price.", OrderRejected),
    ("51278", 200, "SL trigger price cannot be lower than the last price.", OrderRejected),
    ("51279", 200, "TP trigger price cannot be lower than the last price.", OrderRejected),
    ("51280", 200, "SL trigger price cannot be higher than the last price.", OrderRejected),
    ("51298", 200, "Trigger orders are not available in the net mode of Expiry Futures and Perpetual Futures",
     OrderRejected),
    ("51299", 200, "Order did not go through. You can hold a maximum of {param0} orders of this type.",
     OrderRejected),
    ("51300", 200, "TP trigger price cannot be higher than the mark price", OrderRejected),
    ("51302", 200, "SL trigger price cannot be lower than the mark price", OrderRejected),
    ("51303", 200, "TP trigger price cannot be lower than the mark price", OrderRejected),
    ("51304", 200, "SL trigger price cannot be higher than the mark price", OrderRejected),
    ("51305", 200, "TP trigger price cannot be higher than the index price", OrderRejected),
    ("51306", 200, "SL trigger price cannot be lower than the index price", OrderRejected),
    ("51307", 200, "TP trigger price cannot be lower than the index price", OrderRejected),
    ("51308", 200, "SL trigger price cannot be higher than the index price", OrderRejected),
    ("51311", 200, "Failed to place trailing stop order. Callback rate should be within {min}<x<={max}",
     OrderRejected),
    ("51312", 200, "Failed to place trailing stop order. Order amount should be within {min}<x<={max}",
     OrderRejected),
    ("51327", 200, "closeFraction is only available for Expiry Futures and Perpetual Futures", OrderRejected),
    ("51328", 200, "closeFraction is only available for reduceOnly orders", OrderRejected),
    ("51329", 200, "closeFraction is only available in NET mode", OrderRejected),
    ("51330", 200, "closeFraction is only available for stop market orders", OrderRejected),
    ("51331", 200, "closeFraction is only available for close position orders", OrderRejected),
    ("51333", 200, "Close position order in hedge-mode or reduce-only order in one-way mode cannot attach TPSL",
     OrderRejected),
    ("51400", 200, "Order cancellation failed as the order has been filled, canceled or does not exist.",
     OrderRejected),
    ("51403", 200, "Cancellation failed as the order type doesn't support cancellation.", OrderRejected),
    ("51410", 200, "Cancellation failed as the order is already in canceling status or pending settlement.",
     OrderRejected),
    ("51416", 200, "Order has been triggered and can't be canceled", OrderRejected),
    ("51503", 200, "Your order has already been filled or canceled.", OrderRejected),
    ("51603", 200, "Order does not exist.", OrderRejected),
    ("54030", 200, "Order failed. Your total value of same-direction {param0} open positions and orders can't "
     "exceed {param1} USD or {param2} of the platform's open interest.", OrderRejected),
    ("54031", 200, "Order failed. The {param1} USD open position limit for {param0} has been reached.",
     OrderRejected),
    ("54035", 200, "Order failed. The platform has reached the collateral limit for this crypto, so you can only "
     "place reduce-only orders.", OrderRejected),
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
    if code.startswith(("51", "54")):  # trade class: also as one order's sCode under code "1" (order endpoints)
        one = error_from_reply(reply(order_failure(code, msg)), operation="place_order")
        assert type(one) is cls and one.code == code


#: General-class parameter refusals (#error-code-rest-api-public), code, HTTP status and text as documented.
#: Any endpoint may answer them: on an order call (place, cancel, close a leg) they refuse the order; on
#: any other call they are a plain ExchangeError.
REQUEST_PARAMETER_ERRORS: list[tuple[str, int, str]] = [
    ("50014", 400, "Parameter {param0} can not be empty."),
    ("50015", 400, "Either parameter {param0} or {param1} is required"),
    ("50016", 400, "Parameter {param0} does not match parameter {param1}"),
    ("50024", 200, "Parameter {param0} and {param1} can not exist at the same time."),
    ("50025", 200, "Parameter {param0} count exceeds the limit {param1}."),
]


@pytest.mark.parametrize(
    "code, status, msg", REQUEST_PARAMETER_ERRORS, ids=[c for c, _, _ in REQUEST_PARAMETER_ERRORS]
)
@pytest.mark.parametrize(
    "operation, cls",
    [("place_order", OrderRejected), ("cancel_order", OrderRejected), ("close_leg", OrderRejected),
     ("set_leverage", ExchangeError), ("set_position_mode", ExchangeError), ("legs", ExchangeError)],
)
def test_a_parameter_refusal_refuses_an_order_only_on_an_order_call(code: str, status: int, msg: str,
                                                                      operation: str, cls: type[Exception]) -> None:
    error = error_from_reply(reply({"code": code, "msg": msg, "data": []}, status), operation=operation)
    assert type(error) is cls, f"{code} on {operation}: {type(error).__name__}, expected {cls.__name__}"
    assert error.code == code and error.venue_message == msg and not error.transient


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
