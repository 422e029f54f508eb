"""Child of ``bench_import``: import the named modules in a fresh interpreter, print JSON.

Run by path (``python benchmarks/_child_import.py hedgekit``), so nothing but the interpreter's own
start-up precedes the import. Prints ``{"seconds", "peak_mb", "modules", "ccxt", "aiohttp"}``;
``peak_mb`` is ``VmHWM`` (the peak RSS of this process image; ``ru_maxrss`` would carry the
parent's peak over across fork and exec).
"""

import importlib
import json
import sys
import time


def _peak_mb() -> float:
    """``VmHWM`` from ``/proc/self/status``, in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(names: list[str]) -> None:
    """Import ``names`` in order; print the time taken, the peak RSS and what got imported."""
    before = len(sys.modules)
    start = time.perf_counter()
    for name in names:
        importlib.import_module(name)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "modules": len(sys.modules) - before,
        "ccxt": any(m == "ccxt" or m.startswith("ccxt.") for m in sys.modules),
        "aiohttp": "aiohttp" in sys.modules,
    }))


if __name__ == "__main__":
    main([n for arg in sys.argv[1:] for n in arg.split(",") if n])
