"""Kindred's jobs: webhook delivery and the domains' timed work, on the queue (api.jobs)."""
