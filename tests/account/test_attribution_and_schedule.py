"""The venue-neutral funding attribution (hedgekit.account) and the simulated funding schedule."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from hedgekit import AccountFill, PositionSide, Side
from hedgekit.account import PaymentRow, attribute_payments, sizes_at
from hedgekit.testing import engine_types as E
from hedgekit_binance.simulator import BinanceFrontend

BTC = "BTC/USDT:USDT"
T = 1_800_000_000_000  # a funding time, ms
HOUR = 3_600_000


def _row(amount: str, *, rate: str | None = "0.0001", side: PositionSide | None = None) -> PaymentRow:
    return PaymentRow(symbol=BTC, amount=Decimal(amount), asset="USDT", time_ms=T, payment_id="1",
                      side=side, basis="venue" if side else None,
                      rate=None if rate is None else Decimal(rate), mark_price=Decimal("50000"))


def _fill(side: Side, leg: PositionSide, qty: str, at: int) -> AccountFill:
    return AccountFill(venue="x", symbol=BTC, order_id="1", side=side, position_side=leg, price=Decimal("50000"),
                       quantity=Decimal(qty), time=datetime.fromtimestamp(at / 1000, tz=timezone.utc))


def test_a_netted_row_is_split_by_notional_and_marked() -> None:
    # one record while both legs were open: long 0.03, short 0.01 at the funding time
    sizes = {PositionSide.LONG: Decimal("0.03"), PositionSide.SHORT: Decimal("0.01")}
    parts = attribute_payments("x", [_row("-0.1")], legs_at=lambda at: sizes, current_mark=Decimal("1"))
    assert [(p.side, p.amount, p.basis, p.derived) for p in parts] == [
        (PositionSide.LONG, Decimal("-0.075"), "notional", True),
        (PositionSide.SHORT, Decimal("-0.025"), "notional", True)]
    assert sum(p.amount for p in parts) == Decimal("-0.1")
    assert all(p.raw is None for p in parts)  # a split part is not the venue's record


def test_two_rows_of_opposite_sign_go_by_the_rate() -> None:
    both = {PositionSide.LONG: Decimal("1"), PositionSide.SHORT: Decimal("1")}
    for rate, payer in (("0.0001", PositionSide.LONG), ("-0.0001", PositionSide.SHORT)):
        parts = attribute_payments("x", [_row("-5", rate=rate), _row("5", rate=rate)], legs_at=lambda at: both,
                                   current_mark=Decimal("1"))
        assert {p.side for p in parts if p.amount < 0} == {payer}
        assert {p.basis for p in parts} == {"sign"}


def test_a_venue_named_leg_is_kept_and_not_derived() -> None:
    def never(at: int) -> dict[PositionSide, Decimal]:
        raise AssertionError("no leg sizes are needed for a named leg")

    [payment] = attribute_payments("x", [_row("3", side=PositionSide.SHORT)], legs_at=never, current_mark=Decimal("1"))
    assert (payment.side, payment.derived, payment.basis) == (PositionSide.SHORT, False, "venue")


def test_sizes_at_takes_back_later_fills() -> None:
    now = {PositionSide.LONG: Decimal("0.02"), PositionSide.SHORT: Decimal("0")}
    fills = [_fill(Side.BUY, PositionSide.LONG, "0.01", T - 10), _fill(Side.SELL, PositionSide.SHORT, "0.05", T + 10),
             _fill(Side.BUY, PositionSide.SHORT, "0.05", T + 20), _fill(Side.BUY, PositionSide.LONG, "0.01", T + 30)]
    assert sizes_at(T, now, fills) == {PositionSide.LONG: Decimal("0.01"), PositionSide.SHORT: Decimal("0")}
    assert sizes_at(T + 15, now, fills)[PositionSide.SHORT] == Decimal("0.05")


def test_engine_settles_at_each_interval() -> None:
    engine = BinanceFrontend.create_engine()
    real = engine.clock
    engine.set_position_mode(E.PositionMode.HEDGE)
    engine.place_order("BTCUSDT", "BUY", "0.01", position_side="LONG")
    engine.place_order("DOGEUSDT", "SELL", "1000", position_side="SHORT")
    assert engine.settle_due_funding() == []  # nothing is due at once
    start = real()
    engine.clock = lambda: start + 8 * HOUR
    done = engine.settle_due_funding()
    # BTC settles once at the 8-hour boundary, DOGE (4 h on the simulated fundingInfo) twice
    assert sorted(r.symbol for r in done) == ["BTCUSDT", "DOGEUSDT", "DOGEUSDT"]
    assert all(r.time % (4 * HOUR) == 0 for r in done)
    btc = next(r for r in done if r.symbol == "BTCUSDT")
    assert btc.time % (8 * HOUR) == 0 and btc.amount == -Decimal("0.01") * btc.mark_price * btc.rate
    assert engine.settle_due_funding() == []  # each settles once
