"""#5 per-leg snapshot of every venue x 5 symbols at once, against the slowest venue alone (50 ms RTT).

One client per venue (hedgekit's defaults but ``rate_limit=False``: this measures concurrency, not
each venue's request budget; with the limiter on, back-to-back snapshots through ``legs()`` exhaust
OKX's position-read budget and wait for it), hedge mode, a long and a short leg open on each symbol
where the venue accepts the order. A snapshot of one venue is ``client.snapshot(symbols)`` when the
client has that method, else ``asyncio.gather`` of ``client.legs(symbol)`` for its first 5
symbols (fewer when the venue lists fewer). Ours: every venue's snapshot at once. Baseline: each
venue's snapshot alone; the slowest venue's median is the baseline. Rounds alternate the two.
Target: <= 1.3x.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from benchmarks.common import (
    Result,
    Settings,
    SimHost,
    describe_requests,
    interleave_async,
    median,
    selected_venues,
    short_error,
)

NAME = "snapshot"
LATENCY = 0.05
SYMBOLS_PER_VENUE = 5


async def _snapshot(client: Any, symbols: Sequence[str], use_snapshot: bool = True) -> Any:
    if use_snapshot and hasattr(client, "snapshot"):
        return await client.snapshot(list(symbols))
    return await asyncio.gather(*(client.legs(s) for s in symbols))


async def _prepare(client: Any, symbols: Sequence[str]) -> int:
    """Hedge mode on each symbol, and a long and a short leg where the venue takes them; legs opened."""
    from hedgekit import PositionMode

    for symbol in symbols:
        await client.set_position_mode(PositionMode.HEDGE, symbol)

    async def both(symbol: str) -> int:
        market = client.market(symbol)
        qty = max(market.min_quantity, market.lot_step) * 10
        opened = 0
        for fn in (client.open_long, client.open_short):
            with contextlib.suppress(Exception):  # a venue's notional floor: leave that leg empty
                await fn(symbol, Decimal(qty))
                opened += 1
        return opened

    return sum(await asyncio.gather(*(both(s) for s in symbols)))


def run(settings: Settings) -> list[Result]:
    """Measure the snapshot of every selected venue at once against the slowest venue alone."""
    import hedgekit

    venues = selected_venues(settings)
    reps = settings.reps(full=9, quick=3)

    async def main() -> list[Result]:
        with SimHost(venues, latency=LATENCY) as host:
            clients: dict[str, Any] = {}
            symbols: dict[str, list[str]] = {}
            errors: dict[str, str] = dict(host.errors)
            opened: dict[str, int] = {}
            try:
                for name, info in host.venues.items():
                    try:
                        client = hedgekit.connect(
                            name, base_url=info.base_url, rate_limit=False, **info.credentials  # type: ignore[arg-type]
                        )
                        await client.open()
                        clients[name] = client
                        symbols[name] = list(client.markets)[:SYMBOLS_PER_VENUE]
                        opened[name] = await _prepare(client, symbols[name])
                        await _snapshot(client, symbols[name])  # warm-up (mode cache, connections)
                    except Exception as exc:
                        errors[name] = short_error(exc)
                        clients.pop(name, None)
                if not clients:
                    return [Result(NAME, "snapshot", None, None, "s", "<= 1.30x", 1.3,
                                   error=f"no venue could be prepared: {errors}")]

                has_snapshot = all(hasattr(c, "snapshot") for c in clients.values())
                variants = [True, False] if has_snapshot and not settings.quick else [has_snapshot]
                results = [await _measure(host, clients, symbols, use, reps) for use in variants]
            finally:
                for client in clients.values():
                    await client.aclose()
        out = []
        for use, (samples, requests) in zip(variants, results):
            out.append(_result(clients, symbols, samples, requests, errors, opened, use, reps))
        return out

    return asyncio.run(main())


async def _measure(
    host: SimHost, clients: dict[str, Any], symbols: dict[str, list[str]], use_snapshot: bool, reps: int
) -> tuple[dict[str, list[float]], dict[str, list[str]]]:
    """Interleave: every venue at once, then each venue alone; the samples and requests per venue."""
    requests: dict[str, list[str]] = {}

    async def alone(name: str) -> float:
        before = host.count(name)
        start = time.perf_counter()
        await _snapshot(clients[name], symbols[name], use_snapshot)
        elapsed = time.perf_counter() - start
        requests[name] = describe_requests(host.log(name, before))
        return elapsed

    async def together() -> float:
        start = time.perf_counter()
        await asyncio.gather(*(_snapshot(c, symbols[n], use_snapshot) for n, c in clients.items()))
        return time.perf_counter() - start

    runs: list[tuple[str, Any]] = [("all", together)]
    runs += [(name, (lambda n=name: alone(n))) for name in clients]
    return await interleave_async(runs, reps), requests


def _result(
    clients: dict[str, Any], symbols: dict[str, list[str]], samples: dict[str, list[float]],
    requests: dict[str, list[str]], errors: dict[str, str], opened: dict[str, int], use_snapshot: bool,
    reps: int,
) -> Result:
    """The row for one variant: all venues at once against the slowest venue alone."""
    per_venue = {name: median(samples[name]) for name in clients}
    slowest = max(per_venue, key=lambda n: per_venue[n])
    via_snapshot = use_snapshot and all(hasattr(c, "snapshot") for c in clients.values())
    method = "client.snapshot(symbols)" if via_snapshot else "asyncio.gather(client.legs(s) for s in symbols)"
    notes = [
        f"{len(clients)} venues at once via {method}; {reps} rounds; symbols per venue: "
        + ", ".join(f"{n} {len(symbols[n])}" for n in clients),
        "alone (median): " + ", ".join(f"{n} {per_venue[n] * 1000:.1f} ms ({per_venue[n] / LATENCY:.2f} RT)"
                                       for n in clients),
        "requests per snapshot: " + ", ".join(f"{n} {len(requests.get(n, []))}" for n in clients)
        + f"; total {sum(len(requests.get(n, [])) for n in clients)}",
        "legs opened before measuring: " + ", ".join(f"{n} {opened.get(n, 0)}" for n in clients),
    ]
    notes += [f"{n}: {', '.join(sorted(set(requests.get(n, []))))}" for n in clients]
    notes += [f"{n} not measured: {e}" for n, e in errors.items()]
    return Result(
        NAME, f"snapshot {len(clients)} venues x {SYMBOLS_PER_VENUE} symbols"
        + ("" if via_snapshot else " (legs gather)"), median(samples["all"]),
        per_venue[slowest], "s", f"<= 1.30x (baseline: {slowest} alone)", 1.3, notes=notes,
        extra={"ours": samples["all"], **{f"alone_{n}": samples[n] for n in clients}, "requests": requests},
        error=None if not errors else f"not measured: {', '.join(errors)}",
    )
