"""#3 one order, sequential, 500 times: hedgekit against ccxt's implicit call with the same parameters.

Ours: ``hk.open_long`` / ``hk.close_long`` alternating (market, hedge mode, so the position stays
bounded) on a client connected with ``rate_limit=False``. Baseline: the same wire request through
ccxt's implicit endpoint method (``fapiPrivatePostOrder``, ``privatePostV5OrderCreate``, ...) on a
raw ccxt instance with ``enableRateLimit: False``: the parameters are those hedgekit sent (read
back from the simulator), minus the signer's own, with a fresh client order id each time. The
simulator runs in another process, so ``time.process_time`` counts the client only.

Orders are sent in blocks (ours, baseline, ours, ...); each block gives one wall and one CPU figure
per call; the medians over blocks are compared. Target: <= 1.10x wall; CPU per call reported.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from benchmarks.common import (
    Result,
    Settings,
    SimHost,
    VenueInfo,
    describe_requests,
    interleave_async,
    median,
    selected_venues,
    short_error,
)
from benchmarks.venues import BASELINES, fresh_client_id, make_ccxt

NAME = "order"
SYMBOL = "BTC/USDT:USDT"
Block = tuple[float, float, int]
"""Wall seconds per call, CPU seconds per call, requests per call x 1000."""


async def _block(host: SimHost, venue: str, size: int, send: Callable[[int], Awaitable[Any]]) -> Block:
    before = host.count(venue)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for i in range(size):
        await send(i)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return wall / size, cpu / size, round(1000 * (host.count(venue) - before) / size)


def _quantity(market: Any) -> Decimal:
    """0.01 BTC, raised to the market's minimum and rounded up to its lot step."""
    qty: Decimal = max(Decimal("0.01"), market.min_quantity)
    step: Decimal = market.lot_step
    return (qty / step).to_integral_value(rounding="ROUND_CEILING") * step


async def _venue(host: SimHost, info: VenueInfo, settings: Settings) -> list[Result]:
    import hedgekit

    block = settings.reps(full=25, quick=20)
    blocks = settings.reps(full=20, quick=3)
    label = f"order[{info.name}]"
    spec = BASELINES.get(info.name)
    if spec is None:
        return [Result(NAME, label, None, None, "s", "<= 1.10x", 1.10,
                       error=f"no ccxt baseline defined for {info.name} in benchmarks/venues.py")]
    hk: Any = None
    exchange = None
    try:
        hk = hedgekit.connect(
            info.name, base_url=info.base_url, rate_limit=False, **info.credentials  # type: ignore[arg-type]
        )
        await hk.open()
        await hk.set_position_mode(hedgekit.PositionMode.HEDGE, SYMBOL)
        qty = _quantity(hk.market(SYMBOL))

        async def ours(i: int) -> Any:
            return await (hk.open_long if i % 2 == 0 else hk.close_long)(SYMBOL, qty)

        # one open and one close, to read back the exact wire requests hedgekit sends
        captured: list[dict[str, Any]] = []
        for i in range(2):
            before = host.count(info.name)
            await ours(i)
            entries = host.log(info.name, before)
            posts = [before + k for k, e in enumerate(entries) if e[0] == "POST" and e[1] == spec.order_path]
            if not posts:
                raise RuntimeError(f"hedgekit sent no POST {spec.order_path}: {describe_requests(entries)}")
            params = host.params(info.name, posts[0])
            captured.append({k: v for k, v in params.items() if k not in spec.auth_params})
        ours_requests = describe_requests(entries)

        exchange = make_ccxt(info.name, info.base_url, info.credentials, rate_limit=False, sign_as_api_wallet=True)
        method = getattr(exchange, spec.order_method)

        async def baseline(i: int) -> Any:
            params = dict(captured[i % 2])
            params[spec.client_id_param] = fresh_client_id()
            return await method(params)

        for i in range(4):  # warm-up both paths
            await ours(i)
            await baseline(i)

        samples = await interleave_async(
            [("ours", lambda: _block(host, info.name, block, ours)),
             ("baseline", lambda: _block(host, info.name, block, baseline))],
            blocks,
        )
    except Exception as exc:
        return [Result(NAME, label, None, None, "s", "<= 1.10x", 1.10, error=short_error(exc))]
    finally:
        if hk is not None:
            await hk.aclose()
        if exchange is not None:
            await exchange.close()
    ours_s, base_s = samples["ours"], samples["baseline"]
    ours_req = median(r for _, _, r in ours_s) / 1000
    base_req = median(r for _, _, r in base_s) / 1000
    notes = [
        f"{blocks} blocks x {block} orders each side, alternating open_long/close_long {qty} {SYMBOL}",
        f"requests per call: hedgekit {ours_req:g} ({', '.join(ours_requests)}), ccxt {base_req:g} "
        f"({spec.order_method})",
    ]
    extra = {"ours": [list(s) for s in ours_s], "baseline": [list(s) for s in base_s], "params": captured}
    return [
        Result(NAME, f"{label} wall/call", median(w for w, _, _ in ours_s), median(w for w, _, _ in base_s),
               "s", "<= 1.10x", 1.10, notes=notes, extra=extra),
        Result(NAME, f"{label} CPU/call", median(c for _, c, _ in ours_s), median(c for _, c, _ in base_s),
               "s", "report"),
    ]


def run(settings: Settings) -> list[Result]:
    """Measure sequential orders on every selected venue."""
    venues = selected_venues(settings)

    async def main() -> list[Result]:
        out: list[Result] = []
        with SimHost(venues) as host:
            for name, error in host.errors.items():
                out.append(Result(NAME, f"order[{name}]", None, None, "s", "<= 1.10x", 1.10,
                                  error=f"simulator did not start: {error}"))
            for name in venues:
                if name in host.venues:
                    out += await _venue(host, host.venues[name], settings)
        return out

    return asyncio.run(main())
