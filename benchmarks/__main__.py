"""``python -m benchmarks``: run the benchmarks of issue 7 and print one table.

Usage::

    python -m benchmarks                      # all, full repetitions (a few minutes)
    python -m benchmarks --quick              # smoke pass, well under a minute
    python -m benchmarks connect order        # a subset
    python -m benchmarks --venues binance     # only some venues
    python -m benchmarks --json results.json  # also write the figures as JSON

Every row is ``ours / baseline`` of two medians measured in the same run. The exit status is 0
even when a target is missed (speed is reported, not tested); it is 1 only when a benchmark
itself crashed.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Sequence

from benchmarks.common import Result, Settings, environment, print_table, short_error, write_json

#: name -> module, in the order of issue 7's table.
BENCHMARKS = {
    "import": "benchmarks.bench_import",
    "connect": "benchmarks.bench_connect",
    "order": "benchmarks.bench_order",
    "mode_switch": "benchmarks.bench_mode_switch",
    "snapshot": "benchmarks.bench_snapshot",
    "simulator": "benchmarks.bench_simulator",
    "memory": "benchmarks.bench_memory",
    "stream": "benchmarks.bench_stream",
    "harness": "benchmarks.bench_harness",
}
ALIASES = {"mode": "mode_switch", "mode-switch": "mode_switch", "sim": "simulator", "mem": "memory", "streams": "stream"}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="hedgekit's overhead, latency and throughput (issue 7)."
    )
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="smoke pass: few repetitions")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--venues", metavar="V1,V2", help="only these venues (default: every registered one)")
    args = parser.parse_args(argv)
    names = [ALIASES.get(n, n) for n in args.names] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    args.names = names
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks, print the table, optionally write JSON; return the exit status."""
    args = parse_args(argv)
    venues = tuple(v.strip() for v in args.venues.split(",") if v.strip()) if args.venues else None
    settings = Settings(quick=args.quick, venues=venues)
    results: list[Result] = []
    crashed = False
    started = time.perf_counter()
    timings: dict[str, float] = {}
    for name in args.names:
        print(f"[{name}] running ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            module = importlib.import_module(BENCHMARKS[name])
            results += module.run(settings)
        except Exception as exc:
            crashed = True
            traceback.print_exc()
            results.append(Result(name, name, None, None, "s", error=f"benchmark crashed: {short_error(exc)}"))
        timings[name] = time.perf_counter() - t0
        print(f"[{name}] {timings[name]:.1f} s", file=sys.stderr, flush=True)
    total = time.perf_counter() - started
    print()
    print_table(results)
    print(f"\n{len(results)} rows in {total:.1f} s ({'quick' if args.quick else 'full'} run); "
          f"targets missed: {sum(1 for r in results if r.met is False)}")
    if args.json:
        meta = {**environment(), "quick": args.quick, "venues": venues, "seconds": total, "timings": timings,
                "command": " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])])}
        write_json(args.json, results, meta)
        print(f"results written to {args.json}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
