"""Entry point of the Aster plugin.

Registered under the ``hedgekit.adapters`` entry-point group as ``aster``. Importing this module is
cheap: it names the adapter and the simulator frontend by dotted path, and neither ccxt nor aiohttp is
imported until a client connects or a simulated venue starts.
"""

from __future__ import annotations

from hedgekit.adapter import VenuePlugin

PLUGIN = VenuePlugin(
    name="aster",
    title="Aster perpetuals (USDT-margined)",
    adapter="hedgekit_aster.adapter:AsterAdapter",
    simulator="hedgekit_aster.simulator:AsterFrontend",
)
