"""Client secrets: 256 random bits, shown once, kept only as a keyed hash.

Why HMAC-SHA256 and not argon2 (which the project uses for passwords): a slow hash protects
secrets a person chose, which can be guessed; these are 256 random bits that nobody can
guess, slow or fast. A slow hash would only add ~35 ms of CPU to every token request (and a
lever for anyone who wants to tie up the server). Keyed with a key derived from SECRET_KEY,
the hashes are also useless to whoever gets a copy of the database alone. The cost: changing
SECRET_KEY means issuing every client a new secret (docs/integrations.md says so).
"""

import hmac
import secrets

from api.auth.tokens import keyed_hash
from api.config import Settings

PREFIX = "kcs_"  # "Kindred client secret", so a leaked one is easy to recognise in a scan


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_secret(settings: Settings, secret: str) -> str:
    return keyed_hash(settings, "client-secret", secret)


def matches(settings: Settings, secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(settings, secret), stored_hash)


def hint(secret: str) -> str:
    return secret[-4:]
