"""Child of ``bench_stream``: one fresh process streams every venue, then reports its memory.

``python -m benchmarks._child_stream_memory ours|ccxt '<json {venue: {base_url, credentials}}>'``

* ``ours``: ``hedgekit.connect(venue, ...)`` and ``hk.stream()`` open for every venue (the snapshot
  read, every private websocket connected);
* ``ccxt``: ccxt.pro's class per venue (:func:`benchmarks.venues.make_ccxtpro`) with
  ``watch_positions()`` answered once from its snapshot and a second watch parked on the socket.

With everything streaming it prints ``{"rss_mb", "peak_mb", "errors"}`` (``VmRSS`` and ``VmHWM``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from typing import Any

from benchmarks._child_memory import _each, _status_mb


async def _ours(venues: dict[str, Any], stack: contextlib.AsyncExitStack) -> dict[str, str]:
    import hedgekit

    async def one(name: str, info: dict[str, Any]) -> Any:
        client = await stack.enter_async_context(
            hedgekit.connect(name, base_url=info["base_url"], **info["credentials"]))
        return await stack.enter_async_context(client.stream())

    _, errors = await _each({name: one(name, info) for name, info in venues.items()})
    return errors


async def _ccxt(venues: dict[str, Any], stack: contextlib.AsyncExitStack) -> dict[str, str]:
    from benchmarks.venues import make_ccxtpro

    async def one(name: str, info: dict[str, Any]) -> Any:
        exchange = await make_ccxtpro(name, info["base_url"], info["credentials"])
        stack.push_async_callback(exchange.close)
        await exchange.watch_positions()
        watching = asyncio.ensure_future(exchange.watch_positions())
        stack.callback(watching.cancel)
        await asyncio.sleep(0.5)  # dialled and subscribed
        return exchange

    _, errors = await _each({name: one(name, info) for name, info in venues.items()})
    return errors


async def main(kind: str, venues: dict[str, Any]) -> dict[str, Any]:
    """Stream every venue the ``kind`` way; measure with everything open; close."""
    async with contextlib.AsyncExitStack() as stack:
        errors = await (_ours(venues, stack) if kind == "ours" else _ccxt(venues, stack))
        await asyncio.sleep(0.3)
        return {"rss_mb": _status_mb("VmRSS"), "peak_mb": _status_mb("VmHWM"), "errors": errors}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))))
