"""Headers set on a response's raw list replace those of the same name, whatever their case,
and leave the others as they were."""

from __future__ import annotations

from service.api.headers import PAGE_HEADERS, replaced


def test_our_headers_replace_the_same_names_and_keep_the_others() -> None:
    sent = [(b"content-type", b"text/html"), (b"X-Frame-Options", b"SAMEORIGIN"), (b"set-cookie", b"a=1")]
    headers = replaced(sent, PAGE_HEADERS)
    names = [name.lower() for name, _value in headers]
    assert names.count(b"x-frame-options") == 1 and (b"x-frame-options", b"DENY") in headers
    assert headers[:2] == [(b"content-type", b"text/html"), (b"set-cookie", b"a=1")]
    assert dict(headers)[b"content-security-policy"].startswith(b"default-src 'self'")
    assert replaced(headers, [(b"x-request-id", b"r1")])[-1] == (b"x-request-id", b"r1")
