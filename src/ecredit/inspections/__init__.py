"""Sampling inspections: plans, verifiable draws, samples, test reports, re-tests, rectification (issue 5)."""
