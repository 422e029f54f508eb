"""#4 a validated mode switch, in round trips of the simulator's injected latency (50 ms).

On a flat account, ``set_position_mode(HEDGE, symbol)`` then ``set_position_mode(ONE_WAY, symbol)``
(the symbol names the BTC contract so per-symbol venues switch the same thing), each timed on its
own, on a client made with hedgekit's defaults. Each switch reads the mode and the exposure (in
parallel) and then writes: the floor is two round trips. The figure is ``time / 50 ms``.

Each repetition uses a fresh client (connected outside the timed part), as a bot switches its mode
once at start-up: one client switching back and forth for the whole run would measure the
venue's request budget instead (OKX's limiter, as hedgekit sets it up, lets about four switches
through per 10 s window and then waits). Target: <= 2.3 round trips on every venue.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks.common import (
    Result,
    Settings,
    SimHost,
    VenueInfo,
    describe_requests,
    median,
    selected_venues,
    short_error,
)

NAME = "mode_switch"
LATENCY = 0.05
SYMBOL = "BTC/USDT:USDT"


async def _venue(host: SimHost, info: VenueInfo, settings: Settings) -> list[Result]:
    import hedgekit
    from hedgekit import PositionMode

    reps = settings.reps(full=7, quick=2)
    label = f"mode switch[{info.name}]"
    times: list[float] = []
    cpu: list[float] = []
    requests: list[str] = []
    closing: list[Any] = []
    try:
        for rep in range(reps + 1):  # the first round is a warm-up
            hk = hedgekit.connect(info.name, base_url=info.base_url, **info.credentials)  # type: ignore[arg-type]
            await hk.open()
            try:
                # the account is flat and one-way (each round ends there); each client makes the two
                # switches a bot makes, within every venue's request limits (OKX: 20 algo-order
                # list reads per 2 s, 7 per validated switch)
                for mode in (PositionMode.HEDGE, PositionMode.ONE_WAY):
                    before = host.count(info.name)
                    start, cpu0 = time.perf_counter(), time.process_time()
                    await hk.set_position_mode(mode, SYMBOL)
                    if rep:
                        times.append(time.perf_counter() - start)
                        cpu.append(time.process_time() - cpu0)
                    requests = describe_requests(host.log(info.name, before))
            finally:
                closing.append(asyncio.ensure_future(hk.aclose()))  # ccxt's close sleeps 250 ms
    except Exception as exc:
        return [Result(NAME, label, None, LATENCY, "s", "<= 2.30 RT", 2.3, error=short_error(exc))]
    finally:
        await asyncio.gather(*closing, return_exceptions=True)
    writes = [r for r in requests if not r.startswith("GET ")]
    notes = [
        f"{len(times)} switches ({reps} fresh clients x hedge and back); {len(requests)} requests per switch: "
        f"{len(requests) - len(writes)} reads in parallel, then {', '.join(writes) or 'no write'}",
        f"reads: {', '.join(r for r in requests if r.startswith('GET '))}",
        f"slowest switch {max(times) / LATENCY:.2f} RT; client CPU per switch {median(cpu) * 1000:.1f} ms (median)",
    ]
    return [Result(NAME, label, median(times), LATENCY, "s", "<= 2.30 RT", 2.3, notes=notes,
                   extra={"ours": times, "cpu": cpu, "requests": requests})]


def run(settings: Settings) -> list[Result]:
    """Measure the validated mode switch on every selected venue at 50 ms per round trip."""
    venues = selected_venues(settings)

    async def main() -> list[Result]:
        out: list[Result] = []
        with SimHost(venues, latency=LATENCY) as host:
            for name, error in host.errors.items():
                out.append(Result(NAME, f"mode switch[{name}]", None, LATENCY, "s", "<= 2.30 RT", 2.3,
                                  error=f"simulator did not start: {error}"))
            for name in venues:
                if name in host.venues:
                    out += await _venue(host, host.venues[name], settings)
        return out

    return asyncio.run(main())
