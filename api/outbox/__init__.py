"""Events for integrators, written in the same transaction as the change they describe."""
