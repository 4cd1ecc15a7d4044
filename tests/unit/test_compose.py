"""docker-compose.yml fits knoten: every knoten command parses with `knoten`'s own parser and
shows in `knoten --help`, every KNOTEN_* variable a knoten service gets is a setting, every
required setting is given, the settings it gives are accepted, and the production shape holds
(only Caddy publishes ports, Redis wants a password, Caddy is the one trusted proxy). No docker
engine is needed; where a docker client with the compose plugin exists, `docker compose config`
must accept the file too."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from service.cli import build_parser
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
CADDYFILE = ROOT / "Caddyfile"
ENV_EXAMPLE = ROOT / ".env.example"
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?:(?P<kind>:[?-])(?P<rest>[^}]*))?\}")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def knoten_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose()["services"].items()
        if service.get("command") and service["command"][0] == "knoten"
    }


def setting_variables() -> set[str]:
    """The KNOTEN_* variables `Settings.from_env` reads."""
    return set(re.findall(r'"(KNOTEN_[A-Z0-9_]+)"', (ROOT / "service" / "settings.py").read_text()))


def example_env() -> dict[str, str]:
    """.env.example with each empty secret filled in, as an operator would."""
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip() or "x" * 40
    return values


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}`; an unset required one fails."""

    def value(found: re.Match[str]) -> str:
        name, kind, rest = found.group("name"), found.group("kind"), found.group("rest")
        if env.get(name):
            return env[name]
        if kind == ":?":
            raise AssertionError(f"{name} is required by docker-compose.yml but not in .env.example: {rest}")
        return rest if kind == ":-" else ""

    return VARIABLE.sub(value, text)


def test_the_compose_file_runs_knoten_commands_the_cli_knows() -> None:
    services = knoten_services()
    assert set(services) == {"api", "worker"}
    parser = build_parser()
    usage = subprocess.run(
        [sys.executable, "-m", "service.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for name, service in services.items():
        commands = [service["command"]]
        test = service.get("healthcheck", {}).get("test", [])
        if test[1:2] == ["knoten"]:
            commands.append(test[1:])
        for command in commands:
            parser.parse_args(command[1:])  # argparse exits (and the test fails) on an unknown command or option
            assert command[1] in usage, f"{name}: {command[1]} is not in `knoten --help`"
            help_text = subprocess.run(
                [sys.executable, "-m", "service.cli", command[1], "--help"], capture_output=True, text=True, check=True
            ).stdout
            for option in (part for part in command[2:] if part.startswith("--")):
                assert option in help_text, f"{name}: {option} is not in `knoten {command[1]} --help`"


def test_every_knoten_variable_is_a_setting_and_every_required_setting_is_given() -> None:
    known = setting_variables()
    required = {
        "KNOTEN_" + field.name.upper()
        for field in msgspec.structs.fields(Settings)
        if field.default is msgspec.NODEFAULT and field.default_factory is msgspec.NODEFAULT
    }
    assert required == {"KNOTEN_REDIS_URL", "KNOTEN_ADMIN_TOKEN", "KNOTEN_SECRET_KEY"}
    for name, service in knoten_services().items():
        environment = service["environment"]
        unknown = {variable for variable in environment if variable.startswith("KNOTEN_")} - known
        assert not unknown, f"{name}: {unknown} are no settings of service/settings.py"
        missing = {variable for variable in required if not str(environment.get(variable) or "").strip()}
        assert not missing, f"{name}: required settings {missing} are not given"


def test_the_settings_the_compose_file_gives_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    text = interpolate(COMPOSE.read_text(), example_env())
    services = yaml.safe_load(text)["services"]
    for name in knoten_services():
        for variable in [v for v in os.environ if v.startswith("KNOTEN_")]:
            monkeypatch.delenv(variable)
        for variable, value in services[name]["environment"].items():
            monkeypatch.setenv(variable, "" if value is None else str(value))
        settings = Settings.from_env()  # exits on a value it refuses
        assert settings.redis_url.startswith("redis://:") and "@redis:6379" in settings.redis_url  # with password
        assert settings.base_url == f"https://{example_env()['KNOTEN_DOMAIN']}"
        assert settings.metrics_addr == "0.0.0.0:9464"


def test_only_caddy_is_published_redis_wants_a_password_and_caddy_is_the_trusted_proxy() -> None:
    services = compose()["services"]
    assert [name for name, service in services.items() if service.get("ports")] == ["caddy"]
    redis_command = services["redis"]["command"]
    assert (
        redis_command[redis_command.index("--requirepass") + 1] == "${KNOTEN_REDIS_PASSWORD:?set KNOTEN_REDIS_PASSWORD}"
    )
    caddy_address = services["caddy"]["networks"]["default"]["ipv4_address"]
    for service in knoten_services().values():
        assert service["environment"]["KNOTEN_TRUSTED_PROXIES"] == caddy_address
        assert "${KNOTEN_REDIS_PASSWORD" in service["environment"]["KNOTEN_REDIS_URL"]


def test_the_caddyfile_balances_over_the_api_replicas_for_the_domain() -> None:
    caddyfile = CADDYFILE.read_text()
    api = compose()["services"]["api"]
    port = api["command"][api["command"].index("--port") + 1]
    assert re.search(rf"dynamic a \{{\s*name api\s*port {port}\b", caddyfile)
    # SSE goes through unbuffered by its content type; `flush_interval -1` would keep a left live
    # view's request to the API open (tests/integration/test_caddy.py)
    assert not re.search(r"^\s*flush_interval", caddyfile, re.MULTILINE)
    assert re.search(r"^\{\$KNOTEN_DOMAIN\} \{$", caddyfile, re.MULTILINE)  # the site: HTTPS for the domain
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in compose()["services"]["caddy"]["volumes"]


def test_docker_compose_config_accepts_the_file_where_a_docker_client_exists(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    has_compose = (
        docker is not None
        and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0
    )
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in example_env().items()))
    if has_compose:  # no docker client with compose here: the checks above are the whole check
        result = subprocess.run(
            [str(docker), "compose", "-f", str(COMPOSE), "--env-file", str(env_file), "config", "--quiet"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    assert interpolate(COMPOSE.read_text(), example_env())  # every required variable has a value
