"""HedgeClient, the facade: one async API for hedge mode on every venue.

It orchestrates the adapter (the venue's dialect), the validator (local rules) and the retry policy.
It knows the account's position mode (read when first needed, cached per scope) and fills in the
venue's position-side parameter itself, so a bot only ever says *open long*, *close short*.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType, TracebackType
from typing import Any, TypeVar

from hedgekit.account import AccountAdapter, attribute_payments, sizes_at, to_datetime
from hedgekit.account_models import AccountFill, Balance, FundingLeg, FundingPayment, FundingView
from hedgekit.adapter import ConditionalRules, OrderRequest, VenueAdapter
from hedgekit.errors import ConfigurationError, HedgekitError, InvalidRequest, NetworkError, PositionSideMismatch
from hedgekit.exactly_once import Resolver
from hedgekit.models import (
    Exposure,
    Intent,
    Leg,
    LegPair,
    Leverage,
    MarginMode,
    Market,
    ModeScope,
    ModeState,
    Order,
    OrderType,
    PositionMode,
    PositionSide,
    TimeInForce,
    WorkingType,
    trimmed,
    trusted,
)
from hedgekit.retry import RetryPolicy
from hedgekit.stream import LiveStream
from hedgekit.validator import (
    check_amend,
    check_conditional,
    check_leverage,
    check_mode_change,
    check_order,
    plan_order,
    to_decimal,
)

__all__ = ["HedgeClient"]

log = logging.getLogger(__name__)

T = TypeVar("T")
ZERO = Decimal(0)


class _State(enum.Enum):
    NEW = "new"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


class HedgeClient:
    """The hedge-mode facade for one venue account. Make it with :func:`hedgekit.connect`.

    Example::

        async with hedgekit.connect("binance", api_key=KEY, secret=SECRET) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            await hk.open_long("BTC/USDT:USDT", Decimal("0.01"))
            pair = await hk.legs("BTC/USDT:USDT")
    """

    def __init__(self, adapter: VenueAdapter, *, retry: RetryPolicy | None = None) -> None:
        self._adapter = adapter
        self._retry = retry if retry is not None else RetryPolicy()
        self._state = _State.NEW
        self._modes: dict[str | None, PositionMode] = {}
        self._open_lock = asyncio.Lock()
        self._resolver = Resolver(adapter, self._retry)
        self._in_flight: dict[str, asyncio.Future[Order]] = {}
        self._cancels: set[asyncio.Task[Order]] = set()
        self._closing: asyncio.Task[None] | None = None
        self._streams: weakref.WeakSet[LiveStream] = weakref.WeakSet()

    def __repr__(self) -> str:
        return f"HedgeClient(venue={self.venue!r}, state={self._state.value})"

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def venue(self) -> str:
        """The venue's registered name."""
        return self._adapter.name

    @property
    def adapter(self) -> VenueAdapter:
        """The venue adapter underneath (for venue-specific needs)."""
        return self._adapter

    @property
    def exchange(self) -> Any:
        """The ccxt exchange (``ccxt.async_support``) this client sends through, for what hedgekit
        does not cover: ``await hk.exchange.fetch_ticker("BTC/USDT:USDT")``, or a venue endpoint
        through ccxt's implicit methods (``await hk.exchange.fapiPublicGetPremiumIndex({...})``).

        It is the exchange given to ``connect(exchange=...)``, else the one hedgekit made, with the
        ``base_url``, credentials and signing hedgekit set up. hedgekit owns its life: it exists
        from :meth:`open` (``async with``) to :meth:`aclose`, which closes it; do not close it
        yourself. Calls made through it bypass hedgekit: no position-side filling, mode checks,
        retries, exactly-once order handling or client-side pacing, and ccxt's own errors.

        Raises:
            ConfigurationError: The client is not open (not yet, or closed), or its venue's
                adapter is not built on ccxt.
        """
        exchange = getattr(self._adapter, "exchange", None)
        if exchange is None:
            if self._state is not _State.OPEN:
                raise ConfigurationError(
                    "the ccxt exchange exists while the client is open: use `async with hedgekit.connect(...)` "
                    "or await hk.open() first", venue=self.venue)
            raise ConfigurationError(f"the {self.venue} adapter is not built on a ccxt exchange", venue=self.venue)
        return exchange

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called (new calls are refused from then on)."""
        return self._state in (_State.CLOSING, _State.CLOSED)

    @property
    def in_flight(self) -> Mapping[str, asyncio.Future[Order]]:
        """Orders on their way to the venue, by client order id, each with the future that settles it.

        Awaiting an entry gives the :class:`~hedgekit.Order` or the error the call gives. A call
        whose caller stops waiting (cancelled, or timed out) does not stop its order: the send and
        the lookups after it go on in a task of their own (the entry is then that
        :class:`asyncio.Task`), so the order is never orphaned. An entry leaves when its order is
        settled. A bot that times out its calls recovers its orders like this::

            cid = hk.new_client_order_id()
            try:
                order = await asyncio.wait_for(hk.open_long(symbol, size, client_order_id=cid), 2.0)
            except asyncio.TimeoutError:
                task = hk.in_flight.get(cid)
                order = await task if task is not None else await hk.fetch_order(symbol, client_order_id=cid)

        The mapping is read-only.
        """
        return MappingProxyType(self._in_flight)

    def new_client_order_id(self) -> str:
        """A fresh client order id that fits the venue's rules, to pass as ``client_order_id=``."""
        return self._adapter.new_client_order_id()

    async def open(self) -> HedgeClient:
        """Load the venue's markets; ``async with`` calls it. Idempotent while open."""
        async with self._open_lock:
            if self._state is _State.CLOSED:
                raise ConfigurationError("this client is closed; connect again", venue=self.venue)
            if self._state is _State.NEW:
                try:
                    await self._retry.call(
                        self._adapter.open, venue=self.venue, operation="connect",
                        on_clock_skew=self._adapter.resync_time, read=True,
                    )
                except BaseException:
                    await self._adapter.close()
                    self._state = _State.CLOSED
                    raise
                self._state = _State.OPEN
        return self

    async def aclose(self) -> None:
        """Close every connection, after every order and cancel in flight is settled.

        New calls are refused from the moment it is called; orders and cancels already sent go on
        to their end (bounded by the venue's deadline for them and
        :attr:`RetryPolicy.resolve_timeout`), so no caller gets a lifecycle error for an order
        that was sent. Idempotent; the client cannot be reopened. Cancelling ``aclose`` does not
        stop the settling: the connections close when it is done.
        """
        if self._closing is None:
            if self._state is _State.CLOSED:
                return
            self._state = _State.CLOSING
            self._closing = asyncio.ensure_future(self._drain_and_close())
        await asyncio.shield(self._closing)

    async def _drain_and_close(self) -> None:
        try:
            while self._in_flight or self._cancels:
                await asyncio.wait([*self._in_flight.values(), *self._cancels])
        finally:
            self._state = _State.CLOSED
            for stream in list(self._streams):
                await stream.close()
            await self._adapter.close()

    async def __aenter__(self) -> HedgeClient:
        return await self.open()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def _ready(self) -> None:
        if self._state is _State.OPEN:
            return
        if self._state is _State.CLOSING:
            raise ConfigurationError("this client is closing; connect again", venue=self.venue)
        if self._state is _State.CLOSED:
            raise ConfigurationError("this client is closed; connect again", venue=self.venue)
        if self._state is _State.NEW:
            raise ConfigurationError(
                "this client is not open: use 'async with hedgekit.connect(...)' or 'await client.open()'",
                venue=self.venue,
            )

    async def _read(self, operation: str, fn: Callable[[], Awaitable[T]]) -> T:
        # a write (a mode switch, leverage, margin mode) is idempotent but not a read: an unreadable
        # answer to it is not asked again, the venue may have acted
        read = not operation.startswith("set_")
        return await self._retry.call(
            fn, venue=self.venue, operation=operation, on_clock_skew=self._adapter.resync_time, read=read
        )

    # -- markets -----------------------------------------------------------------------------
    @property
    def markets(self) -> Mapping[str, Market]:
        """Every contract the venue trades, by unified symbol."""
        self._ready()
        return self._adapter.markets

    def market(self, symbol: str) -> Market:
        """One contract, by unified symbol or venue id."""
        self._ready()
        return self._adapter.market(symbol)

    # -- mode --------------------------------------------------------------------------------
    async def position_mode(self, symbol: str | None = None) -> ModeState:
        """Read the position mode in force for ``symbol`` (or the account) and where it lives.

        Example::

            state = await hk.position_mode()      # ModeState(mode=ONE_WAY, scope=ACCOUNT, ...)
        """
        self._ready()
        if symbol is not None:
            symbol = self._adapter.market(symbol).symbol
        return await self._read_mode(symbol)

    async def _read_mode(self, symbol: str | None) -> ModeState:
        state = await self._read("position_mode", lambda: self._adapter.fetch_mode(symbol))
        self._modes[state.scope_key] = state.mode
        return state

    async def exposure(self, symbol: str | None = None) -> Exposure:
        """Everything open in the mode scope of ``symbol``: what would block a mode change."""
        self._ready()
        if symbol is not None:
            symbol = self._adapter.market(symbol).symbol
        scope, key = self._adapter.mode_scope(symbol)
        return await self._read("exposure", lambda: self._adapter.fetch_exposure(scope, key))

    async def set_position_mode(self, mode: PositionMode, symbol: str | None = None) -> ModeState:
        """Switch the position mode, after checking locally that the venue will allow it.

        The current mode and the exposure in the setting's scope are read at once. Already in
        ``mode``: nothing is sent. Anything open in the scope: :class:`~hedgekit.ModeChangeBlocked`
        naming every blocker, and nothing is sent. If exposure appears between the check and the
        switch, the venue's refusal arrives as the same ``ModeChangeBlocked``.

        Example::

            await hk.set_position_mode(PositionMode.HEDGE)
        """
        self._ready()
        if not isinstance(mode, PositionMode):
            raise InvalidRequest(f"mode must be a PositionMode, not {mode!r}", venue=self.venue)
        if symbol is not None:
            symbol = self._adapter.market(symbol).symbol
        scope, key = self._adapter.mode_scope(symbol)
        current, exposure = await asyncio.gather(
            self._read("position_mode", lambda: self._adapter.fetch_mode(symbol)),
            self._read("exposure", lambda: self._adapter.fetch_exposure(scope, key)),
        )
        self._modes[current.scope_key] = current.mode
        if not check_mode_change(current, mode, exposure):
            log.debug("%s set_position_mode: already %s, nothing sent", self.venue, mode.value)
            return current
        await self._read("set_position_mode", lambda: self._adapter.switch_mode(mode, symbol))
        if scope is ModeScope.COIN:
            self._modes.clear()  # every symbol of the coin may have changed: read each again when needed
        self._modes[current.scope_key] = mode
        log.debug("%s set_position_mode: switched %s to %s", self.venue, key or "account", mode.value)
        return current.model_copy(update={"mode": mode, "uniform": True, "raw": None})

    async def _mode(self, symbol: str) -> PositionMode:
        _, key = self._adapter.mode_scope(symbol)
        cached = self._modes.get(key)
        if cached is not None:
            return cached
        return (await self._read_mode(symbol)).mode

    # -- reads -------------------------------------------------------------------------------
    async def legs(self, symbol: str) -> LegPair:
        """Both legs of ``symbol``, each with its own size, entry, PnL, margin and liquidation price.

        A leg with nothing open is an explicit zero-size leg. Example::

            pair = await hk.legs("BTC/USDT:USDT")
            print(pair.long.size, pair.short.unrealized_pnl, pair.net_size)
        """
        self._ready()
        market = self._adapter.market(symbol)
        mode, rows = await asyncio.gather(
            self._mode(market.symbol),
            self._read("legs", lambda: self._adapter.fetch_legs(market.symbol)),
        )
        return _pair(self.venue, market.symbol, mode, rows)

    async def snapshot(self, symbols: Iterable[str] | None = None) -> dict[str, LegPair]:
        """Both legs of several contracts, read with one position request for all of them.

        ``symbols=None`` gives every contract with an open leg. Example::

            pairs = await hk.snapshot(["BTC/USDT:USDT", "ETH/USDT:USDT"])
            print(pairs["ETH/USDT:USDT"].short.size)
        """
        self._ready()
        wanted = None if symbols is None else [self._adapter.market(s).symbol for s in symbols]
        rows = await self._read("legs", lambda: self._adapter.fetch_legs(None))
        names = wanted if wanted is not None else sorted({leg.symbol for leg in rows if leg.is_open})
        modes = await asyncio.gather(*(self._mode(name) for name in names))
        return {name: _pair(self.venue, name, mode, rows) for name, mode in zip(names, modes)}

    def stream(
        self,
        symbols: Iterable[str] | None = None,
        *,
        heartbeat: float | None = None,
        max_reconnects: int = 10,
        reconnect_wait: float = 0.2,
        reconnect_wait_max: float = 10.0,
        connect_timeout: float = 10.0,
        queue_size: int = 10_000,
        reconcile_every: float | None = 60.0,
    ) -> LiveStream:
        """Live legs and orders from the venue's private websocket (see :mod:`hedgekit.stream`).

        Example::

            async with hk.stream(["BTC/USDT:USDT"]) as stream:
                print(stream.legs("BTC/USDT:USDT").long.size)     # no request
                async for event in stream:
                    ...                                            # LegChanged, OrderChanged, Resynced

        Args:
            symbols: Contracts to keep (unified symbols or venue ids); ``None`` keeps all.
            heartbeat: Seconds between pings; the venue's recommendation when ``None``.
            max_reconnects: Attempts after a lost connection before ``async for`` raises
                :class:`~hedgekit.StreamDisconnected`.
            reconnect_wait: First wait between reconnect attempts (doubling, with jitter).
            reconnect_wait_max: Longest wait between attempts.
            connect_timeout: Seconds one attempt may take to connect, authenticate and subscribe.
            queue_size: Events held for ``async for`` before the oldest are discarded.
            reconcile_every: Seconds between checks of the live state against REST (a push the
                venue never delivered is found and repaired there); ``None``: no checks.
        """
        self._ready()
        stream = LiveStream(
            self, symbols, heartbeat=heartbeat, max_reconnects=max_reconnects,
            reconnect_wait=reconnect_wait, reconnect_wait_max=reconnect_wait_max,
            connect_timeout=connect_timeout, queue_size=queue_size, reconcile_every=reconcile_every,
        )
        self._streams.add(stream)
        return stream

    async def positions(self) -> list[Leg]:
        """Every non-empty leg on the account, across symbols."""
        self._ready()
        rows = await self._read("positions", lambda: self._adapter.fetch_legs(None))
        return [leg for leg in rows if leg.is_open]

    async def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders, regular and conditional together, for one symbol or all."""
        self._ready()
        sym = self._adapter.market(symbol).symbol if symbol is not None else None
        regular, conditional = await asyncio.gather(
            self._read("open_orders", lambda: self._adapter.fetch_open_orders(sym)),
            self._read("open_orders", lambda: self._adapter.fetch_conditional_orders(sym)),
        )
        return [*regular, *conditional]

    async def fetch_order(
        self, symbol: str, order_id: str | None = None, *, client_order_id: str | None = None,
        conditional: bool = False,
    ) -> Order | None:
        """One order by venue id or client order id; ``None`` when the venue does not know it."""
        self._ready()
        market = self._adapter.market(symbol)
        if order_id is None and client_order_id is None:
            raise InvalidRequest("give order_id or client_order_id", venue=self.venue)
        return await self._read(
            "fetch_order",
            lambda: self._adapter.fetch_order(
                market.symbol, order_id=order_id, client_order_id=client_order_id, conditional=conditional
            ),
        )

    # -- orders ------------------------------------------------------------------------------
    async def open_long(
        self, symbol: str, quantity: Decimal, *, price: Decimal | None = None,
        time_in_force: TimeInForce | None = None, client_order_id: str | None = None,
    ) -> Order:
        """Buy into the long leg: market, or limit when ``price`` is given.

        Example::

            await hk.open_long("BTC/USDT:USDT", Decimal("0.01"))
            await hk.open_long("BTC/USDT:USDT", Decimal("0.01"), price=Decimal("59000"))
        """
        return await self._intent(Intent.OPEN_LONG, symbol, quantity, price, time_in_force, client_order_id)

    async def open_short(
        self, symbol: str, quantity: Decimal, *, price: Decimal | None = None,
        time_in_force: TimeInForce | None = None, client_order_id: str | None = None,
    ) -> Order:
        """Sell into the short leg: market, or limit when ``price`` is given."""
        return await self._intent(Intent.OPEN_SHORT, symbol, quantity, price, time_in_force, client_order_id)

    async def close_long(
        self, symbol: str, quantity: Decimal, *, price: Decimal | None = None,
        time_in_force: TimeInForce | None = None, client_order_id: str | None = None,
    ) -> Order:
        """Sell out of the long leg (reduce-only in one-way mode); the short leg is untouched."""
        return await self._intent(Intent.CLOSE_LONG, symbol, quantity, price, time_in_force, client_order_id)

    async def close_short(
        self, symbol: str, quantity: Decimal, *, price: Decimal | None = None,
        time_in_force: TimeInForce | None = None, client_order_id: str | None = None,
    ) -> Order:
        """Buy out of the short leg (reduce-only in one-way mode); the long leg is untouched."""
        return await self._intent(Intent.CLOSE_SHORT, symbol, quantity, price, time_in_force, client_order_id)

    async def stop_market(
        self, symbol: str, leg: PositionSide, trigger_price: Decimal, quantity: Decimal | None = None, *,
        working_type: WorkingType = WorkingType.MARK_PRICE, client_order_id: str | None = None,
        current_price: Decimal | None = None,
    ) -> Order:
        """A stop-loss bound to one leg: when the price crosses ``trigger_price``, close that leg.

        ``quantity=None`` closes whatever the leg holds when the stop fires. A stop that would fire
        at once (one closing a long must trigger below the current price, one closing a short
        above it) is refused before anything is sent, with the venue's rule, when the current price
        is known: ``current_price`` (the price of ``working_type`` as the caller knows it), else the
        mark of the position read a one-way order makes anyway. No request is added for it: without
        either, the venue's own check decides. Example::

            await hk.stop_market("BTC/USDT:USDT", PositionSide.LONG, Decimal("58000"))
        """
        return await self._conditional(
            OrderType.STOP_MARKET, symbol, leg, quantity, client_order_id, working_type,
            trigger_price=trigger_price, current_price=current_price,
        )

    async def take_profit_market(
        self, symbol: str, leg: PositionSide, trigger_price: Decimal, quantity: Decimal | None = None, *,
        working_type: WorkingType = WorkingType.MARK_PRICE, client_order_id: str | None = None,
        current_price: Decimal | None = None,
    ) -> Order:
        """A take-profit bound to one leg: when the price reaches ``trigger_price``, close that leg.

        One closing a long must trigger above the current price, one closing a short below it;
        ``current_price`` as in :meth:`stop_market`.
        """
        return await self._conditional(
            OrderType.TAKE_PROFIT_MARKET, symbol, leg, quantity, client_order_id, working_type,
            trigger_price=trigger_price, current_price=current_price,
        )

    async def trailing_stop(
        self, symbol: str, leg: PositionSide, quantity: Decimal, callback_rate: Decimal, *,
        activation_price: Decimal | None = None, working_type: WorkingType = WorkingType.MARK_PRICE,
        client_order_id: str | None = None, current_price: Decimal | None = None,
    ) -> Order:
        """A trailing stop bound to one leg, ``callback_rate`` percent behind the best price.

        ``callback_rate`` must lie in the venue's documented range (``adapter.conditional_rules``:
        each venue states its own, with its source), checked before anything is sent. Where the venue requires it, ``activation_price`` must lie
        beyond the current price (above it for a stop closing a long, below for a short);
        ``current_price`` as in :meth:`stop_market`.
        """
        return await self._conditional(
            OrderType.TRAILING_STOP_MARKET, symbol, leg, quantity, client_order_id, working_type,
            callback_rate=callback_rate, activation_price=activation_price, current_price=current_price,
        )

    async def close_leg(self, symbol: str, side: PositionSide) -> Order | None:
        """Close the whole of one leg at market; ``None`` when the leg is already empty."""
        self._ready()
        market = self._adapter.market(symbol)
        side = _leg_side(side)
        pair = await self.legs(market.symbol)
        leg = pair.leg(side)
        if not leg.is_open:
            return None
        intent = Intent.CLOSE_LONG if side is PositionSide.LONG else Intent.CLOSE_SHORT
        return await self._intent(intent, market.symbol, leg.size, None, None, None)

    async def cancel_order(
        self, target: Order | str, order_id: str | None = None, *, client_order_id: str | None = None,
        conditional: bool = False,
    ) -> Order:
        """Cancel an order: pass the :class:`~hedgekit.Order`, or a symbol and an id.

        Returns the order as the venue reports it afterwards. An order that was no longer open
        (filled, or canceled already) comes back with that status instead of an error.

        Example::

            await hk.cancel_order(order)
            await hk.cancel_order("BTC/USDT:USDT", client_order_id="my-id-1")
        """
        self._ready()
        if isinstance(target, Order):
            symbol, order_id, conditional = target.symbol, target.order_id, target.conditional
        else:
            symbol = target
        market = self._adapter.market(symbol)
        if order_id is None and client_order_id is None:
            raise InvalidRequest("give order_id or client_order_id", venue=self.venue, symbol=symbol)
        if client_order_id is not None:
            self._adapter.check_client_order_id(client_order_id)
        task = asyncio.ensure_future(
            self._resolver.cancel(market.symbol, order_id, client_order_id, conditional))
        self._cancels.add(task)
        task.add_done_callback(self._cancel_settled)
        return await asyncio.shield(task)

    def _cancel_settled(self, task: asyncio.Task[Order]) -> None:
        self._cancels.discard(task)
        _retrieve(task)

    # -- margin and leverage -----------------------------------------------------------------
    async def adjust_margin(self, symbol: str, side: PositionSide, amount: Decimal) -> Leg:
        """Add (``amount`` > 0) or remove (< 0) isolated margin on one leg; returns the leg after.

        Example::

            leg = await hk.adjust_margin("BTC/USDT:USDT", PositionSide.LONG, Decimal("25"))
        """
        self._ready()
        market = self._adapter.market(symbol)
        side = _leg_side(side)
        value = to_decimal(amount, "amount", positive=False)
        if value == 0:
            raise InvalidRequest("amount must not be zero", venue=self.venue, symbol=market.symbol)
        mode = await self._mode(market.symbol)
        venue_side = side if mode is PositionMode.HEDGE else PositionSide.BOTH
        await self._with_mode_check(market.symbol, lambda: self._adapter.adjust_margin(market.symbol, venue_side, value))
        return (await self.legs(market.symbol)).leg(side)

    async def set_leverage(
        self, symbol: str, leverage: Decimal | int | str, side: PositionSide | None = None
    ) -> Leverage:
        """Set leverage on a contract (both legs), or on one leg where the venue allows it.

        ``leverage`` is a ``Decimal``, ``int`` or numeric ``str``: fractional where the venue takes it
        (Bybit and OKX, on a 0.01 step, e.g. ``Decimal("12.5")``); a whole number on Binance and
        Aster, which refuse fractions (refused here with ``InvalidRequest`` before anything is sent).
        """
        self._ready()
        market = self._adapter.market(symbol)
        value = check_leverage(leverage, market, self.venue)
        if side is not None:
            side = _leg_side(side)
        return await self._read("set_leverage", lambda: self._adapter.set_leverage(market.symbol, value, side))

    async def set_margin_mode(self, symbol: str, margin_mode: MarginMode) -> None:
        """Choose cross or isolated margin for a contract."""
        self._ready()
        market = self._adapter.market(symbol)
        if not isinstance(margin_mode, MarginMode):
            raise InvalidRequest(f"margin_mode must be a MarginMode, not {margin_mode!r}", venue=self.venue)
        await self._read("set_margin_mode", lambda: self._adapter.set_margin_mode(market.symbol, margin_mode))

    # -- account views: funding, balance, prices, fills, amendments ----------------------------
    def _account(self) -> AccountAdapter:
        adapter = self._adapter
        if not isinstance(adapter, AccountAdapter):
            raise ConfigurationError(f"the {self.venue} adapter has no account views", venue=self.venue)
        return adapter

    async def funding(self, symbol: str) -> FundingView:
        """The current funding of ``symbol``: rate, next funding time, interval, and each leg's payment.

        Each leg's payment is what it is due at the next funding time from its notional at the
        mark: a long pays a positive rate (negative payment), a short receives it. ``net`` is the
        sum: what carrying both legs earns or costs. Example::

            view = await hk.funding("BTC/USDT:USDT")
            print(view.rate, view.next_funding_time, view.long.payment, view.short.payment, view.net)
        """
        self._ready()
        account = self._account()
        market = self._adapter.market(symbol)
        quote, pair = await asyncio.gather(
            self._read("funding", lambda: account.fetch_funding_quote(market.symbol)), self.legs(market.symbol))

        def leg(item: Leg, sign: int) -> FundingLeg:
            notional = abs(item.size) * quote.mark_price
            side_sign = sign if item.side is not PositionSide.BOTH else (-1 if item.size > 0 else 1)
            return FundingLeg(side=item.side, size=item.size, notional=trimmed(notional),
                              payment=trimmed(side_sign * notional * quote.rate),
                              accumulated=quote.accumulated.get(item.side))

        long, short = leg(pair.long, -1), leg(pair.short, 1)
        return FundingView(
            venue=self.venue, symbol=market.symbol, rate=quote.rate,
            next_funding_time=to_datetime(quote.next_time_ms),
            interval=None if quote.interval_ms is None else timedelta(milliseconds=quote.interval_ms),
            mark_price=quote.mark_price, long=long, short=short, net=trimmed(long.payment + short.payment),
            raw=quote.raw,
        )

    async def funding_history(self, symbol: str, since: datetime | None = None) -> list[FundingPayment]:
        """Funding payments of ``symbol`` received (+) and paid (−) since ``since``, per leg, oldest first.

        ``since=None`` takes the venue's default window (Binance and Aster 7 days, Bybit 24 hours,
        OKX 7 days). Where the venue names the leg of a payment, that leg is used; where it does
        not, hedgekit works it out and marks the payment ``derived`` (see
        :mod:`hedgekit.account`): a payment that cannot be told apart is split between the legs by
        their notional at the funding time. Example::

            for p in await hk.funding_history("BTC/USDT:USDT", since=datetime(2026, 1, 1, tzinfo=UTC)):
                print(p.time, p.side, p.amount, p.derived)
        """
        self._ready()
        account = self._account()
        market = self._adapter.market(symbol)
        since_ms = _ms(since, "since")
        rows = await self._read("funding_history", lambda: account.fetch_funding_rows(market.symbol, since_ms))
        undecided = [row for row in rows if row.side is None or row.basis is None]
        if not undecided:
            return attribute_payments(self.venue, rows, legs_at=dict, current_mark=ZERO)
        first = min(row.time_ms for row in undecided)
        pair, fills = await asyncio.gather(
            self.legs(market.symbol),
            self._read("fills", lambda: account.fetch_fills(market.symbol, first)),
        )
        now: dict[PositionSide, Decimal] = {}
        for item in (pair.long, pair.short):
            now[item.side] = now.get(item.side, ZERO) + item.size
        mark = pair.long.mark_price or pair.short.mark_price or ZERO
        return attribute_payments(self.venue, rows, legs_at=lambda at: sizes_at(at, now, fills), current_mark=mark)

    async def balance(self) -> Balance:
        """The account's balance in the settle coin: equity, available, margin in use, unrealised PnL.

        Example::

            bal = await hk.balance()
            print(bal.equity, bal.available, bal.margin_used, bal.unrealized_pnl)
        """
        self._ready()
        account = self._account()
        return await self._read("balance", account.fetch_balance)

    async def mark_price(self, symbol: str) -> Decimal:
        """The current mark price of ``symbol`` (the price the legs' PnL and funding are valued at)."""
        self._ready()
        account = self._account()
        market = self._adapter.market(symbol)
        return await self._read("mark_price", lambda: account.fetch_mark_price(market.symbol))

    async def fills(self, symbol: str, since: datetime | None = None) -> list[AccountFill]:
        """Fills of ``symbol`` since ``since``, oldest first, each with its leg, price, size, fee and realised PnL.

        ``since=None`` takes the venue's default window (Binance and Aster 7 days, Bybit 7 days,
        OKX 3 days). Sizes are in the base asset; ``fee`` is positive when paid. Example::

            for f in await hk.fills("BTC/USDT:USDT"):
                print(f.position_side, f.side, f.price, f.quantity, f.fee, f.realized_pnl)
        """
        self._ready()
        account = self._account()
        market = self._adapter.market(symbol)
        since_ms = _ms(since, "since")
        return await self._read("fills", lambda: account.fetch_fills(market.symbol, since_ms))

    async def amend_order(self, order: Order, *, price: Decimal | str | int | None = None,
                          quantity: Decimal | str | int | None = None,
                          trigger_price: Decimal | str | int | None = None) -> Order:
        """Change an open order's price and/or quantity (base units) in place, keeping its id.

        A waiting conditional order (a stop or take-profit) takes ``trigger_price=`` and/or
        ``quantity=`` instead, where the venue amends them (Bybit ``POST /v5/order/amend``, OKX
        ``POST /api/v5/trade/amend-algos``; Binance and Aster cannot, and say so). Its ``price=``
        is refused: hedgekit's conditional orders execute at market.

        Checked before anything is sent: the venue must support amending this kind of order
        (refused with :class:`~hedgekit.errors.InvalidRequest` naming the venue otherwise), the
        new price or trigger must be on the tick and the quantity on the lot step; a new trigger
        of an order that triggers on the mark is checked against the mark (read for it: one
        request) with the venue's rule for the side a trigger must lie on. Returns the order as
        the venue reports it afterwards (read back where the venue answers with ids only). Not
        retried on an ambiguous answer: read the order to see whether it was amended. Example::

            order = await hk.amend_order(order, price=Decimal("60100"))
            stop = await hk.amend_order(stop, trigger_price=Decimal("57500"))
        """
        self._ready()
        account = self._account()
        if not isinstance(order, Order):
            raise InvalidRequest(f"order must be an Order, not {type(order).__name__}", venue=self.venue)
        market = self._adapter.market(order.symbol)
        reason = account.amend_refusal(order)
        if reason is not None:
            raise InvalidRequest(f"{self.venue} cannot amend this order: {reason}", venue=self.venue,
                                 symbol=market.symbol, operation="amend_order")
        if order.conditional:
            if price is not None:
                raise InvalidRequest("a conditional market order has no price to amend: give trigger_price= "
                                     "and/or quantity=", venue=self.venue, symbol=market.symbol,
                                     operation="amend_order")
            if trigger_price is None and quantity is None:
                raise InvalidRequest("give trigger_price=, quantity= or both", venue=self.venue, symbol=market.symbol)
        elif trigger_price is not None:
            raise InvalidRequest("trigger_price= amends a conditional order; this one is not", venue=self.venue,
                                 symbol=market.symbol, operation="amend_order")
        elif price is None and quantity is None:
            raise InvalidRequest("give price=, quantity= or both", venue=self.venue, symbol=market.symbol)
        new_price = None if price is None else to_decimal(price, "price")
        new_quantity = None if quantity is None else to_decimal(quantity, "quantity")
        new_trigger = None if trigger_price is None else to_decimal(trigger_price, "trigger_price")
        check_amend(market, price=new_price, quantity=new_quantity, trigger_price=new_trigger)
        if not order.conditional:
            return await account.amend_order(order, new_price, new_quantity)
        reason = account.conditional_amend_refusal(order, new_quantity)
        if reason is not None:
            raise InvalidRequest(f"{self.venue} cannot amend this order: {reason}", venue=self.venue,
                                 symbol=market.symbol, operation="amend_order")
        rules = self._adapter.conditional_rules(market)
        if new_trigger is not None and rules.trigger_side_checked and account.trigger_on_mark(order):
            mark = await self._read("mark_price", lambda: account.fetch_mark_price(market.symbol))
            check_conditional(rules, order.type, order.side, trigger_price=new_trigger, current_price=mark,
                              venue=self.venue, symbol=market.symbol)
        return await account.amend_conditional(order, new_trigger, new_quantity)

    # -- internals ---------------------------------------------------------------------------
    async def _intent(
        self, intent: Intent, symbol: str, quantity: object, price: object,
        time_in_force: TimeInForce | None, client_order_id: str | None,
    ) -> Order:
        self._ready()
        market = self._adapter.market(symbol)
        qty = to_decimal(quantity, "quantity")
        px = to_decimal(price, "price") if price is not None else None
        order_type = OrderType.LIMIT if px is not None else OrderType.MARKET
        tif = time_in_force if time_in_force is not None or px is None else TimeInForce.GTC
        check_order(market, order_type, qty, price=px, time_in_force=tif, opens=not intent.closes)
        return await self._submit(intent, market, order_type, qty, client_order_id, price=px, time_in_force=tif)

    async def _conditional(
        self, order_type: OrderType, symbol: str, leg: PositionSide, quantity: object,
        client_order_id: str | None, working_type: WorkingType, *, trigger_price: object = None,
        callback_rate: object = None, activation_price: object = None, current_price: object = None,
    ) -> Order:
        self._ready()
        market = self._adapter.market(symbol)
        side = _leg_side(leg)
        if not isinstance(working_type, WorkingType):
            raise InvalidRequest(f"working_type must be a WorkingType, not {working_type!r}", venue=self.venue)
        qty = to_decimal(quantity, "quantity") if quantity is not None else None
        trigger = to_decimal(trigger_price, "trigger_price") if trigger_price is not None else None
        rate = to_decimal(callback_rate, "callback_rate") if callback_rate is not None else None
        activation = to_decimal(activation_price, "activation_price") if activation_price is not None else None
        current = to_decimal(current_price, "current_price") if current_price is not None else None
        check_order(
            market, order_type, qty, trigger_price=trigger, callback_rate=rate,
            activation_price=activation, opens=False,
        )
        intent = Intent.CLOSE_LONG if side is PositionSide.LONG else Intent.CLOSE_SHORT
        rules = self._adapter.conditional_rules(market)
        check_conditional(
            rules, order_type, intent.side, trigger_price=trigger, activation_price=activation,
            callback_rate=rate, current_price=current, venue=self.venue, symbol=market.symbol,
        )
        # Without a price from the caller, the mark of the position read a one-way order makes
        # anyway serves (only for the mark's own working type); no request is added for it.
        return await self._submit(
            intent, market, order_type, qty, client_order_id, trigger_price=trigger,
            callback_rate=rate, activation_price=activation, working_type=working_type,
            rules=rules if current is None and working_type is WorkingType.MARK_PRICE else None,
        )

    async def _submit(
        self, intent: Intent, market: Market, order_type: OrderType, quantity: Decimal | None,
        client_order_id: str | None, *, price: Decimal | None = None, time_in_force: TimeInForce | None = None,
        trigger_price: Decimal | None = None, callback_rate: Decimal | None = None,
        activation_price: Decimal | None = None, working_type: WorkingType = WorkingType.MARK_PRICE,
        rules: ConditionalRules | None = None,
    ) -> Order:
        if client_order_id is None:
            client_order_id = self._adapter.new_client_order_id()
        else:
            self._adapter.check_client_order_id(client_order_id)
        mode = self._modes.get(self._adapter.mode_scope(market.symbol)[1])  # _mode's cache, inline
        if mode is None:
            mode = await self._mode(market.symbol)
        held: Leg | None = None
        if mode is PositionMode.ONE_WAY:
            rows = await self._read("legs", lambda: self._adapter.fetch_legs(market.symbol))
            held = next((leg for leg in rows if leg.is_open and leg.symbol == market.symbol), None)
            mark = next((leg.mark_price for leg in rows if leg.symbol == market.symbol and leg.mark_price), None)
            if rules is not None and mark is not None:  # a conditional order: the read gave the mark
                check_conditional(
                    rules, order_type, intent.side, trigger_price=trigger_price,
                    activation_price=activation_price, current_price=mark, venue=self.venue, symbol=market.symbol,
                )
            if held is None:
                held = Leg(venue=self.venue, symbol=market.symbol, side=intent.leg)
        plan = plan_order(intent, mode, held)
        request = trusted(  # from values the pre-flight checked
            OrderRequest,
            symbol=market.symbol, market=market, plan=plan, type=order_type, quantity=quantity,
            client_order_id=client_order_id, price=price, time_in_force=time_in_force,
            trigger_price=trigger_price, callback_rate=callback_rate, activation_price=activation_price,
            working_type=working_type,
        )
        self._ready()  # aclose() may have begun while the mode was read: nothing is sent then
        if client_order_id in self._in_flight:
            raise InvalidRequest(
                f"an order with client order id {client_order_id} is in flight; await hk.in_flight[...] first",
                venue=self.venue, symbol=market.symbol, client_order_id=client_order_id,
            )
        # The placement runs in the caller's task (no task of its own on the usual path: a task
        # and its shield cost about as much as hedgekit's whole order path); if the caller stops
        # waiting, the rest goes on in a task of its own (_carry_on), shielded from it.
        settled: asyncio.Future[Order] = asyncio.get_running_loop().create_future()
        self._in_flight[client_order_id] = settled
        try:
            order = await self._place(request)
        except asyncio.CancelledError:
            self._carry_on(request, settled)
            raise
        except BaseException as exc:
            self._settle(client_order_id, settled, error=exc)
            raise
        self._settle(client_order_id, settled, order=order)
        return order

    async def _place(self, request: OrderRequest, lost: HedgekitError | None = None) -> Order:
        """Place exactly once, then explain a mode mismatch."""
        try:
            return await self._resolver.place(request, lost=lost)
        except PositionSideMismatch as exc:
            raise await self._mode_mismatch(request.symbol, exc) from exc

    def _carry_on(self, request: OrderRequest, settled: asyncio.Future[Order]) -> None:
        """The caller stopped waiting mid-placement: the send may land, so settle it in a task."""
        cid = request.client_order_id
        lost = NetworkError("the call was cancelled while the order was on its way", venue=self.venue,
                            operation="place_order", symbol=request.symbol, client_order_id=cid)
        task = asyncio.ensure_future(self._place(request, lost))
        self._in_flight[cid] = task
        task.add_done_callback(functools.partial(self._task_settled, cid, settled))

    def _task_settled(self, client_order_id: str, settled: asyncio.Future[Order], task: asyncio.Task[Order]) -> None:
        if task.cancelled():
            self._settle(client_order_id, settled, error=asyncio.CancelledError())
        elif (error := task.exception()) is not None:
            self._settle(client_order_id, settled, error=error)
        else:
            self._settle(client_order_id, settled, order=task.result())
        if self._in_flight.get(client_order_id) is task:
            del self._in_flight[client_order_id]

    def _settle(self, client_order_id: str, settled: asyncio.Future[Order], *, order: Order | None = None,
                error: BaseException | None = None) -> None:
        if self._in_flight.get(client_order_id) is settled:
            del self._in_flight[client_order_id]
        if settled.done():
            return
        if error is None:
            settled.set_result(order)  # type: ignore[arg-type]
        elif isinstance(error, asyncio.CancelledError):
            settled.cancel()
        else:
            settled.set_exception(error)
            settled.exception()  # seen: its caller has it already (or stopped waiting)

    async def _with_mode_check(self, symbol: str, fn: Callable[[], Awaitable[T]]) -> T:
        try:
            return await fn()
        except PositionSideMismatch as exc:
            raise await self._mode_mismatch(symbol, exc) from exc

    async def _mode_mismatch(self, symbol: str, exc: PositionSideMismatch) -> PositionSideMismatch:
        """The venue says the request's position side does not fit its mode: forget the cached
        mode, read the real one, and say which it is (the request is not re-sent)."""
        _, key = self._adapter.mode_scope(symbol)
        self._modes.pop(key, None)
        actual = (await self._read_mode(symbol)).mode
        return PositionSideMismatch(
            f"the venue's position mode is {actual.value}, not the one this request was built for; "
            f"the request was not re-sent ({exc.venue_message or exc.message})",
            actual_mode=actual, venue=exc.venue, operation=exc.operation, symbol=symbol,
            code=exc.code, venue_message=exc.venue_message, http_status=exc.http_status,
            client_order_id=exc.client_order_id,
        )


def _ms(value: datetime | None, name: str) -> int | None:
    """An aware (or UTC-naive) datetime as ms since the epoch; ``None`` stays ``None``."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InvalidRequest(f"{name} must be a datetime, not {value!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp() * 1000)


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Mark a settled task's error as seen: its caller may have stopped waiting (the error stays on
    the task for whoever awaits it)."""
    if not task.cancelled():
        task.exception()


def _leg_side(side: object) -> PositionSide:
    if side is PositionSide.LONG or side is PositionSide.SHORT:
        return side
    raise InvalidRequest(f"leg must be PositionSide.LONG or PositionSide.SHORT, not {side!r}")


def _pair(venue: str, symbol: str, mode: PositionMode, rows: list[Leg]) -> LegPair:
    mine = [leg for leg in rows if leg.symbol == symbol]
    mark = next((leg.mark_price for leg in mine if leg.mark_price is not None), None)

    def pick(side: PositionSide) -> Leg:
        open_rows = [leg for leg in mine if leg.side is side and leg.is_open]
        if open_rows:
            return open_rows[0]
        empty = [leg for leg in mine if leg.side is side]
        if empty:
            return empty[0]
        return Leg(venue=venue, symbol=symbol, side=side, mark_price=mark)

    return LegPair(venue=venue, symbol=symbol, mode=mode, long=pick(PositionSide.LONG), short=pick(PositionSide.SHORT))
