"""The current TOTP code of a secret, for development: ``python -m api.auth.totp_code SECRET``.

The demo prints its staff's secrets; this stands in for an authenticator app. It only reads a
secret you already hold: it is no way around the second factor.
"""

import sys

import pyotp


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m api.auth.totp_code SECRET", file=sys.stderr)
        return 2
    print(pyotp.TOTP(argv[0].replace(" ", "")).now())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
