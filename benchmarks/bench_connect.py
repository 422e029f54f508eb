"""#2 connect: a client ready to trade (markets loaded), against raw ccxt's default set-up.

Ours: ``hedgekit.connect(venue, base_url=..., **credentials)`` then ``open()`` (defaults otherwise).
Baseline: the venue's ccxt class (:data:`benchmarks.venues.BASELINES`) with only the credentials
and the hosts given, then ``load_markets()``. Both build their ccxt instance inside the timed part;
closing is outside it. Both talk to the same simulator (another process), with no injected latency
("loopback": the costs added on top of the network) and with one round trip = 50 ms.

ccxt's default set-up calls endpoints the simulator does not serve. The benchmark first runs it
against the plain simulator and reports the request that failed; then the simulator host serves
the smallest valid answer to those requests (:data:`benchmarks.venues.CCXT_DEFAULT_STUBS`) and the
baseline is measured with them. Target: <= 0.5x time and fewer requests.
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
    first_failure,
    interleave_async,
    median,
    selected_venues,
    short_error,
)
from benchmarks.venues import BASELINES, CCXT_DEFAULT_STUBS, make_ccxt

NAME = "connect"
LATENCIES = {"loopback": 0.0, "50 ms RTT": 0.05}

Sample = tuple[float, list[str]]
"""Seconds to ready, and the requests it took."""

_closing: list[asyncio.Task[None]] = []
"""Closes run in the background: ccxt's ``close()`` sleeps 250 ms, outside what is measured."""


def _close_later(coro: Any) -> None:
    _closing.append(asyncio.ensure_future(coro))


async def _closed() -> None:
    while _closing:
        await _closing.pop()


async def _ours(host: SimHost, info: VenueInfo) -> Sample:
    import hedgekit

    before = host.count(info.name)
    start = time.perf_counter()
    client = hedgekit.connect(info.name, base_url=info.base_url, **info.credentials)  # type: ignore[arg-type]
    await client.open()
    elapsed = time.perf_counter() - start
    _close_later(client.aclose())
    return elapsed, describe_requests(host.log(info.name, before))


async def _baseline(host: SimHost, info: VenueInfo, rate_limit: bool | None = None) -> Sample:
    before = host.count(info.name)
    start = time.perf_counter()
    exchange = make_ccxt(info.name, info.base_url, info.credentials, rate_limit=rate_limit)
    try:
        await exchange.load_markets()
        elapsed = time.perf_counter() - start
    finally:
        _close_later(exchange.close())
    return elapsed, describe_requests(host.log(info.name, before))


async def _raw_default_failure(host: SimHost, info: VenueInfo) -> tuple[str | None, list[str]]:
    """Run ccxt's default set-up against the plain simulator: the failure, and the requests made."""
    host.set_stubs(False)
    before = host.count(info.name)
    error: str | None = None
    try:
        await _baseline(host, info)
    except Exception as exc:
        error = short_error(exc)
    entries = host.log(info.name, before)
    host.set_stubs(True)
    if error is None:
        return None, describe_requests(entries)
    failed = first_failure(entries) or "no refused request recorded"
    return f"{failed} (ccxt raised {error})", describe_requests(entries)


async def _venue(host: SimHost, info: VenueInfo, settings: Settings) -> list[Result]:
    reps = settings.reps(full=7, quick=2)
    if info.name not in BASELINES:
        return [Result(NAME, f"connect[{info.name}]", None, None, "s", "<= 0.50x", 0.5,
                       error=f"no ccxt baseline defined for {info.name} in benchmarks/venues.py")]
    raw_failure, raw_requests = await _raw_default_failure(host, info)
    stubbed = sorted(f"{m} {p}" for m, p in CCXT_DEFAULT_STUBS.get(info.name, {}))
    host.set_latency(0.0)
    try:  # warm-up: imports, first-instance costs (the failure probe above warmed ccxt's class)
        await _ours(host, info)
        if not settings.quick:
            await _baseline(host, info)
    except Exception as exc:
        failure = first_failure(host.log(info.name, max(0, host.count(info.name) - 20)))
        return [Result(NAME, f"connect[{info.name}]", None, None, "s", "<= 0.50x", 0.5,
                       error=f"{short_error(exc)}; first refused request: {failure}")]
    results = []
    latencies = {"loopback": 0.0} if settings.quick else LATENCIES
    for label, latency in latencies.items():
        host.set_latency(latency)
        runs: list[tuple[str, Any]] = [
            ("ours", lambda: _ours(host, info)),
            ("baseline", lambda: _baseline(host, info)),
        ]
        if latency == 0.0 and not settings.quick:
            runs.append(("baseline_no_limiter", lambda: _baseline(host, info, rate_limit=False)))
        samples = await interleave_async(runs, reps)
        ours_n = int(median(len(n) for _, n in samples["ours"]))
        base_n = int(median(len(n) for _, n in samples["baseline"]))
        ours_reqs, base_reqs = samples["ours"][-1][1], samples["baseline"][-1][1]
        notes = []
        if label == "loopback":
            notes += [
                f"hedgekit: {ours_n} request(s): {', '.join(ours_reqs)}",
                f"ccxt default: {base_n} request(s): {', '.join(base_reqs)}",
                "raw ccxt default against the plain simulator: "
                + (f"FAILED at {raw_failure}" if raw_failure else "completed")
                + (f"; requests: {', '.join(raw_requests)}" if raw_failure else ""),
            ]
            if stubbed:
                notes.append(
                    "baseline measured with the simulator host answering " + ", ".join(stubbed)
                    + " with empty valid payloads (the simulator should serve these; see report)"
                )
            if "baseline_no_limiter" in samples:
                notes.append(
                    "ccxt default but enableRateLimit=False: "
                    f"{median(s for s, _ in samples['baseline_no_limiter']) * 1000:.2f} ms"
                )
        results.append(Result(
            NAME, f"connect[{info.name}] {label}",
            median(s for s, _ in samples["ours"]), median(s for s, _ in samples["baseline"]),
            "s", "<= 0.50x", 0.5, conditions={f"fewer requests ({ours_n} vs {base_n})": ours_n < base_n},
            notes=notes,
            extra={"ours": [s for s, _ in samples["ours"]], "baseline": [s for s, _ in samples["baseline"]],
                   "ours_requests": ours_reqs, "baseline_requests": base_reqs, "latency": latency,
                   "raw_default_failure": raw_failure, "raw_default_requests": raw_requests},
        ))
    return results


def run(settings: Settings) -> list[Result]:
    """Measure connect on every selected venue."""
    venues = selected_venues(settings)

    async def main() -> list[Result]:
        out: list[Result] = []
        with SimHost(venues) as host:
            for name, error in host.errors.items():
                out.append(Result(NAME, f"connect[{name}]", None, None, "s", "<= 0.50x", 0.5,
                                  error=f"simulator did not start: {error}"))
            try:
                for name in venues:
                    if name in host.venues:
                        out += await _venue(host, host.venues[name], settings)
            finally:
                await _closed()
        return out

    return asyncio.run(main())
