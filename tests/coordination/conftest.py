"""The console's browser test uses the PWA's real server."""

from tests.web.conftest import live_server

__all__ = ["live_server"]
