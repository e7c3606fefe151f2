"""Runs Alembic's own command line (alembic.config.main, what `python3 -m alembic` runs) for test/alembic-oracle.test.ts.

Usage: python3 alembic_oracle.py <project directory> <database url> < scenarios.json

scenarios.json is a list of starting states, each a list of revisions. For each one the database
is emptied, `alembic upgrade <rev>` brings it to that state, and `alembic upgrade heads` runs the
rest. Prints JSON: `alembic heads` and `alembic history` output, and per scenario the version
table before `upgrade heads` and the revisions that `upgrade heads` ran ("Running upgrade ..."
lines), in order. One process runs every command so that the test does not pay Python's start-up
for each of them.

Alembic 1.10 and later load revision files sorted by name; Alembic 1.8 (Debian bookworm's) loads
them in os.listdir order, which depends on the file system. Which of two unrelated heads runs
first follows that load order, so on 1.8 the listing is sorted here, as newer Alembic does.
Nothing else about Alembic is changed.
"""
import contextlib
import io
import json
import os
import re
import sys

import alembic
from alembic.config import CommandLine, Config
from alembic.script.base import Script
from sqlalchemy import MetaData, create_engine, pool, text


def version_tuple(v):
    return tuple(int(x) for x in re.findall(r"\d+", v)[:2])


if version_tuple(alembic.__version__) < (1, 10):
    _listed = Script._list_py_dir.__func__

    @classmethod
    def _sorted(cls, scriptdir, path):
        return sorted(_listed(cls, scriptdir, path))

    Script._list_py_dir = _sorted


def run(project, url, *argv):
    """One command line; returns (stdout, log output)."""
    out, err = io.StringIO(), io.StringIO()
    cli = CommandLine(prog="alembic")
    options = cli.parser.parse_args(["-c", os.path.join(project, "alembic.ini"), "-x", "url=" + url, *argv])
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            # alembic.config.main(), with the Config's output captured (it keeps its own stdout).
            config = Config(file_=options.config, ini_section=options.name, cmd_opts=options, stdout=out)
            cli.run_cmd(config, options)
    except SystemExit as exit_:
        # Alembic prints "FAILED: ..." and exits; say which command and why.
        sys.stderr.write("alembic %s failed:\n%s%s" % (" ".join(argv), out.getvalue(), err.getvalue()))
        raise SystemExit(2) from exit_
    return out.getvalue(), err.getvalue()


def reset(url):
    engine = create_engine(url, poolclass=pool.NullPool)
    meta = MetaData()
    meta.reflect(bind=engine)
    meta.drop_all(bind=engine)
    engine.dispose()


def version_rows(url):
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        rows = sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))
    engine.dispose()
    return rows


def main_():
    project, url = sys.argv[1], sys.argv[2]
    scenarios = json.load(sys.stdin)
    heads, _ = run(project, url, "heads")
    history, _ = run(project, url, "history")
    results = []
    for start in scenarios:
        reset(url)
        for rev in start:
            run(project, url, "upgrade", rev)
        before = version_rows(url) if start else []
        _, log = run(project, url, "upgrade", "heads")
        ran = re.findall(r"Running upgrade .*?-> (\w+)", log)
        results.append({"start": start, "versionTable": before, "ran": ran, "after": version_rows(url)})
    reset(url)
    json.dump({"alembic": alembic.__version__, "heads": heads, "history": history, "scenarios": results}, sys.stdout)


if __name__ == "__main__":
    main_()
