"""HmacSha256 gives hmac's answer, for every key length, and keeps its key out of sight."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given, settings
from hypothesis import strategies as st

from hedgekit.signing import HmacKeys, HmacSha256


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.binary(max_size=500))
def test_same_as_hmac(key: bytes, message: bytes) -> None:
    signer = HmacSha256(key)
    assert signer.digest(message) == hmac.new(key, message, hashlib.sha256).digest()
    assert signer.hexdigest(message) == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert signer.digest(message) == signer.digest(message)  # the precomputed states are not consumed


def test_rfc4231_case_2() -> None:
    assert HmacSha256(b"Jefe").hexdigest(b"what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_keys_follow_the_secret_and_hide_it() -> None:
    keys = HmacKeys()
    first = keys.of("secret-one")
    assert keys.of("secret-one") is first
    assert keys.of("".join(["secret-", "one"])) is first  # an equal string, another object
    second = keys.of("secret-two")
    assert second is not first and second.digest(b"m") == hmac.new(b"secret-two", b"m", hashlib.sha256).digest()
    assert "secret" not in repr(keys) and "secret" not in repr(second)
