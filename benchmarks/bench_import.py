"""#1 ``import hedgekit``: wall time and peak RSS, against ``import aiohttp, pydantic`` (its floor).

Each sample is a fresh interpreter (:mod:`benchmarks._child_import`), hedgekit and the floor
alternating. Wall time is the import statement alone (``perf_counter`` around it, interpreter
start-up excluded); peak RSS is the whole child's ``VmHWM`` (the interpreter's own share is in
both; a bare interpreter is measured too and shown in the notes). Target: <= 1.3x on both,
and ``ccxt`` not imported.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.common import Result, Settings, interleave, median, run_child

NAME = "import"
CHILD = Path(__file__).with_name("_child_import.py")
OURS = "hedgekit"
FLOOR = "aiohttp,pydantic"


def run(settings: Settings) -> list[Result]:
    """Measure ``import hedgekit`` against ``import aiohttp, pydantic``, interleaved."""
    reps = settings.reps(full=15, quick=4)
    for mods in (OURS, FLOOR):  # warm-up: byte-compile, fill the page cache
        run_child(CHILD, [mods])
    samples = interleave(
        [("ours", lambda: run_child(CHILD, [OURS])), ("floor", lambda: run_child(CHILD, [FLOOR])),
         ("bare", lambda: run_child(CHILD, []))],
        reps,
    )
    ours, floor, bare = samples["ours"], samples["floor"], samples["bare"]
    ccxt_imported = any(s["ccxt"] for s in ours)
    notes = [
        f"{reps} fresh interpreters each, interleaved; modules imported: hedgekit "
        f"{median(s['modules'] for s in ours):.0f}, aiohttp+pydantic {median(s['modules'] for s in floor):.0f}",
        f"bare interpreter peak RSS {median(s['peak_mb'] for s in bare):.1f} MB (in both figures)",
        f"hedgekit imports aiohttp: {any(s['aiohttp'] for s in ours)}",
    ]
    common = {"ccxt not imported": not ccxt_imported}
    return [
        Result(
            NAME, "import: wall time", median(s["seconds"] for s in ours), median(s["seconds"] for s in floor),
            "s", "<= 1.30x", 1.30, conditions=common, notes=notes,
            extra={"ours": [s["seconds"] for s in ours], "baseline": [s["seconds"] for s in floor]},
        ),
        Result(
            NAME, "import: peak RSS", median(s["peak_mb"] for s in ours), median(s["peak_mb"] for s in floor),
            "MB", "<= 1.30x", 1.30, conditions=common,
            extra={"ours": [s["peak_mb"] for s in ours], "baseline": [s["peak_mb"] for s in floor],
                   "bare": [s["peak_mb"] for s in bare]},
        ),
    ]
