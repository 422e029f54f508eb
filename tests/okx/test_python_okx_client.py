"""A third-party client, the official ``python-okx`` SDK, agrees with the simulator and with hedgekit.

python-okx is synchronous (httpx): each call runs in a worker thread so that the loopback server
keeps serving on the test's event loop. ``flag="0"`` is the live environment, which the
simulator's keys belong to (``x-simulated-trading: 0``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from hedgekit import HedgeClient, OrderType, PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue
from hedgekit.testing import engine_types as E

from .conftest import BTC, ETH

okx_account = pytest.importorskip("okx.Account")
okx_trade = pytest.importorskip("okx.Trade")
okx_public = pytest.importorskip("okx.PublicData")

# python-okx posts its JSON text as ``data=``, which httpx deprecates: the SDK's business, not ours.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>'")


class Sdk:
    """python-okx's account, trade and public APIs bound to one simulated venue."""

    def __init__(self, venue: SimulatedVenue, passphrase: str | None = None) -> None:
        c = venue.credentials
        keys = {"api_key": c["api_key"], "api_secret_key": c["secret"], "passphrase": passphrase or c["password"],
                "flag": "0", "domain": venue.base_url}
        self.account = okx_account.AccountAPI(**keys)
        self.trade = okx_trade.TradeAPI(**keys)
        self.public = okx_public.PublicAPI(flag="0", domain=venue.base_url)

    def close(self) -> None:
        for client in (self.account, self.trade, self.public):
            client.close()


async def call(fn: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
    return await asyncio.to_thread(fn, *args, **kwargs)


async def ok(fn: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    answer = await call(fn, *args, **kwargs)
    assert answer["code"] == "0", answer
    data: list[dict[str, Any]] = answer["data"]
    return data


async def test_python_okx_sees_what_the_simulator_holds(venue: SimulatedVenue, hk: HedgeClient) -> None:
    sdk = Sdk(venue)
    try:
        listing = await ok(sdk.public.get_instruments, instType="SWAP")
        btc = next(row for row in listing if row["instId"] == "BTC-USDT-SWAP")
        assert (btc["ctVal"], btc["lotSz"], btc["minSz"]) == ("0.01", "0.01", "0.01")

        assert (await ok(sdk.account.get_account_config))[0]["posMode"] == "net_mode"
        assert await ok(sdk.account.set_position_mode, posMode="long_short_mode") == [{"posMode": "long_short_mode"}]
        assert venue.engine.position_mode() is E.PositionMode.HEDGE
        assert (await hk.position_mode()).mode is PositionMode.HEDGE  # hedgekit reads the SDK's switch

        [placed] = await ok(sdk.trade.place_order, instId="BTC-USDT-SWAP", tdMode="cross", side="buy",
                            posSide="long", ordType="market", sz="2", clOrdId="sdkLong1")
        assert placed["sCode"] == "0" and placed["clOrdId"] == "sdkLong1"
        await ok(sdk.trade.place_order, instId="BTC-USDT-SWAP", tdMode="cross", side="sell", posSide="short",
                 ordType="limit", px="62000", sz="1.5")
        await ok(sdk.trade.place_algo_order, instId="BTC-USDT-SWAP", tdMode="cross", side="sell", posSide="long",
                 ordType="conditional", closeFraction="1", slTriggerPx="58000", slOrdPx="-1", algoClOrdId="sdkStop")
        await ok(sdk.trade.place_algo_order, instId="BTC-USDT-SWAP", tdMode="cross", side="sell", posSide="long",
                 ordType="move_order_stop", sz="1", callbackRatio="0.02")

        positions = await ok(sdk.account.get_positions, instType="SWAP")
        assert [(p["instId"], p["posSide"], p["pos"], p["mgnMode"]) for p in positions] == [
            ("BTC-USDT-SWAP", "long", "2", "cross")]
        assert venue.engine.leg(BTC, E.PositionSide.LONG).size == Decimal("0.02")
        pair = await hk.legs(BTC)
        assert (pair.long.size, pair.short.size) == (Decimal("0.02"), 0)
        assert Decimal(positions[0]["upl"]) == pair.long.unrealized_pnl

        pending = await ok(sdk.trade.get_order_list, instType="SWAP")
        assert [(o["side"], o["posSide"], o["sz"], o["px"], o["state"]) for o in pending] == [
            ("sell", "short", "1.5", "62000", "live")]
        [resting] = await hk.adapter.fetch_open_orders(BTC)
        assert resting.order_id == pending[0]["ordId"] and resting.quantity == Decimal("0.015")

        stops = await ok(sdk.trade.order_algos_list, ordType="conditional,oco")
        trails = await ok(sdk.trade.order_algos_list, ordType="move_order_stop")
        assert [(s["algoClOrdId"], s["slTriggerPx"], s["closeFraction"]) for s in stops] == [
            ("sdkStop", "58000", "1")]
        assert [(t["callbackRatio"], t["sz"]) for t in trails] == [("0.02", "1")]
        conditional = {o.order_id: o for o in await hk.open_orders(BTC) if o.conditional}
        assert set(conditional) == {stops[0]["algoId"], trails[0]["algoId"]}
        assert conditional[trails[0]["algoId"]].callback_rate == Decimal("2")
        assert conditional[stops[0]["algoId"]].type is OrderType.STOP_MARKET
        assert len(venue.engine.conditional_orders(BTC)) == 2
    finally:
        sdk.close()


async def test_hedgekit_orders_read_back_through_python_okx(venue: SimulatedVenue, hk: HedgeClient) -> None:
    sdk = Sdk(venue)
    try:
        await hk.set_position_mode(PositionMode.HEDGE)
        await hk.open_short(ETH, Decimal("0.3"))
        stop = await hk.stop_market(ETH, PositionSide.SHORT, Decimal("3200"))
        [position] = await ok(sdk.account.get_positions, instId="ETH-USDT-SWAP")
        assert (position["posSide"], position["pos"]) == ("short", "3")  # 0.3 ETH = 3 contracts of 0.1
        [detail] = await ok(sdk.trade.get_algo_order_details, algoId=stop.order_id)
        assert (detail["state"], detail["posSide"], detail["side"], detail["closeFraction"]) == (
            "live", "short", "buy", "1")
        await ok(sdk.trade.cancel_algo_order, [{"instId": "ETH-USDT-SWAP", "algoId": stop.order_id}])
        assert await hk.open_orders(ETH) == []
        [closed] = await ok(sdk.trade.close_positions, instId="ETH-USDT-SWAP", mgnMode="cross", posSide="short")
        assert closed["posSide"] == "short"
        assert (await hk.legs(ETH)).short.size == 0
    finally:
        sdk.close()


async def test_python_okx_with_a_wrong_passphrase_is_refused(venue: SimulatedVenue) -> None:
    sdk = Sdk(venue, passphrase="not-the-passphrase")
    try:
        answer = await call(sdk.account.get_account_config)
        assert (answer["code"], answer["msg"]) == ("50105", 'Request header "OK-ACCESS-PASSPHRASE" incorrect.')
    finally:
        sdk.close()
