"""Coordination: what coordinators do to run the service (the concerns queue, safety actions,
safeguarding access, relationship health; the waiting list and matching desk join here)."""
