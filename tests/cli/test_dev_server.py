"""``simpleflow dev-server`` as a user runs it: the line to export, named domains, a clean stop, one-line
errors, and no moto import for the other commands."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import boto3

from simpleflow.devserver._server import export_line, is_loopback
from tests import console
from tests.moto_server import ROOT, free_port


@contextmanager
def port_in_use() -> Iterator[int]:
    """A loopback port something else listens on, for the time of the block."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", free_port()))
        busy.listen()
        yield busy.getsockname()[1]


def _environ(**changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _simpleflow(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    command = [sys.executable, "-m", "simpleflow.command", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_dev_server_prints_the_line_to_export_registers_domains_and_stops_on_sigterm():
    port = free_port()
    server = _simpleflow("dev-server", "--port", str(port), "--domain", "demo", "--domain", "other", env=_environ())
    try:
        first = server.stdout.readline()
        export = server.stdout.readline().strip()
        url = f"http://127.0.0.1:{port}"
        assert first.startswith(f"simpleflow dev-server: SWF and S3 at {url} (moto ")
        assert export == (
            f"export AWS_ENDPOINT_URL={url} AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 "
            "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing"
        )
        swf = boto3.client(
            "swf",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        domains = swf.list_domains(registrationStatus="REGISTERED")["domainInfos"]
        assert sorted(d["name"] for d in domains) == ["demo", "other"]
        began = time.monotonic()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
        assert time.monotonic() - began < 5
        assert server.stderr.read() == ""  # no traceback, no warning on loopback
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_a_port_in_use_is_one_line_and_exit_2():
    with port_in_use() as port:
        done = _simpleflow("dev-server", "--port", str(port), env=_environ())
        out, err = done.communicate(timeout=30)
    assert done.returncode == 2 and out == ""
    assert err == f"simpleflow: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_without_the_dev_extra_it_says_what_to_install_in_one_line():
    code = (
        "import sys; sys.modules['moto'] = None; sys.argv = ['simpleflow', 'dev-server']; "
        "from simpleflow.command import main; main()"
    )
    done = subprocess.run([sys.executable, "-c", code], env=_environ(), capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "simpleflow: error: the dev server needs moto's server (moto is not installed): pip install 'simpleflow[dev]'\n"
    )


def test_the_command_line_imports_neither_the_dev_server_nor_moto():
    code = (
        "import sys, simpleflow.command; "
        "print(sorted(m for m in sys.modules if m.startswith(('moto', 'simpleflow.devserver'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], env=_environ(), capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "[]", done.stderr


def test_the_export_line_gives_the_servers_region_and_dummy_credentials_only_when_none_are_set(tmp_path):
    """The region always: the server's domains live in its region alone, and a client's shell may set another.
    A profile no file defines counts as none: the line unsets it (clients would fail to find it)."""
    url = "http://127.0.0.1:4566"
    dummy = (
        f"export AWS_ENDPOINT_URL={url} AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 "
        "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing"
    )
    assert export_line(url, {}) == dummy
    config = tmp_path / "config"
    config.write_text("[profile me]\nregion = eu-west-1\n")
    assert export_line(url, {"AWS_REGION": "eu-west-1", "AWS_PROFILE": "me", "AWS_CONFIG_FILE": str(config)}) == (
        f"export AWS_ENDPOINT_URL={url} AWS_DEFAULT_REGION=eu-west-1 AWS_REGION=eu-west-1"
    )
    assert export_line(url, {"AWS_PROFILE": "nosuchprofile", "AWS_CONFIG_FILE": str(config)}) == (
        f"unset AWS_PROFILE; {dummy}"
    )


def _first_lines(*args: str, env: dict[str, str]) -> tuple[str, str]:
    """The first two lines a dev server started with *args* prints (then it is stopped)."""
    server = _simpleflow("dev-server", *args, env=env)
    try:
        return server.stdout.readline().strip(), server.stdout.readline().strip()
    finally:
        server.kill()
        server.wait()
        server.stdout.close()
        server.stderr.close()


def test_a_client_in_the_shell_of_the_export_line_finds_the_domains_of_a_server_in_another_region():
    port = free_port()
    env = _environ(AWS_DEFAULT_REGION="eu-west-1")
    server = _simpleflow("dev-server", "--port", str(port), "--domain", "rx", env=env)
    try:
        server.stdout.readline()
        exported = dict(item.split("=", 1) for item in server.stdout.readline().split()[1:])
        shell = _environ(**{"AWS_DEFAULT_REGION": "ap-south-1", "AWS_REGION": "ap-south-1", **exported})
        done = subprocess.run(
            [sys.executable, "-m", "simpleflow.command", "workflow.list", "rx"],
            env=shell,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.kill()
        server.wait()
    assert exported["AWS_DEFAULT_REGION"] == exported["AWS_REGION"] == "eu-west-1"
    assert done.returncode == 0, done.stderr


def test_the_users_aws_profile_does_not_stop_the_server_and_a_missing_one_is_unset_in_the_clients_shell():
    """It never authenticates: a profile this machine does not have is none of its business. A client in the
    shell of its export line works (the line unsets the profile and gives dummy credentials)."""
    port = free_port()
    env = _environ(AWS_PROFILE="no-such-profile")
    server = _simpleflow("dev-server", "--port", str(port), "--domain", "a", env=env)
    try:
        first, export = server.stdout.readline().strip(), server.stdout.readline().strip()
        done = subprocess.run(
            [
                "bash",
                "-c",
                f'{export}; exec "$@"',
                "-",
                sys.executable,
                "-m",
                "simpleflow.command",
                "workflow.list",
                "a",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.kill()
        server.wait()
    assert first.startswith("simpleflow dev-server: SWF and S3 at "), first
    assert export.startswith("unset AWS_PROFILE; export "), export
    assert done.returncode == 0, done.stderr


def test_a_domain_given_twice_is_registered_and_listed_once():
    first, _ = _first_lines("--port", str(free_port()), "--domain", "x", "--domain", "x", env=_environ())
    assert first.endswith(", domains: x; Ctrl-C stops it"), first


def test_only_loopback_addresses_count_as_loopback():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.10", "example.com"))


def _read_until(stream, prefix: str, limit: int = 10) -> str:
    for _ in range(limit):
        line = stream.readline()
        if line.startswith(prefix):
            return line
    raise AssertionError(f"no line starting {prefix!r}")


def test_dev_server_with_ui_serves_the_web_view_of_its_domains_and_takes_it_down():
    import urllib.error
    import urllib.request

    server = _simpleflow(
        "dev-server", "--port", str(free_port()), "--domain", "demo", "--ui", "--ui-port", "0", env=_environ()
    )
    try:
        url = _read_until(server.stdout, "simpleflow ui: ").split()[2]
        assert "?token=" in url
        assert "<title>Executions of demo" in console.page_once_up(url)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0
        try:
            urllib.request.urlopen(url, timeout=2)
            raise AssertionError("the web view outlived the dev server")
        except urllib.error.URLError:
            pass
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_dev_server_ui_without_a_domain_is_one_line_and_exit_2():
    done = _simpleflow("dev-server", "--port", str(free_port()), "--ui", env=_environ())
    out, err = done.communicate(timeout=30)
    assert (done.returncode, out) == (2, "")
    assert err == "simpleflow: error: dev-server --ui needs a domain to show: --domain NAME\n"


def _one_line_refusal(*args: str) -> str:
    """The stderr of a dev-server that must refuse *args* at once (killed if it runs on instead)."""
    done = _simpleflow("dev-server", *args, env=_environ())
    try:
        out, err = done.communicate(timeout=30)
    finally:
        if done.poll() is None:
            done.kill()
            done.wait()
    assert (done.returncode, out) == (2, ""), err
    return err


def test_a_port_out_of_range_is_one_line_and_exit_2():
    for port in ("-1", "99999"):
        assert _one_line_refusal("--port", port) == (
            f"simpleflow: error: --port: {port} is not in the range 0<=x<=65535\n"
        )


def test_the_web_view_on_the_servers_port_is_refused_up_front():
    port = str(free_port())
    err = _one_line_refusal("--port", port, "--ui", "--ui-port", port, "--domain", "d")
    assert err == (
        f"simpleflow: error: --ui-port {port}: the same port as --port; give the web view another (0: a free one)\n"
    )


def test_a_web_view_port_in_use_is_one_line_and_exit_2_before_the_server_runs():
    with port_in_use() as ui_port:
        err = _one_line_refusal("--port", str(free_port()), "--ui", "--ui-port", str(ui_port), "--domain", "d")
    assert err == (
        f"simpleflow: error: --ui-port {ui_port}: cannot listen on 127.0.0.1:{ui_port}: Address already in use\n"
    )


def test_a_domain_name_swf_refuses_is_one_line_and_exit_2_from_either_entry_point():
    refusal = "--domain: domain name 'a:b' must not contain ':', '/', '|' or a control character, nor be 'arn'"
    assert _one_line_refusal("--port", str(free_port()), "--domain", "ok", "--domain", "a:b") == (
        f"simpleflow: error: {refusal}\n"
    )
    module = [sys.executable, "-m", "simpleflow.devserver", "--port", str(free_port()), "--domain", "a:b"]
    done = subprocess.run(module, env=_environ(), capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"simpleflow dev-server: error: {refusal}\n")
    done = subprocess.run([*module[:-1], " padded"], env=_environ(), capture_output=True, text=True, timeout=30)
    assert done.stderr == (
        "simpleflow dev-server: error: --domain: domain name ' padded' must not start or end with whitespace\n"
    )


def test_the_endpoint_of_a_server_on_an_ipv6_address_writes_it_in_brackets():
    from simpleflow.devserver import client_url

    assert client_url("::1", 4600) == "http://[::1]:4600"
    assert client_url("::", 4600) == "http://127.0.0.1:4600"  # a wildcard: loopback
    assert client_url("localhost", 4600) == "http://localhost:4600"


def test_the_export_line_gives_each_value_as_it_is_to_a_shell_that_globs_strictly():
    # zsh stops on an unmatched glob ("no matches found"): bash -O failglob does the same. An IPv6 endpoint's
    # brackets are one; a region read from the environment could hold anything.
    env = {"AWS_DEFAULT_REGION": "eu-west-1;echo injected", "AWS_ACCESS_KEY_ID": "", "PATH": os.environ["PATH"]}
    line = export_line("http://[::1]:4600", env)
    script = f'{line}; printf "%s|%s|%s" "$AWS_ENDPOINT_URL" "$AWS_DEFAULT_REGION" "$AWS_ACCESS_KEY_ID"'
    done = subprocess.run(["bash", "-O", "failglob", "-c", script], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "http://[::1]:4600|eu-west-1;echo injected|testing"
    assert export_line("http://127.0.0.1:4600", {}) == (  # nothing to quote: the line stays as the docs show it
        "export AWS_ENDPOINT_URL=http://127.0.0.1:4600 AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 "
        "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing"
    )
