"""simpleflow.settings (defaults < settings module < environment) and ``simpleflow info``."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid

import pytest
from click.testing import CliRunner

from simpleflow import settings
from simpleflow.command import cli
from simpleflow.exceptions import UsageError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def settings_module(tmp_path, monkeypatch):
    """Write a settings module into a fresh folder on sys.path; returns a function taking its source."""
    monkeypatch.syspath_prepend(str(tmp_path))
    names = []

    def write(source: str, name: str = "my_settings") -> str:
        (tmp_path / f"{name}.py").write_text(source)
        sys.modules.pop(name, None)
        names.append(name)
        monkeypatch.setenv(settings.MODULE_ENV, name)
        return name

    yield write
    for name in names:
        sys.modules.pop(name, None)


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch):
    for name in ("STEP_BUCKET", "SIMPLEFLOW_DECIDER_CACHE_RUNS", "SIMPLEFLOW_IDENTITY", settings.MODULE_ENV):
        monkeypatch.delenv(name, raising=False)
    saved = dict(settings._overrides)
    yield
    settings._overrides.clear()
    settings._overrides.update(saved)


def test_a_setting_defaults_to_its_default_module_value():
    assert settings.STEP_BUCKET == "step_bucket"
    assert settings.get("SIMPLEFLOW_DECIDER_CACHE_RUNS") == 256
    assert settings.source("STEP_BUCKET") == "default"


def test_the_settings_module_overrides_defaults_and_the_environment_overrides_both(settings_module, monkeypatch):
    settings_module("STEP_BUCKET = 'from-module'\nSIMPLEFLOW_DECIDER_CACHE_RUNS = 7\nMY_OWN = {'a': 1}\n")
    assert (settings.STEP_BUCKET, settings.SIMPLEFLOW_DECIDER_CACHE_RUNS) == ("from-module", 7)
    assert settings.MY_OWN == {"a": 1} and "MY_OWN" in settings.names()
    monkeypatch.setenv("STEP_BUCKET", "from-env")
    monkeypatch.setenv("SIMPLEFLOW_DECIDER_CACHE_RUNS", "9")
    assert (settings.STEP_BUCKET, settings.SIMPLEFLOW_DECIDER_CACHE_RUNS) == ("from-env", 9)
    assert settings.source("STEP_BUCKET") == "environment"


def test_configure_wins_over_everything(monkeypatch):
    monkeypatch.setenv("STEP_BUCKET", "from-env")
    settings.configure({"STEP_BUCKET": "from-code"})
    assert settings.STEP_BUCKET == "from-code" and settings.source("STEP_BUCKET") == "configure"


def test_an_empty_environment_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_DECIDER_CACHE_RUNS", " ")
    assert settings.SIMPLEFLOW_DECIDER_CACHE_RUNS == 256


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SIMPLEFLOW_JUMBO_FIELDS_CACHE", "0", False),
        ("SIMPLEFLOW_JUMBO_FIELDS_CACHE", "yes", True),
        ("SIMPLEFLOW_S3_SSE", "false", False),
        ("SWF_MAX_OPEN_ACTIVITY_COUNT", "12", 12),
        ("ACTIVITY_SIGTERM_WAIT_SEC", "1.5", 1.5),
        ("LOG_LEVEL", "debug", "DEBUG"),
        ("LOG_LEVEL", " warn ", "WARN"),
        ("SIMPLEFLOW_LOG_FORMAT", "JSON", "json"),
    ],
)
def test_environment_strings_are_parsed_to_the_settings_type(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    assert settings.get(name) == expected


def test_a_bad_value_names_the_setting(monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_DECIDER_CACHE_RUNS", "many")
    with pytest.raises(ValueError, match="SIMPLEFLOW_DECIDER_CACHE_RUNS='many': expected a whole number"):
        settings.get("SIMPLEFLOW_DECIDER_CACHE_RUNS")
    monkeypatch.setenv("SIMPLEFLOW_S3_SSE", "perhaps")
    with pytest.raises(ValueError, match="SIMPLEFLOW_S3_SSE='perhaps': expected a boolean"):
        settings.get("SIMPLEFLOW_S3_SSE")
    monkeypatch.setenv("SIMPLEFLOW_ON_NONDETERMINISM", "ignore")
    with pytest.raises(ValueError, match="SIMPLEFLOW_ON_NONDETERMINISM='ignore': expected wait or fail"):
        settings.get("SIMPLEFLOW_ON_NONDETERMINISM")
    monkeypatch.setenv("SIMPLEFLOW_ON_NONDETERMINISM", " FAIL ")
    assert settings.get("SIMPLEFLOW_ON_NONDETERMINISM") == "fail"


def test_an_unknown_log_level_or_format_is_refused_in_one_line_before_anything_runs():
    for env, message in [
        (
            {"LOG_LEVEL": "BOGUS"},
            "LOG_LEVEL='BOGUS': expected DEBUG, INFO, WARNING, ERROR or CRITICAL (or 10, 20, 30, 40 or 50)",
        ),
        ({"SIMPLEFLOW_LOG_FORMAT": "xml"}, "SIMPLEFLOW_LOG_FORMAT='xml': expected text or json"),
    ]:
        done = simpleflow_cli("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 5]", env=env)
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr.strip() == f"simpleflow: error: {message}"


def test_a_log_level_a_settings_module_gives_as_logging_s_number_is_its_name(settings_module):
    settings_module("LOG_LEVEL = 10\n")
    assert settings.get("LOG_LEVEL") == "DEBUG"


def test_a_decider_given_a_bad_nondeterminism_setting_says_so_in_one_line_before_anything_else():
    done = simpleflow_cli(
        "decider.start",
        "--domain",
        "nowhere",
        "--task-list",
        "x",
        "tests.fixtures.nondeterminism_workflows.Chain",
        env={"SIMPLEFLOW_ON_NONDETERMINISM": "ignore"},
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "simpleflow: error: SIMPLEFLOW_ON_NONDETERMINISM='ignore': expected wait or fail"


def test_an_unimportable_settings_module_is_a_usage_error(monkeypatch):
    monkeypatch.setenv(settings.MODULE_ENV, "no_such_settings_module")
    with pytest.raises(UsageError, match="SIMPLEFLOW_SETTINGS_MODULE='no_such_settings_module': cannot import it"):
        settings.get("STEP_BUCKET")


def test_the_decider_cache_and_the_swf_identity_read_the_settings_module(settings_module):
    from simpleflow.swf import client
    from simpleflow.swf.decider import RunCache

    settings_module("SIMPLEFLOW_DECIDER_CACHE_RUNS = 3\nSIMPLEFLOW_IDENTITY = {'team': 'data'}\n")
    assert RunCache().max_runs == 3
    assert json.loads(client.identity())["team"] == "data"


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError):
        settings.NOT_A_SETTING  # noqa: B018
    assert settings.get("NOT_A_SETTING", "fallback") == "fallback"


def test_info_settings_shows_the_environment_and_module_values(tmp_path):
    (tmp_path / "site_settings.py").write_text('SIMPLEFLOW_IDENTITY = \'{"hostname": "hardcoded.example.net"}\'\n')
    env = {settings.MODULE_ENV: "site_settings"}
    done = simpleflow_cli("info", "settings", env=env, path=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert 'SIMPLEFLOW_IDENTITY=\'{"hostname": "hardcoded.example.net"}\'' in done.stdout.splitlines()
    env["SIMPLEFLOW_IDENTITY"] = '{"hostname":"machine.example.net"}'
    done = simpleflow_cli("info", "settings", env=env, path=str(tmp_path))
    assert 'SIMPLEFLOW_IDENTITY=\'{"hostname":"machine.example.net"}\'' in done.stdout.splitlines()
    assert "# Versions" not in done.stdout


def test_info_versions_lists_python_simpleflow_and_the_dependencies():
    import boto3

    import simpleflow

    done = simpleflow_cli("info", "versions")
    lines = done.stdout.splitlines()
    assert lines[0] == "# Versions"
    assert f"simpleflow: {simpleflow.__version__}" in lines
    assert f"boto3: {boto3.__version__}" in lines
    for name in ("python_version", "python_build", "click", "diskcache", "tabulate", "venusian"):
        assert any(line.startswith(f"{name}: ") and "not installed" not in line for line in lines), name


def test_info_versions_names_every_dependency_pyproject_declares():
    import re

    text = open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8").read()
    declared = re.search(r"^dependencies = \[(.*?)^\]", text, re.S | re.M).group(1)
    names = re.findall(r'"([A-Za-z0-9_.-]+)', declared)
    assert "croniter" in names
    shown = {line.partition(":")[0] for line in simpleflow_cli("info", "versions").stdout.splitlines()}
    assert set(names) <= shown
    assert "PyYAML" in shown  # the yaml extra, said so


def test_info_environment_redacts_secrets():
    done = simpleflow_cli("info", "environment", env={"AWS_SECRET_ACCESS_KEY": "s3cr3t", "SIMPLEFLOW_X": "1"})
    assert "AWS_SECRET_ACCESS_KEY=<redacted>" in done.stdout and "s3cr3t" not in done.stdout
    assert "SIMPLEFLOW_X=1" in done.stdout


def test_info_with_bad_input_is_one_line_and_exit_2():
    done = simpleflow_cli("info", "versions,bogus")
    assert done.returncode == 2 and done.stderr.strip() == (
        "simpleflow: error: unknown info section 'bogus' (one of: versions, settings, environment)"
    )
    done = simpleflow_cli("info", env={"SIMPLEFLOW_DECIDER_CACHE_RUNS": "lots"})
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "simpleflow: error: SIMPLEFLOW_DECIDER_CACHE_RUNS='lots': expected a whole number, 0 or more (0: no cache)"
    )
    done = simpleflow_cli("info", env={settings.MODULE_ENV: "nowhere_settings"})
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "SIMPLEFLOW_SETTINGS_MODULE='nowhere_settings': cannot import it" in done.stderr


def simpleflow_cli(*args: str, env: dict | None = None, path: str | None = None) -> subprocess.CompletedProcess:
    """``simpleflow ARGS`` in a process of its own, this checkout first on its path (then *path*)."""
    environ = dict(os.environ, **(env or {}))
    environ["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, path) if p)
    command = [sys.executable, "-m", "simpleflow.command", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environ, timeout=60, check=False)


def test_activity_defaults_come_from_the_settings_when_declared(monkeypatch):
    from simpleflow import activity

    monkeypatch.setenv("ACTIVITY_DEFAULT_TASK_LIST", "from-settings")
    monkeypatch.setenv("ACTIVITY_HEARTBEAT_TIMEOUT", "42")

    @activity.with_attributes(name=f"settings-test-{uuid.uuid4().hex}")
    def declared():
        pass

    assert (declared.task_list, declared.task_heartbeat_timeout, declared.version) == ("from-settings", "42", "default")
    explicit = activity.with_attributes(name=f"settings-test-{uuid.uuid4().hex}", task_list="mine")(lambda: None)
    assert explicit.task_list == "mine"


@pytest.fixture
def root_logging(monkeypatch):
    """The root logger's handlers and level, and LOG_LEVEL, put back after the test (``--log-level`` sets them)."""
    monkeypatch.setenv("LOG_LEVEL", "")  # so that the unset below is undone too
    monkeypatch.delenv("LOG_LEVEL")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize(("given", "level"), [("DEBUG", "DEBUG"), ("10", "DEBUG"), ("info", "INFO"), ("40", "ERROR")])
def test_log_level_option_takes_a_name_or_logging_s_number_for_it(root_logging, given, level):
    """simpleflow 0.36.0 took any ``-l`` value (and ignored it): scripts give logging's numbers too."""
    done = CliRunner().invoke(cli, ["decider.start", "-l", given])  # no domain: stops after -l is applied
    assert (done.exit_code, os.environ["LOG_LEVEL"], root_logging.level) == (2, level, getattr(logging, level))
    assert "domain" in done.stderr and "log level" not in done.stderr


def test_log_level_option_refuses_what_is_no_level_in_one_line(root_logging):
    done = CliRunner().invoke(cli, ["worker.start", "-l", "15"])
    assert (done.exit_code, done.stdout) == (2, "")
    assert done.stderr == (
        "simpleflow: error: --log-level '15' is not a log level "
        "(DEBUG, INFO, WARNING, ERROR or CRITICAL, or their numbers, 10 to 50)\n"
    )


def test_log_level_setting_takes_logging_s_number_as_text(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", " 20 ")
    assert settings.get("LOG_LEVEL") == "INFO"
