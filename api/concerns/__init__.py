"""Concerns: raised by either person about their relationship, followed up by coordinators."""
