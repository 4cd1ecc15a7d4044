"""The application layer: running commands against a workshop for the API, the pages and the
workers alike (catch up on the log, decide, record with reactions and jobs, reply)."""
