"""End-to-end steps shared by the Binance-family live-stream tests: ``hk.stream()`` against REST."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Any

from hedgekit import HedgeClient, PositionSide
from hedgekit.testing import SimulatedVenue

BTC = "BTC/USDT:USDT"


def _view(pair: Any) -> list[tuple[Any, ...]]:
    return [(leg.side, leg.size, leg.entry_price, leg.margin_mode) for leg in (pair.long, pair.short)]


async def agrees(hk: HedgeClient, stream: Any, timeout: float = 3.0) -> None:
    """Wait until ``stream.legs`` shows what REST shows (size, entry price, side, margin mode)."""
    want = _view(await hk.legs(BTC))
    events = stream.__aiter__()
    deadline = time.monotonic() + timeout
    while _view(stream.legs(BTC)) != want:
        left = deadline - time.monotonic()
        assert left > 0, f"stream {_view(stream.legs(BTC))} != REST {want}"
        try:
            await asyncio.wait_for(events.__anext__(), left)
        except asyncio.TimeoutError:
            pass


async def orders_agree(hk: HedgeClient, stream: Any, timeout: float = 3.0) -> None:
    """Wait until the stream's open orders are REST's (ids)."""
    want = sorted(o.order_id for o in await hk.open_orders(BTC))
    events = stream.__aiter__()
    deadline = time.monotonic() + timeout
    while sorted(o.order_id for o in stream.orders(BTC)) != want:
        left = deadline - time.monotonic()
        assert left > 0, f"stream orders {stream.orders(BTC)} != REST {want}"
        try:
            await asyncio.wait_for(events.__anext__(), left)
        except asyncio.TimeoutError:
            pass


async def run_steps(venue: SimulatedVenue, hk: HedgeClient) -> None:
    """Open both legs, partial close, a stop fired by the mark, cancel, a reconnect."""
    async with hk.stream([BTC], heartbeat=0.5, reconnect_wait=0.05) as stream:
        await agrees(hk, stream)
        await hk.open_long(BTC, Decimal("0.02"))
        await agrees(hk, stream)
        await hk.open_short(BTC, Decimal("0.01"))
        await agrees(hk, stream)
        await hk.close_long(BTC, Decimal("0.005"))
        await agrees(hk, stream)
        assert stream.legs(BTC).long.size == Decimal("0.015")

        await hk.stop_market(BTC, PositionSide.SHORT, Decimal("61000"))
        limit = await hk.open_long(BTC, Decimal("0.01"), price=Decimal("59000"))
        await orders_agree(hk, stream)
        assert len(stream.orders(BTC)) == 2
        await hk.cancel_order(limit)
        await orders_agree(hk, stream)
        venue.set_mark_price(BTC, "61100")  # the stop closes the short
        await agrees(hk, stream)
        await orders_agree(hk, stream)
        assert stream.legs(BTC).short.size == 0 and not stream.orders(BTC)

        venue.disconnect_streams()  # reconnect and resync
        await hk.open_short(BTC, Decimal("0.003"))
        await agrees(hk, stream, timeout=5.0)
        venue.expire_listen_keys()
        await hk.close_long(BTC, Decimal("0.015"))
        await agrees(hk, stream, timeout=5.0)
        assert stream.legs(BTC).long.size == 0 and stream.legs(BTC).short.size == Decimal("0.003")
        # every session took its listen key first: the first, one after the disconnect, one after the expiry
        keys = [r for r in venue.requests if r.method == "POST" and r.path.endswith("/listenKey")]
        assert len(keys) >= 3
