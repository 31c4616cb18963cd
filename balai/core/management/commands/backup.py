"""``balai backup``: a consistent copy of the database and the uploaded files, while Balai keeps running.

SQLite: the online backup API (a consistent snapshot even while the web server and worker write).
PostgreSQL: ``pg_dump -Fc`` (restore with ``pg_restore``). Uploaded files: a tar.gz of the media folder.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) and the media folder; prints the files written."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", default=None, help="Folder for the backup files (default var/backups under BALAI_VAR_DIR)."
        )
        parser.add_argument("--no-media", action="store_true", help="Skip the media folder.")

    def handle(self, *args: Any, **options: Any) -> None:
        out_dir = Path(options["output"]) if options["output"] else settings.VAR_DIR / "backups"
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Cannot create the backup folder {out_dir}: {exc.strerror}") from exc
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        db = connection.settings_dict
        if connection.vendor == "sqlite":
            written = self._sqlite(_free_name(out_dir, f"balai-{stamp}", ".sqlite3"))
        elif connection.vendor == "postgresql":
            written = self._postgres(db, _free_name(out_dir, f"balai-{stamp}", ".dump"))
        else:
            raise CommandError(f"balai backup supports SQLite and PostgreSQL, not {connection.vendor}.")
        self.stdout.write(str(written))
        media = Path(settings.MEDIA_ROOT)
        if not options["no_media"] and media.is_dir() and any(media.iterdir()):
            archive = _free_name(out_dir, f"balai-{stamp}-media", ".tar.gz")
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(media, arcname="media")
            self.stdout.write(str(archive))

    def _sqlite(self, target: Path) -> Path:
        connection.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            # One step: in WAL mode the copy reads a snapshot without blocking the writers, whereas a
            # copy in many steps restarts each time the worker writes and may never finish.
            connection.connection.backup(dest)
            ok = dest.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dest.close()
        if ok != "ok":
            target.unlink(missing_ok=True)
            raise CommandError(f"The backup copy failed its integrity check ({ok}); nothing was kept.")
        return target

    def _postgres(self, db: dict[str, Any], target: Path) -> Path:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise CommandError(
                "pg_dump is not installed (Debian/Ubuntu: apt install postgresql-client, in the "
                "same major version as the server or newer)."
            )
        env = {**os.environ}
        if db.get("PASSWORD"):
            env["PGPASSWORD"] = str(db["PASSWORD"])  # not on the command line, where `ps` would show it
        if (db.get("OPTIONS") or {}).get("sslmode"):
            env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
        argv = [pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={db['NAME']}"]
        if db.get("HOST"):
            argv.append(f"--host={db['HOST']}")
        if db.get("PORT"):
            argv.append(f"--port={db['PORT']}")
        if db.get("USER"):
            argv.append(f"--username={db['USER']}")
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            target.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        return target


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    """A file name not yet taken, so two backups in the same second never overwrite each other."""
    candidate = folder / f"{stem}{suffix}"
    n = 1
    while candidate.exists():
        candidate = folder / f"{stem}-{n}{suffix}"
        n += 1
    return candidate
