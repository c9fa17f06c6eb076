"""The referred person's own browser, and the real server for Chromium."""

from tests.web.conftest import live_server, other_client

__all__ = ["live_server", "other_client"]
