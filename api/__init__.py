"""Kindred: one-to-one peer support."""
