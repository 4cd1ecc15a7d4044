"""Digests and reports as HTML, Markdown, PDF and CSV, with charts."""
