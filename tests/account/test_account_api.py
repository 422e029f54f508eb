"""Account views through the public API, on every venue's simulator: funding per leg, funding
history (derived legs marked), balance, mark price, fills and amendment."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

import hedgekit
from hedgekit import HedgeClient, InvalidRequest, OrderStatus, PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue
from hedgekit_aster.simulator import AsterFrontend

BTC = "BTC/USDT:USDT"
QTY_LONG, QTY_SHORT = Decimal("0.01"), Decimal("0.02")


async def _hedged(hk: HedgeClient) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, BTC)
    await hk.open_long(BTC, QTY_LONG)
    await hk.open_short(BTC, QTY_SHORT)


async def test_funding_view_per_leg(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await _hedged(hk)
    rate = Decimal("0.00025")
    venue.engine.account_book.funding_rates[venue.engine.resolve(BTC)] = rate
    view = await hk.funding(BTC)
    mark = Decimal("60000")
    assert view.rate == rate and view.mark_price == mark
    assert view.interval == timedelta(hours=8)
    sid = venue.engine.resolve(BTC)
    assert int(view.next_funding_time.timestamp() * 1000) == venue.engine.account_book.next_funding_time(sid)
    assert view.long.side is PositionSide.LONG and view.long.size == QTY_LONG
    assert view.long.notional == QTY_LONG * mark
    assert view.long.payment == -QTY_LONG * mark * rate  # a long pays a positive rate
    assert view.short.payment == QTY_SHORT * mark * rate  # a short receives it
    assert view.net == (QTY_SHORT - QTY_LONG) * mark * rate > 0
    if venue.venue == "okx":  # the one venue that keeps funding per leg
        assert view.long.accumulated == 0 and view.short.accumulated == 0
    else:
        assert view.long.accumulated is None


async def test_settled_funding_in_history_per_leg(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await _hedged(hk)
    before = venue.engine.wallet_balance
    records = venue.settle_funding(BTC, Decimal("0.0002"))
    assert len(records) == 2
    payments = await hk.funding_history(BTC)
    assert len(payments) == 2
    by_side = {p.side: p for p in payments}
    assert by_side[PositionSide.LONG].amount == Decimal("-0.12")  # 0.01 × 60000 × 0.0002, paid
    assert by_side[PositionSide.SHORT].amount == Decimal("0.24")  # received
    assert sum(p.amount for p in payments) == venue.engine.wallet_balance - before
    for payment in payments:
        assert payment.derived  # no venue names the leg on a payment record
        assert payment.basis == ("side" if venue.venue == "bybit" else "sign")
        assert payment.rate == Decimal("0.0002") and payment.asset == "USDT" and payment.payment_id
    if venue.venue == "okx":
        view = await hk.funding(BTC)
        assert view.long.accumulated == Decimal("-0.12") and view.short.accumulated == Decimal("0.24")


async def test_history_with_one_leg_open_names_that_leg(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, BTC)
    await hk.open_short(BTC, QTY_SHORT)
    venue.settle_funding(BTC, Decimal("-0.0001"))  # a negative rate: the short pays
    payments = await hk.funding_history(BTC)
    assert [(p.side, p.amount) for p in payments] == [(PositionSide.SHORT, Decimal("-0.12"))]
    assert payments[0].basis == ("side" if venue.venue == "bybit" else "position")


async def test_history_since_excludes_older_payments(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await _hedged(hk)
    venue.settle_funding(BTC)
    payments = await hk.funding_history(BTC)
    later = max(p.time for p in payments) + timedelta(milliseconds=1)
    assert await hk.funding_history(BTC, since=later) == []


async def test_balance(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await _hedged(hk)
    venue.set_mark_price(BTC, Decimal("61000"))
    bal = await hk.balance()
    acct = venue.engine.account()
    assert bal.asset == "USDT"
    assert bal.unrealized_pnl == acct.unrealized_pnl == Decimal("-10")  # +10 long, -20 short
    assert bal.equity == acct.margin_balance
    assert bal.wallet_balance == acct.wallet_balance
    assert bal.margin_used == acct.position_initial_margin + acct.open_order_initial_margin > 0
    assert bal.available == acct.available_balance


async def test_mark_price(hk: HedgeClient, venue: SimulatedVenue) -> None:
    venue.set_mark_price(BTC, Decimal("61234.5"))
    assert await hk.mark_price(BTC) == Decimal("61234.5")


async def test_fills_per_leg_with_fee_and_pnl(hk: HedgeClient, venue: SimulatedVenue) -> None:
    venue.engine.account_book.taker_fee_rate = Decimal("0.0005")
    await _hedged(hk)
    venue.set_mark_price(BTC, Decimal("61000"))
    await hk.close_long(BTC, QTY_LONG)
    fills = await hk.fills(BTC)
    assert [(f.position_side, f.side.value, f.quantity) for f in fills] == [
        (PositionSide.LONG, "buy", QTY_LONG), (PositionSide.SHORT, "sell", QTY_SHORT),
        (PositionSide.LONG, "sell", QTY_LONG)]
    assert [f.price for f in fills] == [Decimal("60000"), Decimal("60000"), Decimal("61000")]
    assert [f.fee for f in fills] == [Decimal("0.3"), Decimal("0.6"), Decimal("0.305")]
    if venue.venue == "bybit":  # no PnL per fill in execution/list; the leg is derived
        assert all(f.realized_pnl is None and f.leg_derived for f in fills)
    else:
        assert [f.realized_pnl for f in fills] == [0, 0, Decimal("10")]
        assert not any(f.leg_derived for f in fills)
    assert all(f.order_id and f.trade_id and f.time for f in fills)


async def test_amend_price_and_quantity(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, BTC)
    order = await hk.open_long(BTC, QTY_LONG, price=Decimal("50000"))
    amended = await hk.amend_order(order, price=Decimal("51000"), quantity=Decimal("0.02"))
    assert amended.order_id == order.order_id and amended.status is OrderStatus.NEW
    assert amended.price == Decimal("51000") and amended.quantity == Decimal("0.02")
    [resting] = venue.engine.open_orders(BTC)
    assert resting.price == Decimal("51000") and resting.quantity == Decimal("0.02")
    filled = await hk.amend_order(amended, price=Decimal("60000"))  # marketable now: it fills
    assert filled.status is OrderStatus.FILLED
    assert (await hk.legs(BTC)).long.size == Decimal("0.02")


async def test_amend_refused_locally(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, BTC)
    await hk.open_long(BTC, QTY_LONG)
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("50000"), QTY_LONG)
    order = await hk.open_long(BTC, QTY_LONG, price=Decimal("50000"))
    sent = len(venue.requests)
    with pytest.raises(InvalidRequest, match=venue.venue):
        await hk.amend_order(stop, price=Decimal("49000"))
    with pytest.raises(InvalidRequest, match="tick"):
        await hk.amend_order(order, price=Decimal("50000.001"))
    with pytest.raises(InvalidRequest):
        await hk.amend_order(order)
    market = hk.market(BTC)
    with pytest.raises(InvalidRequest, match="lot step"):
        await hk.amend_order(order, quantity=market.lot_step / 2)
    assert len(venue.requests) == sent  # nothing was sent


async def test_aster_legacy_key_cannot_amend() -> None:
    async with SimulatedVenue("aster") as venue:
        assert isinstance(venue.frontend, AsterFrontend)
        creds = venue.frontend.legacy_credentials
        async with hedgekit.connect("aster", base_url=venue.base_url, **creds) as hk:
            await hk.set_position_mode(PositionMode.HEDGE)
            order = await hk.open_long(BTC, QTY_LONG, price=Decimal("50000"))
            sent = len(venue.requests)
            with pytest.raises(InvalidRequest, match="aster cannot amend.*legacy"):
                await hk.amend_order(order, price=Decimal("51000"))
            assert len(venue.requests) == sent
