"""Child of ``bench_memory``: one fresh process connects every venue, then reports its memory.

``python -m benchmarks._child_memory ours|ccxt '<json {venue: {base_url, credentials}}>'``

Every venue connects at once (``asyncio.gather``), as a bot starting up would.

* ``ours``: ``hedgekit.connect(venue, base_url=..., **credentials)`` opened for every venue
  (hedgekit's defaults);
* ``ccxt``: the venue's raw ccxt class in its default set-up (:func:`benchmarks.venues.make_ccxt`),
  ``load_markets()`` done, for every venue.

With every client still open it prints ``{"rss_mb", "peak_mb", "markets", "ccxt_modules", "errors"}``:
the resident set now (``VmRSS``) and at its peak (``VmHWM``: unlike ``ru_maxrss``, which Linux
carries over from the parent across fork and exec, it starts afresh with this process image), for
the whole process. The simulators run in another process, so nothing needs subtracting. A venue
that fails to connect is left out and named in ``errors``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any


def _status_mb(field: str) -> float:
    """A ``/proc/self/status`` memory field (``VmRSS``, ``VmHWM``) in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def _each(openers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Run every venue's opener at once; the opened objects, and the failures by venue."""
    results = await asyncio.gather(*openers.values(), return_exceptions=True)
    opened: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, result in zip(openers, results):
        if isinstance(result, BaseException):
            errors[name] = f"{type(result).__name__}: {result}"[:300]
        else:
            opened[name] = result
    return opened, errors


async def _ours(venues: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    import hedgekit

    async def one(name: str, info: dict[str, Any]) -> Any:
        client = hedgekit.connect(name, base_url=info["base_url"], **info["credentials"])
        return await client.open()

    return await _each({name: one(name, info) for name, info in venues.items()})


async def _ccxt(venues: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    from benchmarks.venues import make_ccxt

    async def one(name: str, info: dict[str, Any]) -> Any:
        exchange = make_ccxt(name, info["base_url"], info["credentials"])
        try:
            await exchange.load_markets()
        except BaseException:
            await exchange.close()
            raise
        return exchange

    return await _each({name: one(name, info) for name, info in venues.items()})


async def main(kind: str, venues: dict[str, Any]) -> dict[str, Any]:
    """Connect every venue the ``kind`` way; measure with everything open; close."""
    held, errors = await (_ours(venues) if kind == "ours" else _ccxt(venues))
    result = {
        "rss_mb": _status_mb("VmRSS"),
        "peak_mb": _status_mb("VmHWM"),
        "markets": sum(len(item.markets) for item in held.values()),
        "ccxt_modules": sum(1 for m in sys.modules if m == "ccxt" or m.startswith("ccxt.")),
        "errors": errors,
    }
    await asyncio.gather(*(item.close() if kind == "ccxt" else item.aclose() for item in held.values()))
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))))
