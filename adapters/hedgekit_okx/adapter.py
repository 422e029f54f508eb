"""The OKX v5 adapter (``instType=SWAP``, USDT-margined linear perpetuals), on ccxt ``okx``.

:mod:`.auth` signs, :mod:`.transport` rate-limits and ccxt sends; this module calls ccxt's implicit
endpoints (``privateGetAccountConfig``, ``privatePostTradeOrder``, ...) and parses OKX's JSON itself
(:mod:`.wire`, :mod:`.wire_orders`), so numbers stay Decimal and sizes convert exactly between
hedgekit's base units and OKX's contracts.

What OKX needs that the other venues do not (shared/VENUES.md §4):

* **Account level.** ``acctLv`` 4 (portfolio margin) holds net positions only, so a switch to
  hedge mode is refused locally with :class:`~hedgekit.errors.InvalidRequest` (the account mode,
  not open exposure, is in the way; the venue would answer 51041). Isolated margin needs
  ``acctLv`` 2 (Futures mode): :meth:`OkxAdapter.set_margin_mode` refuses it elsewhere.
* **Margin mode is per order.** OKX has no per-instrument margin setting: every order carries
  ``tdMode``. :meth:`OkxAdapter.set_margin_mode` remembers the choice per symbol (in this adapter,
  for its lifetime) and sends it as ``tdMode``/``mgnMode``; with no choice made, opening orders use
  ``connect(options={"margin_mode": "isolated"|"cross"})`` (default cross) and closing orders use the
  margin mode of the leg they close. That mode is remembered per (symbol, leg) from what this
  adapter saw: the orders that opened the leg and every position read (``legs``, ``positions``,
  the exposure check), so a closing order needs no position read of its own; only a leg this
  adapter knows nothing about is looked up (``GET /account/positions``) before closing it, and a
  closing order the venue refuses drops what was remembered for its leg.
* **Conditional orders** live behind ``/trade/order-algo``; their list needs one request per
  ``ordType``, and the exposure check asks for every one (``conditional,oco``, ``trigger``,
  ``move_order_stop``, ``chase``, ``iceberg``, ``twap``, ``smart_iceberg``), every page.
* **Exposure is account-wide.** The position mode covers every FUTURES and SWAP instrument, so the
  exposure check also reports positions and orders on instruments hedgekit does not list (expiry
  futures, inverse or USDC swaps) under the venue's instrument id, with sizes in contracts.

Orders are answered from the acknowledgement: ``POST /trade/order`` and ``/trade/order-algo``
answer ids only (``ordId``/``algoId``, ``clOrdId``, ``sCode``), so :meth:`OkxAdapter.place_order`
returns the order as it was accepted (status ``NEW``, nothing filled yet, ``raw`` the venue's
answer) in one round trip. Read it again with ``fetch_order`` to see fills and the average price.

Settings through ``connect(..., options={...})``:

* ``margin_mode``: ``"cross"`` (default) or ``"isolated"``, see above;
* ``confirm_orders``: ``True`` to read every order back after placing it (``GET /trade/order`` or
  ``/trade/order-algo``, one more round trip) and return it as the venue then reports it, e.g. a
  market order ``FILLED`` with its average price; if that read fails the acknowledged order is
  returned. Default ``False``;
* ``ccxt_options``: merged into the ccxt exchange's options.

Rate limits: see :mod:`hedgekit_okx.transport` (OKX's own per-endpoint limits, not ccxt's).
"""

from __future__ import annotations

import asyncio
import logging
import string
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from hedgekit.adapter import ConditionalRules, ConnectConfig, OrderRequest, VenueAdapter
from hedgekit.errors import ConfigurationError, ExchangeError, HedgekitError, InvalidRequest, OrderRejected
from hedgekit.models import (
    Exposure,
    Leg,
    Leverage,
    MarginMode,
    Market,
    ModeScope,
    ModeState,
    Order,
    OrderStatus,
    PositionMode,
    PositionSide,
    leverage_value,
    trusted,
)

from hedgekit.stream_session import StreamOptions, StreamSession

from hedgekit_okx import ids, wire
from hedgekit_okx.account import OkxAccount
from hedgekit_okx import wire_orders as wo
from hedgekit_okx import rules
from hedgekit_okx.errors import ORDER_DOES_NOT_EXIST
from hedgekit_okx.transport import Transport, parsing

log = logging.getLogger(__name__)

#: Instrument types whose positions and orders fall under the account's ``posMode``
#: ("long_short_mode: long/short, only applicable to FUTURES/SWAP" — set-position-mode).
MODE_INST_TYPES = ("SWAP", "FUTURES")


class OkxAdapter(VenueAdapter, OkxAccount):
    """OKX v5 SWAP: account-wide ``posMode``, ``posSide`` per order, sizes in contracts, algo orders apart."""

    name: ClassVar[str] = "okx"
    conditional_limits: ClassVar[ConditionalRules] = rules.CONDITIONAL  # documented ranges (rules.py)
    #: clOrdId / algoClOrdId: "A combination of case-sensitive alphanumerics, all numbers, or all
    #: letters of up to 32 characters" (place-order, place-algo-order).
    client_order_id_max: ClassVar[int] = 32
    client_order_id_alphabet: ClassVar[str] = string.ascii_letters + string.digits

    def __init__(self, config: ConnectConfig) -> None:
        super().__init__(config)
        self._transport = Transport(config)
        self._margin_modes: dict[str, MarginMode] = {}
        #: the margin mode of each leg as last seen, by (symbol, position side at the venue)
        self._leg_modes: dict[tuple[str, PositionSide], MarginMode] = {}
        #: ``acctLv`` of the last ``/account/config`` read
        self._level: str | None = None
        default = config.options.get("margin_mode", "cross")
        if default not in ("cross", "isolated"):
            raise ConfigurationError(f"options['margin_mode'] must be 'cross' or 'isolated', not {default!r}",
                                     venue=self.name)
        self._default_margin_mode = MarginMode(default)
        confirm = config.options.get("confirm_orders", False)
        if not isinstance(confirm, bool):
            raise ConfigurationError(f"options['confirm_orders'] must be True or False, not {confirm!r}",
                                     venue=self.name)
        self.confirm_orders = confirm

    def __repr__(self) -> str:
        return f"OkxAdapter(base_url={self.config.base_url!r}, testnet={self.config.testnet})"

    # -- live state --------------------------------------------------------------------------
    def stream_session(self, symbols: tuple[str, ...] | None, options: StreamOptions) -> StreamSession:
        """``/ws/v5/private`` + ``/ws/v5/business`` (:mod:`hedgekit_okx.stream`)."""
        from hedgekit_okx.stream import OkxStreamSession

        return OkxStreamSession(self, symbols, options)

    # -- lifecycle ---------------------------------------------------------------------------
    async def open(self) -> None:
        # No credential check here: the markets are public. A key without its passphrase (or
        # without its secret) is refused by the signer, before anything private is sent.
        self._transport.open()
        payload = await self._call("connect", "publicGetPublicInstruments", {"instType": "SWAP"})
        with parsing("public/instruments"):
            self._set_markets(wire.parse_markets(payload))
        if not self._markets:
            raise ExchangeError("the venue lists no live USDT-margined swap", venue=self.name)

    async def close(self) -> None:
        await self._transport.close()

    @property
    def exchange(self) -> Any:
        """The ccxt exchange this adapter sends through; ``None`` before :meth:`open` and after :meth:`close`."""
        return self._transport.exchange

    async def server_time_ms(self) -> int:
        """``GET /api/v5/public/time`` ``ts`` (ms)."""
        payload = await self._call("resync_time", "publicGetPublicTime", {})
        with parsing("public/time"):
            return int(wire.text(wire.first_row(payload, "public/time"), "ts"))

    async def resync_time(self) -> None:
        """Measure the clock offset with ``GET /api/v5/public/time`` (after 50102 "Timestamp request expired")."""
        server = await self.server_time_ms()
        exchange = self._transport.exchange
        local = exchange.milliseconds()
        self.clock_offset_ms = server - local
        exchange.options["timeDifference"] = local - server
        log.debug("okx clock offset now %s ms", exchange.options["timeDifference"])

    # -- deadlines ---------------------------------------------------------------------------
    def write_deadline_ms(self, *, conditional: bool) -> int | None:
        """The ``expTime`` every order request carries (:mod:`.deadline`); none for algo orders.

        OKX discards an order request it would process after ``expTime`` ("the request will not be
        processed if the current system time of the server is after the expTime", Transaction
        Timeouts). ``/trade/order-algo`` and the cancels take no ``expTime``.
        """
        if conditional:
            return None
        return self.venue_time_ms() + self.config.recv_window

    def refuses_duplicate_client_id(self, *, conditional: bool) -> bool:
        """Algo orders: ``51065`` "algoClOrdId already exists." while the first is pending.

        A stop, take-profit or trailing stop stays pending until it fires, so an algo order sent
        again with the same ``algoClOrdId`` cannot make a second one. Regular orders' ``clOrdId``
        is unique among pending orders only (place-order: "unique among pending orders"; ``51016``):
        a filled market order does not block its id, so they rely on ``expTime`` instead.
        """
        return conditional

    async def _call(self, operation: str, method: str, params: dict[str, Any] | list[dict[str, Any]], *,
                    symbol: str | None = None, client_order_id: str | None = None) -> Any:
        return await self._transport.call(operation, method, params, symbol=symbol, client_order_id=client_order_id)

    def _market_of(self, inst_id: Any, wanted: Market | None = None) -> Market | None:
        """The market a row's ``instId`` names; ``None`` for a well-formed id of an instrument
        hedgekit does not list (inverse or USDC swaps, expiry futures: the account's mode covers
        them too). A missing or non-string ``instId``, or (``wanted``: the one asked for) another
        instrument, is a malformed answer."""
        if not isinstance(inst_id, str) or not inst_id:
            raise wire.bad("a row without an instId", inst_id)
        market = self._by_venue_id.get(inst_id.upper())
        if wanted is not None and market is not wanted:
            raise wire.bad(f"a row of {inst_id} in the answer for {wanted.venue_symbol}", inst_id)
        return market

    # -- mode --------------------------------------------------------------------------------
    def mode_scope(self, symbol: str | None) -> tuple[ModeScope, str | None]:
        """OKX keeps one ``posMode`` for the whole account (all FUTURES and SWAP)."""
        return ModeScope.ACCOUNT, None

    async def _config(self, operation: str) -> tuple[PositionMode, str, Any]:
        payload = await self._call(operation, "privateGetAccountConfig", {})
        with parsing("account/config"):
            mode, level = wire.parse_config(payload)
        self._level = level  # the account mode changes on the web only; kept for switch_mode
        return mode, level, payload

    async def fetch_mode(self, symbol: str | None) -> ModeState:
        mode, _, payload = await self._config("position_mode")
        return ModeState(venue=self.name, mode=mode, scope=ModeScope.ACCOUNT, raw=payload)

    async def switch_mode(self, mode: PositionMode, symbol: str | None) -> None:
        """``POST /account/set-position-mode``; hedge mode is refused locally on acctLv 1 and 4.

        The account level is the one of the last ``/account/config`` read (the facade reads the mode,
        and so the level, just before switching); read here only when it was never read.
        """
        if mode is PositionMode.HEDGE:
            level = self._level
            if level is None:
                _, level, _ = await self._config("set_position_mode")
            if level in (wire.PORTFOLIO_MARGIN, wire.SPOT_MODE):
                reason = ("holds FUTURES and SWAP positions in net mode only" if level == wire.PORTFOLIO_MARGIN
                          else "cannot trade perpetual swaps")
                raise InvalidRequest(
                    f"hedge (long/short) mode is not available: the account mode is {wire.describe_level(level)}, "
                    f"which {reason}; switch the account to Futures mode (acctLv 2) or Multi-currency margin "
                    f"(acctLv 3) first",
                    venue=self.name, operation="set_position_mode",
                )
        await self._call("set_position_mode", "privatePostAccountSetPositionMode",
                         {"posMode": wire.POS_MODE[mode]})

    # -- reads -------------------------------------------------------------------------------
    async def _positions(self, operation: str, params: dict[str, str]) -> list[dict[str, Any]]:
        payload = await self._call(operation, "privateGetAccountPositions", params)
        with parsing("account/positions"):
            return wire.data_rows(payload, "account/positions")

    async def fetch_legs(self, symbol: str | None) -> list[Leg]:
        params = {"instType": "SWAP"}
        wanted = self.market(symbol) if symbol else None
        if wanted is not None:
            params["instId"] = wanted.venue_symbol
        rows = await self._positions("legs", params)
        self._learn_leg_modes(rows, symbol=wanted.symbol if wanted is not None else None)
        with parsing("account/positions"):
            # [] is flat: with instId OKX returns a position only once the instrument "ever had
            # position", and never without a valid posId (#trading-account-rest-api-get-positions)
            legs = []
            for row in _swap_rows(rows):
                market = self._market_of(row.get("instId"), wanted)
                if market is not None:  # None: an inverse or USDC swap
                    legs.append(wire.parse_leg(row, market))
        found: dict[str, set[PositionSide]] = {}
        for leg in legs:
            found.setdefault(leg.symbol, set()).add(leg.side)
        if wanted is not None:
            found.setdefault(wanted.symbol, set())
        fills = []
        for name, have in found.items():
            missing = [side for side in (PositionSide.LONG, PositionSide.SHORT) if side not in have]
            if not missing:
                continue
            margin_mode = self._margin_modes.get(name, self._default_margin_mode)
            model = next((leg for leg in legs if leg.symbol == name and leg.margin_mode is margin_mode), None)
            if model is not None and margin_mode is MarginMode.CROSS:
                # cross leverage is per contract ("SWAP under cross-margin at contract level",
                # #set-leverage): the listed cross leg's lever and mark are the flat one's too
                legs.extend(Leg(venue=self.name, symbol=name, side=side, mark_price=model.mark_price,
                                margin=Decimal(0), margin_mode=margin_mode, leverage=model.leverage)
                            for side in missing)
            else:
                fills.append(self._flat_legs(self.market(name), missing))
        for extra in await asyncio.gather(*fills):
            legs.extend(extra)
        return legs

    async def _flat_legs(self, market: Market, sides: list[PositionSide]) -> list[Leg]:
        """Flat legs ``/account/positions`` leaves out (it lists a leg only once it "ever had
        position"), with what a listed flat leg carries: the mark (``GET /public/mark-price``,
        ``markPx``), the margin mode an order would open the leg in (the one chosen for the
        contract, else the default) and its leverage (``GET /account/leverage-info`` for that
        ``mgnMode``: per ``posSide`` for isolated legs in long/short mode, else ``net``)."""
        margin_mode = self._margin_modes.get(market.symbol, self._default_margin_mode)
        marks, levers = await asyncio.gather(
            self._call("legs", "publicGetPublicMarkPrice", {"instType": "SWAP", "instId": market.venue_symbol},
                       symbol=market.symbol),
            self._call("legs", "privateGetAccountLeverageInfo",
                       {"instId": market.venue_symbol, "mgnMode": wire.MARGIN_MODE[margin_mode]}, symbol=market.symbol),
        )
        with parsing("public/mark-price"):
            rows = wire.data_rows(marks, "public/mark-price")
            if not rows:
                raise wire.bad("mark-price without the instrument", marks)
            mark = wire.req_dec(rows[0], "markPx")
        with parsing("account/leverage-info"):
            by_side: dict[PositionSide, Decimal] = {}
            for row in wire.data_rows(levers, "account/leverage-info"):
                by_side[wire.enum_of(wire.POS_SIDE_IN, row, "posSide")] = leverage_value(wire.req_dec(row, "lever"))
        return [
            Leg(venue=self.name, symbol=market.symbol, side=side, mark_price=mark, margin=Decimal(0),
                margin_mode=margin_mode, leverage=by_side.get(side, by_side.get(PositionSide.BOTH)))
            for side in sides
        ]

    async def fetch_open_orders(self, symbol: str | None) -> list[Order]:
        params = {"instType": "SWAP"}
        if symbol:
            params["instId"] = self.market(symbol).venue_symbol
        wanted = self.market(symbol) if symbol else None
        rows = await self._transport.pages("open_orders", "privateGetTradeOrdersPending", params, "ordId")
        with parsing("trade/orders-pending"):
            return [wo.parse_order(r, m) for r in _swap_rows(rows)
                    if (m := self._market_of(r.get("instId"), wanted)) is not None]

    async def _algo_rows(self, params: dict[str, str]) -> list[dict[str, Any]]:
        """Pending algo orders of every ``ordType`` (one paged list per type, read at once)."""
        lists = await asyncio.gather(*(
            self._transport.pages("open_orders", "privateGetTradeOrdersAlgoPending", {**params, "ordType": kind},
                                  "algoId")
            for kind in wo.ALGO_LIST_TYPES
        ))
        return [row for rows in lists for row in rows]

    async def fetch_conditional_orders(self, symbol: str | None) -> list[Order]:
        params = {"instType": "SWAP"}
        if symbol:
            params["instId"] = self.market(symbol).venue_symbol
        wanted = self.market(symbol) if symbol else None
        rows = await self._algo_rows(params)
        with parsing("trade/orders-algo-pending"):
            return [wo.parse_algo_order(r, m) for r in _swap_rows(rows)
                    if (m := self._market_of(r.get("instId"), wanted)) is not None]

    async def fetch_exposure(self, scope: ModeScope, scope_key: str | None) -> Exposure:
        """Every FUTURES and SWAP position, pending order and pending algo order (all types, all pages)."""
        positions, orders, algos = await asyncio.gather(
            self._positions("exposure", {}),
            self._transport.pages("exposure", "privateGetTradeOrdersPending", {}, "ordId"),
            self._algo_rows({}),
        )
        self._learn_leg_modes(positions, symbol=None)
        with parsing("exposure"):
            legs = [leg for row in _in_scope(positions) if (leg := self._any_leg(row)).is_open]
            regular = [wo.parse_order(r, self._market_of(r.get("instId"))) for r in _in_scope(orders)]
            conditional = [wo.parse_algo_order(r, self._market_of(r.get("instId"))) for r in _in_scope(algos)]
        return Exposure(venue=self.name, scope=scope, scope_key=scope_key, legs=tuple(legs),
                        orders=tuple(regular), conditional_orders=tuple(conditional))

    def _any_leg(self, row: dict[str, Any]) -> Leg:
        market = self._market_of(row.get("instId"))
        return wire.parse_leg(row, market) if market is not None else wire.parse_foreign_leg(row)

    # -- margin mode -------------------------------------------------------------------------
    def _learn_leg_modes(self, rows: list[dict[str, Any]], *, symbol: str | None) -> None:
        """Remember the margin mode of every open leg in position rows.

        The rows are all there is for ``symbol`` (every symbol when ``None``): a remembered leg that
        is not among them is flat now and forgotten. Rows that cannot be read are skipped here (the
        caller's own parsing reports them).
        """
        seen: dict[tuple[str, PositionSide], MarginMode] = {}
        for row in rows:
            if not isinstance(row, dict) or row.get("instType", "SWAP") != "SWAP":
                continue
            market = self._market_of(row.get("instId"))
            side = wire.POS_SIDE_IN.get(str(row.get("posSide")))
            mode = wire.MARGIN_MODE_IN.get(str(row.get("mgnMode")))
            try:
                pos = wire.dec(row, "pos")
            except HedgekitError:  # malformed: the caller's parsing says so
                continue
            if market is not None and side is not None and mode is not None and pos:
                seen[(market.symbol, side)] = mode
        for key in [k for k in self._leg_modes if symbol is None or k[0] == symbol]:
            del self._leg_modes[key]
        self._leg_modes.update(seen)

    async def _leg_margin_mode(self, market: Market, side: PositionSide) -> MarginMode | None:
        """The margin mode of an open leg, read from ``/account/positions`` (``None``: flat)."""
        rows = await self._positions("place_order", {"instType": "SWAP", "instId": market.venue_symbol})
        self._learn_leg_modes(rows, symbol=market.symbol)
        with parsing("account/positions"):
            for row in rows:
                leg_side, pos = wire.leg_side(row)
                mode = wire.MARGIN_MODE_IN.get(str(row.get("mgnMode")))
                if pos != 0 and mode is not None and (side is PositionSide.BOTH or leg_side is side):
                    return mode
        return None

    def _known_td_mode(self, request: OrderRequest) -> tuple[MarginMode, bool] | None:
        """A closing order: the leg's remembered margin mode, else the chosen one; an opening order:
        the chosen one, else the default. ``None`` when a closing order's leg must be read first.

        OKX keeps the margin mode per position, so one contract can hold a cross long and an
        isolated short (each opened with its own ``tdMode``): a closing order goes out in its leg's
        mode, whatever was chosen for the contract since. The flag is True when the mode is the
        leg's as remembered (not chosen, not just read), so that a refusal can drop it.
        """
        chosen = self._margin_modes.get(request.market.symbol)
        if request.plan.reduce_only:
            known = self._leg_modes.get((request.market.symbol, request.plan.position_side))
            if known is not None:
                return known, True
        if chosen is not None:
            return chosen, False
        return None if request.plan.reduce_only else (self._default_margin_mode, False)

    async def _td_mode(self, request: OrderRequest) -> tuple[MarginMode, bool]:
        """:meth:`_known_td_mode`, reading the leg's margin mode when it is not known yet."""
        known = self._known_td_mode(request)
        if known is not None:
            return known
        found = await self._leg_margin_mode(request.market, request.plan.position_side)
        return (found if found is not None else self._default_margin_mode), False

    # -- orders ------------------------------------------------------------------------------
    async def place_order(self, request: OrderRequest) -> Order:
        """Send one order (``/trade/order``, conditional ones ``/trade/order-algo``) and return it.

        By default the order as accepted (status ``NEW``, the venue's id); with
        ``options={"confirm_orders": True}`` as read back right after.
        """
        cid = request.client_order_id
        margin_mode, remembered = self._known_td_mode(request) or await self._td_mode(request)
        leg = (request.market.symbol, request.plan.position_side)
        conditional = request.type.conditional
        if conditional:
            method, what, id_key = "privatePostTradeOrderAlgo", "trade/order-algo", "algoId"
            params = wo.algo_params(request, margin_mode)
        else:
            method, what, id_key = "privatePostTradeOrder", "trade/order", "ordId"
            params = wo.order_params(request, margin_mode)
        try:
            payload = await self._call("place_order", method, params, symbol=request.symbol, client_order_id=cid)
        except HedgekitError:
            if remembered:  # perhaps the leg changed elsewhere: read it before the next closing order
                self._leg_modes.pop(leg, None)
            raise
        with parsing(what):
            venue_id = wire.text(wire.first_row(payload, what), id_key)
        if not request.plan.reduce_only:
            self._leg_modes[leg] = margin_mode  # the leg this order opens is in that margin mode
        if self.confirm_orders:
            found = await self._read_back(request.symbol, venue_id, conditional)
            if found is not None:
                return found
        return self._acknowledged(request, params, venue_id, payload)

    def _acknowledged(self, request: OrderRequest, params: dict[str, Any], venue_id: str, payload: Any) -> Order:
        """The order as the venue accepted it: the request as sent, the venue's id, status NEW.

        ``reduce_only`` is what went out (OKX takes ``reduceOnly`` in net mode only; in long/short
        mode closing orders reduce by their ``posSide``), as the venue reports it when read back.
        """
        market = request.market
        return trusted(
            Order, venue=self.name, symbol=market.symbol, order_id=venue_id,
            client_order_id=request.client_order_id, side=request.plan.side, position_side=request.plan.position_side,
            type=request.type, status=OrderStatus.NEW, quantity=request.quantity, price=request.price,
            trigger_price=request.trigger_price, activation_price=request.activation_price,
            callback_rate=request.callback_rate, time_in_force=request.time_in_force,
            reduce_only=params.get("reduceOnly") is True, close_position=request.close_position,
            conditional=request.type.conditional, raw=payload,
        )

    async def _read_back(self, symbol: str, order_id: str, conditional: bool) -> Order | None:
        try:
            return await self.fetch_order(symbol, order_id=order_id, conditional=conditional)
        except HedgekitError as exc:  # the order stands; only the read failed
            log.debug("okx read-back of %s failed: %s", order_id, type(exc).__name__)
            return None

    def _id_params(self, market: Market, order_id: str | None, client_order_id: str | None,
                   conditional: bool) -> dict[str, str]:
        params = {"instId": market.venue_symbol}
        order_id, client_order_id = ids.check_ids(self.name, market.symbol, order_id, client_order_id)
        if order_id is not None:
            params["algoId" if conditional else "ordId"] = order_id
        elif client_order_id is not None:
            params["algoClOrdId" if conditional else "clOrdId"] = client_order_id
        else:
            raise InvalidRequest("give order_id or client_order_id", venue=self.name, symbol=market.symbol)
        return params

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None,
        conditional: bool = False,
    ) -> Order | None:
        market = self.market(symbol)
        params = self._id_params(market, order_id, client_order_id, conditional)
        if conditional:
            params.pop("instId")  # GET /trade/order-algo takes algoId or algoClOrdId only
        method = "privateGetTradeOrderAlgo" if conditional else "privateGetTradeOrder"
        try:
            payload = await self._call("fetch_order", method, params, symbol=symbol, client_order_id=client_order_id)
        except OrderRejected as exc:
            if exc.code == ORDER_DOES_NOT_EXIST:
                return None
            raise
        with parsing("order"):
            rows = _swap_rows(wire.data_rows(payload, method))
            if not rows:
                return None
            if conditional and wire.text(rows[0], "instId") != market.venue_symbol:
                return None  # an algo client id of another instrument: not this symbol's order
            self._market_of(rows[0].get("instId"), market)  # /trade/order was asked for this instId
            return (wo.parse_algo_order if conditional else wo.parse_order)(rows[0], market)

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None,
        conditional: bool = False,
    ) -> Order:
        market = self.market(symbol)
        params = self._id_params(market, order_id, client_order_id, conditional)
        if conditional:  # the body is an array ("Request parameters should be passed in the form of an array")
            await self._call("cancel_order", "privatePostTradeCancelAlgos", [params], symbol=symbol,
                             client_order_id=client_order_id)
        else:
            await self._call("cancel_order", "privatePostTradeCancelOrder", params, symbol=symbol,
                             client_order_id=client_order_id)
        found = await self.fetch_order(symbol, order_id=order_id, client_order_id=client_order_id,
                                       conditional=conditional)
        if found is None:
            raise ExchangeError("the canceled order could not be read back", venue=self.name, symbol=symbol)
        return found

    async def close_leg(self, symbol: str, side: PositionSide) -> Order | None:
        """Close a whole leg at market with ``POST /api/v5/trade/close-position`` (OKX only).

        ``side`` is ``LONG``/``SHORT`` in long/short mode and ``BOTH`` in net mode. Returns the
        resulting market order (found by the ``clOrdId`` sent with the request), or ``None`` when
        the venue placed none. Example::

            order = await hk.adapter.close_leg("BTC/USDT:USDT", PositionSide.SHORT)
        """
        market = self.market(symbol)
        mode = await self._leg_margin_mode(market, side)
        if mode is None:
            return None
        cid = self.new_client_order_id()
        params = {"instId": market.venue_symbol, "posSide": wire.POS_SIDE[side],
                  "mgnMode": wire.MARGIN_MODE[mode], "clOrdId": cid}
        await self._call("close_leg", "privatePostTradeClosePosition", params, symbol=symbol, client_order_id=cid)
        return await self.fetch_order(symbol, client_order_id=cid)

    # -- margin and leverage -----------------------------------------------------------------
    async def adjust_margin(self, symbol: str, side: PositionSide, amount: Decimal) -> None:
        """``POST /account/position/margin-balance`` with ``posSide`` (isolated legs only)."""
        market = self.market(symbol)
        params = {
            "instId": market.venue_symbol,
            "posSide": wire.POS_SIDE[side],
            "type": "add" if amount > 0 else "reduce",
            "amt": wire.fmt(abs(amount)),
        }
        await self._call("adjust_margin", "privatePostAccountPositionMarginBalance", params, symbol=symbol)

    async def set_leverage(self, symbol: str, leverage: Decimal, side: PositionSide | None) -> Leverage:
        """``POST /account/set-leverage`` for the symbol's margin mode.

        Cross: one leverage per contract, both legs ("SWAP under cross-margin at contract level").
        Isolated in long/short mode: per leg with ``posSide`` (both legs when ``side`` is ``None``);
        isolated in net mode: per contract. The result is read back from ``/account/leverage-info``.
        """
        market = self.market(symbol)
        margin_mode = self._margin_modes.get(market.symbol, self._default_margin_mode)
        base = {"instId": market.venue_symbol, "lever": wire.fmt(leverage), "mgnMode": wire.MARGIN_MODE[margin_mode]}
        requests: Sequence[dict[str, str]] = [base]
        if margin_mode is MarginMode.ISOLATED:
            mode, _, _ = await self._config("set_leverage")
            if mode is PositionMode.HEDGE:
                sides = [side] if side is not None else [PositionSide.LONG, PositionSide.SHORT]
                requests = [{**base, "posSide": wire.POS_SIDE[s]} for s in sides]
            elif side is not None:
                raise InvalidRequest("in net mode OKX keeps one isolated leverage per contract; call set_leverage "
                                     "without a side", venue=self.name, symbol=market.symbol)
        elif side is not None:
            raise InvalidRequest("OKX keeps one cross-margin leverage per contract for both legs; call set_leverage "
                                 "without a side, or choose isolated margin for per-leg leverage",
                                 venue=self.name, symbol=market.symbol)
        for params in requests:
            await self._call("set_leverage", "privatePostAccountSetLeverage", params, symbol=symbol)
        payload = await self._call("set_leverage", "privateGetAccountLeverageInfo",
                                    {"instId": market.venue_symbol, "mgnMode": wire.MARGIN_MODE[margin_mode]},
                                    symbol=symbol)
        with parsing("account/leverage-info"):
            levers: dict[PositionSide, Decimal] = {}
            for row in wire.data_rows(payload, "account/leverage-info"):
                levers[wire.enum_of(wire.POS_SIDE_IN, row, "posSide")] = leverage_value(wire.req_dec(row, "lever"))
            long = levers.get(PositionSide.LONG, levers.get(PositionSide.BOTH))
            short = levers.get(PositionSide.SHORT, levers.get(PositionSide.BOTH))
            if long is None or short is None:
                raise wire.bad("leverage-info without the legs' leverage", payload)
        return Leverage(venue=self.name, symbol=market.symbol, long=long, short=short, raw=payload)

    async def set_margin_mode(self, symbol: str, margin_mode: MarginMode) -> None:
        """Remember ``margin_mode`` for ``symbol``; it goes out as ``tdMode`` on every later order.

        OKX has no per-instrument margin setting to change. Isolated margin needs the Futures account
        mode (acctLv 2), which is checked here (``/account/config``), so an order is never sent into
        50072 "Isolated margin mode is no longer supported in multi-currency margin mode and
        portfolio margin mode".
        """
        market = self.market(symbol)
        if margin_mode is MarginMode.ISOLATED:
            _, level, _ = await self._config("set_margin_mode")
            if level != wire.FUTURES_MODE:
                raise InvalidRequest(
                    f"isolated margin needs the OKX account mode Futures mode (acctLv 2); this account is "
                    f"{wire.describe_level(level)}", venue=self.name, symbol=market.symbol,
                    operation="set_margin_mode",
                )
        self._margin_modes[market.symbol] = margin_mode


def _swap_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of an answer to ``instType=SWAP``: each one's ``instType`` (a required string of
    every position and order row) must be ``SWAP``."""
    for row in rows:
        if wire.text(row, "instType") != "SWAP":
            raise wire.bad("a row that is not a SWAP in the answer for instType=SWAP", row)
    return rows


def _in_scope(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows under the account's ``posMode``; ``instType`` is a required string of every
    position and order row, and ``MARGIN``, ``SPOT`` or ``OPTION`` rows are rightly left out."""
    return [row for row in rows if wire.text(row, "instType") in MODE_INST_TYPES]
