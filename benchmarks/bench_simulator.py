"""#6 simulator throughput: signed Binance orders per second over loopback, against a bare handler.

The same client (one ``aiohttp.ClientSession``, ``WORKERS`` requests in flight) sends signed
``POST /fapi/v1/order`` market orders (HMAC-SHA256, ``X-MBX-APIKEY``, alternating BUY/SELL so the
position stays bounded) to the Binance simulator, and the same requests to a bare ``aiohttp.web``
handler that answers a fixed order JSON. Both servers live in one separate process
(:mod:`benchmarks.simhost`, without its recording middleware), so the client's CPU does not
compete with the server's event loop. Blocks alternate (simulator, bare, ...).
Target: >= 0.5x the bare handler's rate.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import time
from urllib.parse import urlencode

import aiohttp

from benchmarks.common import Result, Settings, SimHost, interleave_async, median, selected_venues, short_error

NAME = "simulator"
VENUE = "binance"
WORKERS = 4
PATH = "/fapi/v1/order"


class _Sender:
    """Signs and sends Binance orders to one base URL; counts answers that are not HTTP 200."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, api_key: str, secret: str) -> None:
        self.session = session
        self.url = base_url + PATH
        self.headers = {"X-MBX-APIKEY": api_key, "Content-Type": "application/x-www-form-urlencoded"}
        self.secret = secret.encode()
        self.counter = itertools.count()
        self.refused = 0
        self.last_refusal = ""

    def body(self) -> str:
        n = next(self.counter)
        params = {
            "symbol": "BTCUSDT", "side": "BUY" if n % 2 == 0 else "SELL", "type": "MARKET",
            "quantity": "0.010", "newClientOrderId": f"bk{n:030d}", "newOrderRespType": "RESULT",
            "recvWindow": "5000", "timestamp": str(int(time.time() * 1000)),
        }
        query = urlencode(params)
        signature = hmac.new(self.secret, query.encode(), hashlib.sha256).hexdigest()
        return f"{query}&signature={signature}"

    async def send(self) -> None:
        async with self.session.post(self.url, data=self.body(), headers=self.headers) as response:
            text = await response.text()
            if response.status != 200:
                self.refused += 1
                self.last_refusal = f"HTTP {response.status} {text[:120]}"

    async def block(self, orders: int) -> float:
        """Send ``orders`` orders with ``WORKERS`` in flight; return orders per second."""
        remaining = iter(range(orders))

        async def worker() -> None:
            for _ in remaining:
                await self.send()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(WORKERS)))
        return orders / (time.perf_counter() - start)


def run(settings: Settings) -> list[Result]:
    """Measure orders per second: the Binance simulator against a bare aiohttp handler."""
    if VENUE not in selected_venues(settings):
        return [Result(NAME, "simulator throughput", None, None, "ops/s", ">= 0.50x", 0.5,
                       higher_is_better=True, error=f"{VENUE} is not registered or not selected")]
    orders = settings.reps(full=400, quick=100)
    blocks = settings.reps(full=7, quick=2)

    async def main() -> Result:
        with SimHost([VENUE], bare=True, record=False) as host:
            if VENUE not in host.venues or host.bare_url is None:
                return Result(NAME, "simulator throughput", None, None, "ops/s", ">= 0.50x", 0.5,
                              higher_is_better=True, error=f"simulator did not start: {host.errors}")
            info = host.venues[VENUE]
            async with aiohttp.ClientSession() as session:
                sim = _Sender(session, info.base_url, info.credentials["api_key"], info.credentials["secret"])
                bare = _Sender(session, host.bare_url, info.credentials["api_key"], info.credentials["secret"])
                await sim.block(WORKERS * 5)  # warm-up: connections, first-order paths
                await bare.block(WORKERS * 5)
                samples = await interleave_async(
                    [("sim", lambda: sim.block(orders)), ("bare", lambda: bare.block(orders))], blocks
                )
        notes = [
            f"{blocks} blocks x {orders} orders each side, {WORKERS} in flight, one aiohttp session",
            f"refused by the simulator: {sim.refused}" + (f" (last: {sim.last_refusal})" if sim.refused else ""),
            "simulator rate by block, in order: " + ", ".join(f"{r:.0f}" for r in samples["sim"])
            + "/s; bare: " + ", ".join(f"{r:.0f}" for r in samples["bare"]) + "/s",
        ]
        return Result(
            NAME, "simulator throughput (binance orders/s)", median(samples["sim"]), median(samples["bare"]),
            "ops/s", ">= 0.50x", 0.5, higher_is_better=True, notes=notes,
            extra={"ours": samples["sim"], "baseline": samples["bare"]},
            error=f"{sim.refused} orders refused" if sim.refused else None,
        )

    try:
        return [asyncio.run(main())]
    except Exception as exc:
        return [Result(NAME, "simulator throughput", None, None, "ops/s", ">= 0.50x", 0.5,
                       higher_is_better=True, error=short_error(exc))]
