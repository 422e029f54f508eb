"""hedgekit adapter for Bybit v5 USDT perpetuals (``category=linear``).

Modules: :mod:`.plugin` (entry point), :mod:`.adapter` (the :class:`hedgekit.adapter.VenueAdapter`
contract, implemented on ccxt ``bybit``), :mod:`.coin` (the settle-coin scope: exposure, the
coin-wide read and switch), :mod:`.trailing` (the position-level trailing stop), :mod:`.wire` (request building and response parsing), :mod:`.errors`
(the venue's error-code table), :mod:`.simulator` (the wire frontend of the loopback simulator).
"""
