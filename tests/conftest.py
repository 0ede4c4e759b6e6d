import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PROCURE_DESK_USER", "tester")
# Backups and other per-user files go to a throwaway folder, never a real profile.
os.environ["PROCURE_DESK_DATA"] = tempfile.mkdtemp(prefix="procure-desk-test-data-")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = Path(__file__).resolve().parent / "data" / "example.json"


@pytest.fixture(autouse=True)
def user_data(tmp_path_factory, monkeypatch) -> Path:
    """Each test's own data folder (backups), also seen by the commands it runs."""
    folder = tmp_path_factory.mktemp("user-data")
    monkeypatch.setenv("PROCURE_DESK_DATA", str(folder))
    return folder


@pytest.fixture
def example_doc() -> dict:
    """The small worked example used across the tests (see tests/data/example.json)."""
    return json.loads(EXAMPLE.read_text())


@pytest.fixture
def write_json(tmp_path):
    def write(doc, name="in.json"):
        p = tmp_path / name
        p.write_text(json.dumps(doc))
        return p

    return write


@pytest.fixture
def example_file(tmp_path, example_doc):
    from procure_desk.services import EvaluationFile

    path = tmp_path / "example.pdesk"
    ef = EvaluationFile.create(path, example_doc, actor="tester")
    yield ef
    ef.close()


@pytest.fixture
def soffice():
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        pytest.skip("LibreOffice (Debian package libreoffice-calc-nogui) is not installed")
    return exe


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a test that needs a missing tool fails instead of skipping: `.ci/run`
    installs every tool the tests use, so a missing one is a broken setup."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and "is not installed" in str(report.longrepr):
        report.outcome = "failed"


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL server for the whole run (tests/pg_server.py)."""
    import pg_server as pg

    with pg.running() as server:
        if server is None:
            pytest.skip("PostgreSQL (Debian package postgresql: initdb, pg_ctl) is not "
                        "installed")
        yield server
