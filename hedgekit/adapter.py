"""The contract every venue adapter implements, and the registry that finds adapters by name.

A venue package (``hedgekit_binance``, ...) registers a :class:`VenuePlugin` under the entry-point
group ``hedgekit.adapters``. The plugin names the adapter class and the simulator frontend by dotted
path, so :func:`load_plugin` imports neither: ccxt loads on the first ``connect``.

An adapter speaks one venue's dialect and nothing else: it turns an :class:`OrderRequest` (intent,
side and position side already decided by :mod:`hedgekit.validator`) into the venue's request,
parses the venue's JSON into :mod:`hedgekit.models`, and maps the venue's codes to
:mod:`hedgekit.errors`. It holds no mode cache and makes no policy decision; the facade
(:class:`hedgekit.client.HedgeClient`) does. Example of the flow the facade drives::

    scope, key = adapter.mode_scope("BTC/USDT:USDT")
    state, exposure = await asyncio.gather(adapter.fetch_mode("BTC/USDT:USDT"),
                                           adapter.fetch_exposure(scope, key))
    check_mode_change(state, PositionMode.HEDGE, exposure)     # raises ModeChangeBlocked
    await adapter.switch_mode(PositionMode.HEDGE, "BTC/USDT:USDT")
"""

from __future__ import annotations

import asyncio
import importlib
import secrets as _secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import entry_points
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from hedgekit.errors import ConfigurationError, InvalidRequest
from hedgekit.models import (
    Exposure,
    Intent,
    Leg,
    Leverage,
    MarginMode,
    Market,
    ModeScope,
    ModeState,
    Order,
    OrderType,
    PositionMode,
    PositionSide,
    Side,
    TimeInForce,
    WorkingType,
)
from hedgekit.stream_session import StreamOptions, StreamSession

__all__ = [
    "ConditionalRules",
    "ConnectConfig",
    "OrderPlan",
    "OrderRequest",
    "VenueAdapter",
    "VenuePlugin",
    "available_venues",
    "load_plugin",
    "register_plugin",
]

ENTRY_POINT_GROUP = "hedgekit.adapters"


@dataclass(frozen=True)
class VenuePlugin:
    """What a venue package registers under the ``hedgekit.adapters`` entry-point group.

    ``adapter`` and ``simulator`` are ``"module:attribute"`` paths, imported only when needed.
    """

    name: str
    title: str
    adapter: str
    simulator: str

    def load_adapter(self) -> type[VenueAdapter]:
        """Import and return the adapter class."""
        cls = _load(self.adapter)
        if not (isinstance(cls, type) and issubclass(cls, VenueAdapter)):
            raise ConfigurationError(f"{self.adapter} is not a VenueAdapter", venue=self.name)
        return cls

    def load_simulator(self) -> Any:
        """Import and return the simulator frontend class."""
        return _load(self.simulator)


def _load(path: str) -> Any:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


_REGISTERED: dict[str, VenuePlugin] = {}


def register_plugin(plugin: VenuePlugin) -> None:
    """Register a venue in this process, beside those found through entry points."""
    _REGISTERED[plugin.name] = plugin


def available_venues() -> list[str]:
    """Names of every registered venue, sorted; no venue package is imported."""
    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)} | set(_REGISTERED))


def load_plugin(venue: str) -> VenuePlugin:
    """Return the plugin registered as ``venue``; :class:`ConfigurationError` lists the known ones."""
    if not isinstance(venue, str):
        raise ConfigurationError(f"venue must be a name such as 'binance', not {type(venue).__name__}")
    name = venue.strip().lower()
    if name in _REGISTERED:
        return _REGISTERED[name]
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            plugin = ep.load()
            if not isinstance(plugin, VenuePlugin):
                raise ConfigurationError(f"entry point {ep.value} is not a VenuePlugin", venue=name)
            _REGISTERED[name] = plugin
            return plugin
    known = ", ".join(available_venues()) or "none"
    raise ConfigurationError(f"unknown venue {venue!r}; registered venues: {known}")


class ConnectConfig(BaseModel):
    """What ``hedgekit.connect`` hands an adapter. Secrets are held as :class:`SecretStr`."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    venue: str
    api_key: SecretStr | None = None
    secret: SecretStr | None = None
    password: SecretStr | None = None
    base_url: str | None = None
    testnet: bool = False
    exchange: Any = Field(default=None, repr=False)
    """A ccxt exchange the user already has; the adapter uses it instead of making one."""
    timeout: float = 10.0
    """Seconds before one HTTP request is abandoned."""
    recv_window: int = 5000
    rate_limit: bool = True
    """Throttle requests on the client side to the venue's own documented weights and limits (a
    wait the venue names after a rate-limit answer is honoured either way)."""
    options: Mapping[str, Any] = Field(default_factory=dict)
    """Venue-specific settings, documented by each adapter."""


@dataclass(frozen=True)
class ConditionalRules:
    """A venue's documented limits on conditional orders, checked before anything is sent.

    Each adapter package states its own in ``rules.py`` (each value with its document) and hands it
    out through :meth:`VenueAdapter.conditional_rules`; :func:`hedgekit.validator.check_conditional`
    applies it, venue-neutrally. Prices are compared with the current price of the order's working
    type (the mark by default); what "closing a long" means is the order's side: a stop-loss or
    trailing stop that closes a long SELLs.

    Attributes:
        callback_rate_min: The smallest trailing callback rate, in percent (``1`` = 1 %); ``None``:
            the venue publishes no bound (only "greater than zero").
        callback_rate_min_exclusive: The lower bound itself is refused ("min < x").
        callback_rate_max: The largest trailing callback rate, in percent, inclusive; ``None``: none
            published (hedgekit's own ceiling of 100 % still applies).
        trigger_side_checked: A stop or take-profit that would fire at the current price at once is
            refused by the venue: a SELL stop must trigger below the price and a SELL take-profit
            above it (a BUY the other way round).
        trigger_at_price_refused: A trigger exactly at the current price counts as firing at once.
        activation_side_checked: A trailing stop's activation price must lie beyond the current price
            in the direction it waits for: above it for a SELL, below it for a BUY.
        callback_refusal, trigger_refusal, activation_refusal: The venue's code for each refusal
            (e.g. ``"-2021"``), named in hedgekit's error message; ``""`` when it has none.
    """

    callback_rate_min: Decimal | None = None
    callback_rate_min_exclusive: bool = False
    callback_rate_max: Decimal | None = None
    trigger_side_checked: bool = False
    trigger_at_price_refused: bool = True
    activation_side_checked: bool = False
    callback_refusal: str = ""
    trigger_refusal: str = ""
    activation_refusal: str = ""


class OrderPlan(BaseModel):
    """The venue-neutral translation of an intent in a mode (see :func:`hedgekit.validator.plan_order`)."""

    model_config = ConfigDict(frozen=True)

    intent: Intent
    mode: PositionMode
    side: Side
    position_side: PositionSide
    """``LONG``/``SHORT`` in hedge mode, ``BOTH`` in one-way mode."""
    reduce_only: bool
    """True for closing intents; an adapter drops it where the venue forbids it (hedge mode)."""


class OrderRequest(BaseModel):
    """A validated order, ready for an adapter to put on the wire."""

    model_config = ConfigDict(frozen=True)

    symbol: str
    market: Market
    plan: OrderPlan
    type: OrderType
    quantity: Decimal | None
    """Base units; ``None`` only for a conditional order that closes the whole leg."""
    client_order_id: str
    price: Decimal | None = None
    time_in_force: TimeInForce | None = None
    trigger_price: Decimal | None = None
    activation_price: Decimal | None = None
    callback_rate: Decimal | None = None
    working_type: WorkingType = WorkingType.MARK_PRICE

    @property
    def close_position(self) -> bool:
        """True for a conditional order that closes whatever the leg holds when it fires."""
        return self.quantity is None


class VenueAdapter(ABC):
    """One venue's dialect behind the facade. Implementations live in ``hedgekit_<venue>`` packages.

    Contract:
      * every method raises only :mod:`hedgekit.errors` classes; a malformed payload is an
        :class:`~hedgekit.errors.ExchangeError`, never a ``KeyError``;
      * :meth:`fetch_legs` returns legs with side ``LONG``/``SHORT`` (a one-way position on the side
        its sign points to); zero-size legs may be left out, the facade fills them in;
      * :meth:`switch_mode` treats the venue's "no change needed" as success and raises
        :class:`~hedgekit.errors.ModeChangeBlocked` when the venue refuses for exposure;
      * :meth:`place_order` raises :class:`~hedgekit.errors.PositionSideMismatch` when the venue says
        the position side does not fit its mode, and never re-sends on its own;
      * :meth:`write_deadline_ms`, :meth:`refuses_duplicate_client_id` and :meth:`fence_order` state
        how the venue bounds a write whose answer was lost (the facade's exactly-once rests on
        them), each with the venue document that says so.
    """

    name: ClassVar[str]
    client_order_id_max: ClassVar[int] = 36
    client_order_id_alphabet: ClassVar[str] = (
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
    )

    def __init__(self, config: ConnectConfig) -> None:
        self.config = config
        self._markets: dict[str, Market] = {}
        self._by_venue_id: dict[str, Market] = {}
        # client order ids: "hk", 64 random bits drawn once, then a counter (see new_client_order_id)
        self._cid_prefix = "hk" + _secrets.token_hex(8)
        self._cid_format = f"%s%0{min(14, self.client_order_id_max - 18)}x"
        self._cid_count = 0
        #: the venue's clock minus this machine's, in ms, as last measured (:meth:`resync_time`)
        self.clock_offset_ms = 0

    # -- lifecycle ---------------------------------------------------------------------------
    @abstractmethod
    async def open(self) -> None:
        """Load markets and get ready to trade."""

    @abstractmethod
    async def close(self) -> None:
        """Release every connection; idempotent."""

    async def resync_time(self) -> None:
        """Re-measure the offset between this machine's clock and the venue's (after a clock error)."""
        return None

    # -- the venue's clock and its deadlines ----------------------------------------------
    def venue_time_ms(self) -> int:
        """The venue's clock now, estimated from this machine's and the last measured offset."""
        return int(time.time() * 1000) + self.clock_offset_ms

    async def server_time_ms(self) -> int | None:
        """The venue's clock, read from the venue (one request); ``None`` where it cannot be read.

        Venue adapters override it with their time endpoint; the facade reads it before it takes an
        order whose answer was lost for absent, so that no estimate of the clock decides that.
        """
        return None

    def write_deadline_ms(self, *, conditional: bool) -> int | None:
        """The venue's clock after which a write signed up to now can no longer take effect.

        Called when an order's answer was lost: every send so far was signed before this call, so
        the value bounds them all from above. A venue that refuses to act on a request past its own
        deadline (Binance's matching engine and ``recvWindow``, OKX's ``expTime``, Aster's nonce
        window) returns that deadline for this moment; ``None`` means the venue enforces none for
        this kind of write, and the facade must find the order another way (a resend the venue
        would refuse as a duplicate, or :meth:`fence_order`).
        """
        return None

    def refuses_duplicate_client_id(self, *, conditional: bool) -> bool:
        """Whether the venue refuses a second order with a client id it already holds.

        Where it does, sending an order again with the same client id can never make a second
        order, so the facade may resend at once after a lost answer instead of waiting for the
        deadline.
        """
        return False

    async def fence_order(self, request: OrderRequest) -> bool:
        """Make every earlier send of ``request`` unable to take effect, where the venue offers a way.

        Returns ``True`` when, after this call, a send that has not been acted on never will be (so
        an order not found afterwards is absent for good); ``False`` when the venue has no such
        means or it did not work. Raises only transient :mod:`hedgekit.errors` (the facade asks again).
        """
        return False

    # -- conditional orders ------------------------------------------------------------------
    #: The venue's limits on conditional orders; each adapter sets its own from its ``rules.py``.
    conditional_limits: ClassVar[ConditionalRules] = ConditionalRules()

    def conditional_rules(self, market: Market) -> ConditionalRules:
        """The venue's documented limits on conditional orders of ``market`` (see
        :class:`ConditionalRules`); :attr:`conditional_limits` unless the venue varies them by contract."""
        return self.conditional_limits

    # -- live state --------------------------------------------------------------------------
    def stream_session(
        self, symbols: tuple[str, ...] | None, options: StreamOptions
    ) -> StreamSession:
        """A new, unconnected session on the venue's private stream (see :mod:`hedgekit.stream_session`).

        Venue adapters override this; the default refuses with :class:`ConfigurationError`.
        """
        raise ConfigurationError(f"{self.name} has no live stream", venue=self.name, operation="stream")

    # -- markets -----------------------------------------------------------------------------
    def _set_markets(self, markets: list[Market]) -> None:
        self._markets = {m.symbol: m for m in markets}
        self._by_venue_id = {m.venue_symbol.upper(): m for m in markets}

    @property
    def markets(self) -> Mapping[str, Market]:
        """Every tradable contract, by unified symbol."""
        return self._markets

    def market(self, symbol: str) -> Market:
        """Resolve a unified symbol or a venue id; :class:`InvalidRequest` when unknown."""
        found = self._markets.get(symbol) if isinstance(symbol, str) else None
        if found is not None:
            return found
        if not isinstance(symbol, str) or not symbol.strip():
            raise InvalidRequest(f"symbol must be a non-empty string, not {symbol!r}", venue=self.name)
        key = symbol.strip()
        found = self._markets.get(key) or self._by_venue_id.get(key.upper())
        if found is None:
            sample = ", ".join(sorted(self._markets)[:5])
            raise InvalidRequest(
                f"unknown symbol {symbol!r}; use a unified symbol such as {sample}",
                venue=self.name,
                symbol=symbol,
            )
        return found

    # -- client order ids --------------------------------------------------------------------
    def new_client_order_id(self) -> str:
        """A fresh client order id that fits the venue's rules.

        ``hk``, 16 hex digits drawn from :mod:`secrets` when the adapter was made, then the
        order's number in 14 hex digits: 32 letters and digits. Ids never repeat within one adapter, and two adapters
        (another client, another process, a restart) differ in their random part, so they collide
        with odds of about 2^-64. Counting instead of drawing 120 random bits per order saves a
        system call on the order path.
        """
        self._cid_count += 1
        return self._cid_format % (self._cid_prefix, self._cid_count)

    def check_client_order_id(self, client_order_id: str) -> None:
        """Refuse a user's client order id that the venue would refuse."""
        allowed = set(self.client_order_id_alphabet)
        if (
            not isinstance(client_order_id, str)
            or not 1 <= len(client_order_id) <= self.client_order_id_max
            or any(ch not in allowed for ch in client_order_id)
        ):
            raise InvalidRequest(
                f"client order id {client_order_id!r} must be 1-{self.client_order_id_max} characters "
                f"of [{self.client_order_id_alphabet}]",
                venue=self.name,
            )

    # -- mode --------------------------------------------------------------------------------
    @abstractmethod
    def mode_scope(self, symbol: str | None) -> tuple[ModeScope, str | None]:
        """Where the mode setting for ``symbol`` lives: the scope and its key (symbol, coin or None)."""

    @abstractmethod
    async def fetch_mode(self, symbol: str | None) -> ModeState:
        """The mode in force in the scope of ``symbol``."""

    @abstractmethod
    async def switch_mode(self, mode: PositionMode, symbol: str | None) -> None:
        """Send the switch; "no change needed" is success, an exposure refusal is ModeChangeBlocked."""

    # -- reads -------------------------------------------------------------------------------
    @abstractmethod
    async def fetch_legs(self, symbol: str | None) -> list[Leg]:
        """Legs at the venue, for one symbol or all."""

    @abstractmethod
    async def fetch_open_orders(self, symbol: str | None) -> list[Order]:
        """Open regular orders, for one symbol or all."""

    @abstractmethod
    async def fetch_conditional_orders(self, symbol: str | None) -> list[Order]:
        """Open conditional (stop, take-profit, trailing) orders, for one symbol or all."""

    async def fetch_exposure(self, scope: ModeScope, scope_key: str | None) -> Exposure:
        """Everything open in a mode scope, read at once."""
        symbol = scope_key if scope is ModeScope.SYMBOL else None
        legs, orders, conditional = await asyncio.gather(
            self.fetch_legs(symbol), self.fetch_open_orders(symbol), self.fetch_conditional_orders(symbol)
        )
        return Exposure(
            venue=self.name,
            scope=scope,
            scope_key=scope_key,
            legs=tuple(leg for leg in legs if leg.is_open),
            orders=tuple(orders),
            conditional_orders=tuple(conditional),
        )

    # -- orders ------------------------------------------------------------------------------
    @abstractmethod
    async def place_order(self, request: OrderRequest) -> Order:
        """Send one order, exactly once."""

    @abstractmethod
    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None,
        conditional: bool = False,
    ) -> Order | None:
        """One order by venue id or client id; ``None`` when the venue does not know it."""

    @abstractmethod
    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None,
        conditional: bool = False,
    ) -> Order:
        """Cancel one order and return it as the venue reports it."""

    # -- margin and leverage -----------------------------------------------------------------
    @abstractmethod
    async def adjust_margin(self, symbol: str, side: PositionSide, amount: Decimal) -> None:
        """Add (``amount`` > 0) or remove (< 0) isolated margin on one leg (``BOTH`` in one-way)."""

    @abstractmethod
    async def set_leverage(self, symbol: str, leverage: Decimal, side: PositionSide | None) -> Leverage:
        """Set leverage for the contract, or for one leg where the venue allows it."""

    @abstractmethod
    async def set_margin_mode(self, symbol: str, margin_mode: MarginMode) -> None:
        """Set cross or isolated margin where the venue keeps it (a symbol, or the account)."""
