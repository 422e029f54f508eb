"""Amending a waiting stop or take-profit: ``hk.amend_order(order, trigger_price=, quantity=)``.

Bybit amends it on ``POST /v5/order/amend`` (``triggerPrice``, ``qty``), OKX on
``POST /api/v5/trade/amend-algos`` (``newSlTriggerPx``/``newTpTriggerPx``, ``newSz``); Binance and
Aster cannot, and hedgekit says so before sending anything. Through the public API, the raw wire
and, on Bybit, ccxt's ``edit_order``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ccxt.async_support as ccxt_async
import pytest

import hedgekit
from hedgekit import HedgeClient, InvalidRequest, OrderRejected, OrderStatus, OrderType, PositionMode, PositionSide
from hedgekit.ccxt_bridge import VenueReply
from hedgekit.testing import SimulatedVenue

BTC = "BTC/USDT:USDT"
QTY = Decimal("0.02")


async def _long_with_stop(hk: HedgeClient) -> Any:
    await hk.set_position_mode(PositionMode.HEDGE, BTC)
    await hk.open_long(BTC, QTY)
    return await hk.stop_market(BTC, PositionSide.LONG, Decimal("55000"), QTY)


@pytest.mark.parametrize("venue_name", ["bybit", "okx"])
async def test_amend_stop_trigger_and_quantity(hk: HedgeClient, venue: SimulatedVenue) -> None:
    stop = await _long_with_stop(hk)
    amended = await hk.amend_order(stop, trigger_price=Decimal("56000"), quantity=Decimal("0.01"))
    assert amended.order_id == stop.order_id and amended.conditional and amended.status is OrderStatus.NEW
    assert amended.trigger_price == Decimal("56000") and amended.quantity == Decimal("0.01")
    [waiting] = venue.engine.conditional_orders(BTC)
    assert (waiting.trigger_price, waiting.quantity) == (Decimal("56000"), Decimal("0.01"))
    # the amended trigger is the one that fires
    venue.set_mark_price(BTC, Decimal("56500"))
    assert venue.engine.conditional_orders(BTC)
    venue.set_mark_price(BTC, Decimal("55900"))
    assert not venue.engine.conditional_orders(BTC)
    assert (await hk.legs(BTC)).long.size == QTY - Decimal("0.01")


@pytest.mark.parametrize("venue_name", ["bybit", "okx"])
async def test_amend_take_profit_trigger(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, BTC)
    await hk.open_short(BTC, QTY)
    tp = await hk.take_profit_market(BTC, PositionSide.SHORT, Decimal("50000"), QTY)
    amended = await hk.amend_order(tp, trigger_price=Decimal("51000"))
    assert amended.type is OrderType.TAKE_PROFIT_MARKET and amended.trigger_price == Decimal("51000")
    assert amended.quantity == QTY


@pytest.mark.parametrize("venue_name", ["bybit", "okx"])
async def test_amend_conditional_checked_before_sending(hk: HedgeClient, venue: SimulatedVenue) -> None:
    stop = await _long_with_stop(hk)
    sent = len(venue.requests)
    with pytest.raises(InvalidRequest, match="no price to amend"):
        await hk.amend_order(stop, price=Decimal("54000"))
    with pytest.raises(InvalidRequest, match="trigger_price 55000.05 is not on the tick"):
        await hk.amend_order(stop, trigger_price=Decimal("55000.05"))
    with pytest.raises(InvalidRequest, match="lot step"):
        await hk.amend_order(stop, quantity=Decimal("0.000015"))
    with pytest.raises(InvalidRequest, match="trigger_price=, quantity="):
        await hk.amend_order(stop)
    assert len(venue.requests) == sent
    # a stop closing a long must trigger below the mark (60000): a stop read back names its
    # trigger price type (the mark), so the new trigger is checked against the mark (one GET)
    [listed] = [o for o in await hk.open_orders(BTC) if o.order_id == stop.order_id]
    writes = sum(1 for r in venue.requests if r.method != "GET")
    with pytest.raises(InvalidRequest, match="trigger"):
        await hk.amend_order(listed, trigger_price=Decimal("61000"))
    assert sum(1 for r in venue.requests if r.method != "GET") == writes
    # the placement's answer names no price type: the venue's own rule refuses it
    with pytest.raises(OrderRejected, match="110093|5130[0-9]|5128[0-9]"):
        await hk.amend_order(stop, trigger_price=Decimal("61000"))
    assert venue.engine.conditional_orders(BTC)[0].trigger_price == Decimal("55000")
    order = await hk.open_long(BTC, QTY, price=Decimal("50000"))
    sent = len(venue.requests)
    with pytest.raises(InvalidRequest, match="not"):
        await hk.amend_order(order, trigger_price=Decimal("50000"))
    assert len(venue.requests) == sent


@pytest.mark.parametrize("venue_name", ["bybit", "okx"])
async def test_trailing_and_close_position_refused(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE, BTC)
    await hk.open_long(BTC, QTY)
    whole = await hk.stop_market(BTC, PositionSide.LONG, Decimal("55000"))
    sent = len(venue.requests)
    with pytest.raises(InvalidRequest, match=f"{venue.venue} cannot amend.*whole leg"):
        await hk.amend_order(whole, quantity=Decimal("0.01"))
    assert len(venue.requests) == sent
    moved = await hk.amend_order(whole, trigger_price=Decimal("54000"))  # its trigger can move
    assert moved.trigger_price == Decimal("54000") and moved.close_position


@pytest.mark.parametrize("venue_name", ["binance", "aster"])
async def test_refused_where_the_venue_cannot(hk: HedgeClient, venue: SimulatedVenue) -> None:
    stop = await _long_with_stop(hk)
    sent = len(venue.requests)
    with pytest.raises(InvalidRequest, match=f"{venue.venue} cannot amend this order"):
        await hk.amend_order(stop, trigger_price=Decimal("56000"))
    with pytest.raises(InvalidRequest, match=f"{venue.venue} cannot amend this order"):
        await hk.amend_order(stop, quantity=Decimal("0.01"))
    assert len(venue.requests) == sent


# ----------------------------------------------------------------------- the wire


@pytest.mark.parametrize("venue_name", ["bybit"])
async def test_bybit_amend_wire(hk: HedgeClient, venue: SimulatedVenue) -> None:
    stop = await _long_with_stop(hk)
    await hk.amend_order(stop, trigger_price=Decimal("56000"), quantity=Decimal("0.01"))
    [amend] = [r for r in venue.requests if r.path == "/v5/order/amend"]
    assert amend.params == {"category": "linear", "symbol": "BTCUSDT", "orderId": stop.order_id,
                            "qty": "0.01", "triggerPrice": "56000"}
    ex = hk.exchange
    answer = await ex.privatePostV5OrderAmend({"category": "linear", "symbol": "BTCUSDT",
                                               "orderId": stop.order_id, "triggerPrice": "56500"})
    assert answer["retCode"] == 0
    assert set(answer["result"]) == {"orderId", "orderLinkId"}
    rows = (await ex.privateGetV5OrderRealtime({"category": "linear", "symbol": "BTCUSDT",
                                                "orderId": stop.order_id}))["result"]["list"]
    assert (rows[0]["triggerPrice"], rows[0]["orderStatus"]) == ("56500.00", "Untriggered")
    # "expect Falling" (triggerDirection 2): a trigger above the price is 110093
    with pytest.raises(VenueReply) as refused:
        await ex.privatePostV5OrderAmend({"category": "linear", "symbol": "BTCUSDT",
                                          "orderId": stop.order_id, "triggerPrice": "61000"})
    assert refused.value.payload["retCode"] == 110093
    assert refused.value.payload["retMsg"] == "expect Falling, but trigger_price[61000.00] >= current[60000.00]"


@pytest.mark.parametrize("venue_name", ["okx"])
async def test_okx_amend_algos_wire(hk: HedgeClient, venue: SimulatedVenue) -> None:
    stop = await _long_with_stop(hk)
    await hk.amend_order(stop, trigger_price=Decimal("56000"), quantity=Decimal("0.01"))
    [amend] = [r for r in venue.requests if r.path == "/api/v5/trade/amend-algos"]
    assert amend.params == {"instId": "BTC-USDT-SWAP", "algoId": stop.order_id, "newSz": "1",
                            "newSlTriggerPx": "56000", "newSlOrdPx": "-1"}
    ex = hk.exchange
    answer = await ex.privatePostTradeAmendAlgos({"instId": "BTC-USDT-SWAP", "algoId": stop.order_id,
                                                  "newSlTriggerPx": "56500", "newSlOrdPx": "-1", "reqId": "r1"})
    assert answer["code"] == "0"
    assert answer["data"] == [{"algoClOrdId": stop.client_order_id, "algoId": stop.order_id, "reqId": "r1",
                               "sCode": "0", "sMsg": ""}]
    [row] = (await ex.privateGetTradeOrderAlgo({"algoId": stop.order_id}))["data"]
    assert (row["slTriggerPx"], row["sz"], row["state"]) == ("56500", "1", "live")
    # a stop-loss of a long (a sell) above the mark price: 51304, per algo order (code "1")
    with pytest.raises(VenueReply) as refused:
        await ex.privatePostTradeAmendAlgos({"instId": "BTC-USDT-SWAP", "algoId": stop.order_id,
                                             "newSlTriggerPx": "61000", "newSlOrdPx": "-1"})
    assert refused.value.payload["code"] == "1"
    assert [(r["sCode"], r["sMsg"]) for r in refused.value.payload["data"]] == [
        ("51304", "SL trigger price cannot be higher than the mark price")]
    with pytest.raises(VenueReply) as missing:
        await ex.privatePostTradeAmendAlgos({"instId": "BTC-USDT-SWAP", "algoId": "999999",
                                             "newSlTriggerPx": "56000"})
    assert [r["sCode"] for r in missing.value.payload["data"]] == ["51603"]
    assert venue.engine.conditional_orders(BTC)[0].trigger_price == Decimal("56500")


async def test_bybit_ccxt_edit_order_on_a_stop() -> None:
    async with SimulatedVenue("bybit", mark_prices={BTC: Decimal("60000")}) as venue:
        async with hedgekit.connect("bybit", base_url=venue.base_url, **venue.credentials) as hk:
            stop = await _long_with_stop(hk)
        ex = ccxt_async.bybit({
            "apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"], "enableRateLimit": False,
            "options": {"enableUnifiedAccount": True, "enableUnifiedMargin": False,
                        "fetchMarkets": {"types": ["linear"]}}})
        ex.has["fetchCurrencies"] = False
        ex.urls["api"] = {key: venue.base_url for key in ex.urls["api"]}
        try:
            await ex.load_markets()
            await ex.edit_order(stop.order_id, BTC, "market", "sell", 0.01, None, {"triggerPrice": 56000})
        finally:
            await ex.close()
        [waiting] = venue.engine.conditional_orders(BTC)
        assert (waiting.trigger_price, waiting.quantity) == (Decimal("56000"), Decimal("0.01"))
        [amend] = [r for r in venue.requests if r.path == "/v5/order/amend"]
        assert str(amend.params["triggerPrice"]) == "56000" and str(amend.params["qty"]) == "0.01"
