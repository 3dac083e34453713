"""``python -m simpleflow.devserver [--host H] [--port P] [--domain D ...]``: the dev server, with the
settings tests use besides (``--poll-wait``, ``--page-size``, ``--timer-speed``, ``--moto-api``)."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any, NoReturn

from simpleflow.devserver import missing, serve
from simpleflow.format import domain_name

PREFIX = "simpleflow dev-server: error: "


def _refused_domain(names: list[str]) -> str | None:
    """Why SWF would refuse the first of *names* as a domain's name; None when it takes them all."""
    for name in names:
        try:
            domain_name(name)
        except ValueError as err:
            return f"--domain: {err}"
    return None


def _number(kind: type, low: float, high: float | None = None, *, above: bool = False) -> Any:
    """An argparse type: a finite *kind* number from *low* (above it with *above*) to *high*; else one line, exit 2."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if value < low or (above and value == low) or (high is not None and value > high):
            bound = f"greater than {low:g}" if above else f"from {low:g} to {high:g}" if high else f"{low:g} or more"
            raise argparse.ArgumentTypeError(f"{text!r} is not {bound}")
        return value

    return parse


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line naming the problem, exit 2 (argparse prints its usage first)."""
        self.exit(2, f"{PREFIX}{message}\n")


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m simpleflow.devserver", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_number(int, 0, 65535), default=4566)
    parser.add_argument("--domain", action="append", default=[], help="register this domain (repeatable)")
    parser.add_argument("--poll-wait", type=_number(float, 0), default=60.0, help="seconds an empty poll is held")
    parser.add_argument(
        "--page-size", type=_number(int, 1, 1000), default=1000, help="page size of calls that give none"
    )
    parser.add_argument(
        "--timer-speed", type=_number(float, 0, above=True), default=1.0, help="timers fire this many times faster"
    )
    parser.add_argument(
        "--moto-api",
        action="store_true",
        help="serve moto's /moto-api/ admin endpoints (reset, the whole state as JSON); 404 without it",
    )
    args = parser.parse_args(argv)
    problem = _refused_domain(args.domain) or missing()
    if problem:
        print(f"{PREFIX}{problem}", file=sys.stderr)
        return 2
    try:
        serve(
            args.host,
            args.port,
            args.domain,
            poll_wait=args.poll_wait,
            page_size=args.page_size,
            timer_speed=args.timer_speed,
            moto_api=args.moto_api,
        )
    except OSError as err:
        where = f"{args.host}:{args.port}"
        print(f"{PREFIX}cannot listen on {where}: {err.strerror}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
