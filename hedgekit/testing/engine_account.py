"""Account history of the simulated engine: fills, funding settlements and the funding schedule.

:class:`AccountBook` is owned by :class:`hedgekit.testing.engine.Engine` (``engine.account_book``)
and records what the venues' history endpoints serve: every fill (the Binance/Aster
``userTrades``, Bybit ``execution/list``, OKX ``trade/fills`` rows) and every funding settlement
(Binance/Aster ``income`` ``FUNDING_FEE`` rows, Bybit ``transaction-log`` ``SETTLEMENT`` rows, OKX
``account/bills`` type 8). Each venue frontend formats them in its own wire format.

The funding model (documented so tests can predict it):

* Every market has a current funding rate (:data:`DEFAULT_FUNDING_RATE` until set) and an
  interval in hours (8 unless the venue's simulator sets another, e.g. Binance's 4 h contracts).
* Funding is settled at each multiple of the interval since the epoch (00:00, 08:00, 16:00 UTC
  for 8 h), as every venue schedules it (shared/ACCOUNT.md), the first time the simulator is
  asked anything after that moment (:meth:`AccountBook.due`), or on demand
  (``Engine.settle_funding`` / ``SimulatedVenue.settle_funding``).
* Each open leg pays ``size * mark * rate`` when it is long and receives it when it is short (a
  positive rate: longs pay shorts, shared/ACCOUNT.md "Sign convention"); a negative rate the other
  way round. The amount moves the wallet; on an isolated leg it also moves the leg's margin.
* Fees: none unless a test sets :attr:`AccountBook.taker_fee_rate` / :attr:`maker_fee_rate` (a
  fraction of the fill's notional, charged to the wallet), so that the rest of the simulator
  keeps its fee-free arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from hedgekit.testing.engine_types import ZERO, PositionSide, Side

DEFAULT_FUNDING_RATE = Decimal("0.0001")
"""0.01 % per interval: the base rate every venue quotes (interest 0.03 %/day over 3 settlements)."""

HOUR_MS = 3_600_000


@dataclass(frozen=True)
class FillRecord:
    """One execution as the venues' fill-history endpoints report it.

    ``realized_pnl`` is the PnL the fill realised on its leg (before the fee); ``fee`` is the
    commission charged (positive = paid). ``closed_size`` is the part of ``quantity`` that closed
    the leg (Bybit's ``closedSize``).
    """

    trade_id: int
    order_id: int
    client_order_id: str
    symbol: str
    side: Side
    position_side: PositionSide
    price: Decimal
    quantity: Decimal
    fee: Decimal
    realized_pnl: Decimal
    maker: bool
    closed_size: Decimal
    mark_price: Decimal
    time: int


@dataclass(frozen=True)
class FundingRecord:
    """One funding settlement of one leg. ``amount`` is signed: positive = received, negative = paid.

    ``size`` is the leg's size (unsigned; signed on ``BOTH``) and ``mark_price`` the mark it was
    valued at; ``isolated`` says whether the leg was on isolated margin; ``wallet_after`` is the
    wallet balance once the amount was booked.
    """

    funding_id: int
    symbol: str
    position_side: PositionSide
    size: Decimal
    mark_price: Decimal
    rate: Decimal
    amount: Decimal
    isolated: bool
    wallet_after: Decimal
    time: int


@dataclass(frozen=True)
class RateRecord:
    """One settled funding rate of a market (the venues' funding-rate history rows)."""

    symbol: str
    rate: Decimal
    mark_price: Decimal
    time: int


class AccountBook:
    """Fills, funding settlements, funding rates and the funding schedule of one engine.

    Args:
        symbols: The markets' venue ids.
        clock: Milliseconds since the epoch (the engine's clock, read at each call).
        interval_hours: Each market's funding interval in hours (8 when absent).
    """

    def __init__(
        self, symbols: list[str], clock: Callable[[], int], interval_hours: dict[str, int] | None = None
    ) -> None:
        self._clock = clock
        self.fills: list[FillRecord] = []
        """Every fill, oldest first."""
        self.funding: list[FundingRecord] = []
        """Every funding settlement of a leg, oldest first."""
        self.rates: list[RateRecord] = []
        """Every settled funding rate, oldest first."""
        self.funding_rates: dict[str, Decimal] = {sid: DEFAULT_FUNDING_RATE for sid in symbols}
        """The rate the next settlement of each market applies."""
        self.interval_hours: dict[str, int] = {sid: 8 for sid in symbols}
        self.interval_hours.update(interval_hours or {})
        self.taker_fee_rate = ZERO
        """Fee of a taking fill, as a fraction of its notional (0: no fees, the default)."""
        self.maker_fee_rate = ZERO
        """Fee of a resting fill, as a fraction of its notional."""
        self._settled: dict[str, int] = {}
        now = clock()
        for sid in symbols:
            self._settled[sid] = self.last_funding_time(sid, now)

    # ----------------------------------------------------------------- schedule

    def interval_ms(self, sid: str) -> int:
        """The funding interval of a market in milliseconds."""
        return self.interval_hours.get(sid, 8) * HOUR_MS

    def set_interval(self, sid: str, hours: int) -> None:
        """Set a market's funding interval; the schedule restarts from the latest funding time."""
        self.interval_hours[sid] = hours
        self._settled[sid] = self.last_funding_time(sid)

    def last_funding_time(self, sid: str, now: int | None = None) -> int:
        """The latest scheduled funding time at or before ``now`` (ms)."""
        interval = self.interval_ms(sid)
        return ((self._clock() if now is None else now) // interval) * interval

    def next_funding_time(self, sid: str) -> int:
        """The next scheduled funding time after now (ms)."""
        return self.last_funding_time(sid) + self.interval_ms(sid)

    def due(self) -> list[tuple[str, int]]:
        """Scheduled settlements that have come since the last look, oldest first per market.

        Each is ``(symbol id, funding time)``; marks them settled. At most 100 per market, should
        a test move the clock by months.
        """
        now = self._clock()
        due: list[tuple[str, int]] = []
        for sid, settled in self._settled.items():
            latest = self.last_funding_time(sid, now)
            if latest <= settled:
                continue
            interval = self.interval_ms(sid)
            first = max(settled + interval, latest - 99 * interval)
            due.extend((sid, at) for at in range(first, latest + 1, interval))
            self._settled[sid] = latest
        return due

    # ----------------------------------------------------------------- records

    def fee(self, notional: Decimal, maker: bool) -> Decimal:
        """The fee of a fill of ``notional`` (``abs(quantity * price)``)."""
        return notional * (self.maker_fee_rate if maker else self.taker_fee_rate)

    def fills_of(self, sid: str | None = None, since: int | None = None, until: int | None = None) -> list[FillRecord]:
        """Fills of one market (or all), with ``since <= time <= until``, oldest first."""
        return [f for f in self.fills if sid in (None, f.symbol) and (since is None or f.time >= since)
                and (until is None or f.time <= until)]

    def funding_of(self, sid: str | None = None, since: int | None = None,
                   until: int | None = None) -> list[FundingRecord]:
        """Funding settlements of one market (or all), with ``since <= time <= until``, oldest first."""
        return [f for f in self.funding if sid in (None, f.symbol) and (since is None or f.time >= since)
                and (until is None or f.time <= until)]

    def leg_funding(self, sid: str, side: PositionSide) -> Decimal:
        """Funding the leg received (+) or paid (−) since it last opened from flat (OKX ``fundingFee``)."""
        size, opened = ZERO, 0
        for fill in self.fills:
            if fill.symbol != sid or fill.position_side is not side:
                continue
            grows = (fill.side is Side.BUY) == (side is not PositionSide.SHORT)
            if side is PositionSide.BOTH:
                after = size + (fill.quantity if fill.side is Side.BUY else -fill.quantity)
            else:
                after = size + (fill.quantity if grows else -fill.quantity)
            if size == ZERO and after != ZERO:
                opened = fill.time
            size = after
        return sum((f.amount for f in self.funding
                    if f.symbol == sid and f.position_side is side and f.time >= opened), ZERO)

    def rates_of(self, sid: str, since: int | None = None, until: int | None = None) -> list[RateRecord]:
        """Settled rates of one market with ``since <= time <= until``, oldest first."""
        return [r for r in self.rates if r.symbol == sid and (since is None or r.time >= since)
                and (until is None or r.time <= until)]
