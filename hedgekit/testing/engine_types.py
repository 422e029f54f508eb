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
from typing import TypeVar

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
    leverage: int
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
