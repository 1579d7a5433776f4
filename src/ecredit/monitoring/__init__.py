"""Monitoring: platform data intake, listing and terms scans, 7-day returns, complaints, incidents (issue 8)."""
