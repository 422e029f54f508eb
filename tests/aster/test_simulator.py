"""The simulated Aster venue on the wire: payload shapes, conditional orders on /order, refusals."""

from __future__ import annotations

from decimal import Decimal

import aiohttp

from hedgekit.testing import SimulatedVenue

from .conftest import BTC, v3

ORDER, DUAL, RISK = "/fapi/v3/order", "/fapi/v3/positionSide/dual", "/fapi/v3/positionRisk"
#: positionRisk row fields, in the order of AST3 §Position Information v3's example
RISK_FIELDS = ["entryPrice", "marginType", "isAutoAddMargin", "isolatedMargin", "leverage", "liquidationPrice",
               "markPrice", "maxNotionalValue", "positionAmt", "symbol", "unRealizedProfit", "positionSide",
               "updateTime"]


async def test_position_risk_rows_are_asters(venue: SimulatedVenue) -> None:
    status, rows = await v3(venue, "GET", RISK, symbol="BTCUSDT")
    assert status == 200 and [r["positionSide"] for r in rows] == ["BOTH"]
    assert list(rows[0]) == RISK_FIELDS and rows[0]["positionAmt"] == "0.000" and rows[0]["entryPrice"] == "0.00000"
    assert (await v3(venue, "POST", DUAL, dualSidePosition="true")) == (200, {"code": 200, "msg": "success"})
    assert (await v3(venue, "POST", "/fapi/v3/marginType", symbol="BTCUSDT", marginType="ISOLATED"))[0] == 200
    for side, position_side in (("BUY", "LONG"), ("SELL", "SHORT")):
        status, _ = await v3(venue, "POST", ORDER, symbol="BTCUSDT", side=side, positionSide=position_side,
                             type="MARKET", quantity="0.010")
        assert status == 200
    venue.set_mark_price(BTC, Decimal("60500"))
    _, rows = await v3(venue, "GET", RISK, symbol="BTCUSDT")
    by_side = {r["positionSide"]: r for r in rows}
    assert set(by_side) == {"LONG", "SHORT"} and all(list(r) == RISK_FIELDS for r in rows)
    short = by_side["SHORT"]
    assert short["positionAmt"] == "-0.010"  # signed, even in hedge mode
    assert (short["marginType"], short["leverage"], short["isAutoAddMargin"]) == ("isolated", "20", "false")
    assert "notional" not in short and short["markPrice"] == "60500.00000000"
    assert short["unRealizedProfit"] == "-5.00000000"
    assert Decimal(short["isolatedMargin"]) == Decimal("30") - Decimal("5")  # isolated wallet + PnL
    _, all_rows = await v3(venue, "GET", RISK)
    assert {r["symbol"] for r in all_rows} == {"BTCUSDT", "ETHUSDT", "SOLUSDT", "ASTERUSDT"}  # every symbol


async def test_conditional_orders_live_on_the_order_endpoint(venue: SimulatedVenue) -> None:
    await v3(venue, "POST", DUAL, dualSidePosition="true")
    await v3(venue, "POST", ORDER, symbol="BTCUSDT", side="SELL", positionSide="SHORT", type="MARKET",
             quantity="0.020")
    status, trail = await v3(venue, "POST", ORDER, symbol="BTCUSDT", side="BUY", positionSide="SHORT",
                             type="TRAILING_STOP_MARKET", quantity="0.010", callbackRate="0.3",
                             activationPrice="59000", newClientOrderId="trail-1", workingType="MARK_PRICE")
    assert status == 200
    assert (trail["type"], trail["origType"], trail["activatePrice"], trail["priceRate"], trail["status"]) == (
        "TRAILING_STOP_MARKET", "TRAILING_STOP_MARKET", "59000.0", "0.3", "NEW")
    _, stop = await v3(venue, "POST", ORDER, symbol="BTCUSDT", side="BUY", positionSide="SHORT",
                       type="STOP_MARKET", stopPrice="62000", closePosition="true", newOrderRespType="RESULT")
    assert (stop["stopPrice"], stop["closePosition"], stop["origQty"]) == ("62000.0", True, "0.000")
    assert "activatePrice" not in stop
    _, listed = await v3(venue, "GET", "/fapi/v3/openOrders", symbol="BTCUSDT")
    assert [o["orderId"] for o in listed] == [trail["orderId"], stop["orderId"]]
    assert "time" in listed[0] and "cumQty" not in listed[0] and listed[0]["priceRate"] == "0.3"
    # the same id after it fired: the order it became, with the conditional type as origType
    venue.set_mark_price(BTC, Decimal("62000"))
    _, fired = await v3(venue, "GET", ORDER, symbol="BTCUSDT", orderId=str(stop["orderId"]))
    assert (fired["status"], fired["type"], fired["origType"], fired["executedQty"]) == (
        "FILLED", "MARKET", "STOP_MARKET", "0.020")
    _, listed = await v3(venue, "GET", "/fapi/v3/openOrders")
    assert [o["orderId"] for o in listed] == [trail["orderId"]]  # not activated: it still waits
    _, history = await v3(venue, "GET", "/fapi/v3/allOrders", symbol="BTCUSDT")
    assert [o["orderId"] for o in history][-2:] == [trail["orderId"], stop["orderId"]]


async def test_order_refusals_are_asters(venue: SimulatedVenue) -> None:
    base = {"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET", "stopPrice": "55000"}
    assert (await v3(venue, "POST", ORDER, **base, quantity="0.010", closePosition="true"))[1]["code"] == -4137
    assert (await v3(venue, "POST", ORDER, **base, quantity="0.010", positionSide="LONG"))[1]["code"] == -4061
    await v3(venue, "POST", DUAL, dualSidePosition="true")
    assert (await v3(venue, "POST", ORDER, **base, quantity="0.010", positionSide="LONG",
                     reduceOnly="true"))[1] == {"code": -1106, "msg": "Parameter 'reduceonly' sent when not required."}
    assert (await v3(venue, "POST", ORDER, **{**base, "side": "BUY", "stopPrice": "65000"}, positionSide="LONG",
                     closePosition="true"))[1]["code"] == -4062
    trailing = {"symbol": "BTCUSDT", "side": "SELL", "positionSide": "LONG", "type": "TRAILING_STOP_MARKET",
                "quantity": "0.010"}
    assert (await v3(venue, "POST", ORDER, **trailing, callbackRate="6"))[1]["code"] == -1130  # max 5
    assert (await v3(venue, "POST", ORDER, **trailing, callbackRate="1",
                     activationPrice="59000"))[1]["code"] == -2021  # a SELL activates above the price
    ok = await v3(venue, "POST", ORDER, **base, quantity="0.010", positionSide="LONG", newClientOrderId="same")
    assert ok[0] == 200
    dup = await v3(venue, "POST", ORDER, symbol="BTCUSDT", side="BUY", positionSide="LONG", type="LIMIT",
                   quantity="0.010", price="50000", timeInForce="GTC", newClientOrderId="same")
    assert dup[1]["code"] == -4116  # unique among open orders of both kinds
    builder = await v3(venue, "POST", ORDER, symbol="BTCUSDT", side="BUY", positionSide="LONG", type="MARKET",
                       quantity="0.010", builder="0x1F5877C19e3777Cfd15F9d57253eA4aA5254Ec39", feeRate="0.001")
    assert builder == (400, {"code": -2031, "msg": "Invalid builder parameter."})
    assert (await v3(venue, "DELETE", "/fapi/v3/allOpenOrders", symbol="BTCUSDT"))[1] == {
        "code": "200", "msg": "The operation of cancel all open order is done."}
    assert (await v3(venue, "DELETE", ORDER, symbol="BTCUSDT", origClientOrderId="same"))[1]["code"] == -2011


async def test_public_paths_and_envelopes(venue: SimulatedVenue) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{venue.base_url}/fapi/v1/exchangeInfo") as resp:
            v1 = await resp.json()
        async with session.get(f"{venue.base_url}/fapi/v3/exchangeInfo") as resp:
            assert [s["symbol"] for s in (await resp.json())["symbols"]] == [s["symbol"] for s in v1["symbols"]]
        async with session.get(f"{venue.base_url}/fapi/v3/premiumIndex?symbol=BTCUSDT") as resp:
            assert (await resp.json())["markPrice"] == "60000.00000000"
        async with session.get(f"{venue.base_url}/fapi/v3/nope") as resp:
            assert resp.status == 404 and resp.content_type == "text/html"
        async with session.get(f"{venue.base_url}{DUAL}?signer=a&signer=b") as resp:
            assert (await resp.json())["code"] == -1101
        async with session.get(f"{venue.base_url}/fapi/v2/positionRisk") as resp:  # v1 auth: a key header
            assert (resp.status, (await resp.json())["code"]) == (401, -2014)
    assert (await v3(venue, "GET", "/fapi/v3/leverageBracket", symbol="BTCUSDT"))[1]["brackets"][0][
        "initialLeverage"] == 125
    assert (await v3(venue, "POST", "/fapi/v3/noop")) == (200, {"code": 200, "msg": "success"})
