"""The layers of docs/architecture.md, checked on every import in service/ and workers/."""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable

from tests.sources import ROOT, parsed, python_sources

# Modules of service/api that pages share: the access guard and the problem details (a page shows
# a refused field, or its error page, from them). Every other api module is a handler.
SHARED_API = {"service.api.auth", "service.api.problems"}
DOMAIN_MAY_IMPORT = {"msgspec"}
WIRING = {"service.app", "service.wiring", "service.cli"}


def _imports() -> list[tuple[str, str]]:
    """(importing module, imported module) for every import in service/ and workers/."""
    found = []
    for path in python_sources():
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Import):
                found += [(module, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found += [(module, node.module)]
    return found


def _within(module: str, packages: str | tuple[str, ...]) -> bool:
    """Whether `module` is one of `packages` or inside one."""
    names = (packages,) if isinstance(packages, str) else packages
    return any(module == name or module.startswith(name + ".") for name in names)


def _breaking(rule: Callable[[str, str], bool]) -> list[str]:
    """The imports for which `rule(importer, imported)` says they cross a layer."""
    return [f"{importer} imports {imported}" for importer, imported in _imports() if rule(importer, imported)]


def test_the_domain_imports_only_itself_the_standard_library_and_msgspec() -> None:
    outside = sys.stdlib_module_names | DOMAIN_MAY_IMPORT | {"__future__"}
    assert (
        _breaking(
            lambda importer, imported: (
                _within(importer, "service.domain")
                and not _within(imported, "service.domain")
                and imported.split(".")[0] not in outside
            )
        )
        == []
    )


def test_nothing_in_service_imports_workers_but_the_wiring() -> None:
    assert (
        _breaking(
            lambda importer, imported: (
                _within(importer, "service") and importer not in WIRING and _within(imported, "workers")
            )
        )
        == []
    )


def test_the_api_renders_no_pages() -> None:
    assert (
        _breaking(lambda importer, imported: _within(importer, "service.api") and _within(imported, "service.web"))
        == []
    )


def test_pages_call_no_api_handler() -> None:
    assert (
        _breaking(
            lambda importer, imported: (
                _within(importer, "service.web") and _within(imported, "service.api") and imported not in SHARED_API
            )
        )
        == []
    )


def test_the_application_layer_is_below_pages_and_api() -> None:
    above = ("service.web", "service.api", "service.app", "service.providers")
    assert (
        _breaking(lambda importer, imported: _within(importer, "service.application") and _within(imported, above))
        == []
    )
