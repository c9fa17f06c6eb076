"""The administrators' pages use a second browser, as the PWA's tests do."""

from tests.web.conftest import live_server, other_client

__all__ = ["live_server", "other_client"]
