"""Moderation with records: decisions on a concern, one appeal each, the regulator's record."""
