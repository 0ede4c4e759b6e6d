"""A throwaway PostgreSQL server for the team-mode tests and the team benchmark.

Started with the Debian `postgresql` package's own `initdb` and `pg_ctl` in a
temporary folder, listening only on a unix socket in that folder (no TCP port
to clash with anything), trusted local logins (each test connects as the
database login it is testing), stopped and removed at the end.

PostgreSQL refuses to run as root; a test run as root (CI containers) starts it
as the `postgres` system user (created by the Debian package), or creates an
unprivileged system user for it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
OWNER = "pdesk_owner"  # the council's database administrator: runs `server init`
RUN_AS = ("postgres", "pdesk-pg")  # system users PostgreSQL may run as under root


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: PATH first, then Debian's own folders."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _system_user() -> str | None:
    """The unprivileged user to run the server as (None: we are not root)."""
    if os.geteuid() != 0:
        return None
    for name in RUN_AS:
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    RUN_AS[1]], check=True, capture_output=True)
    return RUN_AS[1]


@dataclass
class Server:
    folder: Path
    bin: Path
    user: str | None

    @property
    def socket_dir(self) -> str:
        return str(self.folder)

    def url(self, db: str = "postgres", *, login: str = SUPERUSER,
            evaluation: str | None = None) -> str:
        """A libpq URL for `db` as `login` over the unix socket."""
        query = f"host={self.socket_dir}"
        if evaluation is not None:
            query += f"&evaluation={evaluation}"
        return f"postgresql://{login}@/{db}?{query}"

    def conninfo(self, db: str = "postgres", *, login: str = SUPERUSER) -> str:
        return f"host={self.socket_dir} dbname={db} user={login}"

    def _run(self, *cmd: str) -> subprocess.CompletedProcess[str]:
        full = [str(self.bin / cmd[0]), *cmd[1:]]
        if self.user:
            full = ["runuser", "-u", self.user, "--", *full]
        return subprocess.run(full, check=True, capture_output=True, text=True)

    def start(self) -> None:
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                  "--no-sync")
        opts = (f"-c listen_addresses='' -c unix_socket_directories='{self.folder}' "
                "-c fsync=off -c max_connections=100")
        self._run("pg_ctl", "-D", str(data), "-o", opts, "-l", str(self.folder / "log"),
                  "-w", "start")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def sql(self, statement: str, db: str = "postgres") -> None:
        """One statement as the superuser (setting up logins and databases)."""
        import psycopg

        with psycopg.connect(self.conninfo(db), autocommit=True) as con:
            con.execute(statement)  # type: ignore[arg-type]

    def new_database(self, name: str) -> str:
        """An empty database owned by the administrator login; returns its URL."""
        self.sql(f'CREATE DATABASE "{name}" OWNER {OWNER}')
        return self.url(name, login=OWNER)

    def login(self, name: str) -> None:
        self.sql(f'CREATE ROLE "{name}" LOGIN')


@contextlib.contextmanager
def running() -> Iterator[Server | None]:
    """A started server (None when PostgreSQL is not installed), stopped at the end."""
    binaries = find_binaries()
    if binaries is None:
        yield None
        return
    user = _system_user()
    folder = Path(tempfile.mkdtemp(prefix="pdesk-pg-", dir="/tmp"))
    if user:
        info = pwd.getpwnam(user)
        os.chown(folder, info.pw_uid, info.pw_gid)
    folder.chmod(0o755)
    server = Server(folder, binaries, user)
    try:
        server.start()
        server.sql(f"CREATE ROLE {OWNER} LOGIN CREATEROLE")
        yield server
    finally:
        server.stop()


def board(server: Server, tmp: Path, name: str, doc: dict, *,
          members: dict[str, tuple[str, str | None]]) -> str:
    """A database `name` holding `doc` published as evaluation BOARD-1 by the
    administrator, with each login given its role; returns the owner's URL."""
    from procure_desk import server as team
    from procure_desk.services import EvaluationFile

    src = tmp / f"{name}.pdesk"
    EvaluationFile.create(src, doc, actor="tester").close()
    server.new_database(name)
    url = server.url(name, login=OWNER, evaluation="BOARD-1")
    team.publish(src, url, actor="administrator")
    for login, (role, evaluator) in members.items():
        server.login(login)
        team.grant(url, login, role, evaluator)
    return url


def as_login(url: str, login: str) -> str:
    """The same evaluation's address, connecting as another login."""
    return url.replace(f"//{OWNER}@", f"//{login}@", 1)
