"""UM and COIN-M share one position mode: the simulator's COIN-M book and hedgekit's check of it.

COIN-M exposure is placed through the ``/dapi`` wire with ccxt's ``binancecoinm`` implicit methods,
as a real bot would; hedgekit must then name each COIN-M position, order and conditional order as
a blocker of a USDⓈ-M mode switch and send no switch (the venue would answer -4067/-4068).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import ccxt.async_support as ccxt
import pytest
import pytest_asyncio

import hedgekit
from hedgekit import AuthenticationError, BlockerKind, HedgeClient, ModeChangeBlocked, PositionMode
from hedgekit.errors import MalformedResponse
from hedgekit.testing import SimulatedVenue
from hedgekit_binance import coinm

BTC = "BTC/USDT:USDT"
BTC_CM = "BTC/USD:BTC"


def coinm_exchange(venue: SimulatedVenue) -> Any:
    exchange = ccxt.binancecoinm({"apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"],
                                  "options": {"fetchCurrencies": False}, "enableRateLimit": False})
    for key in ("dapiPublic", "dapiPrivate"):
        exchange.urls["api"][key] = f"{venue.base_url}/dapi/v1"
    return exchange


def usdm_exchange(venue: SimulatedVenue) -> Any:
    exchange = ccxt.binanceusdm({"apiKey": venue.credentials["api_key"], "secret": venue.credentials["secret"],
                                 "options": {"fetchCurrencies": False}, "enableRateLimit": False})
    for key in ("fapiPublic", "fapiPrivate"):
        exchange.urls["api"][key] = f"{venue.base_url}/fapi/v1"
    return exchange


@pytest_asyncio.fixture
async def venue() -> AsyncIterator[SimulatedVenue]:
    async with SimulatedVenue("binance") as simulated:
        yield simulated


@pytest_asyncio.fixture
async def cm(venue: SimulatedVenue) -> AsyncIterator[Any]:
    exchange = coinm_exchange(venue)
    try:
        yield exchange
    finally:
        await exchange.close()


@pytest_asyncio.fixture
async def um(venue: SimulatedVenue) -> AsyncIterator[Any]:
    exchange = usdm_exchange(venue)
    try:
        yield exchange
    finally:
        await exchange.close()


def switches(venue: SimulatedVenue) -> list[str]:
    return [r.path for r in venue.requests if r.method == "POST" and r.path.endswith("/positionSide/dual")]


def refusal(exc: BaseException) -> str:
    return str(exc)


# -- the simulator: one setting, two books ---------------------------------------------------------


async def test_dapi_mode_is_the_fapi_mode(cm: Any, um: Any) -> None:
    assert (await cm.dapiPrivateGetPositionSideDual())["dualSidePosition"] is False
    await um.fapiPrivatePostPositionSideDual({"dualSidePosition": "true"})
    assert (await cm.dapiPrivateGetPositionSideDual())["dualSidePosition"] is True
    await cm.dapiPrivatePostPositionSideDual({"dualSidePosition": "false"})
    assert (await um.fapiPrivateGetPositionSideDual())["dualSidePosition"] is False
    with pytest.raises(ccxt.ExchangeError) as same:
        await um.fapiPrivatePostPositionSideDual({"dualSidePosition": "false"})
    assert '"code":-4059' in refusal(same.value)


async def test_a_coinm_order_refuses_a_usdm_switch_with_4067(venue: SimulatedVenue, cm: Any, um: Any) -> None:
    placed = await cm.dapiPrivatePostOrder({"symbol": "BTCUSD_PERP", "side": "BUY", "type": "LIMIT",
                                            "quantity": "2", "price": "50000", "timeInForce": "GTC"})
    assert placed["pair"] == "BTCUSD" and placed["origQty"] == "2" and "avgPrice" not in placed
    with pytest.raises(ccxt.ExchangeError) as refused:
        await um.fapiPrivatePostPositionSideDual({"dualSidePosition": "true"})
    assert '"code":-4067' in refusal(refused.value)
    assert "Position side cannot be changed if there exists open orders." in refusal(refused.value)
    await cm.dapiPrivateDeleteOrder({"symbol": "BTCUSD_PERP", "orderId": placed["orderId"]})
    assert await cm.dapiPrivateGetOpenOrders() == []
    await um.fapiPrivatePostPositionSideDual({"dualSidePosition": "true"})  # clear now


async def test_a_coinm_algo_order_refuses_a_usdm_switch(cm: Any, um: Any) -> None:
    await cm.dapiPrivatePostAlgoOrder({"algoType": "CONDITIONAL", "symbol": "ETHUSD_PERP", "side": "SELL",
                                       "type": "STOP_MARKET", "quantity": "5", "triggerPrice": "2500"})
    with pytest.raises(ccxt.ExchangeError) as refused:
        await um.fapiPrivatePostPositionSideDual({"dualSidePosition": "true"})
    assert '"code":-4067' in refusal(refused.value)
    listed = await cm.dapiPrivateGetOpenAlgoOrders()
    assert [(row["symbol"], row["quantity"], row["orderType"]) for row in listed] == [
        ("ETHUSD_PERP", "5", "STOP_MARKET")]


async def test_a_coinm_position_refuses_a_usdm_switch_with_4068(cm: Any, um: Any) -> None:
    await cm.dapiPrivatePostOrder({"symbol": "BTCUSD_PERP", "side": "SELL", "type": "MARKET", "quantity": "3"})
    rows = {(r["symbol"], r["positionSide"]): r for r in await cm.dapiPrivateGetPositionRisk()}
    assert rows[("BTCUSD_PERP", "BOTH")]["positionAmt"] == "-3"
    assert rows[("ETHUSD_PERP", "BOTH")]["positionAmt"] == "0"
    with pytest.raises(ccxt.ExchangeError) as refused:
        await um.fapiPrivatePostPositionSideDual({"dualSidePosition": "true"})
    assert '"code":-4068' in refusal(refused.value)
    assert "Position side cannot be changed if there exists position." in refusal(refused.value)


async def test_usdm_exposure_refuses_a_coinm_switch(venue: SimulatedVenue, cm: Any) -> None:
    venue.engine.place_order("BTCUSDT", "BUY", "0.01")
    with pytest.raises(ccxt.ExchangeError) as refused:
        await cm.dapiPrivatePostPositionSideDual({"dualSidePosition": "true"})
    assert '"code":-4068' in refusal(refused.value)


async def test_stop_types_on_the_coinm_order_endpoint_answer_4120(cm: Any) -> None:
    with pytest.raises(ccxt.ExchangeError) as refused:
        await cm.dapiPrivatePostOrder({"symbol": "BTCUSD_PERP", "side": "SELL", "type": "STOP_MARKET",
                                       "quantity": "1", "stopPrice": "50000"})
    assert '"code":-4120' in refusal(refused.value)


async def test_coinm_exchange_info_lists_btc_and_eth_perpetuals(cm: Any) -> None:
    info = await cm.dapiPublicGetExchangeInfo()
    rows = {row["symbol"]: row for row in info["symbols"]}
    assert {k: rows[k]["contractSize"] for k in rows} == {"BTCUSD_PERP": 100, "ETHUSD_PERP": 10}
    filters = {f["filterType"]: f for f in rows["BTCUSD_PERP"]["filters"]}
    assert filters["LOT_SIZE"]["stepSize"] == "1" and filters["PRICE_FILTER"]["tickSize"] == "0.1"


async def test_a_key_without_coinm_permission_is_refused_by_dapi_only(venue: SimulatedVenue, cm: Any,
                                                                       um: Any) -> None:
    venue.frontend.coinm_enabled = False
    with pytest.raises(ccxt.AuthenticationError) as refused:
        await cm.dapiPrivateGetPositionRisk()
    assert '"code":-2015' in refusal(refused.value)
    assert (await um.fapiPrivateGetPositionSideDual())["dualSidePosition"] is False
    assert (await cm.dapiPublicGetExchangeInfo())["symbols"]  # public data stays open


# -- hedgekit: COIN-M rows are blockers ----------------------------------------------------------------


@pytest_asyncio.fixture
async def hk(venue: SimulatedVenue) -> AsyncIterator[HedgeClient]:
    async with hedgekit.connect("binance", base_url=venue.base_url, **venue.credentials) as client:
        yield client


async def test_every_coinm_row_blocks_a_switch_and_nothing_is_sent(venue: SimulatedVenue, cm: Any,
                                                                   hk: HedgeClient) -> None:
    await cm.dapiPrivatePostOrder({"symbol": "BTCUSD_PERP", "side": "BUY", "type": "MARKET", "quantity": "3"})
    await cm.dapiPrivatePostOrder({"symbol": "BTCUSD_PERP", "side": "BUY", "type": "LIMIT", "quantity": "2",
                                   "price": "50000", "timeInForce": "GTC"})
    await cm.dapiPrivatePostAlgoOrder({"algoType": "CONDITIONAL", "symbol": "ETHUSD_PERP", "side": "SELL",
                                       "type": "TAKE_PROFIT_MARKET", "quantity": "4", "triggerPrice": "3500"})
    with pytest.raises(ModeChangeBlocked) as blocked:
        await hk.set_position_mode(PositionMode.HEDGE)
    found = {(b.kind, b.symbol) for b in blocked.value.blockers}
    assert found == {(BlockerKind.POSITION, BTC_CM), (BlockerKind.ORDER, BTC_CM),
                     (BlockerKind.CONDITIONAL_ORDER, "ETH/USD:ETH")}
    by_kind = {b.kind: b for b in blocked.value.blockers}
    leg = by_kind[BlockerKind.POSITION].leg
    assert leg is not None and leg.size == Decimal(3) and leg.raw["symbol"] == "BTCUSD_PERP"  # contracts
    order = by_kind[BlockerKind.ORDER].order
    assert order is not None and (order.quantity, order.price) == (Decimal(2), Decimal(50000))
    stop = by_kind[BlockerKind.CONDITIONAL_ORDER].order
    assert stop is not None and stop.trigger_price == Decimal(3500) and stop.conditional
    assert switches(venue) == []
    reads = {r.path for r in venue.requests if r.method == "GET"}
    assert {"/dapi/v1/positionRisk", "/dapi/v1/openOrders", "/dapi/v1/openAlgoOrders"} <= reads


async def test_usdm_and_coinm_blockers_are_listed_together(venue: SimulatedVenue, cm: Any,
                                                           hk: HedgeClient) -> None:
    await hk.open_long(BTC, Decimal("0.010"))
    await cm.dapiPrivatePostOrder({"symbol": "ETHUSD_PERP", "side": "SELL", "type": "MARKET", "quantity": "7"})
    with pytest.raises(ModeChangeBlocked) as blocked:
        await hk.set_position_mode(PositionMode.HEDGE)
    assert sorted(b.symbol for b in blocked.value.blockers) == ["BTC/USDT:USDT", "ETH/USD:ETH"]
    short = next(b for b in blocked.value.blockers if b.symbol == "ETH/USD:ETH")
    assert "short leg of 7 open" in str(short)


async def test_a_flat_coinm_book_lets_the_switch_through(venue: SimulatedVenue, cm: Any, hk: HedgeClient) -> None:
    placed = await cm.dapiPrivatePostOrder({"symbol": "BTCUSD_PERP", "side": "BUY", "type": "LIMIT",
                                            "quantity": "1", "price": "50000", "timeInForce": "GTC"})
    await cm.dapiPrivateDeleteOrder({"symbol": "BTCUSD_PERP", "orderId": placed["orderId"]})
    await hk.set_position_mode(PositionMode.HEDGE)
    assert switches(venue) == ["/fapi/v1/positionSide/dual"]
    assert (await cm.dapiPrivateGetPositionSideDual())["dualSidePosition"] is True


# -- a key the COIN-M side refuses ---------------------------------------------------------------------


async def test_unverified_coinm_warns_and_checks_usdm_alone(venue: SimulatedVenue, hk: HedgeClient,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    venue.frontend.coinm_enabled = False
    with caplog.at_level(logging.WARNING, logger="hedgekit_binance.adapter"):
        await hk.set_position_mode(PositionMode.HEDGE)
    assert switches(venue) == ["/fapi/v1/positionSide/dual"]
    assert any("COIN-M exposure is unverified" in r.getMessage() for r in caplog.records)
    assert hk._adapter.coinm_verified is False  # type: ignore[attr-defined]


async def test_unverified_coinm_exposure_is_still_refused_by_the_venue(venue: SimulatedVenue,
                                                                       hk: HedgeClient) -> None:
    venue.frontend.coinm.engine.place_order("BTCUSD_PERP", "BUY", "2")  # placed with another key
    venue.frontend.coinm_enabled = False
    with pytest.raises(ModeChangeBlocked) as blocked:
        await hk.set_position_mode(PositionMode.HEDGE)
    assert blocked.value.code == -4068  # the venue's own refusal: never reported as clear
    assert switches(venue) == ["/fapi/v1/positionSide/dual"]


async def test_require_policy_refuses_an_unverifiable_switch(venue: SimulatedVenue) -> None:
    venue.frontend.coinm_enabled = False
    async with hedgekit.connect("binance", base_url=venue.base_url, options={"coinm": "require"},
                                **venue.credentials) as hk:
        with pytest.raises(AuthenticationError) as refused:
            await hk.set_position_mode(PositionMode.HEDGE)
    assert refused.value.code == -2015 and "COIN-M exposure cannot be read" in str(refused.value)
    assert switches(venue) == []


async def test_skip_policy_never_reads_dapi(venue: SimulatedVenue) -> None:
    async with hedgekit.connect("binance", base_url=venue.base_url, options={"coinm": "skip"},
                                **venue.credentials) as hk:
        await hk.set_position_mode(PositionMode.HEDGE)
    assert not [r for r in venue.requests if r.path.startswith("/dapi/")]


async def test_an_unknown_policy_is_a_configuration_error(venue: SimulatedVenue) -> None:
    with pytest.raises(hedgekit.ConfigurationError):
        async with hedgekit.connect("binance", base_url=venue.base_url, options={"coinm": "maybe"},
                                    **venue.credentials):
            pass


# -- parsing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("venue_id, unified", [
    ("BTCUSD_PERP", "BTC/USD:BTC"), ("ETHUSD_PERP", "ETH/USD:ETH"), ("BTCUSD_260925", "BTC/USD:BTC-260925"),
    ("ODD", "ODD"),
])
def test_coinm_symbols_are_unified(venue_id: str, unified: str) -> None:
    assert coinm.unified_symbol(venue_id) == unified


def test_a_malformed_coinm_row_is_a_malformed_response() -> None:
    row = {"symbol": "BTCUSD_PERP", "positionAmt": "1", "positionSide": "BOTH"}  # no prices
    with pytest.raises(MalformedResponse):
        coinm.parse_exposure([row], [], [])
    with pytest.raises(MalformedResponse):
        coinm.parse_exposure({"code": 0}, [], [])
