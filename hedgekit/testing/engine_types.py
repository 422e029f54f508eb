"""Public value types of the simulated exchange engine (:mod:`hedgekit.testing.engine`).

Everything here is venue-neutral: a venue frontend translates its wire vocabulary into these
enums and dataclasses, and translates :class:`EngineError` reasons back into its own error codes.
All prices, sizes and amounts are :class:`~decimal.Decimal`.

Snapshots handed out by the engine (:class:`Leg`, :class:`Order`, :class:`ConditionalOrder`,
:class:`AccountSummary`) are copies: mutating them does not change the engine.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from hedgekit.adapter import ConditionalRules

ZERO = Decimal(0)
_E = TypeVar("_E", bound=enum.Enum)

Number = Decimal | int | str
"""Amounts may be given as ``Decimal``, ``int`` or a decimal string (never ``float``)."""


class PositionMode(enum.Enum):
    """How an account holds positions in a scope: one net position or two legs."""

    ONE_WAY = "ONE_WAY"
    HEDGE = "HEDGE"


class ModeScope(enum.Enum):
    """Where a venue keeps the position-mode setting.

    ``ACCOUNT``: one setting for every symbol (Binance, Aster, OKX). ``SYMBOL``: one setting per
    symbol, with a per-settle-coin default that a symbol setting overrides (Bybit).
    """

    ACCOUNT = "ACCOUNT"
    SYMBOL = "SYMBOL"


class PositionSide(enum.Enum):
    """A leg: ``LONG``/``SHORT`` in hedge mode, ``BOTH`` (the net position) in one-way mode."""

    LONG = "LONG"
    SHORT = "SHORT"
    BOTH = "BOTH"


class Side(enum.Enum):
    """The direction of an order."""

    BUY = "BUY"
    SELL = "SELL"


class OrderType(enum.Enum):
    """Regular order types: a limit rests unless marketable; a market fills at the mark at once."""

    LIMIT = "LIMIT"
    MARKET = "MARKET"


class TimeInForce(enum.Enum):
    """Time in force of a limit order. ``GTX`` is post-only."""

    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    GTX = "GTX"
    GTD = "GTD"


class ConditionalType(enum.Enum):
    """Conditional (trigger) order types. ``STOP``/``TAKE_PROFIT`` become limit orders."""

    STOP_MARKET = "STOP_MARKET"
    TAKE_PROFIT_MARKET = "TAKE_PROFIT_MARKET"
    STOP = "STOP"
    TAKE_PROFIT = "TAKE_PROFIT"
    TRAILING_STOP_MARKET = "TRAILING_STOP_MARKET"


class OrderStatus(enum.Enum):
    """Status of a regular order (fills are always whole, so no partial status is produced)."""

    NEW = "NEW"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"


class ConditionalStatus(enum.Enum):
    """Status of a conditional order.

    ``NEW`` waits for its trigger; ``TRIGGERED`` placed a resting limit order; ``FINISHED`` its
    order filled or ended; ``REJECTED`` the triggered order was refused (e.g. nothing to close).
    """

    NEW = "NEW"
    TRIGGERED = "TRIGGERED"
    FINISHED = "FINISHED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"


class MarginType(enum.Enum):
    """Margin type of a symbol."""

    CROSSED = "CROSSED"
    ISOLATED = "ISOLATED"


class Reason(enum.Enum):
    """Venue-neutral reasons an engine action is refused; frontends map them to wire codes."""

    UNKNOWN_SYMBOL = "UNKNOWN_SYMBOL"
    MODE_UNCHANGED = "MODE_UNCHANGED"
    MODE_BLOCKED_BY_ORDERS = "MODE_BLOCKED_BY_ORDERS"
    MODE_BLOCKED_BY_POSITION = "MODE_BLOCKED_BY_POSITION"
    POSITION_SIDE_MISMATCH = "POSITION_SIDE_MISMATCH"
    REDUCE_ONLY_REJECTED = "REDUCE_ONLY_REJECTED"
    INSUFFICIENT_MARGIN = "INSUFFICIENT_MARGIN"
    QUANTITY_NOT_POSITIVE = "QUANTITY_NOT_POSITIVE"
    QUANTITY_NOT_ON_STEP = "QUANTITY_NOT_ON_STEP"
    QUANTITY_BELOW_MIN = "QUANTITY_BELOW_MIN"
    QUANTITY_ABOVE_MAX = "QUANTITY_ABOVE_MAX"
    PRICE_NOT_POSITIVE = "PRICE_NOT_POSITIVE"
    PRICE_NOT_ON_TICK = "PRICE_NOT_ON_TICK"
    NOTIONAL_BELOW_MIN = "NOTIONAL_BELOW_MIN"
    DUPLICATE_CLIENT_ID = "DUPLICATE_CLIENT_ID"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    WOULD_IMMEDIATELY_TRIGGER = "WOULD_IMMEDIATELY_TRIGGER"
    POST_ONLY_WOULD_TAKE = "POST_ONLY_WOULD_TAKE"
    FOK_NOT_FILLED = "FOK_NOT_FILLED"
    MARGIN_TYPE_UNCHANGED = "MARGIN_TYPE_UNCHANGED"
    MARGIN_TYPE_BLOCKED_BY_ORDERS = "MARGIN_TYPE_BLOCKED_BY_ORDERS"
    MARGIN_TYPE_BLOCKED_BY_POSITION = "MARGIN_TYPE_BLOCKED_BY_POSITION"
    INVALID_LEVERAGE = "INVALID_LEVERAGE"
    LEVERAGE_REDUCTION_BLOCKED = "LEVERAGE_REDUCTION_BLOCKED"
    NOT_ISOLATED = "NOT_ISOLATED"
    NO_POSITION = "NO_POSITION"
    AMOUNT_NOT_POSITIVE = "AMOUNT_NOT_POSITIVE"
    INSUFFICIENT_CROSS_BALANCE = "INSUFFICIENT_CROSS_BALANCE"
    INSUFFICIENT_ISOLATED_BALANCE = "INSUFFICIENT_ISOLATED_BALANCE"
    CALLBACK_RATE_OUT_OF_RANGE = "CALLBACK_RATE_OUT_OF_RANGE"
    ORDER_NOT_AMENDABLE = "ORDER_NOT_AMENDABLE"  # an amendment of an order that is not a resting limit
    AMEND_UNCHANGED = "AMEND_UNCHANGED"  # an amendment that changes neither price nor quantity


@dataclass(frozen=True)
class EngineRules:
    """The rules the engine applies that are one venue's and not another's.

    Each venue's simulator builds its :class:`~hedgekit.testing.engine.Engine` with its own
    (``adapters/hedgekit_<venue>/rules.py``, each value there with its document); the defaults are
    the Binance USD-M rules. Every rule the engine applies, and whose it is (B = Binance USD-M,
    A = Aster, Y = Bybit v5, O = OKX v5):

    * ``leverage_reduction_blocked``: lowering the leverage of an isolated leg that holds a
      position is refused (``LEVERAGE_REDUCTION_BLOCKED``). B -4161 "Leverage reduction is not
      supported in Isolated Margin Mode with open positions" (ccxt binance.py exceptions); A -4161
      ISOLATED_LEVERAGE_REJECT_WITH_POSITION (AST3 error codes). Y: no such rule (position/leverage.mdx:
      any value in ``[1, max leverage]``; 110011 "Liquidation will be triggered immediately by this
      adjustment" in error.mdx refuses a change that would liquidate, not every lowering); the
      simulator answers 110012 "Insufficient available balance." when the margin a lowering needs is
      missing. O: no such rule (error codes: 59103 "Account margin is insufficient and leverage is
      too low. Please increase the leverage." is the refusal when that margin is missing). Off, the
      engine moves the extra initial margin into the isolated leg, refused with
      ``INSUFFICIENT_CROSS_BALANCE`` when the available balance cannot cover it.
    * ``mode_blocked_by_orders`` / ``mode_blocked_by_position``: a position-mode change is refused
      while the scope holds open regular or conditional orders (checked first) / a position.
      B -4067/-4068; A -4067/-4068 (AST3); Y 110028/110024 (error.mdx); O 59000 "Settings failed.
      Close any open positions or orders before modifying settings." (error codes, one code for both).
    * ``margin_type_blocked_by_orders`` / ``margin_type_blocked_by_position``: a symbol's margin
      type change is refused while it holds open orders / a position. B -4047/-4048; A -4047/-4048
      (AST3). Y keeps the margin mode account-wide and its frontend refuses the switch itself
      (3400045, set-margin-mode.mdx); O sets it per order (``tdMode``) and its frontend decides.
      Both keep the rule on: the engine is only asked once the frontend found nothing open.
    * ``trigger_side_checked``: a stop or take-profit that would fire at the mark at once is
      refused (``WOULD_IMMEDIATELY_TRIGGER``). B -2021 "Order would immediately trigger." (new algo
      order notes); A -2021 (AST3); Y 110092 "expect Rising, but trigger_price[..] <= current" /
      110093 "expect Falling, but trigger_price[..] >= current" (error.mdx); O 51277-51280 "TP/SL
      trigger price cannot be higher/lower than the last price" (error codes).
      ``trigger_at_mark_refused``: a trigger exactly at the mark counts as firing at once (B, A:
      "SELL: latest price <= stopPrice" fires; Y: "<=" / ">=" in 110092/110093). O says "cannot
      be higher/lower", so a trigger at the last price is not refused by its text (UNCONFIRMED).
    * ``activation_side_checked``: a trailing stop's activation price must lie beyond the mark in
      the direction it waits for: above for a SELL, below for a BUY (``WOULD_IMMEDIATELY_TRIGGER``).
      B -2021 "SELL: activatePrice should be larger than latest price" (new algo order notes);
      A -2021 (AST3 new order notes); O 51258/51259 "The trigger price of a sell order must be higher
      than the last transaction price" (error codes). Y documents no such rule for ``activePrice``
      (trading-stop.mdx): off.
    * ``callback_rate_min`` / ``callback_rate_max`` (percent, inclusive; ``callback_rate_min_exclusive``
      makes the lower bound strict): a trailing stop's callback rate outside them is refused
      (``CALLBACK_RATE_OUT_OF_RANGE``). B 0.1-20 (derivatives change log 2026-10-23); A 0.1-5 (AST3
      new order); O ``callbackRatio`` "{min}< x<={max}%" (51257; the numbers are not published,
      0 < x <= 100 assumed, UNCONFIRMED); Y trails by a price distance (trading-stop.mdx
      ``trailingStop``) with no documented bound (``None``: no range). B and A answer -1130 for the
      parameter (UNCONFIRMED code), O 51257.

    Rules every venue shares, applied the same way and so not settings here: a reduce-only order
    (and a hedge-mode close) must shrink its leg and not exceed it (B -2022, A -2022, Y 110017,
    O 51169); an opening order reaches its market's minimum notional, a per-market value each
    frontend takes from its venue's filters (B -4164, A -4164, Y 110094; O has no notional floor,
    only ``minSz``, so its markets carry 0); an order needs the available balance for the margin
    it opens (B -2019, A -2019, Y 110007, O 51008); a client id held by an open order is refused
    (B -4116, A -4116 as Binance: AST3's table has no such code, UNCONFIRMED; Y 110072, O 51016); a post-only order that would take and a fill-or-kill that
    cannot fill are refused (``POST_ONLY_WOULD_TAKE``, ``FOK_NOT_FILLED``), each frontend turning
    the refusal into its venue's outcome (B -5022/-5021; the other venues' outcomes are their
    frontends' own).
    """

    leverage_reduction_blocked: bool = True
    mode_blocked_by_orders: bool = True
    mode_blocked_by_position: bool = True
    margin_type_blocked_by_orders: bool = True
    margin_type_blocked_by_position: bool = True
    trigger_side_checked: bool = True
    trigger_at_mark_refused: bool = True
    activation_side_checked: bool = False
    callback_rate_min: Decimal | None = None
    callback_rate_max: Decimal | None = None
    callback_rate_min_exclusive: bool = False

    @classmethod
    def with_conditional(cls, conditional: ConditionalRules, **rules: bool) -> EngineRules:
        """A venue's engine rules: the conditional-order ones taken from what hedgekit checks before
        sending (``conditional``, the venue's ``rules.CONDITIONAL``, so the two cannot drift apart),
        the others from ``rules`` (the field names above)."""
        return cls(
            trigger_side_checked=conditional.trigger_side_checked,
            trigger_at_mark_refused=conditional.trigger_at_price_refused,
            activation_side_checked=conditional.activation_side_checked,
            callback_rate_min=conditional.callback_rate_min,
            callback_rate_max=conditional.callback_rate_max,
            callback_rate_min_exclusive=conditional.callback_rate_min_exclusive,
            **rules,
        )

    def callback_rate_allowed(self, rate: Decimal) -> bool:
        """Whether a callback rate (percent) lies within this venue's range."""
        low, high = self.callback_rate_min, self.callback_rate_max
        if low is not None and (rate <= low if self.callback_rate_min_exclusive else rate < low):
            return False
        return high is None or rate <= high


class EngineError(Exception):
    """An engine action was refused.

    Attributes:
        reason: The venue-neutral reason; a frontend maps it to the venue's code and message.
        detail: Human-readable context (never shown on the wire by the Binance frontend).
        values: Numbers a venue message may need, e.g. ``{"min_notional": Decimal("100")}``.
    """

    def __init__(self, reason: Reason, detail: str = "", **values: Decimal) -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail
        self.values = values


@dataclass(frozen=True)
class Market:
    """One linear perpetual market as the engine sees it.

    Attributes:
        symbol_id: The venue's id, e.g. ``"BTCUSDT"``.
        symbol: The unified (ccxt) symbol, e.g. ``"BTC/USDT:USDT"``.
        base: Base asset. quote: Quote asset. settle: Settlement (margin) asset.
        tick_size: Price increment. lot_step: Quantity increment.
        min_qty: Smallest quantity. max_qty: Largest limit-order quantity.
        market_max_qty: Largest market-order quantity.
        min_notional: Smallest ``quantity * price`` for an order that is not reduce-only.
        max_leverage: Highest leverage a symbol (its first bracket) allows.
        maintenance_margin_rate: Maintenance margin as a fraction of notional (first bracket).
    """

    symbol_id: str
    symbol: str
    base: str
    quote: str
    settle: str
    tick_size: Decimal
    lot_step: Decimal
    min_qty: Decimal
    max_qty: Decimal
    market_max_qty: Decimal
    min_notional: Decimal
    max_leverage: int
    maintenance_margin_rate: Decimal


@dataclass(frozen=True)
class Leg:
    """A snapshot of one leg, with derived risk figures at the current mark price.

    ``size`` is unsigned on ``LONG``/``SHORT`` legs and signed (negative = short) on ``BOTH``.
    An empty leg has ``size == 0`` and ``entry_price == 0``.
    """

    symbol: str
    position_side: PositionSide
    size: Decimal
    entry_price: Decimal
    mark_price: Decimal
    unrealized_pnl: Decimal
    notional: Decimal
    isolated_margin: Decimal
    margin_type: MarginType
    leverage: Decimal
    initial_margin: Decimal
    maintenance_margin: Decimal
    liquidation_price: Decimal
    update_time: int

    @property
    def signed_size(self) -> Decimal:
        """The size with the short sign convention (negative on a ``SHORT`` leg)."""
        return -self.size if self.position_side is PositionSide.SHORT else self.size

    @property
    def is_empty(self) -> bool:
        """Whether the leg holds nothing."""
        return self.size == ZERO


@dataclass(frozen=True)
class Order:
    """A snapshot of a regular order.

    ``extra`` carries venue-specific request fields the frontend wants to echo (e.g. Binance's
    ``selfTradePreventionMode``); the engine never reads it. ``orig_type`` is the conditional type
    that created the order, or the order type itself.
    """

    order_id: int
    client_order_id: str
    symbol: str
    side: Side
    position_side: PositionSide
    order_type: OrderType
    time_in_force: TimeInForce
    quantity: Decimal
    price: Decimal
    reduce_only: bool
    close_position: bool
    status: OrderStatus
    executed_qty: Decimal
    avg_price: Decimal
    cum_quote: Decimal
    orig_type: str
    stop_price: Decimal
    create_time: int
    update_time: int
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConditionalOrder:
    """A snapshot of a conditional (trigger/algo) order.

    ``quantity`` is ``None`` for close-position orders (they close the whole leg on trigger).
    ``trigger_price`` is ``None`` for a trailing stop; ``callback_rate`` is in percent (1 = 1 %).
    ``triggered_order_id`` names the regular order a trigger created.
    """

    conditional_id: int
    client_id: str
    symbol: str
    side: Side
    position_side: PositionSide
    conditional_type: ConditionalType
    time_in_force: TimeInForce
    quantity: Decimal | None
    trigger_price: Decimal | None
    price: Decimal | None
    callback_rate: Decimal | None
    activation_price: Decimal | None
    reduce_only: bool
    close_position: bool
    status: ConditionalStatus
    create_time: int
    update_time: int
    trigger_time: int
    triggered_order_id: int | None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountSummary:
    """Account-wide figures in the settle asset at current mark prices.

    ``wallet_balance`` includes isolated margin; ``cross_wallet_balance`` excludes it.
    ``available_balance = cross_wallet + cross unrealised PnL - cross position initial margin
    - open order initial margin``.
    """

    asset: str
    wallet_balance: Decimal
    cross_wallet_balance: Decimal
    unrealized_pnl: Decimal
    cross_unrealized_pnl: Decimal
    margin_balance: Decimal
    position_initial_margin: Decimal
    open_order_initial_margin: Decimal
    maintenance_margin: Decimal
    available_balance: Decimal


@dataclass(frozen=True)
class Liquidation:
    """A record of a leg the engine liquidated in :meth:`Engine.set_mark_price`."""

    symbol: str
    position_side: PositionSide
    size: Decimal
    price: Decimal
    realized_pnl: Decimal
    time: int


# --------------------------------------------------------------------------- value helpers


def as_enum(kind: type[_E], value: _E | str) -> _E:
    """``value`` as a member of ``kind``; a string is looked up by value (``"LONG"``)."""
    return value if isinstance(value, kind) else kind(value)


def as_decimal(value: Number) -> Decimal:
    """``value`` as a ``Decimal``."""
    return value if isinstance(value, Decimal) else Decimal(value)


def leverage_value(value: Number) -> Decimal:
    """A leverage as the engine keeps it: a ``Decimal`` without trailing zeros or exponent.

    ``20``, ``"20"`` and ``"20.00"`` give ``Decimal("20")``; ``"12.50"`` gives ``Decimal("12.5")``, so
    ``str()`` of it is the number a venue writes (``"20"``, ``"12.5"``).
    """
    number = as_decimal(value)
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def as_optional_decimal(value: Number | None) -> Decimal | None:
    """``value`` as a ``Decimal``, keeping ``None``."""
    return None if value is None else as_decimal(value)


def check_quantity(market: Market, quantity: Decimal, maximum: Decimal) -> None:
    """Refuse a quantity that is not positive, off the lot step, or outside the limits.

    Raises:
        EngineError: ``QUANTITY_NOT_POSITIVE``, ``QUANTITY_NOT_ON_STEP``, ``QUANTITY_BELOW_MIN``
            or ``QUANTITY_ABOVE_MAX``.
    """
    if quantity <= ZERO:
        raise EngineError(Reason.QUANTITY_NOT_POSITIVE)
    if market.lot_step and quantity % market.lot_step:
        raise EngineError(Reason.QUANTITY_NOT_ON_STEP)
    if quantity < market.min_qty:
        raise EngineError(Reason.QUANTITY_BELOW_MIN, min_qty=market.min_qty)
    if quantity > maximum:
        raise EngineError(Reason.QUANTITY_ABOVE_MAX, max_qty=maximum)


def check_price(market: Market, price: Decimal) -> None:
    """Refuse a price that is not positive or off the tick.

    Raises:
        EngineError: ``PRICE_NOT_POSITIVE`` or ``PRICE_NOT_ON_TICK``.
    """
    if price <= ZERO:
        raise EngineError(Reason.PRICE_NOT_POSITIVE)
    if market.tick_size and price % market.tick_size:
        raise EngineError(Reason.PRICE_NOT_ON_TICK)
