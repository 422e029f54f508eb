"""hedgekit adapter for Binance USDⓈ-M perpetual futures.

Modules: :mod:`.plugin` (entry point), :mod:`.adapter` (the :class:`hedgekit.adapter.VenueAdapter`
contract, implemented on ccxt ``binanceusdm``), :mod:`.wire` (request building and response
parsing), :mod:`.errors` (the venue's error-code table), :mod:`.simulator` (the wire frontend of the
loopback simulator).
"""
