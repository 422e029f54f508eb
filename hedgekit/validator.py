"""Pure rules, checked locally before anything is sent.

* :func:`check_mode_change`: may the position mode change in a scope, given what is open there?
* :func:`plan_order`: what side, position side and reduce flag an intent takes in a mode.
* :func:`check_order`: order pre-flight (size, lot step, tick, prices the order type needs).
* :func:`check_amend`: an amendment's new numbers (lot step and minimum, tick).
* :func:`check_conditional`: a conditional order against its venue's documented ranges (callback
  rate, trigger and activation side of the current price).
* :func:`to_decimal`: the one gate every user number passes through.
* :func:`check_id`: an order id or client order id against the venue's id grammar.

No function here does I/O; each raises :class:`~hedgekit.errors.InvalidRequest` or
:class:`~hedgekit.errors.ModeChangeBlocked` with a message that says exactly what is wrong.
"""

from __future__ import annotations

import re
from decimal import Decimal, DecimalException, InvalidOperation

from hedgekit.adapter import ConditionalRules, OrderPlan
from hedgekit.errors import InvalidRequest, ModeChangeBlocked
from hedgekit.payload import plain as _plain
from hedgekit.models import (
    Blocker,
    BlockerKind,
    Exposure,
    Intent,
    Leg,
    Market,
    ModeState,
    Order,
    OrderType,
    PositionMode,
    PositionSide,
    Side,
    TimeInForce,
    leverage_value,
)

__all__ = [
    "blockers_of",
    "check_amend",
    "check_conditional",
    "check_id",
    "check_leverage",
    "check_mode_change",
    "check_order",
    "plan_order",
    "to_decimal",
]


#: The widest number any venue takes on the wire: at most 20 digits before the point and 20 after.
#: Binance (and Aster, its clone) refuse anything else with -1100 "Illegal characters found in
#: parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'" (the text of the venue's
#: answer, e.g. sammchardy/python-binance#255, ccxt/binance-api-node#181); no contract's tick, lot or
#: leverage comes near either bound, and within them Decimal arithmetic never overflows.
WIRE_INTEGER_DIGITS = 20
WIRE_DECIMALS = 20
#: At most 28 significant digits, Decimal's default precision: within it every step check, product and
#: normalisation is exact, so the number written on the wire is the number given.
WIRE_DIGITS = 28


def to_decimal(value: object, name: str, *, positive: bool = True, allow_zero: bool = False) -> Decimal:
    """Turn a user's number into a finite Decimal the wire can carry, or raise :class:`InvalidRequest`.

    Accepts ``Decimal``, ``int`` and numeric ``str``. ``float`` is refused: binary floats cannot hold
    most prices exactly (``0.1``), so money goes in as ``Decimal("0.1")`` or ``"0.1"``. A number
    with more than :data:`WIRE_INTEGER_DIGITS` digits before the point, :data:`WIRE_DECIMALS` after
    it or :data:`WIRE_DIGITS` in all (trailing zeros do not count: ``Decimal("0.0100")`` is
    ``0.01``) is refused too: no venue takes it, and it could not be checked or written exactly.
    """
    if isinstance(value, bool) or value is None:
        raise InvalidRequest(f"{name} must be a Decimal, int or numeric str, not {value!r}")
    if isinstance(value, float):
        raise InvalidRequest(f"{name} must be a Decimal or str, not the float {value!r}: write Decimal({str(value)!r})")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidRequest(f"{name} {_shown(value)} is not a number") from None
    else:
        raise InvalidRequest(f"{name} must be a Decimal, int or numeric str, not {type(value).__name__}")
    if not number.is_finite():
        raise InvalidRequest(f"{name} must be a finite number, not {_shown(value)}")
    if number and (len(text := str(number)) > WIRE_DECIMALS + 2 or "E" in text
                   or number.adjusted() >= WIRE_INTEGER_DIGITS):
        _check_width(number, name)  # the usual number is short and plain: str() is the whole cost
    if positive and (number < 0 or (number == 0 and not allow_zero)):
        raise InvalidRequest(f"{name} must be greater than zero, not {number}")
    return number


def check_leverage(value: object, market: Market, venue: str) -> Decimal:
    """A leverage for ``market``: a number ≥ 1 on the venue's step and at most its maximum.

    Accepts what :func:`to_decimal` accepts (``20``, ``"12.5"``, ``Decimal("12.5")``). The step is
    :attr:`Market.leverage_step`: 1 on Binance and Aster, whose leverage is a whole number
    ("target initial leverage: int from 1 to 125", BNC trade_api.change_initial_leverage; AST3
    §Change Initial Leverage), so a fractional leverage is refused here, before anything is sent;
    0.01 on Bybit (``leverageFilter.leverageStep``) and OKX. Returns the leverage as
    :func:`~hedgekit.models.leverage_value` writes it (``Decimal("20")``, ``Decimal("12.5")``).
    """
    number = to_decimal(value, "leverage")
    if number < 1:
        raise InvalidRequest(f"leverage must be at least 1, not {_plain(number)}", venue=venue, symbol=market.symbol)
    step = market.leverage_step
    if step > 0 and number % step:
        if step == 1:
            raise InvalidRequest(f"takes whole-number leverage only, not {_plain(number)}",
                                 venue=venue, symbol=market.symbol)
        raise InvalidRequest(f"leverage {_plain(number)} is not on the venue's leverage step {_plain(step)} "
                             f"for {market.symbol}", venue=venue, symbol=market.symbol)
    if market.max_leverage is not None and number > market.max_leverage:
        raise InvalidRequest(f"leverage {_plain(number)} exceeds the maximum {market.max_leverage} of {market.symbol}",
                             venue=venue, symbol=market.symbol)
    return leverage_value(number)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_width(number: Decimal, name: str) -> None:
    """Refuse a non-zero finite number wider than the wire (see :data:`WIRE_INTEGER_DIGITS`)."""
    top = number.adjusted()  # the power of ten of the first significant digit
    if top >= WIRE_INTEGER_DIGITS:
        raise InvalidRequest(
            f"{name} {_shown(number)} has more than {WIRE_INTEGER_DIGITS} digits before the point: no venue takes it"
        )
    if top < -WIRE_DECIMALS:
        raise InvalidRequest(
            f"{name} {_shown(number)} has more than {WIRE_DECIMALS} decimals: no venue takes it"
        )
    _, digits, exponent = number.as_tuple()
    trailing = 0
    while digits[-1 - trailing] == 0:  # a non-zero number has a non-zero digit
        trailing += 1
    if isinstance(exponent, int) and exponent + trailing < -WIRE_DECIMALS:
        raise InvalidRequest(
            f"{name} {_shown(number)} has more than {WIRE_DECIMALS} decimals: no venue takes it"
        )
    if len(digits) - trailing > WIRE_DIGITS:
        raise InvalidRequest(
            f"{name} {_shown(number)} has more than {WIRE_DIGITS} significant digits: it cannot be sent exactly"
        )


def check_id(value: object, grammar: re.Pattern[str], what: str, *, venue: str | None = None,
             symbol: str | None = None, numbers: bool = False, max_value: int | None = None) -> str:
    """``value`` as the text that goes on the wire, if the whole of it fits the venue's ``grammar``.

    ``grammar`` is matched against the whole id (``fullmatch``), so nothing can ride along: no
    ``&``, ``=``, ``#`` or ``?`` that would add a parameter, no space or line break that would
    break the request line, no ``%`` that the venue would decode into something else. With
    ``numbers=True`` an ``int`` (not a ``bool``) is taken as its digits, for venues whose ids are
    numbers; ``max_value`` bounds such an id (a grammar of digits only). Raises
    :class:`InvalidRequest` otherwise, before anything is sent.
    """
    if isinstance(value, str):
        text = value if value.__class__ is str else str.__str__(value)
    elif numbers and isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        raise InvalidRequest(f"{what} must be a str, not {type(value).__name__}", venue=venue, symbol=symbol)
    if grammar.fullmatch(text) is None:
        raise InvalidRequest(
            f"{what} {_shown(text)} is not a valid {venue or 'venue'} id: it must match {grammar.pattern}",
            venue=venue, symbol=symbol,
        )
    if max_value is not None and int(text) > max_value:
        raise InvalidRequest(f"{what} {text} is out of range: {venue or 'the venue'} ids are at most {max_value}",
                             venue=venue, symbol=symbol)
    return text


def _on_step(value: Decimal, step: Decimal) -> bool | None:
    """Whether ``value`` is a whole number of ``step``; ``None`` when it is too many steps to count."""
    if step <= 0:
        return True
    try:
        return (value % step) == 0
    except DecimalException:  # more steps than Decimal's 28 digits hold (DivisionImpossible)
        return None


def _nearest(value: Decimal, step: Decimal) -> tuple[str, str]:
    below = (value // step) * step
    return _plain(below), _plain(below + step)


def _off_step(name: str, value: Decimal, step: Decimal, what: str, sym: str) -> InvalidRequest:
    """The error for a number that is not on its step (``what``: "the lot step", "the tick size")."""
    try:
        lo, hi = _nearest(value, step)
    except DecimalException:
        return InvalidRequest(
            f"{name} {_shown(value)} cannot be expressed in steps of {what} {step} of {sym}", symbol=sym
        )
    if name == "quantity":
        return InvalidRequest(
            f"quantity {value} is not a multiple of {what} {step} of {sym}; nearest valid sizes: {lo} or {hi}",
            symbol=sym,
        )
    return InvalidRequest(f"{name} {value} is not on {what} {step} of {sym}; nearest: {lo} or {hi}", symbol=sym)


def blockers_of(exposure: Exposure) -> list[Blocker]:
    """Every position, order and conditional order in ``exposure``, as blockers."""
    found: list[Blocker] = []
    for leg in exposure.legs:
        if leg.is_open:
            found.append(
                Blocker(
                    kind=BlockerKind.POSITION,
                    symbol=leg.symbol,
                    description=f"{leg.side.value} leg of {_plain(leg.size)} open",
                    leg=leg,
                )
            )
    for order in exposure.orders:
        found.append(Blocker(kind=BlockerKind.ORDER, symbol=order.symbol, description=_describe(order), order=order))
    for order in exposure.conditional_orders:
        found.append(
            Blocker(
                kind=BlockerKind.CONDITIONAL_ORDER, symbol=order.symbol, description=_describe(order), order=order
            )
        )
    return found


def _describe(order: Order) -> str:
    what = f"{order.type.value} {order.side.value}"
    if order.position_side is not PositionSide.BOTH:
        what += f" on the {order.position_side.value} leg"
    size = "whole leg" if order.quantity is None else _plain(order.quantity)
    at = ""
    if order.trigger_price is not None:
        at = f" triggered at {_plain(order.trigger_price)}"
    elif order.callback_rate is not None:
        at = f" trailing {_plain(order.callback_rate)}%"
    elif order.price is not None:
        at = f" at {_plain(order.price)}"
    return f"{what} {size}{at} (order {order.order_id})"


def check_mode_change(current: ModeState, target: PositionMode, exposure: Exposure) -> bool:
    """Decide a mode change locally.

    Returns ``False`` when ``current`` already is ``target`` everywhere in the scope (send nothing;
    a coin whose contracts disagree is never "already there"), ``True`` when the switch
    may be sent. Raises :class:`ModeChangeBlocked` naming every blocker when anything is open in the
    scope (``exposure`` must be read for the same scope as ``current``).
    """
    if not isinstance(target, PositionMode):
        raise InvalidRequest(f"mode must be a PositionMode, not {target!r}")
    if current.mode is target and current.uniform:
        return False
    found = blockers_of(exposure)
    if found:
        where = "the account" if exposure.scope_key is None else f"{exposure.scope.value} {exposure.scope_key}"
        listing = "; ".join(str(b) for b in found)
        was = current.mode.value if current.uniform else "mixed modes"
        raise ModeChangeBlocked(
            f"cannot switch {where} from {was} to {target.value}: "
            f"{len(found)} blocker{'s' if len(found) != 1 else ''}: {listing}",
            blockers=found,
            venue=current.venue,
            operation="set_position_mode",
        )
    return True


def plan_order(intent: Intent, mode: PositionMode, one_way_leg: Leg | None = None) -> OrderPlan:
    """Translate an intent into side, position side and reduce flag for ``mode``.

    In hedge mode the intent names its leg. In one-way mode the intents keep their meaning: closing
    intents are reduce-only, and ``open_short`` while a long is open (or ``open_long`` while a short is
    open) is refused instead of silently netting the position away. ``one_way_leg`` is the open
    one-way position (or ``None`` when flat); it is needed only in one-way mode.
    """
    if not isinstance(intent, Intent):
        raise InvalidRequest(f"intent must be an Intent, not {intent!r}")
    if not isinstance(mode, PositionMode):
        raise InvalidRequest(f"mode must be a PositionMode, not {mode!r}")
    if mode is PositionMode.HEDGE:
        return _PLANS[intent, mode]
    held = one_way_leg if one_way_leg is not None and one_way_leg.is_open else None
    if held is not None and not intent.closes and held.side is not intent.leg:
        raise InvalidRequest(
            f"{intent.value} refused in one-way mode: a {held.side.value} position of {held.size} is open and "
            f"the order would net it away; close it first or switch to hedge mode",
            symbol=held.symbol,
        )
    if intent.closes and (held is None or held.side is not intent.leg):
        holding = "no position" if held is None else f"a {held.side.value} position"
        raise InvalidRequest(
            f"{intent.value} refused in one-way mode: there is {holding} to close",
            symbol=one_way_leg.symbol if one_way_leg is not None else None,
        )
    return _PLANS[intent, mode]


#: The plan of every intent in every mode: plans are frozen and depend on nothing else, so each is
#: built once (the checks above decide whether an intent may use its plan).
_PLANS = {
    (intent, mode): OrderPlan(
        intent=intent, mode=mode, side=intent.side,
        position_side=intent.leg if mode is PositionMode.HEDGE else PositionSide.BOTH,
        reduce_only=intent.closes,
    )
    for intent in Intent
    for mode in PositionMode
}


#: The largest callback rate: a percent of the price. No venue trails further (Binance 20, Aster 5,
#: OKX "0< x<=100%" for callbackRatio, code 51257), and the price distance a rate stands for must
#: stay a whole number of ticks (Bybit's trailingStop).
MAX_CALLBACK_RATE = Decimal(100)


def check_order(
    market: Market,
    order_type: OrderType,
    quantity: Decimal | None,
    *,
    price: Decimal | None = None,
    trigger_price: Decimal | None = None,
    activation_price: Decimal | None = None,
    callback_rate: Decimal | None = None,
    time_in_force: TimeInForce | None = None,
    opens: bool = True,
) -> None:
    """Order pre-flight; raises :class:`InvalidRequest` on the first rule broken.

    Rules: quantity > 0, on the lot step and at least the minimum (``None`` only for a conditional
    order that closes the whole leg); every price > 0 and on the tick; a limit order has a price and a
    market order has none; a stop or take-profit has a trigger price; a trailing stop has a callback
    rate of at most :data:`MAX_CALLBACK_RATE` percent; an opening limit order reaches the minimum
    notional. A number that cannot be counted in ticks or lots at all (too many steps for Decimal's
    precision, or not finite) is refused the same way, never with a :mod:`decimal` exception.
    """
    try:
        if not isinstance(order_type, OrderType):
            raise InvalidRequest(f"order type must be an OrderType, not {order_type!r}")
        if time_in_force is not None and not isinstance(time_in_force, TimeInForce):
            raise InvalidRequest(f"time_in_force must be a TimeInForce, not {time_in_force!r}")
        sym = market.symbol
        if quantity is None:
            if order_type not in (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET):
                raise InvalidRequest(f"a {order_type.value} order needs a quantity", symbol=sym)
        else:
            if quantity <= 0:
                raise InvalidRequest(f"quantity must be greater than zero, not {quantity}", symbol=sym)
            if not _on_step(quantity, market.lot_step):
                raise _off_step("quantity", quantity, market.lot_step, "the lot step", sym)
            if quantity < market.min_quantity:
                raise InvalidRequest(
                    f"quantity {quantity} is below the minimum {market.min_quantity} of {sym}", symbol=sym
                )
        for name, value in (("price", price), ("trigger_price", trigger_price), ("activation_price", activation_price)):
            if value is None:
                continue
            if value <= 0:
                raise InvalidRequest(f"{name} must be greater than zero, not {value}", symbol=sym)
            if not _on_step(value, market.tick_size):
                raise _off_step(name, value, market.tick_size, "the tick size", sym)
        if order_type is OrderType.LIMIT:
            if price is None:
                raise InvalidRequest("a limit order needs a price", symbol=sym)
        elif price is not None:
            raise InvalidRequest(f"a {order_type.value} order takes no price", symbol=sym)
        if order_type is not OrderType.LIMIT and time_in_force is not None:
            raise InvalidRequest(f"time_in_force applies to limit orders, not {order_type.value}", symbol=sym)
        if order_type in (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET) and trigger_price is None:
            raise InvalidRequest(f"a {order_type.value} order needs a trigger price", symbol=sym)
        if order_type is OrderType.TRAILING_STOP_MARKET:
            if callback_rate is None:
                raise InvalidRequest("a trailing stop needs a callback rate (percent)", symbol=sym)
            if callback_rate <= 0:
                raise InvalidRequest(f"callback_rate must be greater than zero, not {callback_rate}", symbol=sym)
            if callback_rate > MAX_CALLBACK_RATE:
                raise InvalidRequest(
                    f"callback_rate is a percent of the price: at most {MAX_CALLBACK_RATE}, not {_shown(callback_rate)}",
                    symbol=sym,
                )
        elif callback_rate is not None or activation_price is not None:
            raise InvalidRequest("callback_rate and activation_price belong to trailing stops", symbol=sym)
        if (
            opens
            and order_type is OrderType.LIMIT
            and price is not None
            and quantity is not None
            and market.min_notional > 0
            and quantity * price < market.min_notional
        ):
            raise InvalidRequest(
                f"order notional {_plain(quantity * price)} is below the minimum "
                f"{market.min_notional} of {sym}",
                symbol=sym,
            )
    except DecimalException:  # a number no arithmetic can handle (NaN, or beyond the context)
        raise InvalidRequest(
            "the order's numbers cannot be checked against the contract's tick and lot: give finite numbers "
            f"of at most {WIRE_INTEGER_DIGITS} digits before the point and {WIRE_DECIMALS} after",
            symbol=market.symbol,
        ) from None


def check_amend(
    market: Market,
    *,
    price: Decimal | None = None,
    quantity: Decimal | None = None,
    trigger_price: Decimal | None = None,
) -> None:
    """An amendment's new numbers, by :func:`check_order`'s rules for them: a quantity on the lot
    step and at least the minimum, a price or trigger price on the tick; raises
    :class:`InvalidRequest` (never a :mod:`decimal` exception, however large the number)."""
    sym = market.symbol
    try:
        if quantity is not None:
            if not _on_step(quantity, market.lot_step):
                raise _off_step("quantity", quantity, market.lot_step, "the lot step", sym)
            if quantity < market.min_quantity:
                raise InvalidRequest(f"quantity {quantity} is below the minimum {market.min_quantity} of {sym}",
                                     symbol=sym)
        for name, value in (("price", price), ("trigger_price", trigger_price)):
            if value is not None and not _on_step(value, market.tick_size):
                raise _off_step(name, value, market.tick_size, "the tick size", sym)
    except DecimalException:
        raise InvalidRequest(
            "the amendment's numbers cannot be checked against the contract's tick and lot: give finite "
            f"numbers of at most {WIRE_INTEGER_DIGITS} digits before the point and {WIRE_DECIMALS} after",
            symbol=sym,
        ) from None


def _refused_by(venue: str | None, code: str) -> str:
    who = venue or "the venue"
    return f"{who} refuses it ({code})" if code else f"{who} refuses it"


def check_conditional(
    rules: ConditionalRules,
    order_type: OrderType,
    side: Side,
    *,
    trigger_price: Decimal | None = None,
    activation_price: Decimal | None = None,
    callback_rate: Decimal | None = None,
    current_price: Decimal | None = None,
    venue: str | None = None,
    symbol: str | None = None,
) -> None:
    """A conditional order against its venue's documented ranges; raises :class:`InvalidRequest`.

    ``side`` is the order's side: a stop-loss, take-profit or trailing stop that closes a long
    SELLs. The callback rate is checked always (it needs no price). The trigger side (a SELL stop
    triggers below ``current_price``, a SELL take-profit above it, a BUY the other way round) and a
    trailing stop's activation side (above the price for a SELL, below for a BUY) are checked only
    when ``current_price`` is given (the current price of the order's working type) and the venue
    refuses such orders (``rules``). Runs after :func:`check_order`, which has checked the numbers.
    """
    if order_type is OrderType.TRAILING_STOP_MARKET and callback_rate is not None:
        low, high = rules.callback_rate_min, rules.callback_rate_max
        below = low is not None and (callback_rate <= low if rules.callback_rate_min_exclusive else callback_rate < low)
        if below or (high is not None and callback_rate > high):
            lower = "" if low is None else f"{'above' if rules.callback_rate_min_exclusive else 'from'} {_plain(low)}"
            upper = "" if high is None else f"up to {_plain(high)}"
            span = " ".join(part for part in (lower, upper) if part)
            raise InvalidRequest(
                f"callback_rate {_plain(callback_rate)} is out of range: {venue or 'the venue'} takes a callback rate "
                f"{span} percent; {_refused_by(venue, rules.callback_refusal)}",
                venue=venue, symbol=symbol,
            )
    if current_price is None:
        return
    price = _plain(current_price)
    if order_type in (OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET) and trigger_price is not None:
        if not rules.trigger_side_checked:
            return
        stop = order_type is OrderType.STOP_MARKET
        below = stop == (side is Side.SELL)  # where the trigger must lie: a SELL stop below the price
        wrong = trigger_price > current_price if below else trigger_price < current_price
        if wrong or (trigger_price == current_price and rules.trigger_at_price_refused):
            what = "stop" if stop else "take-profit"
            raise InvalidRequest(
                f"a {side.value} {what} must trigger {'below' if below else 'above'} the current price {price}, "
                f"not at {_plain(trigger_price)}: it would trigger at once; "
                f"{_refused_by(venue, rules.trigger_refusal)}",
                venue=venue, symbol=symbol,
            )
    if order_type is OrderType.TRAILING_STOP_MARKET and activation_price is not None:
        if not rules.activation_side_checked:
            return
        above = side is Side.SELL
        if activation_price <= current_price if above else activation_price >= current_price:
            raise InvalidRequest(
                f"a {side.value} trailing stop's activation price must be {'above' if above else 'below'} the "
                f"current price {price}, not {_plain(activation_price)}; "
                f"{_refused_by(venue, rules.activation_refusal)}",
                venue=venue, symbol=symbol,
            )
