"""Outbox tests borrow the webhook tests' settings (they fan events out to endpoints)."""

from tests.webhooks.conftest import hook_settings

__all__ = ["hook_settings"]
