"""The documentation works: its runnable commands run, its links resolve, its command table is complete.

Pages are README.md and docs/*.md. A fenced ``sh`` block whose previous line is exactly
``<!-- runnable -->`` is run with bash (``-e -u -o pipefail``) from the repository root, as a newcomer
types it in a fresh clone after ``pip install -e .``: ``simpleflow`` runs this checkout's code, only
the ``simpleflow`` package is importable (the repository root is not on the path) and no ``AWS_*``,
``SWF_*`` or ``SIMPLEFLOW_*`` variable is set. It must exit 0. A block whose commands start with
``$ `` is a transcript: its other lines are the expected stdout, compared line by line.
"""

from __future__ import annotations

import functools
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import console

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
MARKER = "<!-- runnable -->"
# Seconds per command of a block: a command takes well under a second alone, but the README's examples
# (13 commands, ~5 s in all) once passed 20 s for the whole block under the suite's load on two cores.
TIMEOUT_PER_COMMAND = 15
FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w+-]*)")


@dataclass(frozen=True, slots=True)
class Block:
    """A fenced code block of a page."""

    page: Path
    line: int  # of the opening fence, from 1
    lang: str
    text: str
    runnable: bool  # an sh block right after the marker

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def outside_fences(page: Path) -> list[tuple[int, str]]:
    """The page's lines (numbered from 1) outside fenced blocks."""
    out, fence = [], None
    for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and line.startswith(fence):
            fence = None
        elif fence is None:
            out.append((n, line))
    return out


def blocks_of(page: Path) -> list[Block]:
    """The page's fenced code blocks, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, lang = opening.group(1), opening.group(2)
        end = i + 1
        while end < len(lines) and not lines[end].startswith(fence):
            end += 1
        marked = i > 0 and lines[i - 1].strip() == MARKER
        text = "\n".join(lines[i + 1 : end]) + "\n"
        found.append(Block(page, i + 1, lang, text, marked and lang == "sh"))
        i = end + 1
    return found


def stray_markers(page: Path) -> list[int]:
    """Lines holding the marker outside a fence that is not right before an sh fence."""
    lines = page.read_text(encoding="utf-8").splitlines()
    stray = []
    for n, line in outside_fences(page):
        if line.strip() == MARKER:
            opening = FENCE.match(lines[n]) if n < len(lines) else None
            if not opening or opening.group(2) != "sh":
                stray.append(n)
    return stray


ALL_BLOCKS = [block for page in PAGES for block in blocks_of(page)]
RUNNABLE = [block for block in ALL_BLOCKS if block.runnable]


def split_transcript(text: str) -> tuple[str, list[str]] | None:
    """A ``$ `` transcript's script and expected stdout lines; None for a plain block."""
    lines = text.splitlines()
    if not any(line.startswith("$ ") for line in lines):
        return None
    commands: list[str] = []
    expected: list[str] = []
    continued = False
    for line in lines:
        if line.startswith("$ ") or continued:
            command = line[2:] if line.startswith("$ ") and not continued else line
            commands.append(command)
            continued = command.rstrip().endswith("\\")
        else:
            expected.append(line.rstrip())
    return "\n".join(commands) + "\n", expected


def commands_of(script: str) -> list[str]:
    """The command lines of a shell *script*: neither blank nor a comment."""
    return [line for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.fixture(scope="module")
def fresh_clone_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What a shell has after ``pip install -e .`` of this checkout, and nothing of ours configured."""
    return console.install(tmp_path_factory.mktemp("fresh-clone"))


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.where for block in RUNNABLE])
def test_runnable_block_succeeds_from_the_repository_root(block: Block, fresh_clone_env: dict[str, str]) -> None:
    transcript = split_transcript(block.text)
    script = transcript[0] if transcript else block.text
    proc = subprocess.run(
        ["bash", "-e", "-u", "-o", "pipefail", "-c", script],
        cwd=REPO,
        env=fresh_clone_env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_PER_COMMAND * max(1, len(commands_of(script))),
    )
    assert proc.returncode == 0, f"{block.where} exited {proc.returncode}:\n{script}\nstderr:\n{proc.stderr[-2000:]}"
    if transcript:
        got = [line.rstrip() for line in proc.stdout.splitlines()]
        assert got == transcript[1], f"{block.where}: stdout differs from the page's\n{script}"


def test_there_are_runnable_blocks_on_the_front_page() -> None:
    assert any(block.page.name == "README.md" for block in RUNNABLE)


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(REPO)) for page in PAGES])
def test_runnable_marker_sits_right_before_an_sh_fence(page: Path) -> None:
    assert stray_markers(page) == [], f"{page.name}: {MARKER} on these lines precedes no sh block"


def test_transcripts_split_commands_from_their_output() -> None:
    script, expected = split_transcript("$ echo a \\\n  b\na b\n$ true\n")
    assert script == "echo a \\\n  b\ntrue\n"
    assert expected == ["a b"]
    assert split_transcript("echo a\n") is None


# -- links -----------------------------------------------------------------------------------------

LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE_SPAN = re.compile(r"`+[^`]*`+")


def prose_lines(page: Path) -> list[tuple[int, str]]:
    """The lines outside fenced blocks, inline code removed (a link shown as code is not a link)."""
    return [(n, CODE_SPAN.sub("", line)) for n, line in outside_fences(page)]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of the page's headings (a repeated heading gets -1, -2... as on GitHub)."""
    seen: dict[str, int] = {}
    for _, line in outside_fences(page):
        if re.match(r"#{1,6} ", line):
            base = slug(line.lstrip("#"))
            seen[base] = seen.get(base, -1) + 1
            if seen[base]:
                seen[f"{base}-{seen[base]}"] = 0
    return set(seen)


def broken_links(page: Path) -> list[str]:
    broken = []
    for n, line in prose_lines(page):
        for target in LINK.findall(line):
            if re.match(r"[a-z][a-z+.-]*:", target):  # https:, mailto:...: not checked here
                continue
            path_part, _, anchor = target.partition("#")
            dest = (page.parent / path_part).resolve() if path_part else page
            where = f"{page.relative_to(REPO)}:{n}: {target}"
            if not dest.is_relative_to(REPO):
                broken.append(f"{where} points outside the repository")
            elif not dest.exists():
                broken.append(f"{where}: no such file")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                broken.append(f"{where}: no heading #{anchor} in {dest.relative_to(REPO)}")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(REPO)) for page in PAGES])
def test_relative_links_resolve(page: Path) -> None:
    assert broken_links(page) == []


def test_slugs_follow_github() -> None:
    assert slug("Compatibility with simpleflow 0.36.0") == "compatibility-with-simpleflow-0360"
    assert slug("Security: what each input is trusted with") == "security-what-each-input-is-trusted-with"
    assert slug("`workflow.replay` and `--local`") == "workflowreplay-and---local"


def test_every_page_under_docs_is_linked_from_the_readme() -> None:
    readme = REPO / "README.md"
    linked = {
        (readme.parent / target.partition("#")[0]).resolve()
        for _, line in prose_lines(readme)
        for target in LINK.findall(line)
    }
    unlinked = [page.name for page in PAGES[1:] if page.resolve() not in linked]
    assert unlinked == []


# -- the front page --------------------------------------------------------------------------------


def test_readme_opens_with_the_commands_a_newcomer_runs() -> None:
    top = "\n".join((REPO / "README.md").read_text(encoding="utf-8").splitlines()[:40])
    assert "pip install -e '.[yaml]'" in top  # what the examples need, the YAML spec's PyYAML too
    assert "simpleflow workflow.start --local examples.basic.BasicWorkflow --input '[1, 5]'" in top
    assert "./script/test" in top
    # the run command of the opening lines is one the runnable blocks exercise
    assert any(
        "simpleflow workflow.start --local examples.basic.BasicWorkflow --input '[1, 5]'" in block.text
        for block in RUNNABLE
    )


LISTED = re.compile(r"`(examples/[\w/]+\.py)`:$")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_a_listing_introduced_by_a_files_name_is_that_file(page: Path) -> None:
    """A ``python`` block right after a line ending in "`examples/x.py`:" shows the whole file, as it is."""
    lines = page.read_text(encoding="utf-8").splitlines()
    for block in blocks_of(page):
        before = [line for line in lines[: block.line - 1] if line.strip()]
        named = LISTED.search(before[-1]) if before else None
        if named and block.lang == "python":
            assert block.text == (REPO / named.group(1)).read_text(encoding="utf-8"), f"{block.where}: {named.group(1)}"


def test_readme_stays_a_front_page() -> None:
    assert len((REPO / "README.md").read_text(encoding="utf-8").splitlines()) <= 300


def test_readme_command_table_lists_every_command() -> None:
    import click

    from simpleflow.command import cli

    with click.Context(cli) as ctx:
        commands = [name for name in cli.list_commands(ctx) if not cli.get_command(ctx, name).hidden]
    rows = [line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    table = "\n".join(rows)
    missing = [name for name in commands if not re.search(rf"`{re.escape(name)}[ `]", table)]
    assert commands and missing == []


def undocumented(cls: type) -> list[str]:
    """The public methods and properties *cls* defines (not those it inherits) that have no docstring."""
    silent = []
    for name, value in vars(cls).items():
        member = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
        described = callable(member) or isinstance(member, (property, functools.cached_property))
        if not name.startswith("_") and described and not member.__doc__:
            silent.append(name)
    return silent


def test_every_public_method_of_workflow_says_what_it_does() -> None:
    """``Workflow`` is what every workflow author subclasses: each of its public methods has a docstring."""
    from simpleflow.workflow import Workflow

    assert undocumented(Workflow) == []


def public_api() -> list[type]:
    """The classes, beyond ``Workflow``, whose methods and properties authors and tests call."""
    from simpleflow.cached import Serializer
    from simpleflow.canvas import Chain, ChainFuture, FuncGroup, Group, GroupFuture
    from simpleflow.local import Outcome
    from simpleflow.task import TaskFailureContext
    from simpleflow.testing import Execution, Run

    canvas = [Group, Chain, FuncGroup, GroupFuture, ChainFuture]
    return [TaskFailureContext, TaskFailureContext.Decision, *canvas, Serializer, Run, Execution, Outcome]


@pytest.mark.parametrize("cls", public_api(), ids=lambda cls: cls.__qualname__)
def test_every_public_method_and_property_says_what_it_does(cls: type) -> None:
    assert cls.__doc__, f"{cls.__qualname__} has no docstring"
    assert undocumented(cls) == []


def test_an_undocumented_property_or_method_is_found() -> None:
    class Sample:
        """A class."""

        @property
        def silent(self) -> int:
            return 1

        @classmethod
        def quiet(cls) -> None:
            pass

        @functools.cached_property
        def mute(self) -> int:
            return 1

        def told(self) -> None:
            """Does nothing."""

        def _private(self) -> None:
            pass

    assert undocumented(Sample) == ["silent", "quiet", "mute"]
