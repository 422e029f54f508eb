"""#7 memory of a process with every venue connected, against four raw ccxt instances.

Each sample is a fresh process (:mod:`benchmarks._child_memory`), hedgekit and ccxt alternating:
ours opens a hedgekit client per venue with hedgekit's defaults; the baseline makes each venue's
raw ccxt class in its default set-up and loads its markets. The simulators run in a separate
process (the simulator host, answering ccxt's default-set-up endpoints), so the child's memory is
the client's alone and nothing is subtracted: the figure is the peak RSS of the whole child
(``VmHWM``, the interpreter included in both; not ``ru_maxrss``, which Linux carries over from
the parent), and the RSS with everything connected is shown in the notes. A venue that fails to
connect on either side in a first probe run is left out of both. Target: <= 0.8x.
"""

from __future__ import annotations

import json

from benchmarks.common import Result, Settings, SimHost, interleave, median, run_child, selected_venues
from benchmarks.venues import BASELINES

NAME = "memory"
CHILD = "benchmarks._child_memory"


def run(settings: Settings) -> list[Result]:
    """Measure the peak RSS of a process with every venue connected, hedgekit against raw ccxt."""
    reps = settings.reps(full=5, quick=1)
    venues = selected_venues(settings)
    with SimHost(venues) as host:
        host.set_stubs(True)
        measured = {n: {"base_url": v.base_url, "credentials": v.credentials}
                    for n, v in host.venues.items() if n in BASELINES}
        missing = sorted(set(venues) - set(measured))
        failed: dict[str, str] = {}
        for kind in ("ours", "ccxt"):  # probe (and warm-up: byte-compile, page cache)
            for name, error in run_child(CHILD, [kind, json.dumps(measured)])["errors"].items():
                failed[f"{name} ({'hedgekit' if kind == 'ours' else 'ccxt'})"] = error
                measured.pop(name, None)
        arg = json.dumps(measured)
        samples = interleave(
            [("ours", lambda: run_child(CHILD, ["ours", arg])), ("ccxt", lambda: run_child(CHILD, ["ccxt", arg]))],
            reps,
        )
    ours, base = samples["ours"], samples["ccxt"]
    notes = [
        f"{reps} fresh processes each; venues: {', '.join(measured)}"
        + (f"; not measured (no simulator or no baseline): {', '.join(missing)}" if missing else ""),
        *(f"left out, failed to connect: {name}: {error}" for name, error in failed.items()),
        f"RSS with everything connected: hedgekit {median(s['rss_mb'] for s in ours):.1f} MB, "
        f"ccxt {median(s['rss_mb'] for s in base):.1f} MB",
        f"markets loaded: hedgekit {ours[-1]['markets']}, ccxt {base[-1]['markets']}; ccxt modules imported: "
        f"hedgekit {ours[-1]['ccxt_modules']}, ccxt {base[-1]['ccxt_modules']}",
    ]
    return [Result(
        NAME, f"memory, {len(measured)} venues connected (peak RSS)", median(s["peak_mb"] for s in ours),
        median(s["peak_mb"] for s in base), "MB", "<= 0.80x", 0.8, notes=notes,
        extra={"ours": ours, "baseline": base},
    )]
