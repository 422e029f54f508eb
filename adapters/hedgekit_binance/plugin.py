"""Entry point of the Binance USDⓈ-M plugin.

Registered under the ``hedgekit.adapters`` entry-point group as ``binance``. Importing this module is
cheap: it names the adapter and the simulator frontend by dotted path, and neither ccxt nor aiohttp is
imported until a client connects or a simulated venue starts.
"""

from __future__ import annotations

from hedgekit.adapter import VenuePlugin

PLUGIN = VenuePlugin(
    name="binance",
    title="Binance USDⓈ-M Futures",
    adapter="hedgekit_binance.adapter:BinanceAdapter",
    simulator="hedgekit_binance.simulator:BinanceFrontend",
)
