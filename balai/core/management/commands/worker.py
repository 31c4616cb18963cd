"""``balai worker``: run background tasks from the database queue (django-tasks-db's worker)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Run background tasks (roll-ups, imports, notifications) from the database queue. Start one per core "
        "as load needs; stops cleanly on SIGTERM/Ctrl-C after the current task."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", default="*", help="Queue names, comma separated; * for all (default).")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when the queue is empty (default 1)."
        )
        parser.add_argument("--batch", action="store_true", help="Run what is queued now, then exit.")
        parser.add_argument(
            "--max-tasks",
            type=int,
            default=None,
            help="Exit after this many tasks (a supervisor restarts it: bounds memory growth).",
        )
        parser.add_argument("--reload", action="store_true", help="Restart on code changes (development).")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if "django_tasks_db" not in backend:
            raise CommandError(
                f"The task backend is {backend}; balai worker runs the database queue only "
                "(set BALAI_TASKS_BACKEND=django_tasks_db.DatabaseBackend)."
            )
        argv = ["--queue-name", options["queue"], "--interval", str(options["interval"])]
        argv.append("--reload" if options["reload"] else "--no-reload")
        if options["batch"]:
            argv.append("--batch")
        if options["max_tasks"]:
            argv += ["--max-tasks", str(options["max_tasks"])]
        call_command("db_worker", *argv, verbosity=options["verbosity"])
