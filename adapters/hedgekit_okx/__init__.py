"""hedgekit adapter for OKX v5 USDT-margined perpetual swaps (``instType=SWAP``).

Modules: :mod:`.plugin` (entry point), :mod:`.adapter` (the :class:`hedgekit.adapter.VenueAdapter`
contract, implemented on ccxt ``okx``), :mod:`.transport` (the ccxt exchange and the one call path),
:mod:`.wire` and :mod:`.wire_orders` (request building, contract-size conversion and response
parsing), :mod:`.errors` (the venue's error-code table), :mod:`.simulator` (the wire frontend of the
loopback simulator, with its ``simulator_*`` parts).
"""
