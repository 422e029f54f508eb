"""One error class per cause, on every venue, through the public API against the simulator.

The causes: an order parameter the venue refuses (a quantity over the venue's maximum, a trigger
price that would fire at once) is ``OrderRejected``, with the venue's own code and text; missing
credentials are one ``AuthenticationError`` with one message, raised before any private request;
an unknown symbol is ``InvalidRequest`` with nothing sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

import hedgekit
from hedgekit import (
    AuthenticationError,
    HedgeClient,
    InvalidRequest,
    OrderRejected,
    PositionMode,
    PositionSide,
)
from hedgekit.errors import MISSING_CREDENTIALS
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.frontend import RecordedRequest

from ..conftest import BTC, MARKS, VENUES

#: The venue's answer to a quantity over its maximum: code and text, per venue and order type.
#: Binance and Aster: -4005 QTY_GREATER_THAN_MAX_QTY (USDⓈ-M error-code page; AST3 §Error Codes).
#: Bybit: 10001 with the live text (pybit issues 244, 284), quantities scaled by 10^8. OKX: 51202 for
#: a market order over maxMktSz, 51203 for a limit order over maxLmtSz (trade-class error table).
TOO_LARGE = "Quantity greater than max quantity."

#: Where each venue takes orders (the refused order must have reached the venue).
ORDER_PATHS = {
    "aster": {"/fapi/v3/order"},
    "binance": {"/fapi/v1/order", "/fapi/v1/algoOrder"},
    "bybit": {"/v5/order/create"},
    "okx": {"/api/v5/trade/order", "/api/v5/trade/order-algo"},
}

#: What makes a request private at each venue: its key header, or the v3 signature parameter.
AUTH_HEADERS = ("X-MBX-APIKEY", "X-BAPI-API-KEY", "X-BAPI-SIGN", "OK-ACCESS-KEY", "OK-ACCESS-SIGN")


def signed(request: RecordedRequest) -> bool:
    return any(h in request.headers for h in AUTH_HEADERS) or "signature" in request.params


def orders_sent(venue: SimulatedVenue, since: int) -> list[RecordedRequest]:
    return [r for r in venue.requests[since:] if r.method == "POST" and r.path in ORDER_PATHS[venue.venue]]


def over_the_maximum(venue: SimulatedVenue, *, limit: bool) -> tuple[Decimal, Decimal]:
    """``(quantity, maximum)``: one lot step over the venue's maximum for a limit or a market order."""
    market = venue.engine.market(BTC)
    maximum = market.max_qty if limit else market.market_max_qty
    return (maximum // market.lot_step + 1) * market.lot_step, maximum


def max_quantity_answer(venue: str, quantity: Decimal, maximum: Decimal, *, limit: bool) -> tuple[object, str]:
    if venue in ("aster", "binance"):
        return -4005, TOO_LARGE
    if venue == "bybit":
        scale = Decimal(10) ** 8
        return 10001, (f"The number of contracts exceeds maximum limit allowed: too large, "
                       f"order_qty:{int(quantity * scale)} > max_qty:{int(maximum * scale)}")
    if limit:  # okx: sizes are contracts of 0.01 BTC; maxLmtSz 100000000
        return "51203", "Order amount exceeds the limit 100000000."
    return "51202", "Market order amount exceeds the maximum amount."


@pytest.mark.parametrize("limit", [False, True], ids=["market", "limit"])
async def test_a_quantity_over_the_venue_maximum_is_order_rejected(
    hk: HedgeClient, venue: SimulatedVenue, limit: bool
) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    quantity, maximum = over_the_maximum(venue, limit=limit)
    before = len(venue.requests)
    with pytest.raises(OrderRejected) as info:
        await hk.open_long(BTC, quantity, price=MARKS[BTC] if limit else None)
    err = info.value
    assert type(err) is OrderRejected
    code, text = max_quantity_answer(venue.venue, quantity, maximum, limit=limit)
    assert (err.code, err.venue_message) == (code, text)
    assert err.venue == venue.venue and err.operation == "place_order" and not err.transient
    assert len(orders_sent(venue, before)) == 1  # the venue refused it: the local checks let it through
    assert venue.engine.open_orders(BTC) == [] and venue.engine.leg(BTC, "LONG").size == 0


#: A stop-loss or take-profit on the long leg whose trigger the mark (60000) has already crossed.
#: Binance/Aster -2021 ORDER_WOULD_IMMEDIATELY_TRIGGER "Order would immediately trigger." (error-code
#: page; AST3); Bybit 110093/110092 "expect Falling|Rising, but trigger_price[…] >= current[…]"
#: (error.mdx); OKX 51304 / 51303 (trade-class table; hedgekit's stops watch the mark price).
IMMEDIATE = {
    ("stop", "aster"): (-2021, "Order would immediately trigger."),
    ("stop", "binance"): (-2021, "Order would immediately trigger."),
    ("stop", "bybit"): (110093, "expect Falling, but trigger_price["),
    ("stop", "okx"): ("51304", "SL trigger price cannot be higher than the mark price"),
    ("take_profit", "aster"): (-2021, "Order would immediately trigger."),
    ("take_profit", "binance"): (-2021, "Order would immediately trigger."),
    ("take_profit", "bybit"): (110092, "expect Rising, but trigger_price["),
    ("take_profit", "okx"): ("51303", "TP trigger price cannot be lower than the mark price"),
}


@pytest.mark.parametrize("kind, trigger", [("stop", "65000"), ("take_profit", "55000")])
async def test_a_trigger_that_would_fire_at_once_is_order_rejected(
    hk: HedgeClient, venue: SimulatedVenue, kind: str, trigger: str
) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, symbol=BTC)
    await hk.open_long(BTC, Decimal("0.010"))
    place = hk.stop_market if kind == "stop" else hk.take_profit_market
    before = len(venue.requests)
    with pytest.raises(OrderRejected) as info:
        await place(BTC, PositionSide.LONG, Decimal(trigger), Decimal("0.010"))
    err = info.value
    assert type(err) is OrderRejected
    code, text = IMMEDIATE[kind, venue.venue]
    assert err.code == code and err.venue_message is not None
    if venue.venue == "bybit":  # the text carries both prices
        assert err.venue_message.startswith(text)
    else:
        assert err.venue_message == text
    assert len(orders_sent(venue, before)) == 1
    assert venue.engine.conditional_orders(BTC) == []


# -- credentials ---------------------------------------------------------------------------------
Call = Callable[[HedgeClient], Awaitable[object]]
PRIVATE_CALLS: dict[str, Call] = {
    "position_mode": lambda hk: hk.position_mode(BTC),
    "set_position_mode": lambda hk: hk.set_position_mode(PositionMode.HEDGE, symbol=BTC),
    "legs": lambda hk: hk.legs(BTC),
    "open_long": lambda hk: hk.open_long(BTC, Decimal("0.010")),
}


async def refused_unsent(venue: SimulatedVenue, given: tuple[str, ...], call: Call) -> AuthenticationError:
    """Connect with only the ``given`` credentials (markets are public), make ``call``: nothing private
    may go out."""
    c = venue.credentials
    async with hedgekit.connect(
        venue.venue, base_url=venue.base_url, api_key=c["api_key"] if "api_key" in given else None,
        secret=c["secret"] if "secret" in given else None, password=c.get("password") if "password" in given else None,
    ) as hk:
        assert hk.adapter.market(BTC).symbol == BTC  # connect() loaded the markets without credentials
        before = len(venue.requests)
        with pytest.raises(AuthenticationError) as info:
            await call(hk)
        assert venue.requests[before:] == []
    assert venue.requests and not [r for r in venue.requests if signed(r)]
    return info.value


@pytest.mark.parametrize("call", list(PRIVATE_CALLS))
@pytest.mark.parametrize("given", [(), ("api_key",), ("secret",)], ids=["none", "key only", "secret only"])
async def test_missing_credentials_are_one_error_before_any_private_request(
    venue: SimulatedVenue, given: tuple[str, ...], call: str
) -> None:
    err = await refused_unsent(venue, given, PRIVATE_CALLS[call])
    assert type(err) is AuthenticationError and not err.transient
    assert err.message == MISSING_CREDENTIALS and err.venue == venue.venue
    assert str(err).endswith(MISSING_CREDENTIALS) and err.code is None


async def test_an_okx_key_without_its_passphrase_is_the_same_error() -> None:
    async with SimulatedVenue("okx", mark_prices=dict(MARKS)) as venue:
        err = await refused_unsent(venue, ("api_key", "secret"), PRIVATE_CALLS["open_long"])
    assert type(err) is AuthenticationError and err.message == MISSING_CREDENTIALS and err.venue == "okx"


async def test_the_missing_credentials_message_is_the_same_on_every_venue() -> None:
    seen: dict[str, tuple[type[Exception], str]] = {}
    for name in VENUES:
        async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
            err = await refused_unsent(venue, (), PRIVATE_CALLS["position_mode"])
            seen[name] = (type(err), err.message)
    assert set(seen) == {"aster", "binance", "bybit", "okx"}
    assert set(seen.values()) == {(AuthenticationError, MISSING_CREDENTIALS)}, seen


# -- symbols -------------------------------------------------------------------------------------
BAD = "NOPE/USDT:USDT"
BAD_SYMBOL_CALLS: dict[str, Call] = {
    "open_long": lambda hk: hk.open_long(BAD, Decimal("0.010")),
    "stop_market": lambda hk: hk.stop_market(BAD, PositionSide.LONG, Decimal("50000")),
    "legs": lambda hk: hk.legs(BAD),
    "set_leverage": lambda hk: hk.set_leverage(BAD, 5),
    "set_position_mode": lambda hk: hk.set_position_mode(PositionMode.HEDGE, symbol=BAD),
}


@pytest.mark.parametrize("call", list(BAD_SYMBOL_CALLS))
async def test_an_unknown_symbol_is_invalid_request_with_nothing_sent(
    hk: HedgeClient, venue: SimulatedVenue, call: str
) -> None:
    before = len(venue.requests)
    with pytest.raises(InvalidRequest) as info:
        await BAD_SYMBOL_CALLS[call](hk)
    assert type(info.value) is InvalidRequest and BAD in str(info.value)
    assert venue.requests[before:] == []
