#!/usr/bin/env python3
"""Copy the browser libraries from frontend/node_modules into Django static.

Run from the repository root:

    python frontend/copy_assets.py

Why this exists: every browser library is installed from the npm registry,
pinned by frontend/package-lock.json, and served by Django from
balai/static/vendor/. Nothing is loaded from a CDN at run time, because Balai
must work on closed government networks and its Content-Security-Policy
allows no third-party origin.

The script only uses the standard library so it can run before the project's
Python dependencies are installed (e.g. as a first CI or Docker build step).
It is idempotent: each vendor sub-folder it owns is rebuilt from scratch, so
files left over from an older package version never linger.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent
REPO_ROOT = FRONTEND.parent
NODE_MODULES = FRONTEND / "node_modules"
LOCKFILE = FRONTEND / "package-lock.json"
# npm writes this "hidden lockfile" at the end of every successful install, so
# its mtime tells us when node_modules was last brought in line with the lock.
HIDDEN_LOCKFILE = NODE_MODULES / ".package-lock.json"
VENDOR = REPO_ROOT / "balai" / "static" / "vendor"

# Packages whose version goes into VERSIONS.txt (the direct dependencies).
PACKAGES = ["@tabler/core", "echarts", "htmx.org", "@alpinejs/csp", "leaflet"]

# (vendor group, [(source relative to node_modules, destination name)]).
# Source maps are copied next to the files that reference them through a
# "sourceMappingURL" comment: otherwise browser dev tools log 404s and, more
# importantly, Django's ManifestStaticFilesStorage (and WhiteNoise's
# variant) aborts collectstatic when a referenced .map file is missing.
FILES: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "tabler",
        [
            ("@tabler/core/dist/css/tabler.min.css", "tabler.min.css"),
            ("@tabler/core/dist/css/tabler.min.css.map", "tabler.min.css.map"),
            # The UMD bundle already contains Bootstrap's JS and Popper, so no
            # separate bootstrap/popper file is needed.
            ("@tabler/core/dist/js/tabler.min.js", "tabler.min.js"),
            ("@tabler/core/dist/js/tabler.min.js.map", "tabler.min.js.map"),
        ],
    ),
    ("echarts", [("echarts/dist/echarts.min.js", "echarts.min.js")]),
    ("htmx", [("htmx.org/dist/htmx.min.js", "htmx.min.js")]),
    (
        "alpine",
        [
            # dist/cdn.min.js is the browser build that sets window.Alpine and
            # calls Alpine.start() itself; the module.* builds do not start.
            # The CSP build evaluates expressions without eval/new Function,
            # which our CSP (no 'unsafe-eval') requires.
            ("@alpinejs/csp/dist/cdn.min.js", "alpine-csp.min.js"),
        ],
    ),
    (
        "leaflet",
        [
            ("leaflet/dist/leaflet.js", "leaflet.js"),
            ("leaflet/dist/leaflet.js.map", "leaflet.js.map"),
            ("leaflet/dist/leaflet.css", "leaflet.css"),
        ],
    ),
]

# Whole directories to copy: (vendor group, source dir, destination dir).
# leaflet.css refers to images/*.png by relative url().
DIRS = [("leaflet", "leaflet/dist/images", "images")]

# CSS files whose relative url() references must be copied along with them.
CSS_FILES = [("tabler", "@tabler/core/dist/css/tabler.min.css", "tabler.min.css")]

URL_RE = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE | re.DOTALL)
# "@import url(https://...)" or '@import "https://..."' (also protocol-relative).
# The URL part is matched up to its closing quote/paren rather than up to the
# first ";", because Google Fonts URLs contain ";" (e.g. "wght@400;700").
EXTERNAL_IMPORT_RE = re.compile(
    r"""@import\s+(?:url\(\s*(['"]?)\s*(?:https?:)?//.*?\1\s*\)"""
    r"""|(['"])\s*(?:https?:)?//.*?\2)[^;]*;\s*""",
    re.IGNORECASE | re.DOTALL,
)


def fail(message: str) -> None:
    print(f"copy_assets: error: {message}", file=sys.stderr)
    sys.exit(1)


def is_external(ref: str) -> bool:
    return bool(re.match(r"(?i)^(https?:)?//", ref.strip()))


def is_local_relative(ref: str) -> bool:
    ref = ref.strip()
    # data: URIs are inline, "#..." are SVG/VML fragment references
    # (e.g. Leaflet's "#default#VML"), neither is a file to copy.
    return bool(ref) and not (is_external(ref) or ref.startswith(("data:", "#", "/")) or ":" in ref.split("/")[0])


def ensure_node_modules() -> None:
    if not LOCKFILE.is_file():
        fail(f"{LOCKFILE} not found")
    if HIDDEN_LOCKFILE.is_file() and HIDDEN_LOCKFILE.stat().st_mtime >= LOCKFILE.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        fail(
            "frontend/node_modules is missing or older than package-lock.json and "
            "'npm' was not found on PATH. Install Node.js 20+ (which ships npm) "
            "and run this script again."
        )
    print("node_modules missing or stale: running npm ci in frontend/", flush=True)
    # npm ci installs exactly what package-lock.json says (and fails if it is
    # out of sync with package.json), which is what we want for reproducibility.
    # Fixed argv, no shell; npm's path comes from PATH like any other tool.
    result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND)  # noqa: S603
    if result.returncode != 0:
        fail(f"'npm ci' failed with exit code {result.returncode}")


def source(rel: str) -> Path:
    path = NODE_MODULES / rel
    if not path.exists():
        fail(
            f"expected {path.relative_to(REPO_ROOT)} in the installed package; "
            "the package layout may have changed with a version bump: update "
            "frontend/copy_assets.py"
        )
    return path


def process_css(text: str, src: Path, dest_dir: Path, label: str, copied: list[str]) -> str:
    """Strip external @imports, copy relative url() assets, check no external url().

    The relative paths of the assets copied are appended to ``copied``.
    """
    # Remote @imports (typically Google Fonts) would make the browser fetch a
    # third-party origin: that breaks on closed government networks and is
    # blocked by our CSP anyway, so they are removed and the system font stack
    # that follows in the CSS is used instead.
    text, removed = EXTERNAL_IMPORT_RE.subn("", text)
    if removed:
        print(f"  {label}: stripped {removed} external @import rule(s)")
    if re.search(r"""@import\s+['"]""", text):
        # A bare-string @import of a local file would not be copied along.
        fail(f"{label} has an @import this script does not handle")

    # Copy every file the CSS references by relative url() (fonts, images).
    # Paths are kept relative to the package's dist/ folder and the url() is
    # rewritten to match, so "../img/x.svg" becomes "img/x.svg" next to the
    # flattened CSS file instead of escaping the vendor folder.
    dist_root = src.parent.parent

    def replace(match: re.Match[str]) -> str:
        quote, ref = match.group(1), match.group(2)
        if is_external(ref):
            fail(f"{label} references an external URL at run time: {ref!r}")
        if not is_local_relative(ref):
            return match.group(0)
        clean = re.split(r"[?#]", ref, maxsplit=1)[0]
        suffix = ref[len(clean) :]
        asset = (src.parent / clean).resolve()
        if not asset.is_file():
            fail(f"{label} references {ref!r}, but {asset} does not exist")
        try:
            new_rel = asset.relative_to(dist_root).as_posix()
        except ValueError:
            fail(f"{label} references {ref!r} outside its package's dist folder")
        target = dest_dir / new_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(asset, target)
        if new_rel not in copied:
            copied.append(new_rel)
        return f"url({quote}{new_rel}{suffix}{quote})"

    return URL_RE.sub(replace, text)


def copy_group(group: str) -> None:
    dest_dir = VENDOR / group
    css_targets = {dest: src for g, src, dest in CSS_FILES if g == group}
    if dest_dir.exists():
        shutil.rmtree(dest_dir)
    dest_dir.mkdir(parents=True)
    names: list[str] = []
    css_assets: list[str] = []
    for g, files in FILES:
        if g != group:
            continue
        for rel, dest_name in files:
            src = source(rel)
            if dest_name.endswith(".css"):
                # newline="" keeps the original line endings (leaflet.css uses
                # CRLF), so an unmodified file is copied byte for byte.
                with open(src, encoding="utf-8", newline="") as fh:
                    text = fh.read()
                if dest_name in css_targets:
                    text = process_css(text, src, dest_dir, dest_name, css_assets)
                else:
                    # Still refuse any external reference in other CSS files.
                    text = EXTERNAL_IMPORT_RE.sub("", text)
                    for m in URL_RE.finditer(text):
                        if is_external(m.group(2)):
                            fail(f"{dest_name} references an external URL: {m.group(2)!r}")
                with open(dest_dir / dest_name, "w", encoding="utf-8", newline="") as fh:
                    fh.write(text)
            else:
                shutil.copy2(src, dest_dir / dest_name)
            names.append(dest_name)
    for g, rel, dest_name in DIRS:
        if g != group:
            continue
        shutil.copytree(source(rel), dest_dir / dest_name)
        names.append(dest_name + "/")
    shown = names + sorted(css_assets)
    print(f"{group:8} -> {dest_dir.relative_to(REPO_ROOT).as_posix()}/: {', '.join(shown)}")


def write_versions() -> None:
    lines = [
        "# Generated by frontend/copy_assets.py from frontend/node_modules; do not edit.",
        "# Versions are pinned in frontend/package.json and frontend/package-lock.json.",
    ]
    for pkg in PACKAGES:
        meta = json.loads(source(f"{pkg}/package.json").read_text(encoding="utf-8"))
        lines.append(f"{pkg} {meta['version']}")
    (VENDOR / "VERSIONS.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"versions -> {(VENDOR / 'VERSIONS.txt').relative_to(REPO_ROOT).as_posix()}")


def main() -> None:
    ensure_node_modules()
    VENDOR.mkdir(parents=True, exist_ok=True)
    groups = list(dict.fromkeys(g for g, _ in FILES))
    for group in groups:
        copy_group(group)
    write_versions()


if __name__ == "__main__":
    main()
