"""A venue-neutral simulated exchange for USDT-margined linear perpetuals.

The :class:`Engine` keeps one account: a wallet in the settle asset, the position mode per scope,
legs keyed by ``(symbol, position side)``, regular orders and conditional orders, all priced at a
mark price the test sets. A venue frontend (for example
:class:`hedgekit_binance.simulator.BinanceFrontend`) turns wire requests into engine calls and
:class:`~hedgekit.testing.engine_types.EngineError` reasons into the venue's error codes.

The model is deliberately simple and documented here so tests can predict it:

* **Fills.** A market order, or a limit order that is marketable at placement (a buy at or above
  the mark, a sell at or below), fills in full at the mark at once. A resting limit fills in full
  at its own price when the mark reaches it. There is no order book; fees are zero unless a test
  sets a rate, and funding is settled per leg (:mod:`hedgekit.testing.engine_account`).
* **Legs.** In hedge mode ``LONG`` and ``SHORT`` legs hold unsigned sizes; a SELL on ``LONG`` or a
  BUY on ``SHORT`` closes that leg and may not exceed it. In one-way mode orders net on the
  ``BOTH`` leg (signed size); a reduce-only order must shrink it and may not exceed it. Entry
  prices are size-weighted averages; realised PnL goes to the wallet.
* **Margin.** Initial margin is ``notional / leverage``. An order that opens exposure needs
  ``opening quantity * price / leverage`` of available balance (see
  :class:`~hedgekit.testing.engine_types.AccountSummary`). Isolated legs lock
  ``quantity * fill price / leverage`` as isolated margin when they grow.
* **Liquidation price.** With ``q`` the signed size, ``E`` the entry price, ``m`` the maintenance
  margin rate and ``M`` the margin backing the leg (its isolated margin; for a cross leg the cross
  wallet plus the other cross legs' unrealised PnL minus their maintenance margin):
  long ``(E*q - M) / (q*(1 - m))``, short ``(E*|q| + M) / (|q|*(1 + m))``, floored at 0.
  :meth:`Engine.set_mark_price` liquidates an isolated leg whose margin plus unrealised PnL falls
  to its maintenance margin, and every cross leg when the cross equity falls to the cross
  maintenance margin (for a single cross leg: when the mark crosses its liquidation price).
  A liquidated leg forfeits its margin: an isolated leg its whole isolated margin, a cross leg
  its loss at the mark plus its maintenance margin (never more than the cross wallet).
* **Conditional orders.** Triggered by the mark: a stop buys at or above / sells at or below its
  trigger, a take-profit the other way round, a trailing stop after its optional activation
  price once the mark retraces ``callback_rate`` percent from the best mark since activation. A
  triggered order becomes a market order (a limit order for ``STOP``/``TAKE_PROFIT``) on the same
  leg with the same side; close-position orders take the leg's size at trigger time.
* **Mode changes** are refused while the scope holds open regular or conditional orders
  (checked first) or a position.
* **Venue rules.** What differs between venues (lowering isolated leverage under a position,
  the callback-rate range, whether a trigger or activation price on the wrong side of the mark is
  refused, the mode and margin-type blockers) is an
  :class:`~hedgekit.testing.engine_types.EngineRules` each venue's simulator passes; its
  docstring lists every rule with each venue's source.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from hedgekit.testing.engine_account import AccountBook, FillRecord, FundingRecord, RateRecord
from hedgekit.testing.engine_books import OrderBook, TriggerBook, evolve, new_client_id, trigger_hit
from hedgekit.testing.engine_events import (
    ChangeReason,
    ConditionalChanged,
    EventBus,
    FillInfo,
    LegsChanged,
    LiquidationHappened,
    ModeChanged,
    OrderChanged,
)
from hedgekit.testing.engine_ledger import Ledger
from hedgekit.testing.engine_types import (
    ZERO,
    AccountSummary,
    ConditionalOrder,
    ConditionalStatus,
    ConditionalType,
    EngineError,
    EngineRules,
    Leg,
    Liquidation,
    MarginType,
    Market,
    ModeScope,
    Number,
    Order,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    Reason,
    Side,
    TimeInForce,
    as_decimal,
    as_enum,
    as_optional_decimal,
    leverage_value,
    check_price,
    check_quantity,
)

def _now_ms() -> int:
    return int(time.time() * 1000)


class Engine:
    """The simulated account and markets; see the module docstring for the rules.

    Args:
        markets: The markets to list.
        mark_prices: An initial mark price for every market, by symbol id or unified symbol.
        mode_scope: Where the position mode lives (``ACCOUNT`` or ``SYMBOL``).
        balance: Initial wallet balance in ``asset``.
        asset: The settle (margin) asset.
        default_leverage: Leverage of a symbol nobody has set yet.
        first_order_id: The first regular order id (ids increase by one).
        first_conditional_id: The first conditional order id.
        clock: Milliseconds since the epoch; defaults to wall time.
        rules: The rules that are the venue's own (see
            :class:`~hedgekit.testing.engine_types.EngineRules`); Binance USD-M's by default.

    Example:
        >>> engine = Engine([btc], mark_prices={"BTCUSDT": Decimal("60000")})  # doctest: +SKIP
        >>> engine.set_position_mode(PositionMode.HEDGE)  # doctest: +SKIP
        >>> engine.place_order("BTCUSDT", Side.BUY, Decimal("0.01"),
        ...                    position_side=PositionSide.LONG)  # doctest: +SKIP
    """

    def __init__(
        self,
        markets: Iterable[Market],
        *,
        mark_prices: Mapping[str, Number],
        mode_scope: ModeScope = ModeScope.ACCOUNT,
        balance: Number = Decimal("10000"),
        asset: str = "USDT",
        default_leverage: Number = 20,
        first_order_id: int = 1,
        first_conditional_id: int = 1,
        clock: Callable[[], int] | None = None,
        rules: EngineRules | None = None,
    ) -> None:
        self.rules = rules if rules is not None else EngineRules()
        """The venue's own rules this engine applies."""
        self._markets: dict[str, Market] = {m.symbol_id: m for m in markets}
        self._unified: dict[str, str] = {m.symbol: m.symbol_id for m in self._markets.values()}
        self.mode_scope = mode_scope
        self.asset = asset
        self.clock: Callable[[], int] = clock or _now_ms
        self._marks: dict[str, Decimal] = {}
        for key, price in mark_prices.items():
            self._marks[self.resolve(key)] = as_decimal(price)
        missing = sorted(set(self._markets) - set(self._marks))
        if missing:
            raise ValueError(f"no mark price for {', '.join(missing)}")
        self._ledger = Ledger(
            self._markets, self._marks, as_decimal(balance), leverage_value(default_leverage), lambda: self.clock()
        )
        self._account_mode = PositionMode.ONE_WAY
        self._symbol_modes: dict[str, PositionMode] = {}
        self._coin_modes: dict[str, PositionMode] = {}
        self._book = OrderBook(first_order_id)
        self._triggers = TriggerBook(
            first_conditional_id, lambda: self.clock(), on_change=self._conditional_stored
        )
        self.liquidations: list[Liquidation] = []
        """Every liquidation :meth:`set_mark_price` performed, oldest first."""
        self.events = EventBus()
        """Every change, published once (see :mod:`hedgekit.testing.engine_events`)."""
        self._trade_id = 0
        self.account_book = AccountBook(list(self._markets), lambda: self.clock())
        """Fills, funding settlements and the funding schedule (:mod:`hedgekit.testing.engine_account`)."""

    # ----------------------------------------------------------------- publishing

    def _conditional_stored(self, conditional: ConditionalOrder) -> None:
        if self.events.active:
            self.events.publish(ConditionalChanged(conditional, conditional.update_time))

    def _order_stored(self, order: Order, fill: FillInfo | None = None) -> None:
        if self.events.active:
            self.events.publish(OrderChanged(order, fill, order.update_time))

    def _legs_changed(self, sid: str, reason: ChangeReason) -> None:
        if self.events.active:
            self.events.publish(LegsChanged(sid, self.mode_legs(sid), reason, self.clock()))

    def mode_legs(self, symbol: str) -> tuple[Leg, ...]:
        """Every leg the symbol's mode has (``LONG`` and ``SHORT``, or ``BOTH``), empty ones too."""
        sid = self.resolve(symbol)
        if self.position_mode(sid) is PositionMode.HEDGE:
            sides: tuple[PositionSide, ...] = (PositionSide.LONG, PositionSide.SHORT)
        else:
            sides = (PositionSide.BOTH,)
        return tuple(self._ledger.view(sid, side) for side in sides)

    # ----------------------------------------------------------------- markets and prices

    def markets(self) -> list[Market]:
        """All listed markets, in listing order."""
        return list(self._markets.values())

    def resolve(self, symbol: str) -> str:
        """Return the venue id of ``symbol`` (a venue id or a unified symbol).

        Raises:
            EngineError: ``UNKNOWN_SYMBOL`` if no market matches.
        """
        if symbol in self._markets:
            return symbol
        if symbol in self._unified:
            return self._unified[symbol]
        raise EngineError(Reason.UNKNOWN_SYMBOL, symbol)

    def market(self, symbol: str) -> Market:
        """The market for a venue id or unified symbol."""
        return self._markets[self.resolve(symbol)]

    def mark_price(self, symbol: str) -> Decimal:
        """The current mark price of ``symbol``."""
        return self._marks[self.resolve(symbol)]

    def set_mark_price(self, symbol: str, price: Number) -> None:
        """Move the mark, then fill resting limits, fire conditionals and liquidate as due."""
        sid = self.resolve(symbol)
        self._marks[sid] = as_decimal(price)
        for _ in range(100):  # a fill can trigger a conditional that rests a limit, and so on
            if not (self._match_resting(sid) | self._check_conditionals(sid)):
                break
        done = self._ledger.liquidate()
        self.liquidations.extend(done)
        if self.events.active:
            for liquidation in done:
                self.events.publish(LiquidationHappened(liquidation))
            for liquidated in sorted({liquidation.symbol for liquidation in done}):
                self._legs_changed(liquidated, ChangeReason.LIQUIDATION)
            if sid not in {liquidation.symbol for liquidation in done}:
                self._legs_changed(sid, ChangeReason.MARK)

    # ----------------------------------------------------------------- account

    @property
    def wallet_balance(self) -> Decimal:
        """Wallet balance in the settle asset (realised PnL included, isolated margin included)."""
        return self._ledger.wallet

    def set_wallet_balance(self, amount: Number) -> None:
        """Replace the wallet balance (for tests)."""
        self._ledger.wallet = as_decimal(amount)

    def account(self) -> AccountSummary:
        """Account-wide balances and margins at the current marks."""
        return self._ledger.summary(self.asset, self.open_order_margin())

    def open_order_margin(
        self, symbol: str | None = None, position_side: PositionSide | str | None = None
    ) -> Decimal:
        """Initial margin the open orders reserve (orders that would open exposure only)."""
        side = None if position_side is None else as_enum(PositionSide, position_side)
        return sum(
            (self._order_margin(o) for o in self.open_orders(symbol)
             if side in (None, o.position_side)),
            ZERO,
        )

    # ----------------------------------------------------------------- position mode

    def position_mode(self, symbol: str | None = None) -> PositionMode:
        """The position mode that applies to ``symbol`` (ignored for an account-wide scope).

        In ``SYMBOL`` scope a symbol's own setting wins over its settle coin's default, which wins
        over one-way mode.
        """
        if self.mode_scope is ModeScope.ACCOUNT:
            return self._account_mode
        if symbol is None:
            raise ValueError("a per-symbol mode scope needs a symbol")
        sid = self.resolve(symbol)
        coin_default = self._coin_modes.get(self._markets[sid].settle, PositionMode.ONE_WAY)
        return self._symbol_modes.get(sid, coin_default)

    def set_position_mode(
        self, mode: PositionMode | str, symbol: str | None = None, *, coin: str | None = None
    ) -> list[str]:
        """Switch the position mode of a scope.

        Account scope switches every symbol. Symbol scope switches ``symbol``; given ``coin``
        instead, it sets that settle coin's default and switches its symbols that hold no
        exposure, leaving the others in their current mode.

        Returns:
            The symbol ids a coin-level switch skipped because they hold exposure.

        Raises:
            EngineError: ``MODE_UNCHANGED``, ``MODE_BLOCKED_BY_ORDERS``, ``MODE_BLOCKED_BY_POSITION``.
        """
        mode = as_enum(PositionMode, mode)
        if self.mode_scope is ModeScope.SYMBOL and coin is not None and symbol is None:
            skipped = []
            for sid, market in self._markets.items():
                if market.settle != coin:
                    continue
                if self._has_orders([sid]) or self._ledger.has_position([sid]):
                    self._symbol_modes[sid] = self.position_mode(sid)
                    skipped.append(sid)
                else:
                    self._symbol_modes.pop(sid, None)
            self._coin_modes[coin] = mode
            return skipped
        if self.mode_scope is ModeScope.ACCOUNT:
            scope = list(self._markets)
        elif symbol is None:
            raise ValueError("a per-symbol mode scope needs a symbol or a coin")
        else:
            scope = [self.resolve(symbol)]
        if self.position_mode(scope[0]) is mode:
            raise EngineError(Reason.MODE_UNCHANGED)
        if self.rules.mode_blocked_by_orders and self._has_orders(scope):
            raise EngineError(Reason.MODE_BLOCKED_BY_ORDERS)
        if self.rules.mode_blocked_by_position and self._ledger.has_position(scope):
            raise EngineError(Reason.MODE_BLOCKED_BY_POSITION)
        if self.mode_scope is ModeScope.ACCOUNT:
            self._account_mode = mode
        else:
            self._symbol_modes[scope[0]] = mode
        if self.events.active:
            key = None if self.mode_scope is ModeScope.ACCOUNT else scope[0]
            self.events.publish(ModeChanged(key, mode, self.clock()))
        return []

    # ----------------------------------------------------------------- margin type, leverage

    def margin_type(self, symbol: str) -> MarginType:
        """The margin type of ``symbol`` (``CROSSED`` until changed)."""
        return self._ledger.margin_type(self.resolve(symbol))

    def set_margin_type(self, symbol: str, margin_type: MarginType | str) -> None:
        """Change the margin type of ``symbol``.

        Raises:
            EngineError: ``MARGIN_TYPE_UNCHANGED``, ``MARGIN_TYPE_BLOCKED_BY_ORDERS`` or
                ``MARGIN_TYPE_BLOCKED_BY_POSITION``.
        """
        sid = self.resolve(symbol)
        margin_type = as_enum(MarginType, margin_type)
        if self.margin_type(sid) is margin_type:
            raise EngineError(Reason.MARGIN_TYPE_UNCHANGED)
        if self.rules.margin_type_blocked_by_orders and self._has_orders([sid]):
            raise EngineError(Reason.MARGIN_TYPE_BLOCKED_BY_ORDERS)
        if self.rules.margin_type_blocked_by_position and self._ledger.has_position([sid]):
            raise EngineError(Reason.MARGIN_TYPE_BLOCKED_BY_POSITION)
        self._ledger.margin_types[sid] = margin_type
        self._legs_changed(sid, ChangeReason.MARGIN_TYPE)

    def leverage(self, symbol: str, position_side: PositionSide | str | None = None) -> Decimal:
        """The leverage of a leg: its own setting if one was made, else the symbol's."""
        side = None if position_side is None else as_enum(PositionSide, position_side)
        return self._ledger.leverage(self.resolve(symbol), side)

    def set_leverage(
        self, symbol: str, leverage: Number, position_side: PositionSide | str | None = None
    ) -> None:
        """Set the leverage of a symbol (both legs) or, given ``position_side``, of one leg.

        ``leverage`` may be fractional (``Decimal("12.5")``): which steps a venue takes is its
        frontend's check (Bybit's ``leverageStep`` 0.01, Binance's whole numbers). It is kept as
        :func:`~hedgekit.testing.engine_types.leverage_value` gives it (``Decimal("20")``, ``Decimal("12.5")``).

        Lowering the leverage of an isolated leg that holds a position is refused where the venue
        refuses it (:attr:`EngineRules.leverage_reduction_blocked`); elsewhere the leg's isolated
        margin grows to its initial margin at the new leverage, drawn from the available balance.

        Raises:
            EngineError: ``INVALID_LEVERAGE`` outside ``1..max_leverage``;
                ``LEVERAGE_REDUCTION_BLOCKED`` when lowering an isolated leg that holds a position
                on a venue with that rule; ``INSUFFICIENT_CROSS_BALANCE`` when the available
                balance cannot cover the margin a lowering needs.
        """
        sid = self.resolve(symbol)
        position_side = None if position_side is None else as_enum(PositionSide, position_side)
        leverage = leverage_value(leverage)
        if not 1 <= leverage <= self._markets[sid].max_leverage:
            raise EngineError(Reason.INVALID_LEVERAGE, str(leverage))
        top_ups: list[tuple[PositionSide, Decimal]] = []
        if self.margin_type(sid) is MarginType.ISOLATED:
            for side in PositionSide:
                if position_side not in (None, side):
                    continue
                state = self._ledger.legs.get((sid, side))
                if state is None or state.size == ZERO or leverage >= self.leverage(sid, side):
                    continue
                if self.rules.leverage_reduction_blocked:
                    raise EngineError(Reason.LEVERAGE_REDUCTION_BLOCKED)
                needed = abs(state.size) * state.entry / leverage - state.isolated_margin
                if needed > ZERO:
                    top_ups.append((side, needed))
            if sum((amount for _, amount in top_ups), ZERO) > self.account().available_balance:
                raise EngineError(Reason.INSUFFICIENT_CROSS_BALANCE)
        for side, amount in top_ups:
            self._ledger.state(sid, side).isolated_margin += amount
        if position_side is None:
            for key in [k for k in self._ledger.leverages if k[0] == sid]:
                del self._ledger.leverages[key]
        self._ledger.leverages[(sid, position_side)] = leverage
        self._legs_changed(sid, ChangeReason.LEVERAGE)

    def modify_isolated_margin(
        self, symbol: str, position_side: PositionSide | str, amount: Number
    ) -> Decimal:
        """Add (``amount > 0``) or remove (``amount < 0``) isolated margin on one leg.

        Returns:
            The leg's new isolated margin.

        Raises:
            EngineError: ``AMOUNT_NOT_POSITIVE``, ``NOT_ISOLATED``, ``NO_POSITION``,
                ``INSUFFICIENT_CROSS_BALANCE`` or ``INSUFFICIENT_ISOLATED_BALANCE``.
        """
        sid = self.resolve(symbol)
        position_side, amount = as_enum(PositionSide, position_side), as_decimal(amount)
        if amount == ZERO:
            raise EngineError(Reason.AMOUNT_NOT_POSITIVE)
        if self.margin_type(sid) is not MarginType.ISOLATED:
            raise EngineError(Reason.NOT_ISOLATED)
        state = self._ledger.state(sid, position_side)
        if state.size == ZERO:
            raise EngineError(Reason.NO_POSITION)
        if amount > ZERO and amount > self.account().available_balance:
            raise EngineError(Reason.INSUFFICIENT_CROSS_BALANCE)
        if amount < ZERO:
            view = self.leg(sid, position_side)
            removable = state.isolated_margin + min(view.unrealized_pnl, ZERO) - view.initial_margin
            if -amount > removable:
                raise EngineError(Reason.INSUFFICIENT_ISOLATED_BALANCE)
        state.isolated_margin += amount
        state.update_time = self.clock()
        self._legs_changed(sid, ChangeReason.MARGIN)
        return state.isolated_margin

    # ----------------------------------------------------------------- legs

    def leg(self, symbol: str, position_side: PositionSide | str) -> Leg:
        """A snapshot of one leg; an empty leg comes back with size 0.

        Example:
            >>> engine.leg("BTC/USDT:USDT", "SHORT").size  # doctest: +SKIP
            Decimal('0')
        """
        return self._ledger.view(self.resolve(symbol), as_enum(PositionSide, position_side))

    def legs(self, symbol: str | None = None) -> list[Leg]:
        """Snapshots of every non-empty leg, optionally of one symbol only."""
        return self._ledger.views(None if symbol is None else self.resolve(symbol))

    # ----------------------------------------------------------------- regular orders

    def place_order(
        self,
        symbol: str,
        side: Side | str,
        quantity: Number,
        *,
        order_type: OrderType | str = OrderType.MARKET,
        price: Number | None = None,
        position_side: PositionSide | str = PositionSide.BOTH,
        time_in_force: TimeInForce | str = TimeInForce.GTC,
        reduce_only: bool = False,
        client_order_id: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> Order:
        """Validate, accept and (if it can) fill a regular order; see the module rules.

        Returns:
            The order after placement: ``FILLED``, resting ``NEW``, or ``EXPIRED`` (an IOC limit
            that was not marketable).

        Raises:
            EngineError: on any validation, mode, reduce or margin failure.
        """
        return self._submit(
            symbol, as_enum(Side, side), as_decimal(quantity), order_type=as_enum(OrderType, order_type),
            price=as_optional_decimal(price), position_side=as_enum(PositionSide, position_side),
            time_in_force=as_enum(TimeInForce, time_in_force), reduce_only=reduce_only,
            client_order_id=client_order_id, extra=extra,
        )

    def cancel_order(
        self, symbol: str, *, order_id: int | None = None, client_order_id: str | None = None
    ) -> Order:
        """Cancel an open order by id or client id.

        Raises:
            EngineError: ``ORDER_NOT_FOUND`` if no open order of ``symbol`` matches.
        """
        order = self._book.find(self.resolve(symbol), order_id, client_order_id, open_only=True)
        return self._finish(order, OrderStatus.CANCELED)

    def cancel_all_orders(self, symbol: str) -> list[Order]:
        """Cancel every open regular order of ``symbol``."""
        return [self._finish(o, OrderStatus.CANCELED) for o in self.open_orders(symbol)]

    def get_order(
        self, symbol: str, *, order_id: int | None = None, client_order_id: str | None = None
    ) -> Order:
        """Any order of ``symbol`` by id or client id (the newest with that client id).

        Raises:
            EngineError: ``ORDER_NOT_FOUND``.
        """
        return self._book.find(self.resolve(symbol), order_id, client_order_id, open_only=False)

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open (``NEW``) regular orders, oldest first, optionally of one symbol."""
        return self._book.open(None if symbol is None else self.resolve(symbol))

    def all_orders(self, symbol: str | None = None) -> list[Order]:
        """Every regular order ever placed, oldest first, optionally of one symbol."""
        return self._book.all(None if symbol is None else self.resolve(symbol))

    def open_order(
        self, symbol: str, *, order_id: int | None = None, client_order_id: str | None = None
    ) -> Order:
        """An open order of ``symbol`` by id or client id (the newest open one with that client id).

        Raises:
            EngineError: ``ORDER_NOT_FOUND`` if no open order of ``symbol`` matches.
        """
        return self._book.find(self.resolve(symbol), order_id, client_order_id, open_only=True)

    def orders_by_client_id(
        self, client_order_id: str, symbol: str | None = None, *, open_only: bool = False
    ) -> list[Order]:
        """Regular orders with this client id, oldest first, optionally of one symbol or open only.

        Costs O(orders with that client id), not O(orders ever placed).
        """
        sid = None if symbol is None else self.resolve(symbol)
        return self._book.by_client(client_order_id, sid, open_only=open_only)

    # ----------------------------------------------------------------- conditional orders

    def place_conditional(
        self,
        symbol: str,
        side: Side | str,
        conditional_type: ConditionalType | str,
        *,
        quantity: Number | None = None,
        trigger_price: Number | None = None,
        price: Number | None = None,
        position_side: PositionSide | str = PositionSide.BOTH,
        time_in_force: TimeInForce | str = TimeInForce.GTC,
        reduce_only: bool = False,
        close_position: bool = False,
        callback_rate: Number | None = None,
        activation_price: Number | None = None,
        client_id: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> ConditionalOrder:
        """Accept a conditional order. No margin is checked until it triggers.

        The venue's own rules (:attr:`rules`) decide the callback-rate range, and whether a trigger
        or an activation price on the wrong side of the mark is refused.

        Raises:
            EngineError: ``QUANTITY_*``/``PRICE_*`` for bad numbers, ``CALLBACK_RATE_OUT_OF_RANGE``,
                ``POSITION_SIDE_MISMATCH``, ``DUPLICATE_CLIENT_ID`` or ``WOULD_IMMEDIATELY_TRIGGER``.
        """
        sid = self.resolve(symbol)
        market = self._markets[sid]
        side, conditional_type = as_enum(Side, side), as_enum(ConditionalType, conditional_type)
        position_side, time_in_force = as_enum(PositionSide, position_side), as_enum(TimeInForce, time_in_force)
        quantity, trigger_price, price = as_optional_decimal(quantity), as_optional_decimal(trigger_price), as_optional_decimal(price)
        callback_rate, activation_price = as_optional_decimal(callback_rate), as_optional_decimal(activation_price)
        if not close_position:
            if quantity is None:
                raise EngineError(Reason.QUANTITY_NOT_POSITIVE)
            check_quantity(market, quantity, market.max_qty)
        trailing = conditional_type is ConditionalType.TRAILING_STOP_MARKET
        for value in (trigger_price, price, activation_price):
            if value is not None:
                check_price(market, value)
        if not trailing and trigger_price is None:
            raise EngineError(Reason.PRICE_NOT_POSITIVE, "trigger price")
        if conditional_type in (ConditionalType.STOP, ConditionalType.TAKE_PROFIT) and price is None:
            raise EngineError(Reason.PRICE_NOT_POSITIVE, "price")
        if trailing and (callback_rate is None or callback_rate <= ZERO):
            raise EngineError(Reason.PRICE_NOT_POSITIVE, "callback rate")
        rules = self.rules
        if trailing and callback_rate is not None and not rules.callback_rate_allowed(callback_rate):
            raise EngineError(Reason.CALLBACK_RATE_OUT_OF_RANGE, str(callback_rate))
        self._check_position_side(sid, position_side)
        if client_id is not None and self._triggers.has_waiting_client(client_id):
            raise EngineError(Reason.DUPLICATE_CLIENT_ID, client_id)
        mark = self._marks[sid]
        if not trailing and trigger_price is not None and rules.trigger_side_checked:
            at_mark = trigger_price == mark
            if trigger_hit(conditional_type, side, trigger_price, mark) and (
                    rules.trigger_at_mark_refused or not at_mark):
                raise EngineError(Reason.WOULD_IMMEDIATELY_TRIGGER)
        if trailing and activation_price is not None and rules.activation_side_checked:
            # a SELL trails a rise, so it activates above the mark; a BUY below it
            if activation_price <= mark if side is Side.SELL else activation_price >= mark:
                raise EngineError(Reason.WOULD_IMMEDIATELY_TRIGGER, "activation price")
        now = self.clock()
        conditional = ConditionalOrder(
            conditional_id=self._triggers.next_id, client_id=client_id or new_client_id(),
            symbol=sid, side=side, position_side=position_side,
            conditional_type=conditional_type, time_in_force=time_in_force,
            quantity=None if close_position else quantity, trigger_price=trigger_price,
            price=price, callback_rate=callback_rate, activation_price=activation_price,
            reduce_only=reduce_only, close_position=close_position,
            status=ConditionalStatus.NEW, create_time=now, update_time=now, trigger_time=0,
            triggered_order_id=None, extra=dict(extra or {}),
        )
        return self._triggers.add(conditional, mark)

    def cancel_conditional(
        self, *, conditional_id: int | None = None, client_id: str | None = None
    ) -> ConditionalOrder:
        """Cancel a waiting (``NEW``) conditional order by id or client id.

        Raises:
            EngineError: ``ORDER_NOT_FOUND``.
        """
        conditional = self._triggers.find(conditional_id, client_id, open_only=True)
        return self._triggers.update(conditional, ConditionalStatus.CANCELED)

    def amend_conditional(
        self, *, conditional_id: int | None = None, client_id: str | None = None,
        quantity: Number | None = None, trigger_price: Number | None = None,
    ) -> ConditionalOrder:
        """Change the trigger price and/or quantity of a waiting stop or take-profit, keeping its id.

        The same checks as :meth:`place_conditional` apply to the new figures: the quantity on the
        lot, the trigger on the tick and, where :attr:`rules` say so, on the side of the mark where
        it does not fire at once. A trailing stop and a close-position order (no quantity) cannot be
        amended here.

        Raises:
            EngineError: ``ORDER_NOT_FOUND`` (not waiting), ``ORDER_NOT_AMENDABLE`` (a trailing stop,
                or a quantity for a close-position order), ``AMEND_UNCHANGED`` (same figures),
                ``QUANTITY_*`` / ``PRICE_*`` for bad numbers, ``WOULD_IMMEDIATELY_TRIGGER``.
        """
        conditional = self._triggers.find(conditional_id, client_id, open_only=True)
        if conditional.conditional_type is ConditionalType.TRAILING_STOP_MARKET:
            raise EngineError(Reason.ORDER_NOT_AMENDABLE, conditional.conditional_type.value)
        market = self._markets[conditional.symbol]
        new_quantity = conditional.quantity if quantity is None else as_decimal(quantity)
        if quantity is not None:
            if conditional.close_position:
                raise EngineError(Reason.ORDER_NOT_AMENDABLE, "close position")
            assert new_quantity is not None
            check_quantity(market, new_quantity, market.max_qty)
        new_trigger = conditional.trigger_price if trigger_price is None else as_decimal(trigger_price)
        assert new_trigger is not None  # a stop or take-profit always has one
        check_price(market, new_trigger)
        if new_quantity == conditional.quantity and new_trigger == conditional.trigger_price:
            raise EngineError(Reason.AMEND_UNCHANGED)
        mark = self._marks[conditional.symbol]
        if trigger_price is not None and self.rules.trigger_side_checked:
            if trigger_hit(conditional.conditional_type, conditional.side, new_trigger, mark) and (
                    self.rules.trigger_at_mark_refused or new_trigger != mark):
                raise EngineError(Reason.WOULD_IMMEDIATELY_TRIGGER)
        return self._triggers.update(conditional, conditional.status, quantity=new_quantity, trigger_price=new_trigger)

    def cancel_all_conditionals(self, symbol: str) -> list[ConditionalOrder]:
        """Cancel every waiting conditional order of ``symbol``."""
        canceled = ConditionalStatus.CANCELED
        return [self._triggers.update(c, canceled) for c in self.conditional_orders(symbol)]

    def get_conditional(
        self, *, conditional_id: int | None = None, client_id: str | None = None
    ) -> ConditionalOrder:
        """Any conditional order by id or client id (the newest with that client id).

        Raises:
            EngineError: ``ORDER_NOT_FOUND``.
        """
        return self._triggers.find(conditional_id, client_id, open_only=False)

    def conditional_orders(self, symbol: str | None = None) -> list[ConditionalOrder]:
        """Waiting (``NEW``) conditional orders, oldest first, optionally of one symbol."""
        return self._triggers.waiting(None if symbol is None else self.resolve(symbol))

    def all_conditional_orders(self, symbol: str | None = None) -> list[ConditionalOrder]:
        """Every conditional order ever placed, oldest first, optionally of one symbol."""
        return self._triggers.all(None if symbol is None else self.resolve(symbol))

    def conditional_orders_since(self, count: int) -> list[ConditionalOrder]:
        """Every conditional order placed after the first ``count`` ever placed, oldest first.

        A frontend that has seen ``count`` of them gets only the new ones (O(new ones)).
        """
        return self._triggers.since(count)

    def conditionals_by_client_id(
        self, client_id: str, symbol: str | None = None, *, open_only: bool = False
    ) -> list[ConditionalOrder]:
        """Conditional orders with this client id, oldest first; ``open_only``: waiting ones only."""
        sid = None if symbol is None else self.resolve(symbol)
        return self._triggers.by_client(client_id, sid, open_only=open_only)

    def triggered_conditionals(self, symbol: str | None = None) -> list[ConditionalOrder]:
        """``TRIGGERED`` conditional orders (the limit order each placed still rests), in firing order."""
        return self._triggers.triggered(None if symbol is None else self.resolve(symbol))

    def conditional_of_order(self, order_id: int) -> ConditionalOrder | None:
        """The conditional order whose trigger placed regular order ``order_id`` (``None``: none did)."""
        return self._triggers.placed_by(order_id)

    # ================================================================= internals

    def _has_orders(self, sids: list[str]) -> bool:
        return any(o.symbol in sids for o in self.open_orders()) or any(
            c.symbol in sids for c in self.conditional_orders()
        )

    def _check_position_side(self, sid: str, position_side: PositionSide) -> None:
        hedge = self.position_mode(sid) is PositionMode.HEDGE
        if hedge == (position_side is PositionSide.BOTH):
            raise EngineError(Reason.POSITION_SIDE_MISMATCH)

    def _order_margin(self, order: Order) -> Decimal:
        closing, reducible = self._ledger.reducible(order.symbol, order.side, order.position_side)
        if order.position_side is not PositionSide.BOTH and closing:
            return ZERO
        opening = max(order.quantity - reducible, ZERO)
        return opening * order.price / self.leverage(order.symbol, order.position_side)

    def _submit(
        self,
        symbol: str,
        side: Side,
        quantity: Decimal,
        *,
        order_type: OrderType,
        price: Decimal | None,
        position_side: PositionSide,
        time_in_force: TimeInForce,
        reduce_only: bool,
        client_order_id: str | None,
        extra: Mapping[str, str] | None,
        close_position: bool = False,
        orig_type: str | None = None,
        stop_price: Decimal = ZERO,
    ) -> Order:
        sid = self.resolve(symbol)
        market = self._markets[sid]
        limit = order_type is OrderType.LIMIT
        check_quantity(market, quantity, market.max_qty if limit else market.market_max_qty)
        if limit:
            if price is None:
                raise EngineError(Reason.PRICE_NOT_POSITIVE, "limit order without a price")
            check_price(market, price)
        self._check_position_side(sid, position_side)
        if client_order_id is not None and self._book.has_open_client(client_order_id):
            raise EngineError(Reason.DUPLICATE_CLIENT_ID, client_order_id)
        closing, reducible = self._ledger.reducible(sid, side, position_side)
        hedge_close = closing and position_side is not PositionSide.BOTH
        if (reduce_only or hedge_close) and (not closing or quantity > reducible):
            raise EngineError(Reason.REDUCE_ONLY_REJECTED)
        mark = self._marks[sid]
        marketable = not limit or (price is not None and (
            price >= mark if side is Side.BUY else price <= mark))
        reference = mark if marketable or price is None else price
        if not (reduce_only or hedge_close) and quantity * reference < market.min_notional:
            raise EngineError(Reason.NOTIONAL_BELOW_MIN, min_notional=market.min_notional)
        if limit and marketable and time_in_force is TimeInForce.GTX:
            raise EngineError(Reason.POST_ONLY_WOULD_TAKE)
        if limit and not marketable and time_in_force is TimeInForce.FOK:
            raise EngineError(Reason.FOK_NOT_FILLED)
        opening = ZERO if hedge_close else max(quantity - reducible, ZERO)
        required = opening * reference / self.leverage(sid, position_side)
        if required > ZERO and required > self.account().available_balance:
            raise EngineError(Reason.INSUFFICIENT_MARGIN)
        now = self.clock()
        order = Order(
            order_id=self._book.next_id, client_order_id=client_order_id or new_client_id(),
            symbol=sid, side=side, position_side=position_side, order_type=order_type,
            time_in_force=time_in_force, quantity=quantity, price=price if limit and price else ZERO,
            reduce_only=reduce_only, close_position=close_position, status=OrderStatus.NEW,
            executed_qty=ZERO, avg_price=ZERO, cum_quote=ZERO,
            orig_type=orig_type or order_type.value, stop_price=stop_price, create_time=now,
            update_time=now, extra=dict(extra or {}),
        )
        self._book.store(order)
        self._order_stored(order)
        if marketable:
            return self._fill(order, mark)
        if time_in_force is TimeInForce.IOC:
            return self._finish(order, OrderStatus.EXPIRED)
        return order

    def _fill(self, order: Order, price: Decimal) -> Order:
        wallet = self._ledger.wallet
        _, closable = self._ledger.reducible(order.symbol, order.side, order.position_side)
        self._ledger.apply_fill(order.symbol, order.position_side, order.side, order.quantity, price)
        now = self.clock()
        self._record_fill(order, price, self._ledger.wallet - wallet, min(closable, order.quantity), now)
        filled = evolve(
            order, status=OrderStatus.FILLED, executed_qty=order.quantity, avg_price=price,
            cum_quote=order.quantity * price, update_time=now,
        )
        self._book.store(filled)
        if self.events.active:
            self._trade_id += 1
            fill = FillInfo(
                trade_id=self._trade_id, quantity=order.quantity, price=price,
                realized_pnl=self.account_book.fills[-1].realized_pnl, fee=self.account_book.fills[-1].fee,
                maker=order.order_type is OrderType.LIMIT and order.update_time < now, time=now,
            )
            self._legs_changed(order.symbol, ChangeReason.ORDER)
            self._order_stored(filled, fill)
        self._triggers.child_done(filled.order_id)
        return filled

    def _record_fill(self, order: Order, price: Decimal, realized: Decimal, closed: Decimal, now: int) -> None:
        """Book a fill in :attr:`account_book` and charge its fee (0 unless a test sets a rate)."""
        maker = order.order_type is OrderType.LIMIT and order.update_time < now
        fee = self.account_book.fee(order.quantity * price, maker)
        self._ledger.wallet -= fee
        book = self.account_book
        book.fills.append(FillRecord(
            trade_id=len(book.fills) + 1, order_id=order.order_id, client_order_id=order.client_order_id,
            symbol=order.symbol, side=order.side, position_side=order.position_side, price=price,
            quantity=order.quantity, fee=fee, realized_pnl=realized, maker=maker, closed_size=closed,
            mark_price=self._marks[order.symbol], time=now,
        ))

    # ----------------------------------------------------------------- funding and amendments

    def settle_funding(self, symbol: str, rate: Number | None = None, *, time: int | None = None) -> list[FundingRecord]:
        """Settle one funding payment of ``symbol`` now (or at ``time``, ms) at ``rate``.

        ``rate`` defaults to the market's current rate (``account_book.funding_rates``); a given
        rate also becomes the current one. Every open leg pays ``size * mark * rate`` when long and
        receives it when short (see :mod:`hedgekit.testing.engine_account`). Returns the leg
        records, oldest first; the settled rate is recorded even when no leg is open.
        """
        sid = self.resolve(symbol)
        book = self.account_book
        if rate is not None:
            book.funding_rates[sid] = as_decimal(rate)
        value = book.funding_rates[sid]
        at = self.clock() if time is None else time
        mark = self._marks[sid]
        book.rates.append(RateRecord(sid, value, mark, at))
        done: list[FundingRecord] = []
        for leg in self.mode_legs(sid):
            if leg.is_empty:
                continue
            amount = -leg.signed_size * mark * value
            self._ledger.wallet += amount
            isolated = leg.margin_type is MarginType.ISOLATED
            if isolated:
                self._ledger.state(sid, leg.position_side).isolated_margin += amount
            record = FundingRecord(
                funding_id=len(book.funding) + 1, symbol=sid, position_side=leg.position_side,
                size=leg.size, mark_price=mark, rate=value, amount=amount, isolated=isolated,
                wallet_after=self._ledger.wallet, time=at,
            )
            book.funding.append(record)
            done.append(record)
        if done:
            self._legs_changed(sid, ChangeReason.FUNDING)
        return done

    def settle_due_funding(self) -> list[FundingRecord]:
        """Settle every scheduled funding time that has come since the last call (each venue's
        interval, ``account_book.interval_hours``); the simulator calls it before each request."""
        done: list[FundingRecord] = []
        for sid, at in self.account_book.due():
            done.extend(self.settle_funding(sid, time=at))
        return done

    def amend_order(
        self, symbol: str, *, order_id: int | None = None, client_order_id: str | None = None,
        quantity: Number | None = None, price: Number | None = None,
    ) -> Order:
        """Change the price and/or quantity of a resting limit order, keeping its id.

        A price that makes the order marketable fills it at the mark at once (a post-only order
        is canceled instead, as Binance does); otherwise it rests with its new figures. Margin is
        not checked again (a simplification).

        Raises:
            EngineError: ``ORDER_NOT_FOUND`` (no open order), ``ORDER_NOT_AMENDABLE`` (not a
                limit order), ``AMEND_UNCHANGED`` (same price and quantity), ``QUANTITY_*`` /
                ``PRICE_*`` for bad numbers, ``REDUCE_ONLY_REJECTED`` for a close beyond its leg.
        """
        sid = self.resolve(symbol)
        order = self._book.find(sid, order_id, client_order_id, open_only=True)
        if order.order_type is not OrderType.LIMIT:
            raise EngineError(Reason.ORDER_NOT_AMENDABLE, order.order_type.value)
        market = self._markets[sid]
        new_quantity = order.quantity if quantity is None else as_decimal(quantity)
        new_price = order.price if price is None else as_decimal(price)
        check_quantity(market, new_quantity, market.max_qty)
        check_price(market, new_price)
        if new_quantity == order.quantity and new_price == order.price:
            raise EngineError(Reason.AMEND_UNCHANGED)
        closing, reducible = self._ledger.reducible(sid, order.side, order.position_side)
        hedge_close = closing and order.position_side is not PositionSide.BOTH
        if (order.reduce_only or hedge_close) and new_quantity > reducible:
            raise EngineError(Reason.REDUCE_ONLY_REJECTED)
        amended = evolve(order, quantity=new_quantity, price=new_price, update_time=self.clock())
        self._book.store(amended)
        self._order_stored(amended)
        mark = self._marks[sid]
        if new_price >= mark if order.side is Side.BUY else new_price <= mark:
            if order.time_in_force is TimeInForce.GTX:
                return self._finish(amended, OrderStatus.CANCELED)
            return self._fill(amended, mark)
        return amended

    def _finish(self, order: Order, status: OrderStatus) -> Order:
        ended = evolve(order, status=status, update_time=self.clock())
        self._book.store(ended)
        self._order_stored(ended)
        self._triggers.child_done(ended.order_id)
        return ended

    def _match_resting(self, sid: str) -> bool:
        mark = self._marks[sid]
        changed = False
        for order in self.open_orders(sid):
            if order.order_type is not OrderType.LIMIT:
                continue
            if (order.side is Side.BUY and mark > order.price) or (
                order.side is Side.SELL and mark < order.price
            ):
                continue
            closing, reducible = self._ledger.reducible(sid, order.side, order.position_side)
            hedge_close = closing and order.position_side is not PositionSide.BOTH
            if (order.reduce_only or hedge_close) and order.quantity > reducible:
                self._finish(order, OrderStatus.EXPIRED)
            else:
                self._fill(order, order.price)
            changed = True
        return changed

    def _check_conditionals(self, sid: str) -> bool:
        fired = self._triggers.due(sid, self._marks[sid])
        for conditional in fired:
            self._fire(conditional)
        return bool(fired)

    def _fire(self, conditional: ConditionalOrder) -> None:
        sid = conditional.symbol
        now = self.clock()
        quantity = conditional.quantity
        if conditional.close_position:
            _, quantity = self._ledger.reducible(sid, conditional.side, conditional.position_side)
        if not quantity:
            self._triggers.update(conditional, ConditionalStatus.EXPIRED, trigger_time=now)
            return
        limit = conditional.conditional_type in (ConditionalType.STOP, ConditionalType.TAKE_PROFIT)
        one_way = conditional.position_side is PositionSide.BOTH
        try:
            order = self._submit(
                sid, conditional.side, quantity,
                order_type=OrderType.LIMIT if limit else OrderType.MARKET,
                price=conditional.price if limit else None,
                position_side=conditional.position_side, time_in_force=conditional.time_in_force,
                reduce_only=conditional.reduce_only or (conditional.close_position and one_way),
                client_order_id=None, extra=conditional.extra,
                close_position=conditional.close_position,
                orig_type=conditional.conditional_type.value,
                stop_price=conditional.trigger_price or ZERO,
            )
        except EngineError:
            self._triggers.update(conditional, ConditionalStatus.REJECTED, trigger_time=now)
            return
        if order.status is OrderStatus.NEW:
            self._triggers.link(order.order_id, conditional)
            status = ConditionalStatus.TRIGGERED
        else:
            status = ConditionalStatus.FINISHED
        self._triggers.update(
            conditional, status, trigger_time=now, triggered_order_id=order.order_id
        )
