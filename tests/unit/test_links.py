"""Every URL knoten hands out is built by `Links` (service/domain/links.py): no page path is
typed again in a page, a mail job or a view."""

from __future__ import annotations

import ast
import re

from service.domain.links import PAGES, Links
from tests.sources import ROOT, parsed, python_sources

# demo.py is a client of the public API and prints the dev banner; it builds no link it hands out.
BUILDERS = {ROOT / "service/domain/links.py", ROOT / "service/demo.py"}


def _builds_a_url(node: ast.AST) -> bool:
    """An f-string that starts with a path or puts something after the base URL, or a redirect
    to a typed path."""
    if isinstance(node, ast.JoinedStr):
        first = node.values[0]
        names = {n.attr if isinstance(n, ast.Attribute) else getattr(n, "id", "") for n in ast.walk(node)}
        return (isinstance(first, ast.Constant) and str(first.value).startswith("/")) or "base_url" in names
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Redirect" and node.args:
        return isinstance(node.args[0], ast.Constant)
    return False


def test_urls_are_built_in_one_place() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}"
        for path in python_sources()
        if path not in BUILDERS
        for node in ast.walk(parsed(path))
        if _builds_a_url(node)
    ]
    assert found == []


def test_a_mail_link_is_absolute_and_a_redirect_stays_on_the_host() -> None:
    links = Links("https://knoten.example")
    assert links.personal_link("p.w.x.y") == "https://knoten.example/me?token=p.w.x.y"
    assert links.signup("w1", "s1", "AB12") == "https://knoten.example/s/w1/s1?code=AB12"
    assert links.report("w1", "c") == "https://knoten.example/w/w1/login?code=c&next=report"
    assert PAGES.signup_done("w1", "s1", "g1", again=True) == "/s/w1/s1/done?signup=g1&again=1"
    assert (
        PAGES.station_again("w1", "s1", "waitlisted", 2, "AB12")
        == "/s/w1/s1/station?done=waitlisted&position=2&code=AB12"
    )
    assert PAGES.me(done="withdrawn") == "/me?done=withdrawn"


def test_pages_take_their_links_from_links() -> None:
    typed = [
        f"{path.relative_to(ROOT)}: {found.group(0)}"
        for path in sorted(ROOT.glob("service/templates/web/*.html"))
        for found in re.finditer(r'(?:href|action|src|data-[a-z]+)="/(?!static/)[^"]*"', path.read_text())
    ]
    assert typed == []
