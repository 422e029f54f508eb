"""Entry point of the Bybit v5 (linear) plugin.

Registered under the ``hedgekit.adapters`` entry-point group as ``bybit``. Importing this module is
cheap: it names the adapter and the simulator frontend by dotted path, and neither ccxt nor aiohttp is
imported until a client connects or a simulated venue starts.
"""

from __future__ import annotations

from hedgekit.adapter import VenuePlugin

PLUGIN = VenuePlugin(
    name="bybit",
    title="Bybit v5 USDT perpetuals (category=linear)",
    adapter="hedgekit_bybit.adapter:BybitAdapter",
    simulator="hedgekit_bybit.simulator:BybitFrontend",
)
