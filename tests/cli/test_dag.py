"""``simpleflow dag.*`` and ``schedule.create --local`` as a user runs them: exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPECS = os.path.join(ROOT, "tests", "fixtures", "dag_specs")


def simpleflow(*args: str, python_prelude: str | None = None, timeout: float = 60):
    command = [sys.executable, "-m", "simpleflow.command", *args]
    if python_prelude:  # e.g. to run without PyYAML
        command = [sys.executable, "-c", f"{python_prelude}\nfrom simpleflow.command import main\nmain()", *args]
    environ = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environ, timeout=timeout)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_dag_check_accepts_a_good_spec():
    done = simpleflow("dag.check", os.path.join(SPECS, "diamond.yaml"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok: test-diamond 1, 5 nodes")


def test_a_spec_with_a_cycle_and_an_unknown_reference_is_refused_one_line_each_before_anything_runs(tmp_path):
    marker = tmp_path / "ran"
    spec = _write(
        tmp_path,
        "bad.yaml",
        f"""
name: bad
modules: [tests.fixtures.dag_activities]
nodes:
  a: {{activity: tests.fixtures.dag_activities.flaky, args: ["{marker}", 0], requires: [b]}}
  b: {{activity: tests.fixtures.dag_activities.double, args: [$nodes.a.result]}}
  c: {{activity: tests.fixtures.dag_activities.double, args: [$nodes.nowhere.result]}}
""",
    )
    for command in (["dag.check", spec], ["dag.run", spec, "--local"]):
        done = simpleflow(*command)
        assert done.returncode == 2
        assert done.stderr.splitlines() == [
            "simpleflow: error: node 'c': input refers to unknown node 'nowhere' ($nodes.nowhere.result)",
            "simpleflow: error: node 'a': cycle a -> b -> a",
        ]
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "flaky.attempts").exists()  # nothing ran


def test_two_nodes_sharing_one_task_id_or_a_fractional_duration_are_refused_before_anything_runs(tmp_path):
    flaky = {"activity": "tests.fixtures.dag_activities.flaky", "args": [str(tmp_path), 0]}
    spec = _write(
        tmp_path,
        "clash.json",
        json.dumps(
            {
                "name": "clash",
                "modules": ["tests.fixtures.dag_activities"],
                "nodes": {"x/y": flaky, "x-y": flaky, "t": {"timer": 2.5}},
            }
        ),
    )
    for command in (["dag.check", spec], ["dag.run", spec, "--local"]):
        done = simpleflow(*command)
        assert done.returncode == 2
        assert done.stderr.splitlines() == [
            "simpleflow: error: node 't': timer must be a whole number of seconds, not 2.5",
            "simpleflow: error: node 'x-y': node 'x/y' has the same SWF id 'x-y' "
            "(':', '/', '|' and whitespace become '-'): rename one",
        ]
    assert not (tmp_path / "flaky.attempts").exists()  # nothing ran


def test_a_node_argument_its_activity_does_not_take_is_refused_in_one_line_before_anything_runs(tmp_path):
    spec = _write(
        tmp_path,
        "misfit.yaml",
        f"""
name: misfit
modules: [tests.fixtures.dag_activities]
nodes:
  a: {{activity: tests.fixtures.dag_activities.flaky, args: ["{tmp_path}", 0]}}
  b: {{activity: tests.fixtures.dag_activities.double, kwargs: {{x: $nodes.a.result, times: 3}}}}
""",
    )
    for command in (["dag.check", spec], ["dag.run", spec, "--local"]):
        done = simpleflow(*command)
        assert (done.returncode, done.stderr.splitlines()) == (
            2,
            [
                "simpleflow: error: node 'b': activity 'tests.fixtures.dag_activities.double' "
                "takes no argument 'times' (signature (x))"
            ],
        )
    assert not (tmp_path / "flaky.attempts").exists()  # nothing ran


def test_dag_check_of_a_floto_spec_lists_every_problem_one_line_each(tmp_path):
    task = {"type": "floto.specs.task.ActivityTask", "name": "tests.fixtures.dag_activities.floto_style"}
    tasks = [
        dict(task, id_="A", inputs={}),
        dict(task, id_="B", requires=["ghost"]),
        {"type": "floto.specs.task.Timer", "id_": "T", "delay_in_seconds": 2.5},
    ]
    spec = _write(
        tmp_path,
        "floto.json",
        json.dumps({"type": "floto.specs.DeciderSpec", "activity_tasks": tasks}),
    )
    done = simpleflow("dag.check", spec, "-m", "tests.fixtures.dag_activities")
    assert (done.returncode, done.stderr.splitlines()) == (
        2,
        [
            "simpleflow: error: node 'A': unknown key 'inputs' for a floto ActivityTask",
            "simpleflow: error: node 'T': timer must be a whole number of seconds, not 2.5",
            "simpleflow: error: node 'B': requires unknown node 'ghost'",
        ],
    )


def test_dag_check_names_the_workflow_type_version_as_the_spec_writes_it(tmp_path):
    spec = _write(tmp_path, "v.yaml", "name: v\nversion: 1.10\nnodes:\n  t: {timer: 1}\n")
    done = simpleflow("dag.check", spec)
    assert (done.returncode, done.stdout) == (0, f"{spec}: ok: v 1.10, 1 nodes\n")  # not 1.1, as YAML reads it


def test_a_spec_reading_its_input_is_refused_without_one_before_anything_runs():
    # $input.x of no input could only fail the execution at its first node, on SWF after it started.
    diamond = os.path.join(SPECS, "diamond.yaml")
    for command in (["dag.run", diamond, "--local"], ["dag.start", diamond, "--domain", "nowhere"]):
        done = simpleflow(*command)
        assert (done.returncode, done.stderr) == (
            2,
            "simpleflow: error: the spec reads $input.x and no input was given: pass --input (JSON)\n",
        )
    done = simpleflow("dag.run", diamond, "--local", "--input", '{"x": 2}')
    assert (done.returncode, json.loads(done.stdout)) == (0, {"a": 3, "d": 10})


def test_dag_run_records_a_history_that_workflow_replay_replays(tmp_path):
    record = tmp_path / "diamond.json"
    done = simpleflow(
        "dag.run", os.path.join(SPECS, "diamond.yaml"), "--local", "--input", '{"x": 3}', "--record", str(record)
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"a": 4, "d": 13}
    done = simpleflow("workflow.replay", "simpleflow.dag.DagWorkflow", str(tmp_path))  # a folder of histories
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{record}: ok"]


def test_a_yaml_billion_laughs_is_refused_in_one_line_before_it_is_expanded(tmp_path):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    lines += ["name: laughs", "nodes:", "  x: {activity: tests.fixtures.dag_activities.increment, args: [*a8]}"]
    done = simpleflow("dag.check", _write(tmp_path, "laughs.yaml", "\n".join(lines) + "\n"), timeout=30)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "simpleflow: error: spec: too large: more than 1,000,000 values, each YAML alias counted where it is used "
        "(anchors repeated inside anchors multiply)"
    ]


def test_dag_run_prints_the_result_and_bad_input_is_one_line(tmp_path):
    done = simpleflow("dag.run", os.path.join(SPECS, "fanout.json"), "--local", "--input", '{"text": "abc"}')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == "0:AB|1:C"
    bad_file = _write(tmp_path, "input.json", "{nope")
    for args, message in [
        (["--local", "--input", "{nope"], "simpleflow: error: --input is not valid JSON"),
        (["--local", "--input-file", bad_file], f"simpleflow: error: --input-file {bad_file} is not valid JSON"),
        (["--input", "{}"], "simpleflow: error: dag.run runs a spec in this process: pass --local"),
    ]:
        done = simpleflow("dag.run", os.path.join(SPECS, "fanout.json"), *args)
        assert done.returncode == 2 and done.stderr.startswith(message), done.stderr
    broken = _write(tmp_path, "broken.yaml", "name: [unclosed\n")
    done = simpleflow("dag.check", broken)
    assert done.returncode == 2 and done.stderr.startswith(f"simpleflow: error: {broken}: not valid YAML")
    assert len(done.stderr.splitlines()) == 1


def test_a_node_failing_at_run_time_exits_1_naming_the_node(tmp_path):
    spec = _write(
        tmp_path,
        "fails.json",
        json.dumps(
            {
                "name": "fails",
                "modules": ["tests.fixtures.dag_activities"],
                "nodes": {"f": {"activity": "tests.fixtures.dag_activities.flaky", "args": [str(tmp_path), 9]}},
            }
        ),
    )
    done = simpleflow("dag.run", spec, "--local")
    assert done.returncode == 1
    assert "node 'f' failed: RuntimeError: attempt 1 fails" in done.stderr


def test_a_grandchild_stuck_once_the_root_closed_is_named_in_one_line_as_workflow_start_names_it(tmp_path):
    # The node's child times out; its child policy asks its own child to cancel, which waits for a signal for ever.
    node = {"workflow": "tests.fixtures.execution_timeout_workflows.AskingParent", "args": ["deaf"]}
    spec = _write(tmp_path, "stuck.json", json.dumps({"name": "stuck", "nodes": {"parent": node}}))
    done = simpleflow("dag.run", spec, "--local")
    assert (done.returncode, done.stdout) == (1, "")
    child = done.stderr.splitlines()[0]
    assert re.fullmatch(
        r"child workflow 'workflow-exto\.deaf_child-local-stuck-\S+' \(run [0-9a-f]{32}\) is stuck: "
        r"it waits for signal 'never', which can never come",
        child,
    ), done.stderr
    assert done.stderr.splitlines()[-1].startswith("workflow failed: ")


def test_json_specs_need_no_yaml_loader_and_yaml_ones_say_which_extra_to_install():
    no_yaml = "import sys; sys.modules['yaml'] = None"
    done = simpleflow("dag.check", os.path.join(SPECS, "fanout.json"), python_prelude=no_yaml)
    assert done.returncode == 0, done.stderr
    done = simpleflow("dag.check", os.path.join(SPECS, "diamond.yaml"), python_prelude=no_yaml)
    assert done.returncode == 2
    assert "YAML specs need PyYAML (pip install 'simpleflow[yaml]')" in done.stderr


def test_dag_show_writes_dot_and_an_svg_with_every_node_and_edge(tmp_path):
    svg = tmp_path / "diamond.svg"
    done = simpleflow("dag.show", os.path.join(SPECS, "diamond.yaml"), "--svg", str(svg), "--dot", "-")
    assert done.returncode == 0, done.stderr
    dot = done.stdout
    assert dot.startswith('digraph "test-diamond" {')
    for edge in ('"a" -> "b"', '"a" -> "c"', '"b" -> "wait"', '"wait" -> "d"', '"b" -> "d"', '"c" -> "d"'):
        assert edge in dot
    picture = svg.read_text()
    assert picture.startswith("<svg") and picture.count('class="node"') == 5
    assert picture.count("<polyline ") == 6 and 'data-state="pending"' in picture


def test_schedule_create_local_runs_a_month_of_a_daily_schedule():
    done = simpleflow(
        "schedule.create",
        "nightly",
        os.path.join(SPECS, "diamond.yaml"),
        "--cron",
        "30 2 * * *",
        "--input",
        '{"x": 1}',
        "--local",
        "--for",
        str(30 * 86400),
    )
    assert done.returncode == 0, done.stderr
    ids = done.stdout.split()
    assert len(ids) == 30 and len(set(ids)) == 30
    assert all(i.startswith("nightly-") and i.endswith("T023000Z") for i in ids)
    done = simpleflow("schedule.create", "x", "tests.fixtures.dag_activities.SlowWorkflow", "--cron", "61 * * * *")
    assert done.returncode == 2 and done.stderr.startswith("simpleflow: error: --cron '61 * * * *' is not a cron")
    done = simpleflow(
        "schedule.create",
        "x",
        "tests.fixtures.dag_activities.SlowWorkflow",
        "--cron",
        "0 * * * *",
        "--timezone",
        "Mars/Olympus",
    )
    assert done.returncode == 2 and "--timezone 'Mars/Olympus' is not a known time zone" in done.stderr


def test_schedule_create_refuses_a_cron_expression_that_never_fires_in_one_line():
    done = simpleflow(
        "schedule.create",
        "never",
        os.path.join(SPECS, "diamond.yaml"),
        "--cron",
        "0 0 31 2 *",
        "--input",
        '{"x": 1}',
        "--local",
        "--for",
        "86400",
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "simpleflow: error: --cron '0 0 31 2 *' never fires: no fire time in the next 5 years"
    ]
    assert done.stdout == ""


@pytest.mark.parametrize("where", [("--local", "--for", "86400"), ("--domain", "nowhere")])
def test_schedule_create_refuses_a_cron_expression_with_seconds_in_one_line_locally_and_for_swf(where):
    done = simpleflow(
        "schedule.create", "s", os.path.join(SPECS, "diamond.yaml"), "--cron", "0 0 6 * * *", "--input", "{}", *where
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        "simpleflow: error: --cron '0 0 6 * * *' has 6 fields; a schedule takes 5, minute hour day month weekday "
        "(it fires at most once a minute: no seconds, no year)"
    ]


def _chain(tmp_path, n: int) -> str:
    nodes = {
        f"n{i}": {"activity": "examples.basic.increment", "args": [f"$nodes.n{i - 1}.result" if i else "$input"]}
        for i in range(n)
    }
    spec = {"name": "chain", "version": "1", "nodes": nodes, "result": f"$nodes.n{n - 1}.result"}
    return _write(tmp_path, f"chain-{n}.json", json.dumps(spec))


def test_a_chain_of_hundreds_of_nodes_runs_without_a_bucket_and_dag_check_refuses_only_what_would_not_fit(
    tmp_path, monkeypatch
):
    # An execution's input held the compiled spec, ~340 characters a node: a 100-node chain was over SWF's 32,768
    # characters, and every run (a local one too) needed a jumbo fields bucket. It holds the spec packed now.
    from simpleflow import dag
    from simpleflow.exceptions import UsageError

    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", raising=False)

    def fits(n: int) -> bool:
        try:
            dag.check(_chain(tmp_path, n), ["examples.basic"])
        except UsageError:
            return False
        return True

    low, high = 100, 3000  # the largest chain dag.check takes, by bisection
    assert fits(low) and not fits(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    assert low >= 800, low  # docs/dag.md says so
    done = simpleflow("dag.run", _chain(tmp_path, low), "--local", "--input", "0", "-m", "examples.basic")
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, str(low), "")
    spec = _chain(tmp_path, high)
    for command in (("dag.check", spec), ("dag.run", spec, "--local", "--input", "0")):
        done = simpleflow(*command, "-m", "examples.basic")
        assert (done.returncode, done.stdout) == (2, ""), command
        assert len(done.stderr.splitlines()) == 1 and "over SWF's limit of 32768: set SIMPLEFLOW_JUMBO" in done.stderr
    assert re.fullmatch(
        rf"simpleflow: error: {re.escape(spec)}: {high} nodes: its executions' input is \d+ characters, over SWF's"
        r" limit of 32768: set SIMPLEFLOW_JUMBO_FIELDS_BUCKET=bucket\[/prefix\] to store such fields in S3\n",
        simpleflow("dag.check", spec, "-m", "examples.basic").stderr,
    )
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", "some-bucket")
    done = simpleflow("dag.check", spec, "-m", "examples.basic")
    assert (done.returncode, done.stdout.strip()) == (0, f"{spec}: ok: chain 1, {high} nodes")
