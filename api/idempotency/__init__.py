"""Idempotency keys on POST: the first answer kept for 24 hours and replayed on a retry."""
