"""Tasks timed by bench/bench_execute.py; importable by ours and by the released simpleflow alike."""

import sys

from simpleflow import execute


@execute.python(interpreter=sys.executable)
def add(a, b):
    return a + b


@execute.program(path="true")
def true():
    pass
