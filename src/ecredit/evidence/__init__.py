"""Electronic evidence: web capture, artefacts, signatures, custody chain, verification (issue 6)."""
