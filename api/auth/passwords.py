"""Password rules (ASVS 6.2) and argon2id hashing."""

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from api.config import Settings
from api.errors import FieldError, Invalid

MIN_LENGTH = 8
MAX_LENGTH = 128


@lru_cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


@lru_cache
def _hasher(memory_kib: int, time_cost: int, parallelism: int) -> PasswordHash:
    return PasswordHash(
        (Argon2Hasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism),)
    )


def hasher(settings: Settings) -> PasswordHash:
    return _hasher(
        settings.password_memory_kib, settings.password_time_cost, settings.password_parallelism
    )


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Why a new password can't be used, or None: length and commonness, no composition rules."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters (15 or more is better)."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in _common_passwords():
        return "That password is one of the most common ones. Please choose another."
    personal = {email.lower(), email.split("@")[0].lower(), display_name.lower()} - {""}
    if lowered in personal:
        return "Please don't use your email or name as your password."
    return None


def check_new_password(password: str, **context: str) -> None:
    problem = password_problem(password, **context)
    if problem:
        raise Invalid(problem, errors=[FieldError(field="password", message=problem)])


def hash_password(settings: Settings, password: str) -> str:
    return hasher(settings).hash(password)


def verify_password(settings: Settings, password: str, password_hash: str) -> bool:
    return hasher(settings).verify(password, password_hash)


# Verified when the account does not exist, so both paths cost the same.
_DUMMY_PASSWORD = "kindred-timing-equaliser"  # noqa: S105


def verify_dummy(settings: Settings) -> None:
    h = hasher(settings)
    h.verify(_DUMMY_PASSWORD, _dummy_hash(settings.password_memory_kib, h))


@lru_cache
def _dummy_hash(_memory: int, h: PasswordHash) -> str:
    return h.hash(_DUMMY_PASSWORD)
