"""hedgekit adapter for Aster's USDT-margined perpetual futures (a Binance-family API on ``/fapi``).

Modules: :mod:`.plugin` (entry point), :mod:`.adapter` (the :class:`hedgekit.adapter.VenueAdapter`
contract, on ccxt's ``aster`` transport), :mod:`.auth` (v3 API-wallet EIP-712 signing and legacy v1
HMAC), :mod:`.wire` (request building and response parsing, sharing Binance's readers),
:mod:`.errors` (the venue's error-code table), :mod:`.simulator` (the wire frontend of the loopback
simulator, with :mod:`.simulator_auth`, :mod:`.simulator_markets`, :mod:`.simulator_trade` and
:mod:`.simulator_account`).
"""
