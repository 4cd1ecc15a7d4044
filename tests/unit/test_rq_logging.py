"""RQ's own log handlers stay out of the tests: they would hold pytest's capture streams past
their end ("I/O operation on closed file"); see tests/conftest.py."""

from __future__ import annotations

import logging

from rq.logutils import setup_loghandlers


def test_rq_adds_no_stream_handler_of_its_own_in_the_tests() -> None:
    for name in ("rq.worker", "rq.job", "rq.scheduler"):
        setup_loghandlers(name=name)
        assert not [h for h in logging.getLogger(name).handlers if isinstance(h, logging.StreamHandler)]
