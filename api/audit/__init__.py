"""The staff audit log: every coordinator's and administrator's action, appended, never edited."""
