"""Benchmarks for the matching kernel and batch assignment; see bench/__main__.py."""
