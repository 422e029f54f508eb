"""hedgekit's loopback simulator: a venue-neutral engine behind each venue's real wire format.

Example::

    from hedgekit.testing import SimulatedVenue

    async with SimulatedVenue("binance") as venue:
        async with hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials) as hk:
            ...
        venue.set_mark_price("BTC/USDT:USDT", Decimal("61000"))
        assert venue.engine.leg("BTC/USDT:USDT", "LONG").is_empty

:class:`SimulatedVenue` serves one venue on ``127.0.0.1``; :class:`Engine` is the simulated
account it drives (``venue.engine``); :class:`Frontend` is the contract a venue package
implements to speak its wire format (see :mod:`hedgekit.testing.frontend`).
"""

from hedgekit.testing.engine import Engine
from hedgekit.testing.engine_types import (
    AccountSummary,
    ConditionalOrder,
    ConditionalStatus,
    ConditionalType,
    EngineError,
    Leg,
    Liquidation,
    MarginType,
    Market,
    ModeScope,
    Order,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    Reason,
    Side,
    TimeInForce,
)
from hedgekit.testing.frontend import (
    Credentials,
    DropConnection,
    Frontend,
    Handler,
    Middleware,
    RecordedRequest,
    WireResponse,
)
from hedgekit.testing.server import SimulatedVenue, known_venues, load_frontend

__all__ = [
    "AccountSummary",
    "ConditionalOrder",
    "ConditionalStatus",
    "ConditionalType",
    "Credentials",
    "DropConnection",
    "Engine",
    "EngineError",
    "Frontend",
    "Handler",
    "Leg",
    "Liquidation",
    "MarginType",
    "Market",
    "Middleware",
    "ModeScope",
    "Order",
    "OrderStatus",
    "OrderType",
    "PositionMode",
    "PositionSide",
    "Reason",
    "RecordedRequest",
    "Side",
    "SimulatedVenue",
    "TimeInForce",
    "WireResponse",
    "known_venues",
    "load_frontend",
]
