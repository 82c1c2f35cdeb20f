"""Issue 10, point 12: the CLI never answers with a traceback.

Every subcommand (found by walking the click tree, so a new command is covered the day it is added) runs
in a subprocess against a server that is not listening, a malformed DATABASE_URL and an empty database
that was never migrated. Each must exit non-zero with one `Error: …` line on stderr saying what is wrong
and what to do; none may print a traceback or hang.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import URL

from predictfluence_tools.cli import main

# Commands that never touch the database (they are still run with --help below).
NO_DATABASE = {("demo-data",): "writes synthetic CSV files only"}
# Commands whose job on an empty database is to migrate it: they are checked after the others.
MIGRATES = {("db", "upgrade"): "applies the migrations", ("run",): "migrates, then starts the stack"}
TIMEOUT_S = 60


def command_paths(group: click.Group = main, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def required_args(command: click.Command, csv_file: Path) -> list[str]:
    """Values for the required arguments and options, from their types alone."""
    args: list[str] = []
    for param in command.params:
        if not param.required:
            continue
        if isinstance(param.type, click.Choice):
            value = str(param.type.choices[0])
        elif isinstance(param.type, click.Path):
            value = str(csv_file)
        elif param.name == "email":
            value = "someone@example.com"
        elif param.name == "before":  # `db partitions detach --before YYYY-MM`
            value = "2025-01"
        else:
            value = "1"
        args += [value] if isinstance(param, click.Argument) else [param.opts[0], value]
    return args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(args: list[str], database_url: str, tmp_path: Path, **extra_env: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PF_DEBUG", "AWS_ENDPOINT_URL", "PF_DB_SECRET_ARN")}
    env.update(
        DATABASE_URL=database_url, PF_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1",
        # `run` checks its ports before anything else: free ones, so that only the database can fail
        PF_API_PORT=str(free_port()), PF_WEB_PORT=str(free_port()), PF_AWS_PORT=str(free_port()),
        **extra_env,
    )
    try:
        return subprocess.run([sys.executable, "-m", "predictfluence_tools.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"`predictfluence {' '.join(args)}` did not fail fast ({TIMEOUT_S} s): {exc.stderr!r}")


@pytest.fixture(scope="module")
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[URL]:
    from predictfluence_tools.scratchdb import scratch_database
    from tests.conftest import _server_url

    with scratch_database(_server_url(tmp_path_factory), "pf_cli_empty") as url:
        yield url


def closed_port_url() -> str:
    return f"postgresql+pg8000://postgres@127.0.0.1:{free_port()}/postgres"


def test_enumeration_finds_every_command():
    paths = {path for path, _ in command_paths()}
    assert {("db", "upgrade"), ("db", "counts"), ("keys", "create"), ("etl", "load"), ("run",), ("train",)} <= paths
    assert set(NO_DATABASE) | set(MIGRATES) <= paths


def test_help_everywhere():
    runner = CliRunner()
    for path, _ in command_paths():
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, (path, result.output)


@pytest.mark.parametrize(
    ("scenario", "url", "expected"),
    [
        ("unreachable", closed_port_url(), ["cannot connect to PostgreSQL at 127.0.0.1:", "start the server"]),
        ("malformed", "not a url", ["DATABASE_URL is malformed", "expected postgresql://"]),
        ("bad port", "postgresql://postgres@127.0.0.1:notaport/pf", ["DATABASE_URL is malformed", "port"]),
        ("not migrated", None, ["is not migrated", "run `predictfluence db upgrade`"]),
    ],
)
def test_every_command_fails_in_one_line(scenario, url, expected, tmp_path, request):
    csv_file = tmp_path / "influencers.csv"
    csv_file.write_text("platform,handle,followers\ninstagram,a,10\n")
    if url is None:
        empty: URL = request.getfixturevalue("empty_database")
        url = empty.render_as_string(hide_password=False)
        expected = [*expected, f"/{empty.database}"]
    if scenario == "unreachable":
        expected = [*expected, url.split("@")[1].split("/")[0]]  # the host and port it tried
    skip = set(NO_DATABASE) | (set(MIGRATES) if scenario == "not migrated" else set())
    commands = [(path, [*path, *required_args(cmd, csv_file)]) for path, cmd in command_paths() if path not in skip]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda c: (c[1], run_cli(c[1], url, tmp_path)), commands))

    problems = []
    for args, proc in results:
        shown = f"`predictfluence {' '.join(args)}` → {proc.returncode}\nstdout: {proc.stdout[-500:]!r}\nstderr: {proc.stderr[-800:]!r}"
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        if "Traceback" in proc.stdout + proc.stderr:
            problems.append(f"traceback: {shown}")
        elif proc.returncode == 0:
            problems.append(f"exit 0: {shown}")
        elif len(lines) != 1 or not lines[0].startswith("Error: ") or not all(e in lines[0] for e in expected):
            problems.append(f"not one clear line containing {expected}: {shown}")
    assert not problems, "\n\n".join(problems)

    if scenario == "not migrated":  # the advice works: upgrade, then the command that failed succeeds
        upgraded = run_cli(["db", "upgrade"], url, tmp_path)
        assert upgraded.returncode == 0 and "database at revision" in upgraded.stdout, upgraded.stderr
        created = run_cli(["keys", "create", "--role", "viewer"], url, tmp_path)
        assert created.returncode == 0 and created.stdout.startswith("pfk_"), created.stderr


def test_unexpected_error_is_one_line_unless_pf_debug(monkeypatch):
    from predictfluence_tools import stats
    from predictfluence_tools.cli.errors import EX_SOFTWARE

    def boom(_engine):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(stats, "table_counts", boom)
    monkeypatch.setattr("predictfluence.db.get_engine", lambda: None)
    monkeypatch.delenv("PF_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["db", "counts"])
    assert result.exit_code == EX_SOFTWARE
    assert result.output.strip() == "Error: unexpected error: RuntimeError: boom (rerun with PF_DEBUG=1 to see the traceback)"

    monkeypatch.setenv("PF_DEBUG", "1")
    result = CliRunner().invoke(main, ["db", "counts"])
    assert isinstance(result.exception, RuntimeError)  # the traceback is shown (click does not catch it)


def test_pf_debug_shows_the_traceback(tmp_path):
    proc = run_cli(["db", "counts"], closed_port_url(), tmp_path, PF_DEBUG="1")
    assert proc.returncode != 0 and "Traceback" in proc.stderr and "InterfaceError" in proc.stderr


def test_a_reader_that_stops_early_is_not_a_database_error(engine):
    """`predictfluence db counts | head -1`: BrokenPipeError is a ConnectionError, and the CLI used to
    answer it with 'cannot connect to PostgreSQL … Broken pipe'."""
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    exe = str(Path(sys.executable).with_name("predictfluence"))
    proc = subprocess.Popen([exe, "db", "counts"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader leaves before the first line arrives (`head -1` after its line)
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.wait(TIMEOUT_S) == 0, stderr
    assert "Error" not in stderr and "Traceback" not in stderr
