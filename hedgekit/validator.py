"""Pure rules, checked locally before anything is sent.

* :func:`check_mode_change`: may the position mode change in a scope, given what is open there?
* :func:`plan_order`: what side, position side and reduce flag an intent takes in a mode.
* :func:`check_order`: order pre-flight (size, lot step, tick, prices the order type needs).
* :func:`to_decimal`: the one gate every user number passes through.

No function here does I/O; each raises :class:`~hedgekit.errors.InvalidRequest` or
:class:`~hedgekit.errors.ModeChangeBlocked` with a message that says exactly what is wrong.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from hedgekit.adapter import OrderPlan
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
    TimeInForce,
)

__all__ = [
    "blockers_of",
    "check_mode_change",
    "check_order",
    "plan_order",
    "to_decimal",
]


def to_decimal(value: object, name: str, *, positive: bool = True, allow_zero: bool = False) -> Decimal:
    """Turn a user's number into a finite Decimal, or raise :class:`InvalidRequest`.

    Accepts ``Decimal``, ``int`` and numeric ``str``. ``float`` is refused: binary floats cannot hold
    most prices exactly (``0.1``), so money goes in as ``Decimal("0.1")`` or ``"0.1"``.
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
            raise InvalidRequest(f"{name} {value!r} is not a number") from None
    else:
        raise InvalidRequest(f"{name} must be a Decimal, int or numeric str, not {type(value).__name__}")
    if not number.is_finite():
        raise InvalidRequest(f"{name} must be a finite number, not {value!r}")
    if positive and (number < 0 or (number == 0 and not allow_zero)):
        raise InvalidRequest(f"{name} must be greater than zero, not {number}")
    return number


def _on_step(value: Decimal, step: Decimal) -> bool:
    if step <= 0:
        return True
    return (value % step) == 0


def _nearest(value: Decimal, step: Decimal) -> tuple[str, str]:
    below = (value // step) * step
    return _plain(below), _plain(below + step)


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
    rate; an opening limit order reaches the minimum notional.
    """
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
            lo, hi = _nearest(quantity, market.lot_step)
            raise InvalidRequest(
                f"quantity {quantity} is not a multiple of the lot step {market.lot_step} of {sym}; "
                f"nearest valid sizes: {lo} or {hi}",
                symbol=sym,
            )
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
            lo, hi = _nearest(value, market.tick_size)
            raise InvalidRequest(
                f"{name} {value} is not on the tick size {market.tick_size} of {sym}; nearest: {lo} or {hi}",
                symbol=sym,
            )
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
