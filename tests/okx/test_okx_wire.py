"""What OKX receives: the exact request for each intent in each mode, sizes in contracts (VENUES.md §4)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from hedgekit import (
    BlockerKind,
    HedgeClient,
    InvalidRequest,
    MarginMode,
    ModeChangeBlocked,
    OrderType,
    PositionMode,
    PositionSide,
    TimeInForce,
    WorkingType,
)
from hedgekit.testing import RecordedRequest, SimulatedVenue
from hedgekit.testing import engine_types as E
from hedgekit_okx.simulator_ledger import OkxEngine

from .conftest import ADA, BTC, ETH, last_body, posts, sent

#: The ``ordType`` values of GET /api/v5/trade/orders-algo-pending, as OKX documents them
#: (https://www.okx.com/docs-v5/en/#order-book-trading-algo-trading-get-algo-order-list, "ordType | String |
#: Yes": conditional, oco, chase, trigger, move_order_stop, iceberg, twap; "unlike other ordType which only can
#: use one type, conditional and oco both can be used and separated with comma"; VENUES.md §4.5, §7.4).
DOCUMENTED_ALGO_TYPES = frozenset({"conditional", "oco", "chase", "trigger", "move_order_stop", "iceberg", "twap"})


def algo_types_asked(requests: list[RecordedRequest]) -> list[str]:
    """The ``ordType`` of each orders-algo-pending request, a comma-joined pair split in two."""
    return [kind for r in requests if r.path == "/api/v5/trade/orders-algo-pending"
            for kind in dict(r.query_pairs)["ordType"].split(",")]

ORDER_KEYS = ("instId", "tdMode", "side", "posSide", "ordType", "sz", "px", "reduceOnly")


def order_fields(body: dict[str, object]) -> dict[str, object]:
    return {k: body[k] for k in ORDER_KEYS if k in body}


async def _open_first(hk: HedgeClient, intent: str, quantity: Decimal) -> None:
    if intent.startswith("close"):
        await getattr(hk, "open_long" if intent == "close_long" else "open_short")(BTC, quantity)


@pytest.mark.parametrize(
    "intent, side, pos_side",
    [("open_long", "buy", "long"), ("close_long", "sell", "long"), ("open_short", "sell", "short"),
     ("close_short", "buy", "short")],
)
async def test_hedge_mode_market_intents(
    hk: HedgeClient, venue: SimulatedVenue, intent: str, side: str, pos_side: str
) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await _open_first(hk, intent, Decimal("0.015"))
    await getattr(hk, intent)(BTC, Decimal("0.015"))
    body = last_body(venue, "trade/order")
    # 0.015 BTC = 1.5 contracts of 0.01 BTC; reduceOnly is not sent in long/short mode
    assert order_fields(body) == {"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": side, "posSide": pos_side,
                                  "ordType": "market", "sz": "1.5"}
    assert re.fullmatch(r"[A-Za-z0-9]{1,32}", body["clOrdId"])
    assert not sent(venue, "POST", "trade/batch-orders")


@pytest.mark.parametrize(
    "intent, side, reduce",
    [("open_long", "buy", False), ("close_long", "sell", True), ("open_short", "sell", False),
     ("close_short", "buy", True)],
)
async def test_one_way_mode_market_intents(
    hk: HedgeClient, venue: SimulatedVenue, intent: str, side: str, reduce: bool
) -> None:
    await _open_first(hk, intent, Decimal("0.02"))
    await getattr(hk, intent)(BTC, Decimal("0.02"))
    expected: dict[str, object] = {"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": side, "posSide": "net",
                                   "ordType": "market", "sz": "2"}
    if reduce:
        expected["reduceOnly"] = True
    assert order_fields(last_body(venue, "trade/order")) == expected


@pytest.mark.parametrize(
    "tif, price, ord_type",
    [(TimeInForce.GTC, "59000", "limit"), (TimeInForce.IOC, "61000", "ioc"), (TimeInForce.FOK, "61000", "fok"),
     (TimeInForce.POST_ONLY, "59000", "post_only")],
)
async def test_limit_time_in_force_is_the_ord_type(
    hk: HedgeClient, venue: SimulatedVenue, tif: TimeInForce, price: str, ord_type: str
) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    order = await hk.open_long(BTC, Decimal("0.01"), price=Decimal(price), time_in_force=tif)
    body = last_body(venue, "trade/order")
    assert (body["ordType"], body["px"], body["sz"]) == (ord_type, price, "1")
    assert order.type is OrderType.LIMIT and order.time_in_force is tif


async def test_sizes_convert_both_ways(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    order = await hk.open_long(ADA, Decimal("250"))  # ctVal 100 ADA, lotSz 0.1: 2.5 contracts
    assert last_body(venue, "trade/order")["sz"] == "2.5"
    assert order.quantity == Decimal("250")
    filled = await hk.fetch_order(ADA, order_id=order.order_id)  # accSz/sz in contracts -> base units
    assert filled is not None and filled.quantity == filled.filled_quantity == Decimal("250")
    await hk.open_short(ETH, Decimal("0.35"))  # ctVal 0.1 ETH: 3.5 contracts
    assert last_body(venue, "trade/order")["sz"] == "3.5"
    assert (await hk.legs(ADA)).long.size == Decimal("250")
    assert (await hk.legs(ETH)).short.size == Decimal("0.35")
    assert venue.engine.leg(ADA, E.PositionSide.LONG).size == Decimal("250")
    before = len(venue.requests)
    with pytest.raises(InvalidRequest, match="nearest valid sizes: 250 or 260"):
        await hk.open_long(ADA, Decimal("255"))  # 2.55 contracts is not a multiple of 0.1
    assert len(venue.requests) == before


async def test_conditional_orders_in_hedge_mode(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.open_long(BTC, Decimal("0.02"))
    stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("58000"))
    body = last_body(venue, "trade/order-algo")
    assert {k: v for k, v in body.items() if k not in ("algoClOrdId", "clOrdId")} == {
        "instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "sell", "posSide": "long", "ordType": "conditional",
        "slTriggerPx": "58000", "slOrdPx": "-1", "slTriggerPxType": "mark", "closeFraction": "1",
    }
    assert body["algoClOrdId"] == stop.client_order_id
    assert stop.close_position and stop.quantity is None and stop.trigger_price == Decimal("58000")
    await hk.take_profit_market(BTC, PositionSide.LONG, Decimal("65000"), Decimal("0.01"),
                                working_type=WorkingType.CONTRACT_PRICE)
    body = last_body(venue, "trade/order-algo")
    assert (body["tpTriggerPx"], body["tpOrdPx"], body["tpTriggerPxType"], body["sz"]) == ("65000", "-1", "last", "1")
    assert "reduceOnly" not in body and "closeFraction" not in body
    trail = await hk.trailing_stop(BTC, PositionSide.LONG, Decimal("0.01"), Decimal("1.5"),
                                   activation_price=Decimal("61000"))
    body = last_body(venue, "trade/order-algo")
    assert (body["ordType"], body["callbackRatio"], body["activePx"], body["sz"]) == (
        "move_order_stop", "0.015", "61000", "1")
    assert trail.callback_rate == Decimal("1.5") and trail.type is OrderType.TRAILING_STOP_MARKET
    assert not sent(venue, "POST", "trade/order") or all(
        "slTriggerPx" not in r.body for r in sent(venue, "POST", "trade/order"))


async def test_conditional_orders_in_net_mode(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_short(BTC, Decimal("0.02"))
    await hk.stop_market(BTC, PositionSide.SHORT, Decimal("62000"))
    body = last_body(venue, "trade/order-algo")
    # "If posSide is net, reduceOnly must be true" for closeFraction
    assert (body["posSide"], body["side"], body["reduceOnly"], body["closeFraction"]) == ("net", "buy", True, "1")
    await hk.trailing_stop(BTC, PositionSide.SHORT, Decimal("0.01"), Decimal("1"))
    body = last_body(venue, "trade/order-algo")
    assert (body["posSide"], body["reduceOnly"], body["callbackRatio"], body["sz"]) == ("net", True, "0.01", "1")


async def test_close_leg_goes_through_close_position(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.open_long(BTC, Decimal("0.01"))
    await hk.open_short(BTC, Decimal("0.03"))
    order = await hk.adapter.close_leg(BTC, PositionSide.SHORT)  # type: ignore[attr-defined]
    body = last_body(venue, "trade/close-position")
    assert {k: body[k] for k in ("instId", "posSide", "mgnMode")} == {
        "instId": "BTC-USDT-SWAP", "posSide": "short", "mgnMode": "cross"}
    assert order is not None and order.quantity == Decimal("0.03") and order.client_order_id == body["clOrdId"]
    pair = await hk.legs(BTC)
    assert pair.short.size == 0 and pair.long.size == Decimal("0.01")
    assert await hk.adapter.close_leg(BTC, PositionSide.SHORT) is None  # type: ignore[attr-defined]


async def test_mode_switch_request_and_portfolio_margin_refusal(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    assert last_body(venue, "account/set-position-mode") == {"posMode": "long_short_mode"}
    await hk.set_position_mode(PositionMode.ONE_WAY)
    assert last_body(venue, "account/set-position-mode") == {"posMode": "net_mode"}
    venue.frontend.account_level = "4"  # type: ignore[attr-defined]
    before = posts(venue)
    with pytest.raises(InvalidRequest, match=r"acctLv.*4 \(Portfolio margin\).*net mode only"):
        await hk.set_position_mode(PositionMode.HEDGE)
    assert posts(venue) == before
    assert venue.engine.position_mode() is E.PositionMode.ONE_WAY


async def test_isolated_margin_needs_futures_mode(hk: HedgeClient, venue: SimulatedVenue) -> None:
    venue.frontend.account_level = "3"  # type: ignore[attr-defined]
    with pytest.raises(InvalidRequest, match=r"acctLv 2.*3 \(Multi-currency margin\)"):
        await hk.set_margin_mode(BTC, MarginMode.ISOLATED)
    await hk.open_long(BTC, Decimal("0.01"))
    assert last_body(venue, "trade/order")["tdMode"] == "cross"
    venue.frontend.account_level = "2"  # type: ignore[attr-defined]
    await hk.set_margin_mode(ETH, MarginMode.ISOLATED)
    await hk.open_long(ETH, Decimal("0.1"))
    assert last_body(venue, "trade/order")["tdMode"] == "isolated"
    assert isinstance(venue.engine, OkxEngine)  # a margin mode per leg
    assert venue.engine.margin_type(ETH, E.PositionSide.BOTH) is E.MarginType.ISOLATED
    assert (await hk.legs(ETH)).long.margin_mode is MarginMode.ISOLATED


async def test_closing_without_a_choice_uses_the_legs_margin_mode(venue: SimulatedVenue) -> None:
    import hedgekit

    async with hedgekit.connect("okx", base_url=venue.base_url, **venue.credentials) as first:
        await first.set_margin_mode(BTC, MarginMode.ISOLATED)
        await first.open_long(BTC, Decimal("0.02"))
    async with hedgekit.connect("okx", base_url=venue.base_url, **venue.credentials) as second:
        await second.close_long(BTC, Decimal("0.01"))  # a new client: no choice made, the leg is isolated
        assert last_body(venue, "trade/order")["tdMode"] == "isolated"
        assert (await second.legs(BTC)).long.size == Decimal("0.01")


async def test_leverage_and_margin_requests(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    result = await hk.set_leverage(BTC, 8)  # cross: one leverage per contract, no posSide
    assert last_body(venue, "account/set-leverage") == {"instId": "BTC-USDT-SWAP", "lever": "8", "mgnMode": "cross"}
    assert (result.long, result.short) == (8, 8)
    with pytest.raises(InvalidRequest, match="cross-margin leverage per contract"):
        await hk.set_leverage(BTC, 5, PositionSide.LONG)
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)
    before = len(sent(venue, "POST", "account/set-leverage"))
    result = await hk.set_leverage(BTC, 5)  # isolated long/short: per leg
    bodies = [r.body for r in sent(venue, "POST", "account/set-leverage")[before:]]
    assert [('"posSide": "long"' in b or '"posSide":"long"' in b) for b in bodies] == [True, False]
    assert (result.long, result.short) == (5, 5)
    result = await hk.set_leverage(BTC, 7, PositionSide.LONG)
    assert last_body(venue, "account/set-leverage") == {
        "instId": "BTC-USDT-SWAP", "lever": "7", "mgnMode": "isolated", "posSide": "long"}
    assert (result.long, result.short) == (7, 5)
    await hk.open_long(BTC, Decimal("0.01"))
    await hk.adjust_margin(BTC, PositionSide.LONG, Decimal("25"))
    assert last_body(venue, "account/position/margin-balance") == {
        "instId": "BTC-USDT-SWAP", "posSide": "long", "type": "add", "amt": "25"}
    await hk.adjust_margin(BTC, PositionSide.LONG, Decimal("-10.5"))
    assert last_body(venue, "account/position/margin-balance")["type"] == "reduce"
    assert last_body(venue, "account/position/margin-balance")["amt"] == "10.5"
    assert (await hk.legs(BTC)).long.leverage == 7


async def test_exposure_asks_every_algo_type_and_every_page(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.open_long(BTC, Decimal("2"))  # one-way mode
    for _ in range(101):  # more than one page (limit 100) of pending trailing stops
        venue.engine.place_conditional(BTC, E.Side.SELL, E.ConditionalType.TRAILING_STOP_MARKET,
                                       quantity=Decimal("0.01"), callback_rate=Decimal("1"), reduce_only=True)
    before = len(venue.requests)
    with pytest.raises(ModeChangeBlocked) as info:
        await hk.set_position_mode(PositionMode.HEDGE)
    kinds = [b.kind for b in info.value.blockers]
    assert kinds.count(BlockerKind.CONDITIONAL_ORDER) == 101 and kinds.count(BlockerKind.POSITION) == 1
    asked = [r for r in venue.requests[before:] if r.path == "/api/v5/trade/orders-algo-pending"]
    assert DOCUMENTED_ALGO_TYPES <= set(algo_types_asked(asked))
    trailing = [dict(r.query_pairs) for r in asked if dict(r.query_pairs)["ordType"] == "move_order_stop"]
    assert len(trailing) == 2 and "after" not in trailing[0] and trailing[1]["after"]
    assert all(q["limit"] == "100" for q in trailing)
    assert not sent(venue, "POST", "account/set-position-mode")


async def test_a_switch_check_asks_every_documented_algo_type_once(hk: HedgeClient, venue: SimulatedVenue) -> None:
    before = len(venue.requests)
    await hk.set_position_mode(PositionMode.HEDGE)  # nothing open: one page of each list
    switch = next(i for i, r in enumerate(venue.requests) if r.path == "/api/v5/account/set-position-mode")
    assert switch >= before
    asked = algo_types_asked(venue.requests[before:switch])
    missing = DOCUMENTED_ALGO_TYPES - set(asked)
    assert not missing, f"the exposure check never asked for {sorted(missing)}"
    assert all(asked.count(kind) == 1 for kind in DOCUMENTED_ALGO_TYPES), sorted(asked)


async def test_a_lone_trailing_stop_blocks_the_switch(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    trail = await hk.trailing_stop(BTC, PositionSide.SHORT, Decimal("0.01"), Decimal("2"))
    before = posts(venue)
    with pytest.raises(ModeChangeBlocked) as info:
        await hk.set_position_mode(PositionMode.ONE_WAY)
    [blocker] = info.value.blockers
    assert blocker.kind is BlockerKind.CONDITIONAL_ORDER and blocker.order is not None
    assert blocker.order.order_id == trail.order_id and blocker.order.type is OrderType.TRAILING_STOP_MARKET
    assert posts(venue) == before


async def test_client_order_ids(hk: HedgeClient, venue: SimulatedVenue) -> None:
    generated = {hk.adapter.new_client_order_id() for _ in range(50)}
    assert all(re.fullmatch(r"[A-Za-z0-9]{32}", cid) for cid in generated) and len(generated) == 50
    before = len(venue.requests)
    for bad in ("my_id-1", "x" * 33, "spaces here"):
        with pytest.raises(InvalidRequest, match="1-32 characters"):
            await hk.open_long(BTC, Decimal("0.01"), client_order_id=bad)
    assert len(venue.requests) == before
    order = await hk.open_long(BTC, Decimal("0.01"), client_order_id="myBot42")
    assert last_body(venue, "trade/order")["clOrdId"] == "myBot42" and order.client_order_id == "myBot42"
    found = await hk.fetch_order(BTC, client_order_id="myBot42")
    assert found is not None and found.order_id == order.order_id
    assert await hk.fetch_order(BTC, client_order_id="unknown1") is None


async def test_per_leg_isolated_leverage_with_both_legs_open(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)
    await hk.set_leverage(BTC, 5)
    await hk.open_long(BTC, Decimal("0.01"))
    await hk.open_short(BTC, Decimal("0.01"))
    result = await hk.set_leverage(BTC, 10, PositionSide.LONG)  # raising one leg leaves the other at 5
    assert (result.long, result.short) == (10, 5)
    pair = await hk.legs(BTC)
    assert (pair.long.leverage, pair.short.leverage) == (10, 5)
    assert venue.engine.leverage(BTC, E.PositionSide.SHORT) == 5
