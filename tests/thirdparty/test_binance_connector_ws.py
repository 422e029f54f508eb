"""binance-futures-connector 4.2.0's websocket user-data client against the simulator.

``UMFuturesWebsocketClient(stream_url=...)`` takes any host: it dials ``<stream_url>/ws`` (or
``/stream`` with ``is_combined=True``) and ``user_data(listen_key)`` sends
``{"method":"SUBSCRIBE","params":[<listenKey>],"id":<ms>}``
(binance/websocket/um_futures/websocket_client.py, binance/websocket/websocket_client.py);
the key comes from ``UMFutures.new_listen_key()`` (``POST /fapi/v1/listenKey``, key header only).
"""

from __future__ import annotations

import asyncio
import json
import threading
from decimal import Decimal
from typing import Any

import pytest

from hedgekit.testing import SimulatedVenue

um_futures = pytest.importorskip("binance.um_futures")
ws_client = pytest.importorskip("binance.websocket.um_futures.websocket_client")

BTC = "BTC/USDT:USDT"


async def _in_thread(fn: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, fn)


async def _wait(messages: list[Any], event: threading.Event, predicate: Any, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(predicate(m) for m in list(messages)):
        assert loop.time() < deadline, messages
        event.clear()
        await _in_thread(lambda: event.wait(0.1))


@pytest.mark.parametrize("combined", [False, True])
async def test_connector_user_data_stream(combined: bool) -> None:
    async with SimulatedVenue("binance", mark_prices={BTC: Decimal("60000")}) as venue:
        venue.engine.set_position_mode("HEDGE")
        creds = venue.credentials
        rest = um_futures.UMFutures(key=creds["api_key"], secret=creds["secret"], base_url=venue.base_url)
        key = (await _in_thread(rest.new_listen_key))["listenKey"]
        messages: list[Any] = []
        arrived = threading.Event()

        def on_message(_: Any, text: str) -> None:
            messages.append(json.loads(text))
            arrived.set()

        client = await _in_thread(lambda: ws_client.UMFuturesWebsocketClient(
            stream_url=venue.ws_url, on_message=on_message, is_combined=combined))
        try:
            client.user_data(listen_key=key, id=1)
            await _wait(messages, arrived, lambda m: m == {"result": None, "id": 1})
            venue.engine.place_order(BTC, "BUY", "0.010", position_side="LONG")

            def data(m: Any) -> Any:
                return m.get("data") if combined else m

            await _wait(messages, arrived, lambda m: (data(m) or {}).get("e") == "ACCOUNT_UPDATE")
            events = [data(m)["e"] for m in messages if data(m) and "e" in data(m)]
            assert events == ["ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE", "ORDER_TRADE_UPDATE"] or \
                events[:2] == ["ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE"]
            if combined:
                assert all(m["stream"] == key for m in messages if "data" in m)
            assert (await _in_thread(lambda: rest.renew_listen_key(listenKey=key))) == {"listenKey": key}
        finally:
            await _in_thread(client.stop)
