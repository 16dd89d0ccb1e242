"""deploy/: the systemd unit, the container files and the example settings say what the code does.
(No container engine runs here: the Containerfile and compose file are checked as text/YAML.)"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from bot.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def settings_in_code() -> set[str]:
    names: set[str] = set()
    for path in (PROJECT_ROOT / "bot").rglob("*.py"):
        names |= set(re.findall(r"\"((?:AGENDA|TELEGRAM)_[A-Z_]+)\"", path.read_text("utf-8")))
    return names


def unit() -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    for line in (DEPLOY / "agenda-bot.service").read_text("utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            entries.setdefault(key.strip(), []).append(value.strip())
    return entries


def test_the_example_env_file_names_every_setting() -> None:
    example = (DEPLOY / "agenda-bot.env.example").read_text("utf-8")
    listed = set(re.findall(r"(?m)^((?:AGENDA|TELEGRAM)_[A-Z_]+)=", example))
    assert settings_in_code() <= listed, settings_in_code() - listed
    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    assert all(f"`{name}`" in readme for name in settings_in_code())


def test_the_systemd_unit_runs_hardened_as_its_own_user() -> None:
    entries = unit()
    assert entries["User"] == ["agenda-bot"]
    assert entries["EnvironmentFile"] == ["/etc/agenda-bot/agenda-bot.env"]
    assert entries["Restart"] == ["on-failure"]
    assert entries["RestartPreventExitStatus"] == ["2"], "a wrong setting must not loop"
    assert entries["ProtectSystem"] == ["strict"]
    assert entries["ReadWritePaths"] == ["/var/lib/agenda-bot"]
    assert "AGENDA_DATA_DIR=/var/lib/agenda-bot" in entries["Environment"]
    for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "RestrictSUIDSGID"):
        assert entries[option] == ["yes"]
    assert entries["ExecStart"][0].endswith("agenda-bot run")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_unit() -> None:
    result = subprocess.run(
        ["systemd-analyze", "verify", str(DEPLOY / "agenda-bot.service")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "/opt/agenda-bot/.venv/bin/agenda-bot" not in line  # not here
    ]
    assert complaints == []


def test_the_container_is_slim_debian_non_root_with_a_health_check() -> None:
    text = (DEPLOY / "Containerfile").read_text("utf-8")
    assert re.search(r"(?m)^FROM python:3\.1\d-slim-(bookworm|trixie)$", text)
    assert "libpango-1.0-0" in text and "libpangoft2-1.0-0" in text
    assert re.search(r"(?m)^USER agenda-bot$", text)
    assert 'VOLUME ["/data"]' in text and "AGENDA_DATA_DIR=/data" in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    copied = set(re.findall(r"(?m)^COPY (\w+) ", text))
    needed = {"bot", "handlers", "storage", "templates", "consultations"}
    assert needed <= copied


def test_compose_polls_by_default_with_a_data_volume() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    service = compose["services"]["agenda-bot"]
    assert service["build"] == {"context": "..", "dockerfile": "deploy/Containerfile"}
    assert "command" not in service, "polling: the image's default `run`"
    assert service["volumes"] == ["agenda-data:/data"] and "agenda-data" in compose["volumes"]
    assert service["env_file"] == "agenda-bot.env"
    assert service["restart"] == "unless-stopped"


def test_no_machine_paths_in_deploy_files() -> None:
    for path in DEPLOY.iterdir():
        if path.is_file():
            text = path.read_text("utf-8")
            assert "/work/" not in text and "/tmp/" not in text, path


def test_license_matches_pyproject() -> None:
    assert (PROJECT_ROOT / "LICENSE").read_text("utf-8").startswith("MIT License")
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text("utf-8")
    assert re.search(r'(?m)^license = "MIT"$', pyproject)
    assert re.search(r'(?m)^license-files = \["LICENSE"\]$', pyproject)


def test_readme_quick_start_names_the_system_packages() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    check = (DEPLOY / "check_system.py").read_text("utf-8")
    apt = re.search(r'"(sudo apt-get install [^"]+)"\s+"([^"]+)"', check)
    assert apt is not None
    assert apt[1] + apt[2] in readme
