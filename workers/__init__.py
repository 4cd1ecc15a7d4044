"""Background jobs: follow-ups, intro talks, digests, reconcile."""
