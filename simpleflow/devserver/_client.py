"""What a client of the dev server needs: its endpoint, its region, and credentials (without importing moto)."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping

DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def region(environ: Mapping[str, str] | None = None) -> str:
    """The region whose backend holds the domains the server registers (moto keeps one per region: a client
    that signs with another region sees none of them)."""
    env = os.environ if environ is None else environ
    return env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or "us-east-1"


def client_url(host: str, port: int) -> str:
    """The endpoint a client on this machine uses for a server listening on *host* (a wildcard: loopback)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown and not shown.startswith("["):  # an IPv6 address: a URL writes it in brackets (RFC 3986)
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def client_settings(url: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """What a client of the server at *url* needs in its environment: the endpoint, the server's region
    (``region``, from *environ*, default this process's), under both names SDKs read (boto3 reads
    AWS_DEFAULT_REGION, the AWS CLI AWS_REGION first), and dummy credentials when *environ* sets none."""
    env = os.environ if environ is None else environ
    where = region(env)
    settings = {"AWS_ENDPOINT_URL": url, "AWS_DEFAULT_REGION": where, "AWS_REGION": where}
    if not (env.get("AWS_ACCESS_KEY_ID") or (env.get("AWS_PROFILE") and not missing_profile(env))):
        settings.update(DUMMY_CREDENTIALS)
    return settings


def missing_profile(environ: Mapping[str, str]) -> str | None:
    """The profile AWS_PROFILE names when no config or credentials file defines it (every client would fail
    with "The config profile (...) could not be found"), else None."""
    from botocore.configloader import raw_config_parse

    name = environ.get("AWS_PROFILE")
    if not name:
        return None
    home = os.path.expanduser("~/.aws")
    files = {
        environ.get("AWS_CONFIG_FILE") or os.path.join(home, "config"): {f"profile {name}", name},
        environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(home, "credentials"): {name},
    }
    for path, sections in files.items():
        try:
            if sections & set(raw_config_parse(path)):
                return None
        except Exception:  # noqa: S112 - absent or unreadable: it defines no profile we can see
            continue
    return name


def export_line(url: str, environ: Mapping[str, str] | None = None) -> str:
    """The line to paste in a shell: the endpoint, the region, and credentials when none are set (AWS_PROFILE
    unset first when it names a profile no file defines). Values are quoted where a shell would read them
    otherwise: an IPv6 endpoint's brackets are a glob (zsh stops on it: "no matches found")."""
    env = os.environ if environ is None else environ
    settings = client_settings(url, env)
    exports = "export " + " ".join(f"{key}={shlex.quote(value)}" for key, value in settings.items())
    return f"unset AWS_PROFILE; {exports}" if missing_profile(env) else exports
