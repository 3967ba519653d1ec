"""The recorded-site harness: record, scrub, replay, check, canary, drift, report."""
