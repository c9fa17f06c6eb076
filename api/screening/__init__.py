"""Supporters' screening and training records, supervision sessions, and their private debriefs."""
