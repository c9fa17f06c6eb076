"""Notices: what a person is told when something happens to their relationship, kindly.
Every domain tells people through ``service.notify``; only this package writes the table."""
