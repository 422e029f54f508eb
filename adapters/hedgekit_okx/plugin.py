"""Entry point of the OKX plugin.

Registered under the ``hedgekit.adapters`` entry-point group as ``okx``. Importing this module is
cheap: it names the adapter and the simulator frontend by dotted path, and neither ccxt nor aiohttp is
imported until a client connects or a simulated venue starts.
"""

from __future__ import annotations

from hedgekit.adapter import VenuePlugin

PLUGIN = VenuePlugin(
    name="okx",
    title="OKX (v5, USDT-margined perpetual swaps)",
    adapter="hedgekit_okx.adapter:OkxAdapter",
    simulator="hedgekit_okx.simulator:OkxFrontend",
)
