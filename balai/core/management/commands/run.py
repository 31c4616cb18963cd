"""``balai run``: web server, worker and scheduler together, for the demo and for a one-machine install.

Each runs as its own process with the same environment; their output is interleaved with a
prefix. Ctrl-C or SIGTERM stops all three, and so does any one of them dying: a half-running
Balai (web without worker) would look healthy while roll-ups silently stop.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandParser

STOP_GRACE_SECONDS = 15


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if `balai run` itself is killed, so no orphan keeps the port."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Command(BaseCommand):
    help = "Run the web server, the task worker and the scheduler together (what `make demo` starts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="Web worker processes (default 2).")

    def handle(self, *args: Any, **options: Any) -> None:
        balai = [sys.executable, "-m", "balai"]
        commands = {
            "web": [
                *balai,
                "serve",
                "--host",
                options["host"],
                "--port",
                str(options["port"]),
                "--workers",
                str(options["workers"]),
            ],
            "worker": [*balai, "worker"],
            "scheduler": [*balai, "scheduler"],
        }
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        width = max(len(name) for name in commands)
        out_lock = threading.Lock()
        procs: dict[str, subprocess.Popen[bytes]] = {}
        # All children start before any thread does: preexec_fn is only safe in a single-threaded parent.
        for name, argv in commands.items():
            procs[name] = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        pumps = []
        for name, proc in procs.items():
            assert proc.stdout is not None
            pump = threading.Thread(target=self._pump, args=(f"{name:<{width}} | ", proc.stdout, out_lock), daemon=True)
            pump.start()
            pumps.append(pump)

        stopping = threading.Event()

        def request_stop(signum: int, _frame: FrameType | None) -> None:
            stopping.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self.stdout.write(
            f"Balai on http://{options['host']}:{options['port']}/ with worker and scheduler; Ctrl-C stops all three."
        )
        exit_code = 0
        while not stopping.is_set():
            dead = [(name, p.returncode) for name, p in procs.items() if p.poll() is not None]
            if dead:
                name, code = dead[0]
                self.stderr.write(f"{name} exited with code {code}; stopping the others.")
                exit_code = code or 1
                break
            stopping.wait(0.5)
        self._stop(procs)
        for pump in pumps:
            pump.join(timeout=2)
        if exit_code:
            sys.exit(exit_code)

    def _pump(self, prefix: str, stream: IO[bytes], lock: threading.Lock) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            with lock:
                self.stdout.write(prefix + line)
        stream.close()

    def _stop(self, procs: dict[str, subprocess.Popen[bytes]]) -> None:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, proc in procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in {STOP_GRACE_SECONDS} s; killing it.")
                proc.kill()
                proc.wait()
