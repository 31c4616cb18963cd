"""``balai serve``: the web server, gunicorn in front of Balai's WSGI app (put a reverse proxy before it).

Static files are served by WhiteNoise from the app itself. In production they must have been
collected first (``balai collectstatic``), which fingerprints them for long caching; outside
production WhiteNoise finds them in the apps directly, so a checkout serves without that step.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """Gunicorn's rule of thumb, 2 x cores + 1, capped: beyond 8 a Pemda needs a second machine, not more."""
    return min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS)


def gunicorn_argv(*, host: str, port: int, workers: int, timeout: int) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "balai.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        "20",
        "--access-logfile",
        "-",
        # Recycle workers now and then so a slow leak in any library cannot grow without bound; not so often
        # that a busy intake pays for it (2,000 recycled a worker every ~12 s at 200 reports/s: bench/).
        "--max-requests",
        "20000",
        "--max-requests-jitter",
        "2000",
    ]
    if _gunicorn_version() >= (27, 0):
        # We do not use gunicornc, and one shared socket in $HOME breaks a second instance on the machine.
        argv.append("--no-control-socket")
    shm = "/dev/shm"  # noqa: S108 - gunicorn's documented advice: worker heartbeat files in RAM, not on disk
    if os.path.isdir(shm):
        argv += ["--worker-tmp-dir", shm]
    return argv


def _gunicorn_version() -> tuple[int, ...]:
    try:
        import gunicorn

        return tuple(gunicorn.version_info)
    except ImportError:
        return (0,)


class Command(BaseCommand):
    help = "Run the web server (gunicorn with WhiteNoise static files). Put a reverse proxy (nginx, Caddy) before it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port (default 8000).")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=f"Worker processes (default 2 x cores + 1, at most {MAX_DEFAULT_WORKERS}).",
        )
        parser.add_argument("--timeout", type=int, default=60, help="Seconds before a stuck request is killed.")
        parser.add_argument(
            "--dev", action="store_true", help="Django's auto-reloading development server instead (not in production)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        workers = options["workers"] or default_workers()
        if workers < 1:
            raise CommandError("--workers must be 1 or more.")
        has_gunicorn = importlib.util.find_spec("gunicorn") is not None and os.name == "posix"
        if options["dev"] or not has_gunicorn:
            if settings.PRODUCTION:
                raise CommandError(
                    "Production needs gunicorn (POSIX only): pip install gunicorn."
                    if not has_gunicorn
                    else "--dev is refused with BALAI_ENV=production."
                )
            self.stdout.write(f"Development server on http://{host}:{port}/ (static files by WhiteNoise)")
            call_command("runserver", f"{host}:{port}", use_reloader=options["dev"])
            return
        if settings.PRODUCTION and not (settings.STATIC_ROOT / "staticfiles.json").exists():
            raise CommandError(
                f"Static files are not collected in {settings.STATIC_ROOT}. Run: balai collectstatic "
                "--no-input (after each upgrade), then balai serve again."
            )
        if not settings.PRODUCTION:
            settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # else WhiteNoise warns at every start
        argv = gunicorn_argv(host=host, port=port, workers=workers, timeout=options["timeout"])
        self.stdout.write(f"Balai on http://{host}:{port}/ ({workers} gunicorn workers)")
        self.stdout.flush()
        # Replace this process: signals from a supervisor (or `balai run`) then reach gunicorn directly.
        os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter and fixed arguments
