"""Persistence only; every change goes through services.py."""
