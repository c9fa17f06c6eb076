"""Figures of calendar months that are over, kept once worked out; forgotten in the same
transaction as any change to what they counted."""
