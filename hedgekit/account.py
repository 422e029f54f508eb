"""The account views' contract for venue adapters, and the venue-neutral funding attribution.

A venue adapter that serves funding, balance, fills and amendments also derives from
:class:`AccountAdapter` (all four built-in adapters do); :class:`hedgekit.client.HedgeClient`
checks for it and refuses with :class:`~hedgekit.errors.ConfigurationError` on an adapter that
does not. The adapter reads its venue's own endpoints (shared/ACCOUNT.md) and hands back
venue-neutral values; the facade does the rest here:

* :func:`attribute_payments` gives every funding payment a leg. Where the venue named the leg on
  the record, that leg is used as it is. Where it did not (Binance, Aster: no ``positionSide`` on
  income rows; Bybit: a trade side only; OKX: no ``posSide`` on bills), the leg is worked out and
  the payment is marked ``derived``: from the record's trade side (``side``), from which legs were
  open at the funding time (``position``), from the payment's sign against the rate (``sign``:
  under a positive rate the long pays), or, for a payment that none of these settles (one record
  while both legs were open), split between the legs in proportion to their notional at the
  funding time (``notional``).
* :func:`sizes_at` rebuilds the legs' sizes at a past time from the legs now and the fills since.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, ClassVar

from hedgekit.account_models import AccountFill, Balance, FundingPayment, LegBasis
from hedgekit.errors import InvalidRequest, MalformedResponse
from hedgekit.models import Order, PositionSide, Side

__all__ = [
    "AccountAdapter",
    "FundingQuote",
    "PaymentRow",
    "attribute_payments",
    "sizes_at",
    "to_datetime",
]

ZERO = Decimal(0)


def to_datetime(ms: int) -> datetime:
    """Milliseconds since the epoch as an aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


@dataclass(frozen=True)
class FundingQuote:
    """A contract's funding as one venue states it (an adapter's answer to :meth:`AccountAdapter.fetch_funding_quote`).

    Attributes:
        rate: The rate that applies at ``next_time_ms`` (a fraction).
        next_time_ms: The next funding time, ms since the epoch.
        interval_ms: The time between payments in ms; ``None`` where the venue does not say.
        mark_price: The current mark price.
        accumulated: Funding each open leg has received (+)/paid (−) so far, where the venue keeps
            it per leg (OKX); empty elsewhere.
        raw: The venue's payloads.
    """

    rate: Decimal
    next_time_ms: int
    interval_ms: int | None
    mark_price: Decimal
    accumulated: dict[PositionSide, Decimal] = field(default_factory=dict)
    raw: Any = None


@dataclass(frozen=True)
class PaymentRow:
    """One funding record as the venue gives it, before a leg is settled for it.

    Attributes:
        symbol: Unified symbol.
        amount: Positive = received, negative = paid (each adapter turns its venue's sign into this).
        asset: The coin paid in.
        time_ms: When it was paid.
        payment_id: The venue's record id.
        side: The leg, when the record says (``basis`` then says how); ``None`` when it does not.
        basis: ``"venue"`` when the venue named the leg, ``"side"`` when the adapter read it from
            the record's trade side (derived); ``None`` with ``side`` ``None``.
        rate: The rate applied, where the adapter knows it.
        mark_price: The mark at the funding time, where the venue's history gives it.
        raw: The venue's record.
    """

    symbol: str
    amount: Decimal
    asset: str
    time_ms: int
    payment_id: str | None
    side: PositionSide | None = None
    basis: LegBasis | None = None
    rate: Decimal | None = None
    mark_price: Decimal | None = None
    raw: Any = None


class AccountAdapter(ABC):
    """What a venue adapter implements for the account views (a mixin beside :class:`~hedgekit.adapter.VenueAdapter`).

    Every method raises only :mod:`hedgekit.errors` classes, like the rest of the adapter.
    """

    #: Whether the venue can amend an open order's price and quantity in place.
    amend_supported: ClassVar[bool] = True

    @abstractmethod
    async def fetch_funding_quote(self, symbol: str) -> FundingQuote:
        """The current rate, next funding time, interval and mark of ``symbol`` (unified)."""

    @abstractmethod
    async def fetch_funding_rows(self, symbol: str, since_ms: int | None) -> list[PaymentRow]:
        """Funding payments of ``symbol`` since ``since_ms`` (the venue's default window when ``None``), oldest first."""

    @abstractmethod
    async def fetch_balance(self) -> Balance:
        """The balance of the account in the settle coin (USDT)."""

    @abstractmethod
    async def fetch_mark_price(self, symbol: str) -> Decimal:
        """The current mark price of ``symbol``."""

    @abstractmethod
    async def fetch_fills(self, symbol: str, since_ms: int | None) -> list[AccountFill]:
        """Fills of ``symbol`` since ``since_ms`` (the venue's default window when ``None``), oldest first."""

    def amend_refusal(self, order: Order) -> str | None:
        """Why the venue cannot amend ``order`` (checked before anything is sent); ``None``: it can."""
        if not self.amend_supported:
            return "the venue has no order amendment"
        if not order.status.is_open:
            return f"the order is {order.status.value}, not open"
        return None

    @abstractmethod
    async def amend_order(self, order: Order, price: Decimal | None, quantity: Decimal | None) -> Order:
        """Amend an open order's price and/or quantity (base units); returns the order as the venue then reports it."""

    def conditional_amend_refusal(self, order: Order, quantity: Decimal | None) -> str | None:
        """Why the venue cannot amend the waiting conditional ``order`` (its trigger price and/or,
        when ``quantity`` is given, its quantity); ``None``: it can. Checked before anything is sent
        and after :meth:`amend_refusal`. A venue that amends conditional orders overrides this and
        :meth:`amend_conditional`."""
        return "the venue has no amendment of conditional orders"

    def trigger_on_mark(self, order: Order) -> bool:
        """Whether the conditional ``order`` triggers on the mark price (as its venue row says), so
        that the mark is the current price its new trigger is checked against."""
        return False

    async def amend_conditional(self, order: Order, trigger_price: Decimal | None,
                                quantity: Decimal | None) -> Order:
        """Amend a waiting conditional order's trigger price and/or quantity (base units); returns
        the order as the venue then reports it. Only called when :meth:`conditional_amend_refusal`
        gave ``None``, so a venue without it never gets here."""
        raise InvalidRequest(f"{type(self).__name__} cannot amend conditional orders", symbol=order.symbol,
                             operation="amend_order")


def read_back(found: Order | None, venue: str, symbol: str) -> Order:
    """The order an amendment left, as the venue's read-back gave it; ``MalformedResponse`` when the
    venue took the amendment but cannot show the order."""
    if found is None:
        raise MalformedResponse("the amended order could not be read back", venue=venue, symbol=symbol,
                                operation="amend_order")
    return found


def oldest_first(fills: list[AccountFill]) -> list[AccountFill]:
    """Fills a venue listed newest first, oldest first; fills of the same time keep the venue's order."""
    ordered = list(reversed(fills))
    ordered.sort(key=lambda f: f.time.timestamp() if f.time else 0.0)
    return ordered


def sizes_at(time_ms: int, now: dict[PositionSide, Decimal], fills: Iterable[AccountFill]) -> dict[PositionSide, Decimal]:
    """The legs' sizes at ``time_ms``, from their sizes ``now`` and the fills after ``time_ms``.

    Sizes are unsigned on ``LONG``/``SHORT`` and signed on ``BOTH``. A fill that opens a leg (a
    BUY on ``LONG``, a SELL on ``SHORT``, a BUY on ``BOTH``) is taken back off, a closing one added
    back. A fill at exactly ``time_ms`` (to the millisecond) counts as before it: it is part of the
    position held at the funding time, on which venues settle.
    """
    sizes = dict(now)
    for fill in fills:
        if fill.time is None or round(fill.time.timestamp() * 1000) <= time_ms:
            continue
        side = fill.position_side
        opening = (fill.side is Side.BUY) == (side is not PositionSide.SHORT)
        if side is PositionSide.BOTH:
            delta = fill.quantity if fill.side is Side.BUY else -fill.quantity
            sizes[side] = sizes.get(side, ZERO) - delta
        else:
            sizes[side] = sizes.get(side, ZERO) + (-fill.quantity if opening else fill.quantity)
    return sizes


def _notionals(sizes: dict[PositionSide, Decimal], mark: Decimal) -> tuple[Decimal, Decimal]:
    """Long and short notional from leg sizes (a one-way ``BOTH`` leg counts on its sign's side)."""
    long = max(sizes.get(PositionSide.LONG, ZERO), ZERO)
    short = max(sizes.get(PositionSide.SHORT, ZERO), ZERO)
    net = sizes.get(PositionSide.BOTH, ZERO)
    long, short = long + max(net, ZERO), short + max(-net, ZERO)
    return long * mark, short * mark


def attribute_payments(
    venue: str,
    rows: Sequence[PaymentRow],
    *,
    legs_at: Any,
    current_mark: Decimal,
) -> list[FundingPayment]:
    """Give every funding record a leg, as the module docstring describes; oldest first.

    Args:
        venue: The venue's name.
        rows: The venue's records.
        legs_at: ``legs_at(time_ms) -> {PositionSide: size}``: the legs' sizes at a funding time
            (see :func:`sizes_at`); called only for records without a leg.
        current_mark: The mark used to value the legs when the venue's history has none for a time.
    """
    out: list[FundingPayment] = []
    groups: dict[tuple[str, int], list[PaymentRow]] = {}
    for row in rows:
        if row.side is not None and row.basis is not None:
            out.append(_payment(venue, row, row.side, row.amount, row.basis, raw=row.raw))
        else:
            groups.setdefault((row.symbol, row.time_ms), []).append(row)
    for (_, time_ms), group in groups.items():
        sizes: dict[PositionSide, Decimal] = legs_at(time_ms)
        mark = next((r.mark_price for r in group if r.mark_price is not None), None) or current_mark
        long_notional, short_notional = _notionals(sizes, mark)
        rate = next((r.rate for r in group if r.rate is not None), None)
        open_legs = [side for side, notional in ((PositionSide.LONG, long_notional),
                                                 (PositionSide.SHORT, short_notional)) if notional > ZERO]
        if len(open_legs) == 1 and len(group) == 1:
            out.append(_payment(venue, group[0], open_legs[0], group[0].amount, "position", raw=group[0].raw))
            continue
        signs_apart = len(group) == 2 and (group[0].amount > ZERO) != (group[1].amount > ZERO)
        if (len(group) == 1 and not open_legs) or (signs_apart and rate not in (None, ZERO)):
            for row in group:
                out.append(_payment(venue, row, _by_sign(row.amount, rate), row.amount, "sign", raw=row.raw))
            continue
        total_notional = long_notional + short_notional
        for row in group:
            if total_notional == ZERO:
                out.append(_payment(venue, row, _by_sign(row.amount, rate), row.amount, "sign", raw=row.raw))
                continue
            long_part = row.amount * long_notional / total_notional
            out.append(_payment(venue, row, PositionSide.LONG, long_part, "notional", raw=None))
            out.append(_payment(venue, row, PositionSide.SHORT, row.amount - long_part, "notional", raw=None))
    out.sort(key=lambda p: (p.time, p.side.value))
    return out


def _by_sign(amount: Decimal, rate: Decimal | None) -> PositionSide:
    """The leg a payment of this sign belongs to under ``rate``: a long pays a positive rate.

    With the rate unknown it is taken as positive (the usual case; the record is still ``derived``).
    """
    positive_rate = rate is None or rate >= ZERO
    paid = amount < ZERO
    return PositionSide.LONG if paid == positive_rate else PositionSide.SHORT


def _payment(venue: str, row: PaymentRow, side: PositionSide, amount: Decimal, basis: LegBasis,
             *, raw: Any) -> FundingPayment:
    return FundingPayment(
        venue=venue, symbol=row.symbol, side=side, amount=amount, asset=row.asset,
        time=to_datetime(row.time_ms), rate=row.rate, derived=basis != "venue", basis=basis,
        payment_id=row.payment_id, raw=raw,
    )
