"""The queue's tables are emptied after each test (tests/webhooks owns the fixture)."""

from tests.webhooks.conftest import _empty_queue

__all__ = ["_empty_queue"]
