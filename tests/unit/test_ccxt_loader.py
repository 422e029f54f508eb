"""Loading only the ccxt exchanges hedgekit uses, while ccxt stays whole for anyone who imports it."""

from __future__ import annotations

import subprocess
import sys

AFTER_CONNECT = r'''
import asyncio, sys
from decimal import Decimal
import hedgekit
from hedgekit.testing import SimulatedVenue

async def main():
    for name in hedgekit.available_venues():
        async with SimulatedVenue(name) as venue:
            async with hedgekit.connect(name, base_url=venue.base_url, **venue.credentials) as hk:
                await hk.legs("BTC/USDT:USDT")
    loaded = [m for m in sys.modules if m.startswith("ccxt.async_support.") and m.count(".") == 2]
    print("exchanges loaded:", sorted(loaded))
    print("modules:", sum(1 for m in sys.modules if m.startswith("ccxt")))
    # a program that uses ccxt itself afterwards gets all of it
    import ccxt, ccxt.async_support as ccxt_async
    from ccxt.async_support import kraken
    print("full:", len(ccxt.exchanges) > 100, ccxt.binance().id, ccxt_async.okx.__name__, kraken.__name__,
          isinstance(ccxt_async.binanceusdm, type), ccxt.__version__ == ccxt_async.__version__)

asyncio.run(main())
'''

CCXT_FIRST = r'''
import ccxt.async_support as ccxt_async
from hedgekit.ccxt_loader import exchange_class, errors_module
assert exchange_class("binanceusdm") is ccxt_async.binanceusdm
assert errors_module().BaseError is ccxt_async.BaseError
print("same classes")
'''


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_only_the_needed_exchanges_load_and_ccxt_stays_whole() -> None:
    out = _run(AFTER_CONNECT)
    loaded_line = next(line for line in out.splitlines() if line.startswith("exchanges loaded:"))
    assert "kraken" not in loaded_line and "ccxt.async_support.binanceusdm" in loaded_line
    modules = int(next(line for line in out.splitlines() if line.startswith("modules:")).split()[1])
    assert modules < 60
    assert "full: True binance okx kraken True True" in out


def test_ccxt_imported_first_is_used_as_it_is() -> None:
    assert "same classes" in _run(CCXT_FIRST)
