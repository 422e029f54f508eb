"""Property-based: invalid input to the facade gets a clear hedgekit error and sends nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest_asyncio
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import hedgekit
from hedgekit import HedgeClient, PositionSide
from hedgekit.testing import SimulatedVenue

from ..conftest import VENUES

BTC = "BTC/USDT:USDT"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

non_finite = st.sampled_from([Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"),
                              float("nan"), float("inf"), float("-inf")])
non_positive = st.decimals(max_value=0, allow_nan=False, allow_infinity=False, places=6)
floats = st.floats(allow_nan=False, allow_infinity=False)
junk = st.one_of(st.none(), st.booleans(), st.text(max_size=8).filter(lambda t: not _numeric(t)), st.lists(st.integers(), max_size=2))
bad_number = st.one_of(non_finite, non_positive, floats, junk, non_positive.map(str))
bad_symbol = st.one_of(st.text(max_size=12).filter(lambda t: t.strip() not in ("BTC/USDT:USDT", "BTCUSDT", "BTC-USDT-SWAP")),
                       st.none(), st.integers())
bad_side = st.one_of(st.sampled_from(["LONG", "long", "short", 1, None, PositionSide.BOTH]), st.text(max_size=5))
bad_mode = st.one_of(st.sampled_from(["hedge", "HEDGE", "one_way", 0, 1, True, None]), st.text(max_size=5))


def _numeric(text: str) -> bool:
    try:
        value = Decimal(text.strip())
    except Exception:
        return False
    return value.is_finite() and value > 0


@pytest_asyncio.fixture(params=VENUES)
async def setup(request: Any) -> AsyncIterator[tuple[HedgeClient, SimulatedVenue]]:
    async with SimulatedVenue(request.param) as venue:
        async with hedgekit.connect(request.param, base_url=venue.base_url, **venue.credentials) as hk:
            await hk.position_mode(BTC)
            yield hk, venue


async def _refused(setup: tuple[HedgeClient, SimulatedVenue], call: Any) -> None:
    hk, venue = setup
    before = len(venue.requests)
    try:
        await call(hk)
    except hedgekit.HedgekitError as exc:
        assert str(exc)  # a readable message
    else:
        raise AssertionError("the facade accepted invalid input")
    assert len(venue.requests) == before, [r.path for r in venue.requests[before:]]


@SETTINGS
@given(quantity=bad_number, intent=st.sampled_from(["open_long", "open_short", "close_long", "close_short"]))
async def test_bad_quantity(setup: tuple[HedgeClient, SimulatedVenue], quantity: Any, intent: str) -> None:
    await _refused(setup, lambda hk: getattr(hk, intent)(BTC, quantity))


@SETTINGS
@given(price=bad_number.filter(lambda v: v is not None))
async def test_bad_price(setup: tuple[HedgeClient, SimulatedVenue], price: Any) -> None:
    await _refused(setup, lambda hk: hk.open_long(BTC, Decimal("0.01"), price=price))


@SETTINGS
@given(steps=st.integers(min_value=1, max_value=10**6), extra=st.integers(min_value=1, max_value=9))
async def test_off_step_quantity(setup: tuple[HedgeClient, SimulatedVenue], steps: int, extra: int) -> None:
    market = setup[0].market(BTC)
    quantity = market.lot_step * steps + market.lot_step * Decimal(extra) / 10
    await _refused(setup, lambda hk: hk.open_long(BTC, quantity))


@SETTINGS
@given(symbol=bad_symbol)
async def test_bad_symbol(setup: tuple[HedgeClient, SimulatedVenue], symbol: Any) -> None:
    await _refused(setup, lambda hk: hk.open_short(symbol, Decimal("0.01")))
    await _refused(setup, lambda hk: hk.legs(symbol))


@SETTINGS
@given(side=bad_side, mode=bad_mode)
async def test_bad_enums(setup: tuple[HedgeClient, SimulatedVenue], side: Any, mode: Any) -> None:
    await _refused(setup, lambda hk: hk.stop_market(BTC, side, Decimal("50000")))
    await _refused(setup, lambda hk: hk.adjust_margin(BTC, side, Decimal("5")))
    await _refused(setup, lambda hk: hk.set_position_mode(mode, BTC))
    await _refused(setup, lambda hk: hk.set_margin_mode(BTC, mode))


@SETTINGS
@given(leverage=st.one_of(st.integers(max_value=0), st.integers(min_value=10_000), floats, junk, st.just(True)))
async def test_bad_leverage(setup: tuple[HedgeClient, SimulatedVenue], leverage: Any) -> None:
    await _refused(setup, lambda hk: hk.set_leverage(BTC, leverage))


@SETTINGS
@given(cid=st.one_of(st.text(min_size=37, max_size=60), st.text(alphabet=" !@#$%^&*()+=[]{}|;'\",<>?~`", min_size=1, max_size=10), st.just("")))
async def test_bad_client_order_id(setup: tuple[HedgeClient, SimulatedVenue], cid: str) -> None:
    await _refused(setup, lambda hk: hk.open_long(BTC, Decimal("0.01"), client_order_id=cid))


# -- every number: refused with InvalidRequest before anything is sent, or on the wire as checked ---------
import re  # noqa: E402
from decimal import InvalidOperation  # noqa: E402

import pytest  # noqa: E402

from hedgekit import OrderType, PositionMode  # noqa: E402
from hedgekit.models import leverage_value  # noqa: E402
from hedgekit.payload import plain  # noqa: E402
from hedgekit.validator import check_order, to_decimal  # noqa: E402

NUMBER_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

#: Decimals of every shape: huge and tiny exponents (past Decimal's Emax too), many digits, signed
#: zeros, NaN and infinities, and plain sizes and prices a venue would take.
wide_decimal = st.one_of(
    st.builds(
        lambda sign, digits, exponent: Decimal((sign, tuple(digits), exponent)),
        st.integers(0, 1),
        st.lists(st.integers(0, 9), min_size=1, max_size=70),
        st.one_of(st.integers(-40, 40), st.integers(-10**9, 10**9)),
    ),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([
        Decimal("1E+30"), Decimal("1E-30"), Decimal("1E+999999"), Decimal("1E-999999"), Decimal("1E+100000000"),
        Decimal("9" * 60), Decimal("1." + "1" * 59), Decimal("1." + "0" * 59), Decimal("0." + "0" * 58 + "1"),
        Decimal("-0"), Decimal("0E-1000"), Decimal("-0E+1000"), Decimal("NaN"), Decimal("-sNaN"),
        Decimal("Infinity"), Decimal("-Infinity"), Decimal("99999999999999999999"), Decimal("1E+20"),
        Decimal("0.00000000000000000001"), Decimal("1E-21"),
    ]),
    st.integers(1, 5000).map(lambda n: Decimal(n) / 1000),  # sizes on a 0.001 lot
    st.integers(1, 10**6).map(lambda n: Decimal(n) / 10),  # prices on a 0.1 tick
    st.integers(1, 200).map(lambda n: Decimal(n) / 10),  # callback rates, percent
)

_DECIMAL_ERRORS = (InvalidOperation, ArithmeticError)


@pytest_asyncio.fixture(params=VENUES)
async def hedged(request: Any) -> AsyncIterator[tuple[HedgeClient, SimulatedVenue]]:
    async with SimulatedVenue(request.param) as venue:
        async with hedgekit.connect(request.param, base_url=venue.base_url, **venue.credentials) as hk:
            await hk.set_position_mode(PositionMode.HEDGE, BTC)
            yield hk, venue


def _gate(check: Any) -> bool:
    """Whether the facade's own gate (to_decimal, check_order) refuses: then nothing may be sent."""
    try:
        check()
    except hedgekit.InvalidRequest:
        return True
    except _DECIMAL_ERRORS as exc:
        raise AssertionError(f"the gate itself raised a decimal error: {exc!r}") from exc
    return False


def _writes(venue: SimulatedVenue, before: int) -> list[Any]:
    return [r for r in venue.requests[before:] if r.method != "GET"]


def _values(requests: list[Any]) -> set[str]:
    return {str(v) for r in requests for v in r.params.values() if not isinstance(v, (dict, list))}


async def _number_call(
    pair: tuple[HedgeClient, SimulatedVenue], call: Any, refused_by_gate: bool, on_the_wire: set[str],
) -> None:
    """The property: InvalidRequest with no write sent (nothing at all when the gate refuses), or a
    write that carries the number as checked (the venue may still refuse it: a hedgekit error)."""
    hk, venue = pair
    before = len(venue.requests)
    try:
        await call(hk)
    except hedgekit.InvalidRequest as exc:
        event("refused locally" if refused_by_gate else "refused by the adapter")
        assert str(exc)
        assert _writes(venue, before) == [], [r.path for r in _writes(venue, before)]
        if refused_by_gate:
            assert len(venue.requests) == before, [r.path for r in venue.requests[before:]]
        return
    except hedgekit.HedgekitError as exc:  # the venue's answer to a well-formed request
        event(f"sent, refused by the venue ({type(exc).__name__})")
        assert not refused_by_gate
    except _DECIMAL_ERRORS as exc:  # pragma: no cover - the bug this test exists for
        raise AssertionError(f"a decimal error escaped: {exc!r}") from exc
    else:
        event("sent and accepted")
        assert not refused_by_gate
    sent = _writes(venue, before)
    assert sent, "accepted, yet no request went out"
    assert on_the_wire & _values(sent), (on_the_wire, [r.params for r in sent])


def _texts(*values: Any) -> set[str]:
    """The plain text of each value (``values`` may be callables, for numbers derived from the input)."""
    out = set()
    for value in values:
        try:
            out.add(plain(value() if callable(value) else value))
        except _DECIMAL_ERRORS:
            continue  # not a number the wire could carry; the call must not carry it either
    return out


@NUMBER_SETTINGS
@given(quantity=wide_decimal, intent=st.sampled_from(["open_long", "open_short", "close_long", "close_short"]))
async def test_any_decimal_quantity(hedged: tuple[HedgeClient, SimulatedVenue], quantity: Decimal, intent: str) -> None:
    market = hedged[0].market(BTC)

    def gate() -> None:
        check_order(market, OrderType.MARKET, to_decimal(quantity, "quantity"), opens=intent.startswith("open"))

    refused = _gate(gate)
    texts = set() if refused else _texts(quantity, lambda: quantity / market.contract_size)
    await _number_call(hedged, lambda hk: getattr(hk, intent)(BTC, quantity), refused, texts)


@NUMBER_SETTINGS
@given(price=wide_decimal)
async def test_any_decimal_price(hedged: tuple[HedgeClient, SimulatedVenue], price: Decimal) -> None:
    market = hedged[0].market(BTC)
    quantity = market.min_quantity * 10

    def gate() -> None:
        check_order(market, OrderType.LIMIT, quantity, price=to_decimal(price, "price"), opens=False)

    refused = _gate(gate)
    await _number_call(hedged, lambda hk: hk.close_long(BTC, quantity, price=price), refused,
                       set() if refused else _texts(price))


@NUMBER_SETTINGS
@given(trigger=wide_decimal, quantity=st.one_of(st.none(), wide_decimal),
       kind=st.sampled_from(["stop_market", "take_profit_market"]))
async def test_any_decimal_trigger_and_size(hedged: tuple[HedgeClient, SimulatedVenue], trigger: Decimal,
                                            quantity: Decimal | None, kind: str) -> None:
    market = hedged[0].market(BTC)
    order_type = OrderType.STOP_MARKET if kind == "stop_market" else OrderType.TAKE_PROFIT_MARKET

    def gate() -> None:
        qty = None if quantity is None else to_decimal(quantity, "quantity")
        check_order(market, order_type, qty, trigger_price=to_decimal(trigger, "trigger_price"), opens=False)

    refused = _gate(gate)
    await _number_call(hedged, lambda hk: getattr(hk, kind)(BTC, PositionSide.LONG, trigger, quantity), refused,
                       set() if refused else _texts(trigger))


@NUMBER_SETTINGS
@given(rate=wide_decimal, activation=st.one_of(st.none(), wide_decimal))
async def test_any_decimal_callback_and_activation(hedged: tuple[HedgeClient, SimulatedVenue], rate: Decimal,
                                                   activation: Decimal | None) -> None:
    hk, venue = hedged
    market = hk.market(BTC)
    leg = (await hk.legs(BTC)).long
    if not leg.is_open:  # Bybit's trailing stop belongs to an open leg of the same size
        await hk.open_long(BTC, market.min_quantity * 10)
        leg = (await hk.legs(BTC)).long
    quantity = leg.size

    def gate() -> None:
        act = None if activation is None else to_decimal(activation, "activation_price")
        check_order(market, OrderType.TRAILING_STOP_MARKET, quantity, callback_rate=to_decimal(rate, "callback_rate"),
                    activation_price=act, opens=False)

    refused = _gate(gate)
    texts: set[str] = set()
    if not refused and hk.venue == "bybit":
        # Bybit's trailing stop is a price distance: the rate's share of the activation (or last) price
        from hedgekit_bybit import trailing, wire

        reference = activation if activation is not None else await trailing.last_price(hk.adapter, market)  # type: ignore[arg-type]
        texts = _texts(wire.trailing_distance(rate, reference, market.tick_size))
    elif not refused:
        texts = _texts(rate, lambda: rate / 100)  # a percent (Binance, Aster) or a ratio (OKX)
    before = len(venue.requests)
    await _number_call(
        hedged,
        lambda hk: hk.trailing_stop(BTC, PositionSide.LONG, quantity, rate, activation_price=activation),
        refused, texts,
    )
    for request in _writes(venue, before):
        distance = request.params.get("trailingStop")
        if distance is not None:
            assert Decimal(distance) % market.tick_size == 0  # Bybit: on the tick


@NUMBER_SETTINGS
@given(amount=wide_decimal, side=st.sampled_from([PositionSide.LONG, PositionSide.SHORT]))
async def test_any_decimal_margin(hedged: tuple[HedgeClient, SimulatedVenue], amount: Decimal,
                                  side: PositionSide) -> None:
    refused = _gate(lambda: to_decimal(amount, "amount", positive=False)) or (amount.is_finite() and amount == 0)
    await _number_call(hedged, lambda hk: hk.adjust_margin(BTC, side, amount), refused,
                       set() if refused else _texts(amount, lambda: abs(amount)))


@NUMBER_SETTINGS
@given(leverage=st.one_of(wide_decimal, st.integers(min_value=-10**30, max_value=10**30), st.integers(1, 150)))
async def test_any_leverage(hedged: tuple[HedgeClient, SimulatedVenue], leverage: Any) -> None:
    """A leverage is taken when it is a number of at least 1 on the venue's leverage step (1 on
    Binance and Aster, 0.01 on Bybit and OKX) and within the contract's maximum; it goes out as
    written without trailing zeros."""
    market = hedged[0].market(BTC)
    try:
        number: Decimal | None = to_decimal(leverage, "leverage")
    except hedgekit.InvalidRequest:
        number = None
    step = market.leverage_step
    taken = number is not None and number >= 1 and (step <= 0 or number % step == 0) and (
        market.max_leverage is None or number <= market.max_leverage)
    await _number_call(hedged, lambda hk: hk.set_leverage(BTC, leverage), not taken,
                       {str(leverage_value(number))} if taken and number is not None else set())


def _fits_the_wire(number: Decimal) -> bool:
    """The wire's rule written out plainly: ``^([0-9]{1,20})(\\.[0-9]{1,20})?$`` (Binance's -1100 pattern,
    which every venue's numbers fit) for the number in plain notation without trailing zeros, and at
    most 28 significant digits (Decimal's default precision, so that it is written exactly)."""
    if number.adjusted() > 10**6:
        return False
    text = format(number.copy_abs(), "f")  # exact: no context rounding
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    significant = text.replace(".", "").lstrip("0").rstrip("0")
    return re.fullmatch(r"[0-9]{1,20}(\.[0-9]{1,20})?", text) is not None and len(significant) <= 28


@settings(max_examples=2000, deadline=None)
@given(number=st.builds(lambda sign, digits, exponent: Decimal((sign, tuple(digits), exponent)),
                        st.integers(0, 1), st.lists(st.integers(0, 9), min_size=1, max_size=50),
                        st.integers(-50, 30)))
def test_to_decimal_takes_exactly_what_fits_the_wire(number: Decimal) -> None:
    try:
        taken = to_decimal(number, "amount", positive=False)
    except hedgekit.InvalidRequest:
        assert number and not _fits_the_wire(number)
    else:
        assert taken == number and (not number or _fits_the_wire(number))


def test_the_wire_bounds() -> None:
    assert to_decimal("9" * 20, "q") == Decimal("9" * 20)
    assert to_decimal("0." + "0" * 19 + "1", "q") == Decimal("1E-20")
    assert to_decimal("1." + "0" * 59, "q") == 1  # trailing zeros do not count
    for text in ("1" + "0" * 20, "0." + "0" * 20 + "1", "1E+30", "1E-30", "1E+999999", "1." + "1" * 59):
        with pytest.raises(hedgekit.InvalidRequest):
            to_decimal(text, "q")
