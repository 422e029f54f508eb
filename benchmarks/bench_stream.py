"""#8 live streams: the delay from an engine change to the event in user code, against ``ccxt.pro``.

Per venue, the simulated venue runs in the simulator host (another process). One sample: a market
order placed straight on the venue's engine (the host notes ``time.monotonic()`` just before it:
one clock for every process on the machine), then the time at which user code holds the change:

* ours: ``async for event in hk.stream([symbol])`` yields the :class:`hedgekit.LegChanged` whose
  long leg shows the new size;
* baseline: ``await exchange.watch_positions([symbol])`` (ccxt.pro, the same venue's class aimed
  at the same simulator) returns the long position with the new size.

Orders alternate open long / close long, so each sample's awaited state differs from the last
one's, and a late duplicate cannot be taken for the next sample's answer. Only one side is
connected at a time (both connected would let the simulator's send order decide), in blocks that
alternate (ours, ccxt, ours, ...), each block on a fresh connection; connecting is not timed, and
each block's first two changes (which prove the subscription live) are not counted.
Target: median <= 1.0x.

Also reported: ``stream.legs()`` sends no request (requests the venue received over 1000 calls,
against one REST ``hk.legs()``), and the peak memory of one process with all four venues
streaming (:mod:`benchmarks._child_stream_memory`), against one with ccxt.pro watching positions
on all four (report only).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks.common import Result, Settings, SimHost, VenueInfo, median, run_child, selected_venues, short_error

NAME = "stream"
SYMBOL = "BTC/USDT:USDT"
QUANTITY = "0.01"
CHILD = "benchmarks._child_stream_memory"
PRIMERS = 2
"""Unmeasured changes at the start of each block (an even number: the open/close rhythm holds)."""


async def _placed(host: SimHost, venue: str, opening: bool) -> float:
    """Place the next order on the venue's engine from a thread (the loop keeps reading); its start time."""
    loop = asyncio.get_running_loop()
    answer = await loop.run_in_executor(None, lambda: host.command(
        "place", venue=venue, symbol=SYMBOL, side="BUY" if opening else "SELL", quantity=QUANTITY,
        position_side="LONG",
    ))
    return float(answer["t"])


async def _until_streaming(host: SimHost, venue: str, before: set[int]) -> None:
    """Wait until the venue holds a position-pushing websocket that was not among ``before``."""
    loop = asyncio.get_running_loop()
    for _ in range(250):
        if (await loop.run_in_executor(None, host.streams, venue)) - before:
            return
        await asyncio.sleep(0.02)
    raise RuntimeError(f"{venue}: no private websocket was opened")


async def _sample(
    host: SimHost, venue: str, opening: bool, arrived: Callable[[bool], Awaitable[float]], timeout: float = 10.0
) -> float:
    """One change and the delay until ``arrived`` sees it in user code, in seconds."""
    waiting = asyncio.ensure_future(arrived(opening))
    await asyncio.sleep(0)  # the waiter is parked on its socket before the change is made
    try:
        started = await _placed(host, venue, opening)
        seen = await asyncio.wait_for(waiting, timeout)
    finally:
        waiting.cancel()
    return seen - started


async def _ours_block(host: SimHost, info: VenueInfo, count: int, first_open: bool) -> list[float]:
    import hedgekit

    async with hedgekit.connect(info.name, base_url=info.base_url, rate_limit=False, **info.credentials) as hk:
        async with hk.stream([SYMBOL]) as stream:
            events = stream.__aiter__()

            async def arrived(opening: bool) -> float:
                while True:
                    event = await events.__anext__()
                    if isinstance(event, hedgekit.LegChanged) and event.pair.symbol == SYMBOL and (
                        (event.pair.long.size > 0) == opening
                    ):
                        return time.monotonic()

            return await _samples(host, info.name, count, first_open, arrived)


async def _samples(
    host: SimHost, venue: str, count: int, first_open: bool, arrived: Callable[[bool], Awaitable[float]]
) -> list[float]:
    """Unmeasured changes first (the stream is live end to end), then ``count`` measured ones.

    A primer may go unseen: ccxt.pro's Bybit class reads its REST snapshot after subscribing and
    can write it over the first push; a primer waits a second at most, then the block goes on.
    """
    for i in range(PRIMERS):
        try:
            await _sample(host, venue, (i % 2 == 0) == first_open, arrived, timeout=1.0)
        except asyncio.TimeoutError:
            pass
    await asyncio.sleep(0.2)
    return [await _sample(host, venue, (i % 2 == 0) == first_open, arrived) for i in range(count)]


def _long_size(positions: Any) -> float | None:
    """The long position's size in an answer of ``watch_positions`` (a list, or one dict on some venues)."""
    rows = positions if isinstance(positions, list) else [positions]
    sizes = [float(p.get("contracts") or 0) for p in rows if isinstance(p, dict) and p.get("symbol") == SYMBOL
             # a closed Bybit position pushes side "" (ccxt: None); its positionIdx 1 still names the long leg
             and (p.get("side") == "long" or str((p.get("info") or {}).get("positionIdx")) == "1")]
    return sizes[-1] if sizes else None


def _cached(exchange: Any) -> list[Any]:
    """ccxt.pro's position cache as a list (Binance-style classes keep one cache per market type)."""
    cache = exchange.positions
    if isinstance(cache, dict):
        return [row for part in cache.values() for row in (part or [])]
    return list(cache or [])


async def _watch_orders(exchange: Any) -> None:
    """Keep ccxt.pro's ``watch_orders`` subscribed and answered (the orders half of live state)."""
    while True:
        await exchange.watch_orders(SYMBOL)


async def _ccxt_block(host: SimHost, info: VenueInfo, count: int, first_open: bool,
                      with_orders: bool = False) -> list[float]:
    from benchmarks.venues import make_ccxtpro

    exchange = await make_ccxtpro(info.name, info.base_url, info.credentials)
    orders: asyncio.Future[None] | None = None
    try:
        before = await asyncio.get_running_loop().run_in_executor(None, host.streams, info.name)
        if with_orders:  # subscribed first: the positions subscription then proves both are live
            orders = asyncio.ensure_future(_watch_orders(exchange))
        await exchange.watch_positions([SYMBOL])  # ccxt's first answer is its REST snapshot (OKX: dialled too)
        pending = asyncio.ensure_future(exchange.watch_positions([SYMBOL]))
        await _until_streaming(host, info.name, before)

        async def arrived(opening: bool) -> float:
            nonlocal pending
            while True:
                answer = await asyncio.shield(pending)  # a primer's timeout must not cancel ccxt's future
                now = time.monotonic()
                pending = asyncio.ensure_future(exchange.watch_positions([SYMBOL]))
                # the answer, or ccxt's position cache: some classes resolve one watch per pushed
                # row, so an answer can hold an earlier push's rows while the cache is current
                for size in (_long_size(answer), _long_size(_cached(exchange))):
                    if size is not None and (size > 0) == opening:
                        return now

        return await _samples(host, info.name, count, first_open, arrived)
    finally:
        if orders is not None:
            orders.cancel()
            with contextlib.suppress(BaseException):
                await orders
        await exchange.close()


async def _ccxt_with_orders_block(host: SimHost, info: VenueInfo, count: int, first_open: bool) -> list[float]:
    return await _ccxt_block(host, info, count, first_open, with_orders=True)


async def _stream_legs_requests(host: SimHost, info: VenueInfo, calls: int) -> tuple[int, int]:
    """Requests the venue received over ``calls`` ``stream.legs()``, and over one REST ``hk.legs()``."""
    import hedgekit

    loop = asyncio.get_running_loop()
    async with hedgekit.connect(info.name, base_url=info.base_url, rate_limit=False, **info.credentials) as hk:
        async with hk.stream([SYMBOL]) as stream:
            before = await loop.run_in_executor(None, host.count, info.name)
            for _ in range(calls):
                stream.legs(SYMBOL)
            live = await loop.run_in_executor(None, host.count, info.name) - before
            before = await loop.run_in_executor(None, host.count, info.name)
            await hk.legs(SYMBOL)
            rest = await loop.run_in_executor(None, host.count, info.name) - before
    return live, rest


async def _venue(host: SimHost, info: VenueInfo, blocks: int, per_block: int) -> list[Result]:
    await asyncio.get_running_loop().run_in_executor(None, lambda: host.command(
        "hedge", venue=info.name, symbol=SYMBOL if info.name == "bybit" else None))
    got: dict[str, list[float]] = {"ours": [], "ccxt": [], "ccxt+orders": []}
    is_open = False  # the long leg's state before each block
    for _ in range(blocks):
        for side, block in (("ours", _ours_block), ("ccxt", _ccxt_block), ("ccxt+orders", _ccxt_with_orders_block)):
            got[side].extend(await block(host, info, per_block, not is_open))
            is_open = is_open if (PRIMERS + per_block) % 2 == 0 else not is_open
    ours = got["ours"]
    live, rest = await _stream_legs_requests(host, info, 1000)

    def p90(samples: list[float]) -> str:
        return f"{sorted(samples)[int(len(samples) * 0.9) - 1] * 1e3:.2f} ms"

    return [
        Result(NAME, f"stream {info.name}: engine change -> event (median)", median(ours), median(got["ccxt"]),
               "s", "<= 1.00x", 1.0, notes=[
                   f"{len(ours)} changes each side in {blocks} blocks; baseline ccxt.pro watch_positions alone "
                   f"(its connection takes position pushes only); p90 ours {p90(ours)}, ccxt {p90(got['ccxt'])}"],
               extra={"ours": ours, "baseline": got["ccxt"]}),
        Result(NAME, f"stream {info.name}: engine change -> event, ccxt.pro also watching orders (median)",
               median(ours), median(got["ccxt+orders"]), "s", "<= 1.00x", 1.0, notes=[
                   "baseline: watch_positions while watch_orders runs on the same exchange, the ccxt.pro "
                   "way to keep legs and orders live as hk.stream() does (the same pushes arrive: an "
                   f"order's frames come before its position's); p90 ccxt {p90(got['ccxt+orders'])}"],
               extra={"ours": ours, "baseline": got["ccxt+orders"]}),
        Result(NAME, f"stream {info.name}: requests per 1000 stream.legs() (vs one REST legs())", float(live),
               float(rest), "RT", "= 0 requests", conditions={"stream.legs() sends no request": live == 0}),
    ]


def _memory(settings: Settings, venues: list[str]) -> Result:
    reps = settings.reps(full=3, quick=1)
    with SimHost(venues, record=False) as host:
        for name in host.venues:
            host.command("hedge", venue=name, symbol=SYMBOL if name == "bybit" else None)
        arg = json.dumps({n: {"base_url": v.base_url, "credentials": v.credentials} for n, v in host.venues.items()})
        samples: dict[str, list[dict[str, Any]]] = {"ours": [], "ccxt": []}
        for _ in range(reps):
            for kind in ("ours", "ccxt"):
                samples[kind].append(run_child(CHILD, [kind, arg]))
    errors = {f"{k}: {n}": e for k, runs in samples.items() for n, e in runs[-1]["errors"].items()}
    ours, base = samples["ours"], samples["ccxt"]
    return Result(
        NAME, f"memory, {len(venues)} venues streaming (peak RSS)", median(s["peak_mb"] for s in ours),
        median(s["peak_mb"] for s in base), "MB", "report", notes=[
            f"{reps} fresh processes each; hedgekit: connect + hk.stream() per venue; ccxt.pro: watch_positions "
            f"per venue; RSS streaming: hedgekit {median(s['rss_mb'] for s in ours):.1f} MB, "
            f"ccxt.pro {median(s['rss_mb'] for s in base):.1f} MB",
            *(f"failed: {k}: {e}" for k, e in errors.items()),
        ], extra={"ours": ours, "baseline": base},
    )


def run(settings: Settings) -> list[Result]:
    """Measure stream latency per venue against ccxt.pro, stream.legs()'s requests, and streaming memory."""
    venues = selected_venues(settings)
    blocks = settings.reps(full=4, quick=1)
    per_block = settings.reps(full=16, quick=4)
    results: list[Result] = []

    async def main() -> None:
        with SimHost(venues) as host:
            for name, error in host.errors.items():
                results.append(Result(NAME, f"stream {name}", None, None, "s", error=error))
            for name, info in host.venues.items():
                try:
                    results.extend(await _venue(host, info, blocks, per_block))
                except Exception as exc:
                    results.append(Result(NAME, f"stream {name}", None, None, "s", error=short_error(exc)))

    asyncio.run(main())
    try:
        results.append(_memory(settings, venues))
    except Exception as exc:
        results.append(Result(NAME, "memory, venues streaming", None, None, "MB", error=short_error(exc)))
    return results

