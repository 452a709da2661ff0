"""Servers the ops tests start on 127.0.0.1, each on a free port, each stopped by the test that started it.

PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the `postgres` user (runuser), in a
temporary folder that user owns. Redis runs as whoever runs the tests. `dagster dev` is started in its own
session (setsid) so that stopping it stops its whole process group (webserver, daemon, code servers).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

def pg_bin() -> Path:
    """Debian installs each major version under /usr/lib/postgresql/<major>/bin; take the newest."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


REDIS_SERVER = Path("/usr/bin/redis-server")
CHROMIUM = Path("/usr/bin/chromium")


def require(path: Path, apt_package: str) -> None:
    if not path.exists():
        raise RuntimeError(f"{path} is missing: install the Debian package `{apt_package}` (.ci/run does)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout_s: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s:.0f} s")


def stop_group(process: subprocess.Popen, timeout_s: float = 20) -> None:
    """SIGTERM the process group started with start_new_session=True, SIGKILL what is left."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    db: str

    @property
    def env(self) -> dict[str, str]:
        """What config/dagster-postgres.yaml reads."""
        return {"MIRA_PG_HOST": self.host, "MIRA_PG_PORT": str(self.port), "MIRA_PG_USER": self.user,
                "MIRA_PG_PASSWORD": "", "MIRA_PG_DB": self.db}

    def connect(self):
        import psycopg2

        return psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname=self.db)


@contextlib.contextmanager
def postgres_server(db: str = "dagster"):
    bin_dir = pg_bin()
    require(bin_dir / "initdb", "postgresql")
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="mira-pg-"))
    data = base / "data"
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(base, user="postgres", group="postgres")
        base.chmod(0o700)
    user = "postgres" if as_root else os.environ.get("USER", "postgres")
    port = free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "text": True}
    subprocess.run([*prefix, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", user,
                    "--no-sync", "-E", "UTF8"], check=True, **quiet)
    options = f"-h 127.0.0.1 -p {port} -k {base} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"),
                    "-w", "-t", "60", "start"], check=True, **quiet)
    try:
        server = Postgres("127.0.0.1", port, user, "postgres")
        with contextlib.closing(server.connect()) as conn:
            conn.autocommit = True
            conn.cursor().execute(f'CREATE DATABASE "{db}"')
        yield Postgres("127.0.0.1", port, user, db)
    finally:
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], **quiet)
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def redis_server():
    require(REDIS_SERVER, "redis-server")
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="mira-redis-"))
    process = subprocess.Popen(
        [str(REDIS_SERVER), "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port, 20, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_group(process)
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def dagster_dev(workspace: Path, env: dict[str, str], log_path: Path, timeout_s: float = 180):
    """`dagster dev` on a free port; yields its base URL once the webserver answers /server_info."""
    port = free_port()
    dagster = Path(sys.executable).parent / "dagster"  # the test interpreter's environment
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(dagster), "dev", "-w", str(workspace), "-h", "127.0.0.1", "-p", str(port)],
            cwd=workspace.parent, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"dagster dev exited {process.returncode}; see {log_path}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/server_info", timeout=2) as response:
                    if response.status == 200:
                        break
            if time.time() > deadline:
                raise TimeoutError(f"dagster dev did not answer on {url} within {timeout_s:.0f} s; see {log_path}")
            time.sleep(0.5)
        yield url
    finally:
        stop_group(process, timeout_s=30)
