"""Models of the account views: funding per leg, funding payments, balance and fills.

Every amount is a :class:`~decimal.Decimal` in the contract's settle coin (USDT), read from the
venue's strings; sizes are in the base asset. Signs follow one rule everywhere: a positive amount
is money the account **received**, a negative one money it **paid** (a funding rate above zero
makes the long leg pay and the short leg receive, on all four venues: shared/ACCOUNT.md "Sign
convention"). Where a venue does not say which leg a funding payment belongs to, hedgekit works it
out and says so (:attr:`FundingPayment.derived`); it never presents a derived number as the venue's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hedgekit.models import Fill, PositionSide

__all__ = ["AccountFill", "Balance", "FundingLeg", "FundingPayment", "FundingView", "LegBasis"]

ZERO = Decimal(0)

LegBasis = Literal["venue", "side", "position", "sign", "notional"]
"""How a funding payment's leg was known: ``venue`` the venue named the leg on the record;
``side`` from the record's own trade side (Bybit ``Buy``/``Sell``); ``position`` only that leg
was open at the funding time; ``sign`` from the payment's
sign against the rate (a payment against a positive rate is the long's); ``notional`` a payment
that could not be told apart was split between the legs by their notional at the funding time."""


class _AccountModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FundingLeg(_AccountModel):
    """What one leg pays or receives at the next funding time, at the current mark."""

    side: PositionSide = Field(description="The leg: LONG or SHORT (BOTH for a one-way position).")
    size: Decimal = Field(description="The leg's size in the base asset, unsigned (signed on BOTH).")
    notional: Decimal = Field(description="size × mark price, in the settle coin, unsigned.")
    payment: Decimal = Field(
        description="Funding due at the next funding time in the settle coin: positive = received, "
                    "negative = paid (−notional × rate for a long, +notional × rate for a short)."
    )
    accumulated: Decimal | None = Field(
        default=None,
        description="Funding this open leg has received (+) or paid (−) so far, where the venue keeps it "
                    "per leg (OKX positions fundingFee); None elsewhere.",
    )


class FundingView(_AccountModel):
    """A contract's current funding: the rate, when it is next paid, and each leg's share."""

    venue: str = Field(description="The venue's name.")
    symbol: str = Field(description="Unified symbol, e.g. BTC/USDT:USDT.")
    rate: Decimal = Field(description="The funding rate that applies at next_funding_time, a fraction (0.0001 = 0.01 %).")
    next_funding_time: datetime = Field(description="When the next payment is made (UTC).")
    interval: timedelta | None = Field(description="Time between two payments; None where the venue does not say.")
    mark_price: Decimal = Field(description="The mark price the legs' notional is valued at.")
    long: FundingLeg = Field(description="The long leg (zero size when flat).")
    short: FundingLeg = Field(description="The short leg (zero size when flat).")
    net: Decimal = Field(description="long.payment + short.payment: what carrying both legs earns (+) or costs (−).")
    raw: Any = Field(default=None, repr=False, description="The venue's payloads.")


class FundingPayment(_AccountModel):
    """One funding payment received or paid by one leg."""

    venue: str = Field(description="The venue's name.")
    symbol: str = Field(description="Unified symbol.")
    side: PositionSide = Field(description="The leg the payment belongs to.")
    amount: Decimal = Field(description="In the settle coin: positive = received, negative = paid.")
    asset: str = Field(description="The coin the payment was made in (USDT).")
    time: datetime = Field(description="When it was paid (UTC).")
    rate: Decimal | None = Field(default=None, description="The funding rate applied, where known.")
    derived: bool = Field(
        description="True when the venue did not name the leg and hedgekit worked it out (see basis)."
    )
    basis: LegBasis = Field(description="How the leg was known (see LegBasis).")
    payment_id: str | None = Field(default=None, description="The venue's id of the record (tranId, id, billId).")
    raw: Any = Field(default=None, repr=False, description="The venue's record (None for a derived split part).")


class Balance(_AccountModel):
    """The account's balance in the settle coin of its USDT-margined contracts."""

    venue: str = Field(description="The venue's name.")
    asset: str = Field(description="The settle coin, USDT.")
    equity: Decimal = Field(description="Wallet balance plus unrealised PnL, in the settle coin.")
    wallet_balance: Decimal = Field(description="Deposits plus realised PnL, fees and funding, in the settle coin.")
    available: Decimal = Field(description="What new orders or a withdrawal can use, in the settle coin.")
    margin_used: Decimal = Field(description="Initial margin of positions and open orders, in the settle coin.")
    unrealized_pnl: Decimal = Field(description="Unrealised PnL of every open leg at the mark, in the settle coin.")
    raw: Any = Field(default=None, repr=False, description="The venue's payload.")


class AccountFill(Fill):
    """One execution from the venue's fill history, with the leg it traded.

    ``fee`` is positive when paid; ``realized_pnl`` is the PnL the fill realised on its leg,
    before the fee (``None`` where the venue does not report it per fill: Bybit).
    """

    leg_derived: bool = Field(
        default=False,
        description="True when the venue's fill record does not name the leg and hedgekit worked it "
                    "out from the side and the closed size (Bybit).",
    )
