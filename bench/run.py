"""Regenerate bench/RESULTS.md: ours against the released peer (simpleflow 0.36.0), every figure from one run.

    python3 bench/run.py [--quick] [--only replay|local|execute|dag|standalone] [--burners N] [--peer-venv DIR]

A script people run by hand, never part of the test suite. It needs our package
installed (``pip install -e .``); its inputs (bench_workflows.py,
gen_history.py, replay_peer.py) live beside it. The peer is installed into
bench/.peer-venv the first time (``python3 -m venv`` + ``pip install
simpleflow==0.36.0``). Progress goes to stderr; the markdown table to stdout
and to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from _common import BENCH_DIR, INPUTS, REPO, BenchError, compile_sources, median, pythonpath, run_process, say, tail
from _peer import DEFAULT_VENV, PEER_VERSION, Peer, ensure_peer

PARTS = ("replay", "local", "execute", "dag", "standalone")

# Chain histories from gen_history.py: 6 events per completed activity + 6. Chain 4000 4000 is 24,006 events.
CHAIN_N = 4000
CHAIN_DONE = (16, 166, 1666, 4000)  # 102, 1,002, 10,002 and 24,006 events
LOCAL_N = 5000
DAG_N = 200  # nodes of the DAG spec chain and fan-out
EXECUTE_CALLS = 20  # calls of each kind per round of bench_execute.py


@dataclass
class Row:
    what: str
    ours: str
    peer: str
    ratio: str
    target: str


def fmt_ms(ms: float) -> str:
    return f"{ms:.3f} ms" if ms < 1 else f"{ms:.2f} ms" if ms < 100 else f"{ms:.0f} ms"


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def fmt_ratio(peer: float | None, ours: float | None) -> str:
    if not peer or not ours:
        return "—"
    ratio = peer / ours
    return f"{ratio:.0f}x" if ratio >= 100 else f"{ratio:.1f}x" if ratio >= 10 else f"{ratio:.2f}x"


def verdict(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


class Bench:
    def __init__(self, args: argparse.Namespace, peer: Peer | None) -> None:
        self.args = args
        self.peer = peer
        self.inputs: Path = INPUTS
        self.repeat: int = args.repeat or (3 if args.quick else 11)
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.failed = False
        self.load_before = _load()

    def error_row(self, what: str, err: Exception) -> None:
        self.failed = True
        say(f"ERROR {what}: {err}")
        self.rows.append(Row(what, "error", "error", "—", f"not measured: {str(err).splitlines()[0][:120]}"))

    # -- 1. one decision ------------------------------------------------------

    def replay(self) -> None:
        import _replay

        for done in CHAIN_DONE:
            path = _replay.history_file(self.inputs, "Chain", CHAIN_N, done)
            count = _replay.event_count(path)
            label = f"Chain, {count:,} events"
            say(f"one decision on {label} (gen_history.py Chain {CHAIN_N} {done}), {self.repeat} repeats")
            try:
                peer = _replay.peer_cold(self.peer, self.inputs, path, "Chain", self.repeat)
                cold, cold_decisions = _replay.ours_cold(self.inputs, path, "Chain", self.repeat)
                warm, warm_decisions, fallbacks = _replay.ours_warm(self.inputs, path, "Chain", self.repeat)
            except BenchError as err:
                self.error_row(f"one decision, {label}", err)
                continue
            _replay.check_same(cold_decisions, peer, label)
            if warm_decisions != cold_decisions:
                self.failed = True
                say(f"ERROR {label}: the warm run decides differently from a full replay")
                self.notes.append(f"{label}: the warm run's decisions differ from the full replay's.")
            if fallbacks:
                self.notes.append(
                    f"{label}: the warm run fell back to a full replay {fallbacks} time(s) out of "
                    f"{self.repeat}: its figure is not a resumed run."
                )
            last = count >= 24000
            cold_ratio = peer.cpu_ms / cold.cpu_ms
            self.rows.append(
                Row(
                    f"one decision, **cold**, in-process, CPU (parse + checks + full replay), {label}",
                    fmt_ms(cold.cpu_ms),
                    fmt_ms(peer.cpu_ms),
                    fmt_ratio(peer.cpu_ms, cold.cpu_ms),
                    f"≥ 10x: {verdict(cold_ratio >= 10)} (wall: {fmt_ratio(peer.ms, cold.ms)})"
                    if last
                    else f"— (wall: {fmt_ratio(peer.ms, cold.ms)})",
                )
            )
            warm_ok = warm.ms <= 5 and (not last or peer.ms / warm.ms >= 100)
            self.rows.append(
                Row(
                    f"one decision, **warm** (advance with the new events), {label}",
                    fmt_ms(warm.ms),
                    f"{fmt_ms(peer.ms)} (cold, wall)",
                    fmt_ratio(peer.ms, warm.ms),
                    f"≤ 5 ms{' and ≥ 100x' if last else ''}: {verdict(warm_ok)}",
                )
            )
        self.whole_process_replay()

    def whole_process_replay(self) -> None:
        import _replay

        long = _replay.history_file(self.inputs, "Chain", CHAIN_N, CHAIN_DONE[-1])
        short = _replay.history_file(self.inputs, "Chain", CHAIN_N, CHAIN_DONE[0])
        count, short_count = _replay.event_count(long), _replay.event_count(short)
        runs = max(3, self.repeat // 2)
        say(f"whole process: simpleflow workflow.replay on {count:,} and {short_count} events, {runs} runs each")
        what = f"whole process minus start-up: `simpleflow workflow.replay` on {count:,} events"
        try:
            ours, without_orjson, peer = _replay.whole_processes(self.peer, self.inputs, long, short, "Chain", runs)
            json_ms, orjson_ms = _replay.parse_times(long, self.repeat)
        except BenchError as err:
            self.error_row(what, err)
            return
        self.rows.append(
            Row(
                f"{what}, CPU (peer: `replay_peer.py ... 1`); start-up: the same on {short_count} events",
                fmt_ms(ours.work * 1000),
                fmt_ms(peer.work * 1000),
                fmt_ratio(peer.work, ours.work),
                f"≥ 6x: {verdict(peer.work / ours.work >= 6)} (wall: {fmt_ms(ours.work_wall * 1000)} against "
                f"{fmt_ms(peer.work_wall * 1000)}, {fmt_ratio(peer.work_wall, ours.work_wall)})",
            )
        )
        self.rows.append(
            Row(
                "... the same, ours with `json` instead of `orjson` (`sys.modules['orjson'] = None`)",
                fmt_ms(without_orjson.work * 1000),
                fmt_ms(peer.work * 1000),
                fmt_ratio(peer.work, without_orjson.work),
                f"orjson saves {fmt_ms((without_orjson.work - ours.work) * 1000)} "
                f"({(without_orjson.work - ours.work) / without_orjson.work:.0%})",
            )
        )
        self.rows.append(
            Row(
                f"... parsing the {count:,}-event file alone (5.6 MB), CPU: `orjson.loads` (ours), `json.loads` (peer)",
                fmt_ms(orjson_ms),
                fmt_ms(json_ms),
                fmt_ratio(json_ms, orjson_ms),
                "for information",
            )
        )
        self.rows.append(
            Row(
                f"whole process, start-up included: `simpleflow workflow.replay` on {count:,} events",
                fmt_s(ours.long),
                fmt_s(peer.long),
                fmt_ratio(peer.long, ours.long),
                f"for information (start-up: ours {fmt_s(ours.short)}, peer {fmt_s(peer.short)})",
            )
        )

    # -- 2. local runs ------------------------------------------------------------

    def local(self) -> None:
        import _local

        runs = max(1, self.repeat // 2)
        cases = [
            ("Chain", _local.LocalCase("bench_workflows.Chain", [LOCAL_N], LOCAL_N, LOCAL_N)),
            ("FanOut", _local.LocalCase("bench_workflows.FanOut", [LOCAL_N], LOCAL_N, sum(range(1, LOCAL_N + 1)))),
        ]
        for name, case in cases:
            what = f"local run, whole process: {name} {LOCAL_N:,}"
            say(f"{what}, {runs} runs each (+1 warm-up)")
            try:
                ours, peer = _local.compare(self.peer, self.inputs, case, runs)
            except (BenchError, subprocess.TimeoutExpired) as err:
                self.error_row(what, err)
                continue
            self.rows.append(
                Row(
                    what,
                    fmt_s(ours),
                    fmt_s(peer),
                    fmt_ratio(peer, ours),
                    f"≥ 1x (no slower): {verdict(peer / ours >= 1)}",
                )
            )
        sleepy = _local.LocalCase("sleepy.Sleepy", [100, 0.1], 100, sum(range(100)), workers=10)
        what = "local run, whole process: 100 activities sleeping 0.1 s (ours `--workers 10`, the peer one by one)"
        say(f"{what}; the peer once (~10 s)")
        try:
            ours, peer = _local.compare(self.peer, self.inputs, sleepy, runs, peer_repeat=1)
        except (BenchError, subprocess.TimeoutExpired) as err:
            self.error_row(what, err)
            return
        self.rows.append(
            Row(
                what,
                fmt_s(ours),
                fmt_s(peer),
                fmt_ratio(peer, ours),
                "for information (ideal: 1 s of sleep + start-up)",
            )
        )

    # -- 3. program tasks ----------------------------------------------------------

    def execute(self) -> None:
        import bench_execute

        rounds = max(3, self.repeat // 2)
        say(f"program tasks: {rounds} rounds of {EXECUTE_CALLS} calls a side, ours and the peer's alternating")
        try:
            ours, peer = bench_execute.alternated(str(self.peer.python), EXECUTE_CALLS, rounds)
        except (subprocess.CalledProcessError, OSError) as err:
            self.error_row("program tasks (`bench/bench_execute.py`)", err)
            return
        calls = (("python", "`execute.python` (a fresh interpreter)"), ("program", "`execute.program` (`true`)"))
        for kind, call in calls:
            mine, theirs = median(ours[kind]), median(peer[kind])
            self.rows.append(
                Row(
                    f"one call of {call}, wall ({rounds * EXECUTE_CALLS} calls a side)",
                    fmt_ms(mine),
                    fmt_ms(theirs),
                    fmt_ratio(theirs, mine),
                    f"≥ 1x (no slower): {verdict(theirs >= mine)}",
                )
            )

    # -- 4. DAG specs ----------------------------------------------------------------

    def dag(self) -> None:
        what = f"DAG spec, local run in process: chain of {DAG_N} nodes"
        say(f"DAG specs against the same workflows in Python, {DAG_N} activities, {self.repeat} runs each")
        cmd = [sys.executable, str(BENCH_DIR / "bench_dag.py"), "--n", str(DAG_N), "--repeats", str(self.repeat)]
        proc = run_process([*cmd, "--json"], env=dict(os.environ, PYTHONPATH=pythonpath(REPO)))
        if proc.returncode != 0:
            self.error_row(what, BenchError(f"bench_dag.py failed: {tail(proc.stderr or proc.stdout)}"))
            return
        runs = json.loads(proc.stdout)["runs"]
        for label, target in (("chain", 2.0), ("fan-out", None)):
            spec, python = runs[label]
            ratio = spec / python
            goal = f"≤ {target:.0f}x the Python workflow's: {verdict(ratio <= target)}" if target else "for information"
            self.rows.append(
                Row(
                    f"DAG spec, local run in process: {label} of {DAG_N} activities; the same workflow in "
                    f"Python (ours): {fmt_ms(python * 1000)}, the spec takes {ratio:.2f}x its time",
                    fmt_ms(spec * 1000),
                    "— (no DAG specs)",
                    "—",
                    goal,
                )
            )

    # -- 5. standalone (hook) ------------------------------------------------------

    def standalone(self) -> None:
        import _standalone

        what = "`standalone`, whole process: Chain 200 on the moto server"
        reason = _standalone.ours_missing_reason()
        if reason and not self.args.force_standalone_peer:
            say(f"SKIPPED {what}: {reason} (--force-standalone-peer measures the peer alone)")
            self.rows.append(Row(what, "skipped", "skipped", "—", f"≥ 5x: not measured, {reason}"))
            return
        runs = [(what + " (quiet: no burner of ours)", 0, 10)]
        if self.args.burners:
            runs.append((f"{what}, {self.args.burners} CPU burner(s) running beside", self.args.burners, 5))
        for label, burners, target in runs:
            try:
                ours, peer = _standalone.measure(self.peer, self.inputs, peer_only=bool(reason), burners=burners)
            except (BenchError, subprocess.TimeoutExpired) as err:
                self.error_row(label, err)
                continue
            if ours is None:
                self.rows.append(Row(label, f"skipped ({reason})", fmt_s(peer), "—", f"≥ {target}x: not measured"))
                continue
            self.rows.append(
                Row(
                    label,
                    fmt_s(ours),
                    fmt_s(peer),
                    fmt_ratio(peer, ours),
                    f"≥ {target}x: {verdict(peer / ours >= target)}",
                )
            )


def table(rows: list[Row]) -> str:
    lines = ["| what | ours | peer 0.36.0 | peer/ours | target |", "| --- | ---: | ---: | ---: | --- |"]
    lines += [f"| {r.what} | {r.ours} | {r.peer} | {r.ratio} | {r.target} |" for r in rows]
    return "\n".join(lines)


def _git_revision() -> str:
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    return sha + (" + uncommitted changes in simpleflow/" if git("status", "--porcelain", "--", "simpleflow") else "")


def _load() -> str:
    """The 1-minute load average (other work on the machine: every figure is a ratio from one run)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} CPUs"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"


# Sections of bench/RESULTS.md below this line come from other benchmarks: regenerating keeps them.
KEPT_MARKER = "<!-- bench/run.py keeps what follows: figures of other benchmarks -->"


def kept_sections(old_report: str) -> str:
    """The part of a previous report from ``KEPT_MARKER`` on (empty if it has none)."""
    at = old_report.find(KEPT_MARKER)
    return "" if at < 0 else "\n" + old_report[at:]


def report(bench: Bench, argv: list[str]) -> str:
    command = shlex.join(["python3", "bench/run.py", *argv])
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    parts = [
        "# simpleflow against the released peer",
        "",
        f"Made by `{command}` on {when}: every figure below comes from this one run "
        f"({bench.repeat} repeats; medians). simpleflow at {_git_revision()}, peer simpleflow {PEER_VERSION}, "
        f"Python {platform.python_version()}, {_cpu()}; load average {bench.load_before} before the run, "
        f"{_load()} after it.",
        "",
        table(bench.rows),
        "",
        "- *cold*, in-process: the history file's text parsed and replayed in full, in a process of its own, "
        "median of the repeats. Ours (`replay_ours.py`) does `workflow.replay`'s work: `history.load_events` "
        "(orjson when installed), the events checked as the fold takes them, jumbo fields looked for, the "
        "replay (`local.replay.check_history`); the peer (`replay_peer.py`) `json.loads` and its executor's "
        "replay, no checks (histories from `gen_history.py Chain 4000 DONE`).",
        "- *whole process minus start-up*: the median CPU time (user + system) of the whole command on the "
        "24,006-event history less that of the same command on the 102-event one (interpreter, imports, exit): "
        "what the history itself costs the process. Ours and the peer's runs interleaved, so both share the load.",
        "- *CPU*: on a machine shared with other work, wall times swing with its load while CPU times barely "
        "move; the rows marked CPU compare CPU times (wall figures beside them), the others wall times.",
        "- *warm*: a `WorkflowRun` that already decided on the history up to the previous decision task is "
        "fed only the events after it; only that `advance` is timed. The peer has no warm path: its column "
        "is its cold figure.",
        "- local runs: whole `workflow.start --local` processes, `LOG_LEVEL=WARNING` for both (the peer logs "
        "every activity at INFO by default); each side is checked on an untimed run first.",
        "- program tasks (`bench_execute.py`): calls timed in a process of each side's own, ours and the peer's "
        "rounds alternating; `execute.python` runs a function in a fresh interpreter, `execute.program` runs `true`.",
        "- DAG specs (`bench_dag.py`): the same chain and fan-out as a spec and as a Python workflow, both ours, "
        "run on the local host in one process, alternated; the peer has no DAG specs.",
    ]
    parts += [f"- {note}" for note in bench.notes]
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (3 instead of 11)")
    parser.add_argument("--only", action="append", choices=PARTS, help="run only this part (repeatable)")
    parser.add_argument("--repeat", type=int, help="repeats per figure (overrides --quick)")
    parser.add_argument(
        "--peer-venv",
        type=Path,
        default=Path(os.environ.get("SIMPLEFLOW_PEER_VENV", DEFAULT_VENV)),
        help="venv holding the peer, created when missing (default: bench/.peer-venv, or $SIMPLEFLOW_PEER_VENV)",
    )
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "RESULTS.md", help="where to write the report")
    parser.add_argument(
        "--burners",
        type=int,
        default=0,
        metavar="N",
        help="standalone: also measure both sides with N CPU burners (busy processes) running beside them",
    )
    parser.add_argument(
        "--force-standalone-peer",
        action="store_true",
        help="measure the peer's standalone (~4 min) even while ours is not available",
    )
    args = parser.parse_args(argv)
    try:
        peer = ensure_peer(args.peer_venv)
    except (BenchError, subprocess.CalledProcessError) as err:
        print(f"bench: cannot set up the peer: {err}", file=sys.stderr)
        return 2
    compile_sources()
    bench = Bench(args, peer)
    for part in PARTS:
        if args.only and part not in args.only:
            continue
        getattr(bench, part)()
    text = report(bench, argv)
    print(table(bench.rows))
    if args.output.exists():
        text += kept_sections(args.output.read_text())
    args.output.write_text(text)
    say(f"written to {args.output}")
    return 1 if bench.failed else 0


if __name__ == "__main__":
    sys.exit(main())
