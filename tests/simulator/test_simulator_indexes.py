"""The engine's order indexes stay consistent with its full history, and lookups through them
answer what a scan of every order ever placed would answer.

The books index open orders, and orders by id and by client id, so per-order work does not grow
with history; these tests check every index against a brute-force view of ``all_orders()`` /
``all_conditional_orders()`` after each step of long random runs, plus the frontends that now
look orders up through the indexes.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgekit.testing import (
    ConditionalStatus,
    Engine,
    EngineError,
    Market,
    OrderStatus,
    Reason,
    load_frontend,
)
from hedgekit.testing.frontend import RecordedRequest, headers_proxy
from hedgekit.testing.server import _pairs

D = Decimal
SYMBOLS = ("BTCUSDT", "ETHUSDT")
CLIENT_IDS = [f"c{i}" for i in range(5)]


def market(symbol_id: str, base: str) -> Market:
    return Market(
        symbol_id=symbol_id, symbol=f"{base}/USDT:USDT", base=base, quote="USDT", settle="USDT",
        tick_size=D("0.1"), lot_step=D("0.001"), min_qty=D("0.001"), max_qty=D("1000"),
        market_max_qty=D("120"), min_notional=D("5"), max_leverage=125,
        maintenance_margin_rate=D("0.004"),
    )


def engine() -> Engine:
    return Engine([market("BTCUSDT", "BTC"), market("ETHUSDT", "ETH")],
                  mark_prices={"BTCUSDT": "60000", "ETHUSDT": "60000"}, balance="1000000")


def refused(reason: Reason) -> pytest.RaisesExc[EngineError]:
    return pytest.raises(EngineError, match=reason.value)


def check_consistent(e: Engine) -> None:
    """Every index agrees with a scan of the whole history."""
    history, conditionals = e.all_orders(), e.all_conditional_orders()
    for sid in (None, *SYMBOLS):
        scoped = [o for o in history if sid in (None, o.symbol)]
        assert e.all_orders(sid) == scoped
        assert e.open_orders(sid) == [o for o in scoped if o.status is OrderStatus.NEW]
        waiting = [c for c in conditionals if sid in (None, c.symbol)]
        assert e.all_conditional_orders(sid) == waiting
        assert e.conditional_orders(sid) == [c for c in waiting if c.status is ConditionalStatus.NEW]
        fired = [c for c in waiting if c.status is ConditionalStatus.TRIGGERED]
        assert sorted(e.triggered_conditionals(sid), key=lambda c: c.conditional_id) == fired
        for client in {o.client_order_id for o in history} | set(CLIENT_IDS):
            named = [o for o in scoped if o.client_order_id == client]
            assert e.orders_by_client_id(client, sid) == named
            assert e.orders_by_client_id(client, sid, open_only=True) == [
                o for o in named if o.status is OrderStatus.NEW]
        for client in {c.client_id for c in conditionals} | set(CLIENT_IDS):
            named_c = [c for c in waiting if c.client_id == client]
            assert e.conditionals_by_client_id(client, sid) == named_c
            assert e.conditionals_by_client_id(client, sid, open_only=True) == [
                c for c in named_c if c.status is ConditionalStatus.NEW]
    # lookups: the newest match, any status or open only; an id never matches another symbol
    for sid in SYMBOLS:
        for client in CLIENT_IDS:
            named = [o for o in history if o.symbol == sid and o.client_order_id == client]
            live = [o for o in named if o.status is OrderStatus.NEW]
            if named:
                assert e.get_order(sid, client_order_id=client) == named[-1]
            else:
                with refused(Reason.ORDER_NOT_FOUND):
                    e.get_order(sid, client_order_id=client)
            if live:
                assert e.open_order(sid, client_order_id=client) == live[-1]
            else:
                with refused(Reason.ORDER_NOT_FOUND):
                    e.open_order(sid, client_order_id=client)
    for order in history:
        other = SYMBOLS[1 - SYMBOLS.index(order.symbol)]
        assert e.get_order(order.symbol, order_id=order.order_id) == order
        with refused(Reason.ORDER_NOT_FOUND):
            e.get_order(other, order_id=order.order_id)
        if order.status is OrderStatus.NEW:
            assert e.open_order(order.symbol, order_id=order.order_id) == order
        else:
            with refused(Reason.ORDER_NOT_FOUND):
                e.open_order(order.symbol, order_id=order.order_id)
        parents = [c for c in conditionals if c.triggered_order_id == order.order_id]
        assert e.conditional_of_order(order.order_id) == (parents[-1] if parents else None)
    for client in CLIENT_IDS:
        named_c = [c for c in conditionals if c.client_id == client]
        if named_c:
            assert e.get_conditional(client_id=client) == named_c[-1]
    for count in (0, 1, len(conditionals) // 2, len(conditionals), len(conditionals) + 3):
        assert e.conditional_orders_since(count) == conditionals[count:]
    # the engine's rule: a client id is unique among open orders (and among waiting conditionals)
    open_ids = [o.client_order_id for o in e.open_orders()]
    assert len(open_ids) == len(set(open_ids))
    waiting_ids = [c.client_id for c in e.conditional_orders()]
    assert len(waiting_ids) == len(set(waiting_ids))


def random_step(e: Engine, rng: random.Random) -> None:
    sid = rng.choice(SYMBOLS)
    mark = e.mark_price(sid)
    side = rng.choice(["BUY", "SELL"])
    client = rng.choice([*CLIENT_IDS, None])
    roll = rng.random()
    try:
        if roll < 0.35:  # resting or marketable limit, sometimes IOC
            offset = D(rng.choice([-300, -100, 100, 300]))
            e.place_order(sid, side, "0.01", order_type="LIMIT", price=mark + offset,
                          time_in_force=rng.choice(["GTC", "GTC", "IOC"]), client_order_id=client)
        elif roll < 0.45:
            e.place_order(sid, side, "0.01", client_order_id=client)
        elif roll < 0.60:
            kind = rng.choice(["STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT",
                               "TRAILING_STOP_MARKET"])
            rises = (kind.startswith("STOP")) == (side == "BUY")
            trigger = mark + D(rng.choice([100, 200, 400])) * (1 if rises else -1)
            if kind == "TRAILING_STOP_MARKET":
                e.place_conditional(sid, side, kind, quantity="0.01", callback_rate="0.5", client_id=client)
            else:
                price = trigger + D(200 if side == "BUY" else -200) if kind in ("STOP", "TAKE_PROFIT") else None
                e.place_conditional(sid, side, kind, quantity="0.01", trigger_price=trigger, price=price,
                                    client_id=client)
        elif roll < 0.70:
            known = e.all_orders(sid)
            if known and rng.random() < 0.6:
                e.cancel_order(sid, order_id=rng.choice(known).order_id)
            else:
                e.cancel_order(sid, client_order_id=client)
        elif roll < 0.78:
            known_c = e.all_conditional_orders()
            if known_c and rng.random() < 0.6:
                e.cancel_conditional(conditional_id=rng.choice(known_c).conditional_id)
            else:
                e.cancel_conditional(client_id=client)
        elif roll < 0.80:
            e.cancel_all_orders(sid)
        elif roll < 0.82:
            e.cancel_all_conditionals(sid)
        else:
            e.set_mark_price(sid, mark + D(rng.choice([-500, -200, -100, 100, 200, 500])))
    except EngineError:
        pass


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_indexes_match_the_history_through_random_activity(seed: int) -> None:
    rng = random.Random(seed)
    e = engine()
    seen: set[Any] = set()
    for step in range(600):
        random_step(e, rng)
        seen |= {o.status for o in e.all_orders()} | {c.status for c in e.all_conditional_orders()}
        if step % 25 == 0:
            check_consistent(e)
    check_consistent(e)
    assert set(OrderStatus) <= seen  # the run went through every state
    assert {ConditionalStatus.NEW, ConditionalStatus.TRIGGERED, ConditionalStatus.FINISHED,
            ConditionalStatus.CANCELED} <= seen


def test_client_ids_are_unique_among_open_orders_only() -> None:
    e = engine()
    first = e.place_order("BTCUSDT", "BUY", "0.01", order_type="LIMIT", price="59000", client_order_id="dup")
    with refused(Reason.DUPLICATE_CLIENT_ID):  # open on another symbol counts too
        e.place_order("ETHUSDT", "BUY", "0.01", order_type="LIMIT", price="59000", client_order_id="dup")
    e.cancel_order("BTCUSDT", client_order_id="dup")
    second = e.place_order("BTCUSDT", "BUY", "0.01", order_type="LIMIT", price="59000", client_order_id="dup")
    filled = e.place_order("ETHUSDT", "BUY", "0.01", client_order_id="other")
    assert filled.status is OrderStatus.FILLED
    third = e.place_order("ETHUSDT", "BUY", "0.01", client_order_id="other")  # reused once closed
    assert e.get_order("BTCUSDT", client_order_id="dup") == second  # the newest of its symbol
    assert e.get_order("ETHUSDT", client_order_id="other") == third
    assert [o.order_id for o in e.orders_by_client_id("dup")] == [first.order_id, second.order_id]
    assert e.orders_by_client_id("dup", open_only=True) == [second]
    assert e.orders_by_client_id("dup", "ETHUSDT") == []
    with refused(Reason.ORDER_NOT_FOUND):
        e.get_order("ETHUSDT", client_order_id="dup")
    canceled = e.cancel_order("BTCUSDT", client_order_id="dup")
    assert canceled.order_id == second.order_id and e.open_orders() == []
    with refused(Reason.ORDER_NOT_FOUND):
        e.cancel_order("BTCUSDT", client_order_id="dup")
    check_consistent(e)


def test_conditional_client_ids_and_the_orders_triggers_place() -> None:
    e = engine()
    stop = e.place_conditional("BTCUSDT", "BUY", "STOP", quantity="0.01", trigger_price="60500",
                               price="60700", client_id="s")
    with refused(Reason.DUPLICATE_CLIENT_ID):
        e.place_conditional("ETHUSDT", "SELL", "STOP_MARKET", quantity="0.01", trigger_price="59000",
                            client_id="s")
    e.set_mark_price("BTCUSDT", "60500")  # fires a buy limit at 60700, marketable: it fills at once
    fired = e.get_conditional(client_id="s")
    assert fired.conditional_id == stop.conditional_id and fired.triggered_order_id is not None
    child = e.get_order("BTCUSDT", order_id=fired.triggered_order_id)
    assert e.conditional_of_order(child.order_id) == fired
    again = e.place_conditional("BTCUSDT", "SELL", "TAKE_PROFIT", quantity="0.01", trigger_price="61000",
                                price="61500", client_id="s")  # free again once it fired
    e.set_mark_price("BTCUSDT", "61000")  # a sell limit at 61500 rests: TRIGGERED
    assert e.triggered_conditionals() == [e.get_conditional(conditional_id=again.conditional_id)]
    resting = e.open_orders("BTCUSDT")
    assert [o.orig_type for o in resting] == ["TAKE_PROFIT"]
    e.set_mark_price("BTCUSDT", "61500")  # it fills: the conditional finishes
    assert e.triggered_conditionals() == [] and e.open_orders() == []
    assert e.get_conditional(client_id="s").status is ConditionalStatus.FINISHED
    assert [c.client_id for c in e.conditional_orders_since(1)] == ["s"]
    check_consistent(e)


def test_a_lookup_stays_flat_as_history_grows() -> None:
    e = engine()
    for i in range(3000):
        e.place_order("BTCUSDT", "BUY" if i % 2 else "SELL", "0.01", client_order_id=f"h{i}")
    e.place_order("BTCUSDT", "BUY", "0.01", order_type="LIMIT", price="50000", client_order_id="live")
    assert [o.client_order_id for o in e.open_orders()] == ["live"]
    assert e.open_order("BTCUSDT", client_order_id="live").price == D("50000")
    assert e.get_order("BTCUSDT", client_order_id="h1234").client_order_id == "h1234"
    assert len(e.all_orders()) == 3001


# --------------------------------------------------------------------------- request parsing


@pytest.mark.parametrize("text", [
    "", "&", "&&", "a", "a=", "=b", "==", "a=b=c", "&a=1&", "a=1&a=2", "a+b=c%20d&x",
    "%zz=1&q=%E2%82%AC", "a%3Db=c", "sig=%2B%2F", "k=%FF", "x=1&&y=2&",
])
def test_form_pairs_parse_like_parse_qsl(text: str) -> None:
    assert _pairs(text) == tuple(parse_qsl(text, keep_blank_values=True))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab=&%+2FE8z ", max_size=30))
def test_form_pairs_parse_like_parse_qsl_on_any_text(text: str) -> None:
    assert _pairs(text) == tuple(parse_qsl(text, keep_blank_values=True))


# --------------------------------------------------------------------------- frontends


def request(params: dict[str, Any], method: str = "POST", path: str = "/") -> RecordedRequest:
    query = urlencode(params)
    pairs = tuple(parse_qsl(query, keep_blank_values=True))
    return RecordedRequest(method, path, dict(params), headers_proxy(), query, "", pairs, ())


def test_bybit_order_link_ids_stay_unique_and_are_found_through_the_index() -> None:
    from hedgekit_bybit import simulator_trade as trade
    from hedgekit_bybit.simulator_wire import BybitError, Params

    cls = load_frontend("bybit")
    state = trade.State(cls.create_engine())
    now = [1_700_000_000_000]
    state.engine.clock = lambda: now[0]
    base = {"category": "linear", "symbol": "BTCUSDT"}

    def create(**extra: Any) -> dict[str, Any]:
        now[0] += 1
        return trade.create_order(state, Params(request({**base, "side": "Buy", "orderType": "Market",
                                                         "qty": "0.001", **extra})))

    for i in range(200):
        create(orderLinkId=f"fill-{i}", side="Sell" if i % 2 else "Buy")
    with pytest.raises(BybitError, match="110072"):
        create(orderLinkId="fill-7")  # filled long ago: still taken ("always unique")
    mark = state.engine.mark_price("BTCUSDT")
    stop = create(orderLinkId="stop-1", triggerPrice=str(mark + 100), triggerDirection=1)
    with pytest.raises(BybitError, match="110072"):
        create(orderLinkId="stop-1")
    now[0] += 1
    state.engine.set_mark_price("BTCUSDT", mark + 100)  # fires: the order it places carries the link
    found = trade.find(state, "BTCUSDT", Params(request({"orderLinkId": "stop-1"})))
    assert [r["orderLinkId"] for r in found] == ["stop-1"] and found[0]["stopOrderType"] == ""
    assert found[0]["createType"] == "CreateByStopOrder"
    by_id = trade.find(state, "BTCUSDT", Params(request({"orderId": stop["orderId"]})))
    assert by_id[0]["orderId"] == stop["orderId"] and by_id[0]["stopOrderType"] == "Stop"
    assert trade.find(state, "ETHUSDT", Params(request({"orderId": stop["orderId"]}))) == []
    assert trade.find(state, "BTCUSDT", Params(request({"orderId": "not-an-id"}))) == []
    resting = create(orderLinkId="rest", orderType="Limit", price=str(mark - 1000))
    rows = trade.realtime(state, Params(request(base, "GET")))["list"]
    assert [r["orderId"] for r in rows] == [resting["orderId"]]


def test_aster_lists_a_fired_stop_under_its_own_id_while_its_order_rests() -> None:
    from hedgekit_aster import simulator_trade as trade
    from hedgekit_binance.simulator_wire import BinanceError, Params

    cls = load_frontend("aster")
    e = cls.create_engine()
    mark = e.mark_price("BTCUSDT")
    base = {"symbol": "BTCUSDT", "quantity": "0.010"}
    for i in range(100):
        trade.new_order(e, Params(request({**base, "side": "BUY" if i % 2 else "SELL", "type": "MARKET",
                                           "newClientOrderId": f"m{i}"})))
    limit = {**base, "side": "BUY", "type": "LIMIT", "price": str(mark - 500), "timeInForce": "GTC",
             "newClientOrderId": "stp"}
    stop = trade.new_order(e, Params(request({**base, "side": "BUY", "type": "STOP", "stopPrice": str(mark + 100),
                                              "price": str(mark + 50), "newClientOrderId": "stp"})))
    with pytest.raises(BinanceError, match="duplicated"):
        trade.new_order(e, Params(request(limit)))
    e.set_mark_price("BTCUSDT", mark + 100)  # fires a buy limit at mark+50, below the mark: it rests
    (fired,) = e.triggered_conditionals("BTCUSDT")
    assert fired.triggered_order_id is not None
    listed = trade.open_orders(e, Params(request({"symbol": "BTCUSDT"}, "GET")))
    assert [(r["orderId"], r["type"], r["status"]) for r in listed] == [(stop["orderId"], "LIMIT", "NEW")]
    with pytest.raises(BinanceError, match="duplicated"):  # still open, under the conditional
        trade.new_order(e, Params(request(limit)))
    with pytest.raises(BinanceError, match="-2013"):  # the order it placed shows under the conditional's id
        trade.query_order(e, Params(request({"symbol": "BTCUSDT", "orderId": fired.triggered_order_id}, "GET")))
    queried = trade.query_open_order(e, Params(request({"symbol": "BTCUSDT", "origClientOrderId": "stp"}, "GET")))
    assert queried["orderId"] == stop["orderId"]
    filled = trade.query_order(e, Params(request({"symbol": "BTCUSDT", "origClientOrderId": "m42"}, "GET")))
    assert filled["status"] == "FILLED"
    e.set_mark_price("BTCUSDT", mark + 50)  # the resting order fills: nothing open, the id is free
    assert trade.open_orders(e, Params(request({"symbol": "BTCUSDT"}, "GET"))) == []
    assert trade.new_order(e, Params(request(limit)))["clientOrderId"] == "stp"
