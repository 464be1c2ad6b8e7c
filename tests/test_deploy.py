"""The production recipe in deploy/, the parts that can be checked without a Docker engine:
the systemd units verify, the compose file names the expected services, takes its secrets
from the environment only and publishes on loopback only, the env example holds no secret."""

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

DEPLOY = ROOT / "deploy"
SECRET_NAME = re.compile(r"PASSWORD|SECRET|ACCESS_KEY|TOKEN", re.I)


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize("name, command", [("sohoa-serve.service", "sohoa serve"),
                                           ("prefect-server.service", "prefect server start")])
def test_systemd_units_run_the_right_command_as_a_service_user(name, command):
    service = unit(name)["Service"]
    exec_start = service["ExecStart"]
    assert exec_start.startswith("/opt/sohoa/.venv/bin/") and command in exec_start
    assert service["User"] == "sohoa" and service["Restart"] == "on-failure"
    assert service["ProtectSystem"] == "strict" and service["ReadWritePaths"] == "/srv/sohoa"
    assert "127.0.0.1" in exec_start or "--host" not in exec_start
    assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


def test_sohoa_serve_unit_reads_the_env_file_of_the_example():
    service = unit("sohoa-serve.service")["Service"]
    assert service["EnvironmentFile"] == "/etc/sohoa/sohoa.env"
    assert "sohoa.env.example" in (DEPLOY / "sohoa-serve.service").read_text()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not here")
@pytest.mark.parametrize("name", ["sohoa-serve.service", "prefect-server.service"])
def test_systemd_analyze_verifies_the_units(name, tmp_path):
    """As installed: the programs exist (here: this checkout's .venv instead of /opt/sohoa)."""
    text = (DEPLOY / name).read_text().replace("/opt/sohoa/.venv/bin/",
                                               str(Path(sys.executable).parent) + "/")
    (tmp_path / name).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / name)],
                            capture_output=True, text=True, timeout=60)
    complaints = [line for line in (result.stdout + result.stderr).splitlines()
                  if name in line or "Unknown" in line or "Failed" in line]
    assert result.returncode == 0 and not complaints, result.stdout + result.stderr


def test_env_example_holds_settings_and_no_secret():
    from kernel.settings import Settings

    values = {}
    for line in (DEPLOY / "sohoa.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values[key] = value.strip('"')
    assert not [k for k in values if SECRET_NAME.search(k)]
    settings = Settings(**{k.removeprefix("SOHOA_").lower(): v for k, v in values.items()
                           if k.startswith("SOHOA_")})
    assert (settings.nightly_cron, settings.nightly_timezone) == ("0 1 * * *", "Asia/Ho_Chi_Minh")
    assert values["PREFECT_API_URL"] == "http://127.0.0.1:4200/api"


def test_compose_has_the_services_and_takes_secrets_from_the_environment_only():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "prefect-server", "s3", "sohoa"}
    assert services["sohoa"]["command"] == ["sohoa", "serve"]
    assert services["prefect-server"]["command"][:3] == ["prefect", "server", "start"]
    assert services["sohoa"]["environment"]["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    assert "postgresql+asyncpg://" in \
        services["prefect-server"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"]
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key) or "://" in str(value) and "@" in str(value):
                assert re.search(r"\$\{[A-Z0-9_]+:\?[^}]+\}", str(value)), (name, key, value)
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), (name, port)
        if "build" in service:
            assert service["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / "sohoa.env.example").is_file()  # copied to deploy/sohoa.env (env_file)
    assert services["sohoa"]["env_file"] == ["sohoa.env"]


def test_the_image_installs_the_pinned_versions_and_runs_sohoa_serve():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -c requirements.lock ." in dockerfile
    assert "tesseract-ocr-vie" in dockerfile and "USER sohoa" in dockerfile
    assert dockerfile.rstrip().endswith('CMD ["sohoa", "serve"]')
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert {".venv", "sohoa-data", "deploy/.env"} <= set(ignored)
