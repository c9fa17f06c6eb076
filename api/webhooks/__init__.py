"""Webhooks for integrators (Standard Webhooks): endpoints, their secrets, every delivery."""
