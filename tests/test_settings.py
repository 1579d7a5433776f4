"""Settings from the environment: strict parsers, secrets from files, a production profile that passes
Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from ecredit.environ import Env, EnvError


def ecredit(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    ignored = ("DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")  # the last is set for the browser tests
    base = {key: value for key, value in os.environ.items() if key not in ignored}
    base.update({"ECREDIT_VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(
        [sys.executable, "-m", "ecredit.cli", *args], env=base, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("SESSION_COOKIE_AGE", "eight hours"),
        ("ECREDIT_PROFILE", "staging"),
        ("DATABASE_URL", "mysql://x/y"),
    ],
)
def test_it_refuses_to_start_on_a_malformed_variable_and_names_it(tmp_path: Path, variable: str, value: str) -> None:
    result = ecredit("check", env={variable: value}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert f"环境变量 {variable} 无效" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_generates_secrets_into_var_for_the_embedded_default_only(tmp_path: Path) -> None:
    assert ecredit("check", env={}, tmp_path=tmp_path).returncode == 0
    key_file = tmp_path / "var" / "secret_key"
    assert len(key_file.read_text().strip()) >= 50 and oct(key_file.stat().st_mode)[-3:] == "600"
    assert (tmp_path / "var" / "field_encryption_key").exists()
    production = ecredit("check", env={"ECREDIT_PROFILE": "production", "ALLOWED_HOSTS": "x.org"}, tmp_path=tmp_path)
    assert production.returncode == 2 and "SECRET_KEY" in production.stderr


def test_it_passes_the_deployment_checks_in_production(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s" * 10 + Fernet.generate_key().decode() + "-unpredictable-" + os.urandom(16).hex())
    env = {
        "ECREDIT_PROFILE": "production",
        "SECRET_KEY_FILE": str(secret),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "ecredit.nanan.example",
    }
    result = ecredit("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_refuses_debug_in_production(tmp_path: Path) -> None:
    result = ecredit("check", env={"ECREDIT_PROFILE": "production", "DEBUG": "true"}, tmp_path=tmp_path)
    assert result.returncode == 2 and "DEBUG" in result.stderr


def test_it_parses_values_strictly() -> None:
    env = Env({"A": "yes", "B": "Off", "N": "12", "L": "a, b", "EMPTY": ""})
    assert env.boolean("A", False) is True and env.boolean("B", True) is False
    assert env.boolean("MISSING", True) is True and env.boolean("EMPTY", False) is False
    assert env.integer("N", 0, minimum=1) == 12
    assert env.strings("L", []) == ["a", "b"]
    with pytest.raises(EnvError, match="N"):
        env.integer("N", 0, maximum=10)
    with pytest.raises(EnvError, match="L2"):
        Env({"L2": "a,,b"}).strings("L2", [])


def test_it_reads_a_secret_from_a_file_but_not_from_both(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text("from-file\n")
    assert Env({"K_FILE": str(path)}).secret("K") == "from-file"
    with pytest.raises(EnvError, match="K"):
        Env({"K": "direct", "K_FILE": str(path)}).secret("K")
    with pytest.raises(EnvError, match="K_FILE"):
        Env({"K_FILE": str(tmp_path / "missing")}).secret("K")
    (tmp_path / "empty").write_text("")
    with pytest.raises(EnvError, match="K_FILE"):
        Env({"K_FILE": str(tmp_path / "empty")}).secret("K")
