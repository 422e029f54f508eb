"""Bybit v5 refusals land on the hedgekit class their documented meaning calls for.

Every expectation below is written from Bybit's error page, not read from the adapter:
https://bybit-exchange.github.io/docs/v5/error (``bybit-exchange/docs`` ``docs/v5/error.mdx``, snapshot
072c197d0), the "UTA" table (its 10xxx, 30xxx and 110xxx codes). Each row is ``retCode, the page's
text, the hedgekit class that meaning calls for``. Codes the page strikes through but that live answers
still carry are marked so.

Which class a meaning calls for (hedgekit/errors.py): a mode switch refused for open exposure is
ModeChangeBlocked; key, signature, IP, region or permission refusals are AuthenticationError; request
limits are RateLimited; a timestamp outside the window is ClockSkew; server timeouts and errors are
ExchangeUnavailable; balance or margin short is InsufficientMargin; an order's or a position
setting's parameters refused is OrderRejected.
"""

from __future__ import annotations

from typing import Any

import pytest

from hedgekit.ccxt_bridge import VenueReply
from hedgekit.errors import (
    AuthenticationError,
    ClockSkew,
    ExchangeError,
    ExchangeUnavailable,
    HedgekitError,
    InsufficientMargin,
    ModeChangeBlocked,
    OrderRejected,
    PositionSideMismatch,
    RateLimited,
)
from hedgekit_bybit.errors import error_from_reply

#: retCode, the error page's text, the class that meaning calls for.
DOCUMENTED: list[tuple[int, str, type[HedgekitError]]] = [
    # UTA
    (10000, "Server Timeout", ExchangeUnavailable),
    (10002, "The request time exceeds the time window range.", ClockSkew),
    (10003, "API key is invalid. Check whether the key and domain are matched, there are 4 env: mainnet, "
     "testnet, mainnet-demo, testnet-demo", AuthenticationError),
    (10004, "Error sign, please check your signature generation algorithm.", AuthenticationError),
    (10005, "Permission denied, please check your API key permissions.", AuthenticationError),
    (10006, "Too many visits. Exceeded the API Rate Limit.", RateLimited),
    (10007, "User authentication failed.", AuthenticationError),
    (10008, "Common banned, please check your account mode", AuthenticationError),
    (10009, "Service Restricted: Access is currently unavailable for your region. Please contact our support "
     "team for further assistance", AuthenticationError),
    (10010, "Unmatched IP, please check your API key's bound IP addresses.", AuthenticationError),
    (10014, "Invalid duplicate request.", OrderRejected),
    (10016, "Server error.", ExchangeUnavailable),
    (10018, "Exceeded the IP Rate Limit.", RateLimited),  # struck through on the page, still answered
    (10024, "Compliance rules triggered", AuthenticationError),
    (10027, "Transactions are banned.", AuthenticationError),
    (10028, "The API can only be accessed by unified account users.", AuthenticationError),
    (10029, "The requested symbol is invalid, please check symbol whitelist", AuthenticationError),
    (30208, "Failed to submit order(s). The order price is higher than the maximum buying price", OrderRejected),
    (30209, "Failed to submit order(s). The order price is lower than the minimum selling price.", OrderRejected),
    (30228, "No new positions during delisting", OrderRejected),
    # UTA & Futures (110xxx)
    (110001, "Order does not exist", OrderRejected),
    (110003, "Order price exceeds the allowable range.", OrderRejected),
    (110004, "Wallet balance is insufficient", InsufficientMargin),
    (110005, "position status error", OrderRejected),
    (110006, "The assets are estimated to be unable to cover the position margin", InsufficientMargin),
    (110007, "Available balance is insufficient", InsufficientMargin),
    (110008, "The order has been completed or cancelled.", OrderRejected),
    (110009, "The number of stop orders exceeds the maximum allowable limit", OrderRejected),
    (110010, "The order has been cancelled", OrderRejected),
    (110011, "Liquidation will be triggered immediately by this adjustment", InsufficientMargin),
    (110012, "Insufficient available balance.", InsufficientMargin),
    (110013, "Cannot set leverage due to risk limit level.", OrderRejected),
    (110014, "Insufficient available balance to add additional margin.", InsufficientMargin),
    (110015, "The position is in cross margin mode.", OrderRejected),
    # struck through on the page, still answered
    (110016, "The quantity of contracts requested exceeds the risk limit, please adjust your risk limit level "
     "before trying again", OrderRejected),
    (110017, "orderQty will be truncated to zero", OrderRejected),
    (110019, "Order ID is illegal.", OrderRejected),
    (110020, "Not allowed to have more than 500 active orders.", OrderRejected),
    (110021, "Not allowed to exceeded position limits due to Open Interest.", OrderRejected),
    (110022, "Quantity has been restricted and orders cannot be modified to increase the quantity.",
     OrderRejected),
    (110023, "Currently you can only reduce your position on this contract. please check our announcement or "
     "contact customer service for details.", OrderRejected),
    (110024, "You have an existing position, so the position mode cannot be switched.", ModeChangeBlocked),
    (110028, "You have existing open orders, so the position mode cannot be switched.", ModeChangeBlocked),
    (110030, "Duplicate orderId", OrderRejected),  # struck through on the page, still answered
    (110032, "Order is illegal", OrderRejected),
    (110033, "You can't set margin without an open position", OrderRejected),
    (110036, "You are not allowed to change leverage due to cross margin mode.", OrderRejected),
    (110038, "You are not allowed to change leverage due to portfolio margin mode.", OrderRejected),
    (110040, "The order will trigger a forced liquidation, please re-submit the order.", OrderRejected),
    (110042, "Currently,due to pre-delivery status, you can only reduce your position on this contract.",
     OrderRejected),
    (110044, "Available margin is insufficient.", InsufficientMargin),
    (110045, "Wallet balance is insufficient.", InsufficientMargin),
    (110046, "Liquidation will be triggered immediately by this adjustment.", InsufficientMargin),
    (110051, "The user's available balance cannot cover the lowest price of the current market",
     InsufficientMargin),
    (110052, "Your available balance is insufficient to set the price", InsufficientMargin),
    (110053, "The user's available balance cannot cover the current market price and upper limit price",
     InsufficientMargin),
    (110057, "Conditional order or limit order contains TP/SL related params", OrderRejected),
    (110058, "You can't set take profit and stop loss due to insufficient size of remaining position size.",
     OrderRejected),
    (110063, "Settlement in progress! {{key0}} not available for trading.", OrderRejected),
    (110066, "Trading is currently not allowed.", OrderRejected),
    (110072, "OrderLinkedID is duplicate", OrderRejected),
    (110074, "This contract is not live", OrderRejected),
    (110078, "Added margin more than max can reduce margin", OrderRejected),
    (110079, "The order is processing and can not be operated, please try again later", OrderRejected),
    (110086, "Current order leverage exceeds the maximum available for your current Risk Limit tier. Please lower "
     "leverage before placing an order", OrderRejected),
    # a position cap at the current leverage, not a margin shortfall (as Binance's -2027)
    (110090, "Order placement failed as your position may exceed the max limit. Please adjust your leverage to "
     "{{leverage}} or below to increase the max. position limit", OrderRejected),
    (110092, "expect Rising, but trigger_price[XXXXX] <= current[XXXXX]??laste", OrderRejected),
    (110093, "expect Falling, but trigger_price[XXXXX] >= current[XXXXX]??last", OrderRejected),
    (110094, "Order notional value below the lower limit", OrderRejected),
    (110095, "You cannot create, modify or cancel Pre-Market Perpetual orders during the Call Auction.",
     OrderRejected),
    (110098, "Only Good-Till-Canceled (GTC) orders are supported during Call Auction.", OrderRejected),
    (110099, "You cannot create TP/SL orders during the Call Auction for Pre-Market Perpetuals.", OrderRejected),
    (110103, "Only Post-Only orders are available at this stage", OrderRejected),
    (110118, "Unable to retrieve a pruce of the market order due to low liquidity", OrderRejected),  # sic
    (110119, "Order failed. RPI orders are restricted to approved market makers only", OrderRejected),
    (110120, "Order price cannot be smaller than xxxx, the price limitation", OrderRejected),
    (110121, "Order price cannot be higher than xxxx, the price limitation", OrderRejected),
    (110124, "Trading is temporarily restricted due to an active cooling-off period.", OrderRejected),
]

TRANSIENT = (RateLimited, ClockSkew, ExchangeUnavailable)


def answer(code: int, msg: str, status: int = 200, headers: dict[str, str] | None = None) -> VenueReply:
    # most v5 refusals come with HTTP 200 and the code in the envelope (error.mdx, "UTA")
    payload: Any = {"retCode": code, "retMsg": msg, "result": {}, "retExtInfo": {}, "time": 1_700_000_000_000}
    return VenueReply(status, "OK", headers or {}, "", payload, "https://api.bybit.com/v5/order/create", "POST")


@pytest.mark.parametrize("code, msg, expected", DOCUMENTED, ids=[str(c) for c, _, _ in DOCUMENTED])
def test_documented_code_maps_to_its_meaning(code: int, msg: str, expected: type[HedgekitError]) -> None:
    error = error_from_reply(answer(code, msg), operation="place_order", symbol="BTC/USDT:USDT")
    assert type(error) is expected, f"{code} {msg!r}: {type(error).__name__}, expected {expected.__name__}"
    assert error.code == code and error.venue == "bybit" and error.venue_message == msg
    assert error.transient is (expected in TRANSIENT)


@pytest.mark.parametrize(
    "operation, msg, expected",
    [
        # 10001 "Request parameter error" is the page's generic code: an order refusal on an order ...
        ("place_order", "Request parameter error", OrderRejected),
        ("cancel_order", "Request parameter error", OrderRejected),
        # ... and on an order whose positionIdx does not fit the symbol's mode, this live text (ccxt issue
        # https://github.com/ccxt/ccxt/issues/16952, sieblyio/bybit-api issue 363; VENUES.md §3.3)
        ("place_order", "position idx not match position mode", PositionSideMismatch),
    ],
)
def test_the_generic_parameter_error(operation: str, msg: str, expected: type[HedgekitError]) -> None:
    error = error_from_reply(answer(10001, msg), operation=operation)
    assert type(error) is expected and error.code == 10001


@pytest.mark.parametrize(
    "code, msg",
    [(110025, "Position mode has not been modified."), (110043, "Set leverage has not been modified."),
     (110026, "Cross/isolated margin mode has not been modified.")],
)
def test_not_modified_is_not_a_blocked_switch(code: int, msg: str) -> None:
    # the account is already as asked
    error = error_from_reply(answer(code, msg), operation="set_position_mode")
    assert not isinstance(error, (ModeChangeBlocked, AuthenticationError, InsufficientMargin)) and not error.transient
    assert error.code == code


def test_hedge_mode_not_supported_is_no_blocked_switch() -> None:
    # 110029 "Hedge mode is not supported for this symbol.": only USDT perpetuals have hedge mode
    error = error_from_reply(answer(110029, "Hedge mode is not supported for this symbol."),
                             operation="set_position_mode")
    assert type(error) is ExchangeError and not error.transient


# error.mdx "HTTP Code": 401 wrong key or missing auth headers; 403 "IP rate limit breached" (rate-limit.mdx:
# the IP is banned for a while); 429 "System level frequency protection. Please retry".
@pytest.mark.parametrize(
    "status, expected",
    [(401, AuthenticationError), (403, RateLimited), (429, RateLimited), (502, ExchangeUnavailable)],
)
def test_http_statuses(status: int, expected: type[HedgekitError]) -> None:
    reply = VenueReply(status, "", {}, "", None, "https://api.bybit.com/v5/position/list", "GET")
    error = error_from_reply(reply, operation="legs")
    assert type(error) is expected and error.http_status == status


def test_an_unlisted_code_is_a_plain_exchange_error() -> None:
    error = error_from_reply(answer(999999, "?"), operation="place_order")
    assert type(error) is ExchangeError and error.code == 999999
