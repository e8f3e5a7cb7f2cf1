"""A real `torchtutor serve` for the web tests: a subprocess on a free port, a fresh workspace."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ARTIFACTS = Path(__file__).parent / "artifacts"


@dataclass
class Served:
    url: str        # with ?token=
    base: str       # http://127.0.0.1:PORT
    port: int
    token: str
    root: Path
    proc: subprocess.Popen
    log: Path

    @contextlib.contextmanager
    def client(self):
        """A client that has exchanged the token for the session cookie."""
        with httpx.Client(base_url=self.base, timeout=30) as client:
            reply = client.get(f"/?token={self.token}")
            assert reply.status_code == 303, reply.text
            yield client

    def origin(self) -> dict:
        return {"origin": self.base}


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("TORCHTUTOR_WORKSPACE", "TORCHTUTOR_COURSE")}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2] / "src"), env.get("PYTHONPATH", "")])
    return env


def start_server(root: Path, *extra: str) -> Served:
    env = _env()
    made = subprocess.run([sys.executable, "-m", "torchtutor.cli", "start", str(root), "--no-browser", "--no-watch"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    log = root.parent / f"serve-{root.name}.log"
    handle = log.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "torchtutor.cli", "serve", "-w", str(root), "--port", "0",
                             "--no-browser", *extra], env=env, stdout=handle, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    url = None
    while time.monotonic() < deadline and url is None:
        match = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", log.read_text())
        if match:
            url = match.group(0)
            port, token = int(match.group(1)), match.group(2)
        elif proc.poll() is not None:
            pytest.fail(f"torchtutor serve exited: {log.read_text()}")
        else:
            time.sleep(0.05)
    assert url, f"no URL printed: {log.read_text()}"
    served = Served(url=url, base=f"http://127.0.0.1:{port}", port=port, token=token, root=root, proc=proc, log=log)
    # wait until the runner is warm (the first check starts it) so timings are those of a running server
    with served.client() as client:
        client.post("/api/exercise/tensors/mirror-numpy/check", headers=served.origin())
    return served


def stop_server(served: Served) -> None:
    if served.proc.poll() is None:
        os.killpg(served.proc.pid, signal.SIGINT)
        try:
            served.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(served.proc.pid, signal.SIGKILL)
            served.proc.wait(timeout=5)


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Served:
    root = tmp_path_factory.mktemp("web") / "course"
    server = start_server(root)
    yield server
    stop_server(server)
