"""The governance pages' browser test uses the PWA's real server; page tests a second browser."""

from tests.web.conftest import live_server, other_client

__all__ = ["live_server", "other_client"]
