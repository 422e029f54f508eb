"""The simulator's published instrument filters are what its order handlers enforce.

For each venue the filters are read as a client reads them, over the raw wire (Binance
``/fapi/v1/exchangeInfo``, Aster ``/fapi/v3/exchangeInfo``, Bybit ``/v5/market/instruments-info``,
OKX ``/api/v5/public/instruments``); then an order just inside each bound is accepted and one just
outside is refused with the venue's code. Orders go out signed through the adapter's own endpoint
call (``adapter._call``: the venue's parameter names, nothing checked locally), so what is tested
is the simulator's handler, not hedgekit's pre-flight.

Every listed BTC row has ``minQty`` equal to its step, so the first quantity below the minimum is
zero and the refusal is the venue's zero-quantity code. OKX publishes no minimum notional and no
price bounds in its instrument rows (its price limits are another endpoint), so those cases check
that the simulator adds none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, Protocol

import aiohttp
import pytest
import pytest_asyncio

import hedgekit
from hedgekit import ExchangeError, HedgeClient
from hedgekit.testing import SimulatedVenue

D = Decimal
BTC = "BTC/USDT:USDT"
MARK = D("60000")
VENUES = ["aster", "binance", "bybit", "okx"]


@dataclass(frozen=True)
class Filters:
    """One BTC contract's published filters, quantities in the venue's order unit (OKX: contracts)."""

    tick: Decimal
    min_price: Decimal | None  # None: not published in the instrument row
    max_price: Decimal | None
    step: Decimal
    min_qty: Decimal
    max_qty: Decimal  # limit orders
    max_market_qty: Decimal
    min_notional: Decimal | None
    value: Decimal  # base units per order unit (OKX ctVal, else 1)
    max_orders: int | None  # MAX_NUM_ORDERS
    max_leverage: int | None
    leverage_step: Decimal | None


async def get_json(venue: SimulatedVenue, path: str) -> Any:
    async with aiohttp.ClientSession() as session, session.get(venue.base_url + path) as reply:
        assert reply.status == 200, await reply.text()
        return await reply.json(content_type=None)


def _binance_filters(row: dict[str, Any]) -> Filters:
    by_type = {f["filterType"]: f for f in row["filters"]}
    price, lot, market = by_type["PRICE_FILTER"], by_type["LOT_SIZE"], by_type["MARKET_LOT_SIZE"]
    assert D(lot["stepSize"]) == D(market["stepSize"]) and D(lot["minQty"]) == D(market["minQty"])
    return Filters(
        tick=D(price["tickSize"]), min_price=D(price["minPrice"]), max_price=D(price["maxPrice"]),
        step=D(lot["stepSize"]), min_qty=D(lot["minQty"]), max_qty=D(lot["maxQty"]),
        max_market_qty=D(market["maxQty"]), min_notional=D(by_type["MIN_NOTIONAL"]["notional"]), value=D(1),
        max_orders=int(by_type["MAX_NUM_ORDERS"]["limit"]), max_leverage=None, leverage_step=None,
    )


async def read_filters(venue: SimulatedVenue) -> Filters:
    """The BTC row as the venue publishes it."""
    name = venue.venue
    if name in ("binance", "aster"):
        info = await get_json(venue, "/fapi/v1/exchangeInfo" if name == "binance" else "/fapi/v3/exchangeInfo")
        return _binance_filters(next(s for s in info["symbols"] if s["symbol"] == "BTCUSDT"))
    if name == "bybit":
        info = await get_json(venue, "/v5/market/instruments-info?category=linear&symbol=BTCUSDT")
        row = info["result"]["list"][0]
        price, lot, lever = row["priceFilter"], row["lotSizeFilter"], row["leverageFilter"]
        assert D(lever["minLeverage"]) == 1
        return Filters(
            tick=D(price["tickSize"]), min_price=D(price["minPrice"]), max_price=D(price["maxPrice"]),
            step=D(lot["qtyStep"]), min_qty=D(lot["minOrderQty"]), max_qty=D(lot["maxOrderQty"]),
            max_market_qty=D(lot["maxMktOrderQty"]), min_notional=D(lot["minNotionalValue"]), value=D(1),
            max_orders=None, max_leverage=int(D(lever["maxLeverage"])), leverage_step=D(lever["leverageStep"]),
        )
    info = await get_json(venue, "/api/v5/public/instruments?instType=SWAP&instId=BTC-USDT-SWAP")
    row = info["data"][0]
    return Filters(
        tick=D(row["tickSz"]), min_price=None, max_price=None, step=D(row["lotSz"]), min_qty=D(row["minSz"]),
        max_qty=D(row["maxLmtSz"]), max_market_qty=D(row["maxMktSz"]), min_notional=None, value=D(row["ctVal"]),
        max_orders=None, max_leverage=int(row["lever"]), leverage_step=D(1),
    )


def _text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def order_params(venue: str, side: str, kind: str, qty: Decimal, price: Decimal | None) -> dict[str, Any]:
    """A one-way order in the venue's own parameters (``side`` BUY/SELL, ``kind`` LIMIT/MARKET)."""
    if venue in ("binance", "aster"):
        limit = {"price": _text(price), "timeInForce": "GTC"} if price is not None else {}
        return {"symbol": "BTCUSDT", "side": side, "type": kind, "quantity": _text(qty), **limit}
    if venue == "bybit":
        return {"category": "linear", "symbol": "BTCUSDT", "side": side.title(), "orderType": kind.title(),
                "qty": _text(qty), "positionIdx": 0, **({"price": _text(price)} if price is not None else {})}
    return {"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": side.lower(), "ordType": kind.lower(),
            "sz": _text(qty), **({"px": _text(price)} if price is not None else {})}


ORDER_METHOD = {"binance": "fapiPrivatePostOrder", "aster": "new_order", "bybit": "privatePostV5OrderCreate",
                "okx": "privatePostTradeOrder"}

#: The venue's refusal of each order just outside a bound (``None``: the bound is not published).
CODES: dict[str, dict[str, str | None]] = {
    # Binance/Aster error codes (error-code page, AST3): -1111 BAD_PRECISION comes first for a value
    # with more decimals than pricePrecision/quantityPrecision, which every off-grid value here has
    # except Binance's BTC price (tick 0.10, 2 decimals: -4014 PRICE_NOT_INCREASED_BY_TICK_SIZE).
    "binance": {"tick": "-4014", "min_price": "-4013", "max_price": "-4002", "step": "-1111",
                "min_qty": "-4003", "max_qty": "-4005", "max_market_qty": "-4005", "min_notional": "-4164",
                "max_orders": "-2025"},
    "aster": {"tick": "-1111", "min_price": "-4013", "max_price": "-4002", "step": "-1111",
              "min_qty": "-4003", "max_qty": "-4005", "max_market_qty": "-4005", "min_notional": "-4164",
              "max_orders": "-2025"},
    # Bybit: 10001 for off-grid and zero values and quantities over the maximum (captured texts,
    # simulator_wire), 110003 for a price outside the listing's bounds, 110094 below minNotionalValue;
    # minPrice equals the tick, so the first price below it is zero (10001)
    "bybit": {"tick": "10001", "min_price": "10001", "max_price": "110003", "step": "10001",
              "min_qty": "10001", "max_qty": "10001", "max_market_qty": "10001", "min_notional": "110094",
              "leverage": "10001"},
    # OKX error codes: 51150 precision, 51121 lot size, 51000 sz, 51203 over maxLmtSz, 51202 over
    # maxMktSz, 59102 over lever
    "okx": {"tick": "51150", "min_price": None, "max_price": None, "step": "51121", "min_qty": "51000",
            "max_qty": "51203", "max_market_qty": "51202", "min_notional": None, "leverage": "59102"},
}


@pytest_asyncio.fixture
async def rich(venue_name: str) -> AsyncIterator[SimulatedVenue]:
    # a balance no bound here can exhaust, so every refusal is the filter's and not the margin's
    async with SimulatedVenue(venue_name, balance=D(10) ** 12, mark_prices={BTC: MARK}) as sim:
        yield sim


@pytest_asyncio.fixture
async def client(rich: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect(rich.venue, base_url=rich.base_url, **rich.credentials) as hk:
        yield hk


class Place(Protocol):
    """Place one order; ``None`` when the venue accepts it, else its code."""

    def __call__(self, side: str, kind: str, qty: Decimal, price: Decimal | None = None) -> Awaitable[str | None]:
        ...


def placer(hk: HedgeClient, venue: str) -> Place:
    call: Callable[..., Awaitable[Any]] = getattr(hk.adapter, "_call")

    async def place(side: str, kind: str, qty: Decimal, price: Decimal | None = None) -> str | None:
        """``None`` when the venue accepts the order, else its code."""
        try:
            await call("filters", ORDER_METHOD[venue], order_params(venue, side, kind, qty, price))
        except ExchangeError as exc:
            return str(exc.code)
        return None

    return place


def on_grid(value: Decimal, grid: Decimal, rounding: str) -> Decimal:
    return (value / grid).to_integral_value(rounding=rounding) * grid


def notional_qty(f: Filters, price: Decimal) -> Decimal:
    """The smallest quantity on the step that reaches the minimum notional at ``price``."""
    need = f.min_qty if f.min_notional is None else max(f.min_qty, f.min_notional / (price * f.value))
    return on_grid(need, f.step, ROUND_CEILING)


def below_mark(f: Filters) -> Decimal:
    """A resting BUY price: 90 % of the mark, on the tick."""
    return on_grid(MARK * D("0.9"), f.tick, ROUND_FLOOR)


def expected(venue: str, case: str) -> str | None:
    return CODES[venue][case]


async def test_tick_size(client: HedgeClient, rich: SimulatedVenue) -> None:
    f, place = await read_filters(rich), placer(client, rich.venue)
    price = below_mark(f)
    qty = notional_qty(f, price)
    assert await place("BUY", "LIMIT", qty, price) is None
    assert await place("BUY", "LIMIT", qty, price + f.tick) is None
    assert await place("BUY", "LIMIT", qty, price + f.tick / 2) == expected(rich.venue, "tick")


async def test_min_price(client: HedgeClient, rich: SimulatedVenue) -> None:
    f, place = await read_filters(rich), placer(client, rich.venue)
    code = expected(rich.venue, "min_price")
    if f.min_price is None:  # OKX: nothing published, so the lowest tick is taken
        assert code is None
        assert await place("BUY", "LIMIT", notional_qty(f, f.tick), f.tick) is None
        return
    qty = notional_qty(f, f.min_price)
    assert qty <= f.max_qty
    assert await place("BUY", "LIMIT", qty, f.min_price) is None
    assert await place("BUY", "LIMIT", qty, f.min_price - f.tick) == code


async def test_max_price(client: HedgeClient, rich: SimulatedVenue) -> None:
    f, place = await read_filters(rich), placer(client, rich.venue)
    code = expected(rich.venue, "max_price")
    if f.max_price is None:
        assert code is None
        return
    assert await place("SELL", "LIMIT", f.min_qty, f.max_price) is None  # rests above the mark
    assert await place("SELL", "LIMIT", f.min_qty, f.max_price + f.tick) == code


async def test_quantity_step_and_minimum(client: HedgeClient, rich: SimulatedVenue) -> None:
    f, place = await read_filters(rich), placer(client, rich.venue)
    price = below_mark(f)
    qty = notional_qty(f, price)
    assert await place("BUY", "LIMIT", qty + f.step, price) is None
    assert await place("BUY", "LIMIT", qty + f.step / 2, price) == expected(rich.venue, "step")
    # the minimum itself, at a SELL price high enough for the minimum notional
    high = max(MARK, on_grid((f.min_notional or D(0)) / (f.min_qty * f.value), f.tick, ROUND_CEILING))
    assert await place("SELL", "LIMIT", f.min_qty, high) is None
    assert f.min_qty == f.step  # every listed row: the first quantity below the minimum is zero
    assert await place("SELL", "LIMIT", f.min_qty - f.step, high) == expected(rich.venue, "min_qty")


async def test_limit_order_maximum(client: HedgeClient, rich: SimulatedVenue) -> None:
    f, place = await read_filters(rich), placer(client, rich.venue)
    price = f.min_price if f.min_price is not None else f.tick  # the cheapest resting BUY
    assert await place("BUY", "LIMIT", f.max_qty, price) is None
    assert await place("BUY", "LIMIT", f.max_qty + f.step, price) == expected(rich.venue, "max_qty")


async def test_market_order_maximum(client: HedgeClient, rich: SimulatedVenue) -> None:
    f, place = await read_filters(rich), placer(client, rich.venue)
    assert f.max_market_qty < f.max_qty  # the market cap is the tighter one on every listed row
    assert await place("BUY", "MARKET", f.max_market_qty) is None
    assert await place("BUY", "MARKET", f.max_market_qty + f.step) == expected(rich.venue, "max_market_qty")


async def test_min_notional(client: HedgeClient, rich: SimulatedVenue) -> None:
    f, place = await read_filters(rich), placer(client, rich.venue)
    code = expected(rich.venue, "min_notional")
    if f.min_notional is None:  # OKX: only minSz; the smallest order at the lowest tick is taken
        assert code is None
        assert await place("BUY", "LIMIT", f.min_qty, f.tick) is None
        return
    qty = notional_qty(f, below_mark(f))
    edge = on_grid(f.min_notional / (qty * f.value), f.tick, ROUND_CEILING)  # the lowest price reaching it
    assert edge * qty * f.value >= f.min_notional > (edge - f.tick) * qty * f.value
    assert await place("BUY", "LIMIT", qty, edge) is None
    assert await place("BUY", "LIMIT", qty, edge - f.tick) == code


@pytest.mark.parametrize("venue_name", ["binance", "aster"])
async def test_max_num_orders(client: HedgeClient, rich: SimulatedVenue) -> None:
    f, place = await read_filters(rich), placer(client, rich.venue)
    assert f.max_orders is not None
    price = below_mark(f)
    qty = notional_qty(f, price)
    for _ in range(f.max_orders - 1):  # all but the last one straight into the book, to stay fast
        rich.engine.place_order("BTCUSDT", "BUY", qty, order_type="LIMIT", price=price)
    assert await place("BUY", "LIMIT", qty, price) is None  # the limit-th
    assert await place("BUY", "LIMIT", qty, price) == expected(rich.venue, "max_orders")


async def set_leverage(hk: HedgeClient, venue: str, lever: str) -> str | None:
    call: Callable[..., Awaitable[Any]] = getattr(hk.adapter, "_call")
    if venue == "bybit":
        method, params = "privatePostV5PositionSetLeverage", {
            "category": "linear", "symbol": "BTCUSDT", "buyLeverage": lever, "sellLeverage": lever}
    else:
        method, params = "privatePostAccountSetLeverage", {"instId": "BTC-USDT-SWAP", "lever": lever,
                                                           "mgnMode": "cross"}
    try:
        await call("filters", method, params)
    except ExchangeError as exc:
        return str(exc.code)
    return None


@pytest.mark.parametrize("venue_name", ["bybit", "okx"])
async def test_leverage_range(client: HedgeClient, rich: SimulatedVenue) -> None:
    f = await read_filters(rich)
    assert f.max_leverage is not None
    assert await set_leverage(client, rich.venue, str(f.max_leverage)) is None
    assert await set_leverage(client, rich.venue, "1") is None
    assert await set_leverage(client, rich.venue, str(f.max_leverage + 1)) == expected(rich.venue, "leverage")


@pytest.mark.parametrize("venue_name", ["bybit"])
async def test_bybit_leverage_step(client: HedgeClient, rich: SimulatedVenue) -> None:
    f = await read_filters(rich)
    assert f.leverage_step == D("0.01")
    assert await set_leverage(client, rich.venue, "12.5") is None
    assert await set_leverage(client, rich.venue, "12.57") is None
    assert rich.engine.leverage("BTCUSDT", "BOTH") == D("12.57")
    assert await set_leverage(client, rich.venue, "12.555") == "10001"  # off the 0.01 step
