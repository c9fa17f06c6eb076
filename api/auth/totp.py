"""TOTP (RFC 6238: 30-second steps, six digits, SHA-1 as every authenticator app expects) with
pyotp, and the QR code to scan, drawn on the server as SVG (segno): no script, no image host.

Pure functions: no database. The one rule about which codes count is here (``accepted_step``).
"""

import secrets
import string
import time

import pyotp
import segno

# One step either side, for a phone whose clock is a little out (RFC 6238 §5.2).
DRIFT_STEPS = 1
RECOVERY_ALPHABET = "".join(c for c in string.ascii_lowercase + string.digits if c not in "il1o0")


def new_secret() -> str:
    """160 random bits in base32 (RFC 4226 §4 recommends 160)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The QR code as an SVG data URI for an <img> (the CSP allows data: images)."""
    return str(
        segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")
    )


def grouped(secret: str) -> str:
    """The secret in fours, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def is_totp_shape(code: str) -> bool:
    c = normalised(code)
    return len(c) == 6 and c.isdigit()


def accepted_step(
    secret: str, code: str, *, last_step: int, now: float | None = None
) -> int | None:
    """The time step `code` belongs to if it is right (now, or one step either side) and
    later than the last one used; None otherwise. Constant-time comparison (pyotp)."""
    if not is_totp_shape(code):
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = int(moment // totp.interval)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), normalised(code)):
            found = step
    if found is None or found <= last_step:
        return None
    return found


def new_recovery_code() -> str:
    """Ten characters in two fives (about 50 bits), no look-alike letters: "k7m2q-x9fhd"."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"
