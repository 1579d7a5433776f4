"""Enforcement: leads, cases, investigation records, notices, penalty decisions, numbered documents (issue 7)."""
