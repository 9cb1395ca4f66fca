"""Credentials and tokens: SFMC client credentials -> expiring bearer tokens; Blueshift API key
as the Basic-auth user name.

Credentials come from ``JOURNEYSIM_SFMC_CLIENT_ID``, ``JOURNEYSIM_SFMC_CLIENT_SECRET`` and
``JOURNEYSIM_BLUESHIFT_API_KEY`` (or the matching flags); when none is given, random ones are made
and printed. Token lifetimes run on wall time, as a real client's token cache expects.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ENV_CLIENT_ID = "JOURNEYSIM_SFMC_CLIENT_ID"
ENV_CLIENT_SECRET = "JOURNEYSIM_SFMC_CLIENT_SECRET"
ENV_BLUESHIFT_KEY = "JOURNEYSIM_BLUESHIFT_API_KEY"
TOKEN_TTL_S = 1080  # SFMC's access tokens last 18 minutes


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str
    blueshift_api_key: str
    generated: tuple[str, ...] = ()

    @classmethod
    def resolve(cls, client_id: str | None = None, client_secret: str | None = None, blueshift_api_key: str | None = None,
                environ: dict | None = None) -> Credentials:
        """Flags first, then the environment, then random values (named in ``generated``)."""
        env = os.environ if environ is None else environ
        chosen, generated = {}, []
        for name, flag, var, make in (("client_id", client_id, ENV_CLIENT_ID, lambda: secrets.token_hex(12)),
                                      ("client_secret", client_secret, ENV_CLIENT_SECRET, lambda: secrets.token_urlsafe(24)),
                                      ("blueshift_api_key", blueshift_api_key, ENV_BLUESHIFT_KEY, lambda: secrets.token_hex(16))):
            value = flag or env.get(var)
            if not value:
                value = make()
                generated.append(name)
            chosen[name] = value
        return cls(**chosen, generated=tuple(generated))


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass
class TokenStore:
    credentials: Credentials
    ttl_s: float = TOKEN_TTL_S
    wall: Callable[[], float] = time.monotonic
    _tokens: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, client_id: object, client_secret: object) -> str | None:
        """A new bearer token for valid client credentials, else None."""
        if not isinstance(client_id, str) or not isinstance(client_secret, str):
            return None
        if not (_same(client_id, self.credentials.client_id) and _same(client_secret, self.credentials.client_secret)):
            return None
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = self.wall()
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + self.ttl_s
        return token

    def valid(self, authorization: str | None) -> bool:
        if not authorization:
            return False
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        with self._lock:
            expires = self._tokens.get(token.strip())
        return expires is not None and self.wall() < expires

    def blueshift_ok(self, authorization: str | None) -> bool:
        """Basic auth whose user name is the API key (the password is ignored, usually empty)."""
        if not authorization:
            return False
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        return _same(user, self.credentials.blueshift_api_key)
