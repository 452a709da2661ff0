"""Servers the operations tests start on 127.0.0.1, each on a free port, each stopped by the test that
started it.

PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the `postgres` user (runuser), in a
temporary folder that user owns. Redis and Chroma run as whoever runs the tests. `dagster dev`, the daemon
and Celery workers are started in their own session (setsid) so that stopping one stops its whole process
group (webserver, daemon, code servers, worker children).
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

BIN = Path(sys.executable).parent  # the test interpreter's environment: dagster, dagster-daemon, chroma, ...


def pg_bin() -> Path:
    """Debian installs each major version under /usr/lib/postgresql/<major>/bin; take the newest."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


REDIS_SERVER = Path("/usr/bin/redis-server")
CHROMIUM = Path("/usr/bin/chromium")


def default_signals() -> None:
    """In the child before exec: SIGINT back to its default. A test run started in the background (CI, `&`)
    ignores SIGINT and every child inherits that; Dagster maps SIGTERM to the SIGINT handler, so `dagster dev`
    would then ignore both and a run would ignore Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


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
        """What config/profiles/postgres.yaml reads."""
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


def wait_for_http(url: str, process: subprocess.Popen, log_path: Path, timeout_s: float) -> None:
    deadline = time.time() + timeout_s
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited {process.returncode}; see {log_path}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        if time.time() > deadline:
            raise TimeoutError(f"nothing answered {url} within {timeout_s:.0f} s; see {log_path}")
        time.sleep(0.5)


@contextlib.contextmanager
def in_own_session(args: list[str], env: dict[str, str], log_path: Path, cwd: Path | None = None):
    """A process (and its children) started in its own session, stopped with its whole group."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, preexec_fn=default_signals)
    try:
        yield process
    finally:
        stop_group(process, timeout_s=30)


@contextlib.contextmanager
def dagster_dev(workspace: Path, env: dict[str, str], log_path: Path, timeout_s: float = 180):
    """`dagster dev` on a free port (webserver, daemon, code server); yields its base URL once it answers."""
    port = free_port()
    args = [str(BIN / "dagster"), "dev", "-w", str(workspace), "-h", "127.0.0.1", "-p", str(port)]
    with in_own_session(args, env, log_path, cwd=workspace.parent) as process:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/server_info", process, log_path, timeout_s)
        yield url


@contextlib.contextmanager
def dagster_daemon(workspace: Path, env: dict[str, str], log_path: Path):
    """`dagster-daemon run`: the backfill, sensor, schedule, run-queue and run-monitoring loops."""
    with in_own_session([str(BIN / "dagster-daemon"), "run", "-w", str(workspace)], env, log_path,
                        cwd=workspace.parent) as process:
        yield process


@contextlib.contextmanager
def chroma_server(path: Path, log_path: Path, timeout_s: float = 60):
    """The Chroma server that ships with chromadb, on a free port; yields the port."""
    executable = BIN / "chroma"
    require(executable, "chromadb (pip)")
    port = free_port()
    args = [str(executable), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with in_own_session(args, {**os.environ, "ANONYMIZED_TELEMETRY": "False"}, log_path) as process:
        wait_for_port(port, timeout_s, process)
        yield port
