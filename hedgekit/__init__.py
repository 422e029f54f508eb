"""hedgekit: one async API for hedge mode on USDT-margined perpetual futures.

Example::

    import hedgekit
    from decimal import Decimal
    from hedgekit import PositionMode

    async with hedgekit.connect("binance", api_key=KEY, secret=SECRET) as hk:
        await hk.set_position_mode(PositionMode.HEDGE)
        await hk.open_long("BTC/USDT:USDT", Decimal("0.01"))
        await hk.open_short("BTC/USDT:USDT", Decimal("0.01"))
        pair = await hk.legs("BTC/USDT:USDT")

Venues load on the first :func:`connect`; ``import hedgekit`` imports no venue and not ccxt.
"""

from hedgekit.account_models import AccountFill, Balance, FundingLeg, FundingPayment, FundingView
from hedgekit.adapter import available_venues
from hedgekit.client import HedgeClient
from hedgekit.connect import connect
from hedgekit.errors import (
    AuthenticationError,
    ClockSkew,
    ConfigurationError,
    ExchangeError,
    ExchangeUnavailable,
    HedgekitError,
    InsufficientMargin,
    InvalidRequest,
    MalformedResponse,
    ModeChangeBlocked,
    NetworkError,
    OrderRejected,
    OrderStatusUnknown,
    PositionSideMismatch,
    RateLimited,
    StreamDisconnected,
)
from hedgekit.models import (
    Blocker,
    BlockerKind,
    Exposure,
    Fill,
    Intent,
    Leg,
    LegPair,
    Leverage,
    MarginMode,
    Market,
    ModeScope,
    ModeState,
    Order,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    Side,
    TimeInForce,
    WorkingType,
)
from hedgekit.retry import RetryPolicy
from hedgekit.stream import LegChanged, LiveStream, OrderChanged, Resynced, StreamEvent

__version__ = "0.1.0"

__all__ = [
    "AccountFill",
    "AuthenticationError",
    "Balance",
    "Blocker",
    "BlockerKind",
    "ClockSkew",
    "ConfigurationError",
    "ExchangeError",
    "ExchangeUnavailable",
    "Exposure",
    "Fill",
    "FundingLeg",
    "FundingPayment",
    "FundingView",
    "HedgeClient",
    "HedgekitError",
    "InsufficientMargin",
    "Intent",
    "InvalidRequest",
    "Leg",
    "LegChanged",
    "LegPair",
    "Leverage",
    "LiveStream",
    "MalformedResponse",
    "MarginMode",
    "Market",
    "ModeChangeBlocked",
    "ModeScope",
    "ModeState",
    "NetworkError",
    "Order",
    "OrderChanged",
    "OrderRejected",
    "OrderStatus",
    "OrderStatusUnknown",
    "OrderType",
    "PositionMode",
    "PositionSide",
    "PositionSideMismatch",
    "RateLimited",
    "Resynced",
    "RetryPolicy",
    "Side",
    "StreamDisconnected",
    "StreamEvent",
    "TimeInForce",
    "WorkingType",
    "available_venues",
    "connect",
]
