"""Policies: the service's settings kept as data (crisis resources, introduction expiry, the
default agreement, dependency limits), each change audited with who and when."""
