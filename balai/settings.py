"""The one settings module of Balai.

Every knob comes from the environment (``BALAI_*``) and is listed in docs/admin/configuration.md.
A production deployment refuses to start with a missing secret or DEBUG on, because a Pemda server
that leaks tracebacks or signs sessions with a public key is worse than one that does not start.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("BALAI_VAR_DIR", PROJECT_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected true/false")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# A developer's checkout gets var/dev.env from `make` (BALAI_ENV=development), so `balai <command>` works
# there without exporting anything; a server has no such file and stays on the fail-safe default.
_DEV_ENV_FILE = VAR_DIR / "dev.env"
if _DEV_ENV_FILE.is_file():
    for _line in _DEV_ENV_FILE.read_text().splitlines():
        _key, _sep, _value = _line.partition("=")
        if _sep and _key.strip().startswith("BALAI_") and not _line.lstrip().startswith("#"):
            os.environ.setdefault(_key.strip(), _value.strip())

# "production" (the default, so a forgotten variable fails safe), "development" or "test".
BALAI_ENV = env_str("BALAI_ENV", "production")
if BALAI_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured(f"BALAI_ENV={BALAI_ENV!r}: expected production, development or test")
PRODUCTION = BALAI_ENV == "production"

DEBUG = env_bool("BALAI_DEBUG", False)


def _secret_key() -> str:
    key = env_str("BALAI_SECRET_KEY")
    if key:
        if PRODUCTION and len(key) < 50:
            raise ImproperlyConfigured("BALAI_SECRET_KEY must be at least 50 characters in production")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "BALAI_SECRET_KEY is not set. Production refuses to start without a secret key; "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    # Development and test keep a generated key in var/ so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("BALAI_DEBUG must be off in production (BALAI_ENV=production)")

ALLOWED_HOSTS = env_list("BALAI_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("BALAI_ALLOWED_HOSTS is empty: list the host names this server answers to")
CSRF_TRUSTED_ORIGINS = env_list("BALAI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "balai.core",
    "balai.org",
    "balai.indicators",
    "balai.workdays",
    "balai.complaints",
    "balai.publicservices",
    "balai.skm",
    "balai.applications",
    "balai.queues",
    "balai.dashboard",
    "balai.alerts",
    "balai.opendata",
    "balai.scorecards",
    "balai.rakor",
    "balai.connectors",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "balai.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "balai.org.middleware.SecondFactorMiddleware",
    "balai.core.middleware.PemdaTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "balai.urls"
WSGI_APPLICATION = "balai.wsgi.application"
ASGI_APPLICATION = "balai.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "balai.core.context_processors.balai",
            ],
            "builtins": ["django.templatetags.i18n", "balai.core.templatetags.balai"],
        },
    }
]

# --- Database -----------------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'balai.sqlite3'}"
DATABASE_URL = env_str("BALAI_DATABASE_URL", DEFAULT_SQLITE)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("BALAI_DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids "database is locked"
    # surprises when two writers upgrade read transactions at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    if DATABASE_URL == DEFAULT_SQLITE:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Tasks --------------------------------------------------------------------------------------
# Tests run tasks at once, in the caller's process, so a test sees the effect of what it enqueued.
_DEFAULT_TASKS_BACKEND = (
    "django_tasks.backends.immediate.ImmediateBackend" if BALAI_ENV == "test" else "django_tasks_db.DatabaseBackend"
)
TASKS = {"default": {"BACKEND": env_str("BALAI_TASKS_BACKEND", _DEFAULT_TASKS_BACKEND)}}

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "org:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if BALAI_ENV == "test":
    # Tests create many users; the production hasher would make the suite minutes slower.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
BALAI_LOGIN_MAX_FAILURES = env_int("BALAI_LOGIN_MAX_FAILURES", 5)
BALAI_LOGIN_LOCKOUT_MINUTES = env_int("BALAI_LOGIN_LOCKOUT_MINUTES", 15)
BALAI_TOTP_ISSUER = env_str("BALAI_TOTP_ISSUER", "Balai")

# --- Security -----------------------------------------------------------------------------------
SECURE_COOKIES = env_bool("BALAI_SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("BALAI_SESSION_HOURS", 12) * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("BALAI_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("BALAI_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
if env_bool("BALAI_BEHIND_PROXY", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of Balai append to X-Forwarded-For; only their entries are believed.
BALAI_TRUSTED_PROXIES = env_int("BALAI_TRUSTED_PROXIES", 1 if env_bool("BALAI_BEHIND_PROXY", PRODUCTION) else 0)

# --- I18n / time --------------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Storage is UTC; the display time zone is the Pemda's (set on its root unit by `balai init`)
# unless BALAI_TIME_ZONE overrides it for the whole deployment.
BALAI_TIME_ZONE = env_str("BALAI_TIME_ZONE")
TIME_ZONE = BALAI_TIME_ZONE or "Asia/Jakarta"

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
# Project-wide assets: balai.css and the browser libraries copied from npm by frontend/copy_assets.py.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("BALAI_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
# Tests write their uploads apart, so a test run never mixes files into a developer's demo media.
MEDIA_ROOT = Path(env_str("BALAI_MEDIA_ROOT", str(VAR_DIR / ("test-media" if BALAI_ENV == "test" else "media"))))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # WhiteNoise warns on every start when STATIC_ROOT is missing; outside production it serves from finders.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- Imports and API ----------------------------------------------------------------------------
BALAI_IMPORT_MAX_BYTES = env_int("BALAI_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = BALAI_IMPORT_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = BALAI_IMPORT_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000

# --- Email and chat channels --------------------------------------------------------------------
EMAIL_HOST = env_str("BALAI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("BALAI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("BALAI_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("BALAI_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("BALAI_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("BALAI_EMAIL_FROM", "balai@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("BALAI_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
BALAI_WHATSAPP = {
    "API_BASE": env_str("BALAI_WHATSAPP_API_BASE", "https://graph.facebook.com/v21.0"),
    "TOKEN": env_str("BALAI_WHATSAPP_TOKEN"),
    "APP_SECRET": env_str("BALAI_WHATSAPP_APP_SECRET"),
    "VERIFY_TOKEN": env_str("BALAI_WHATSAPP_VERIFY_TOKEN"),
    "PHONE_NUMBER_ID": env_str("BALAI_WHATSAPP_PHONE_NUMBER_ID"),
}
# The public address of this Balai (https://balai.example.go.id): links in chat replies and e-mails.
BALAI_PUBLIC_URL = env_str("BALAI_PUBLIC_URL").rstrip("/")
BALAI_TELEGRAM = {
    "API_BASE": env_str("BALAI_TELEGRAM_API_BASE", "https://api.telegram.org"),
    "BOT_TOKEN": env_str("BALAI_TELEGRAM_BOT_TOKEN"),
    "SECRET_TOKEN": env_str("BALAI_TELEGRAM_SECRET_TOKEN"),
}

# Background tiles of the report form's and the public map's map, e.g. a self-hosted tile server or
# https://tile.openstreetmap.org/{z}/{x}/{y}.png (mind its usage policy). Empty: no tiles, the map shows the
# kelurahan centres and markers only, which keeps closed networks working. Its origin joins the CSP img-src.
BALAI_MAP_TILE_URL = env_str("BALAI_MAP_TILE_URL")
if BALAI_MAP_TILE_URL and (
    urlsplit(BALAI_MAP_TILE_URL).scheme not in {"https", "http"}
    or not urlsplit(BALAI_MAP_TILE_URL).netloc
    or not all(f"{{{k}}}" in BALAI_MAP_TILE_URL for k in "zxy")
):
    raise ImproperlyConfigured(
        "BALAI_MAP_TILE_URL must be an http(s) URL with {z}, {x} and {y}, e.g. https://tiles.example.go.id/{z}/{x}/{y}.png"
    )
# Open311 apps may link a photo (media_url); a worker fetches it. Only public internet addresses are
# fetched unless this is on (an app hosted inside the Pemda's own network): the key holder chooses the URL.
BALAI_MEDIA_FETCH_PRIVATE = env_bool("BALAI_MEDIA_FETCH_PRIVATE", False)
# Seconds a web process trusts the small tables it keeps in memory (the Pemda, kelurahan centroids, holidays,
# report categories) and the state of its last indicator wake-up before checking them again
# (balai.core.localcache): another process's edit shows within that long. Tests check at every use.
BALAI_LOCAL_CACHE_SECONDS = env_int("BALAI_LOCAL_CACHE_SECONDS", 0 if BALAI_ENV == "test" else 1)
if BALAI_LOCAL_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("BALAI_LOCAL_CACHE_SECONDS must be 0 (check at every use) or more seconds")
# Reports accepted per client address (and per phone number) per that many seconds on public intake.
BALAI_INTAKE_RATE = (env_int("BALAI_INTAKE_RATE_COUNT", 5), env_int("BALAI_INTAKE_RATE_SECONDS", 600))
# Seconds an anonymous Open311 read (requests, one request, updates) is kept per worker and may be kept by a
# reverse proxy (Cache-Control); a new timeline entry or photo shows at once (SQLite: within a second) all the
# same. 0: no caching.
BALAI_OPEN311_CACHE_SECONDS = env_int("BALAI_OPEN311_CACHE_SECONDS", 30)
if BALAI_OPEN311_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("BALAI_OPEN311_CACHE_SECONDS must be 0 (no caching) or more seconds")
# Django's default cache, plus a small one of its own for Open311 answers (up to ~650 kB each) so they
# neither crowd out other entries nor grow a worker without bound.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "open311": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "open311",
        "OPTIONS": {"MAX_ENTRIES": 50},
    },
}
# Units that are a Mal Pelayanan Publik (codes, comma-separated): their counters may serve other offices' services.
BALAI_MPP_UNIT_CODES = env_list("BALAI_MPP_UNIT_CODES", "MPP")
# Queue tickets one client address may take per that many seconds on the kiosk page (a kiosk is one address).
BALAI_QUEUE_TAKE_RATE = (env_int("BALAI_QUEUE_TAKE_RATE_COUNT", 60), env_int("BALAI_QUEUE_TAKE_RATE_SECONDS", 600))
# How long a Survei Kepuasan Masyarakat link stays valid after the service (hours).
BALAI_SKM_LINK_HOURS = env_int("BALAI_SKM_LINK_HOURS", 72)
if BALAI_SKM_LINK_HOURS < 1:
    raise ImproperlyConfigured("BALAI_SKM_LINK_HOURS must be at least 1 (hours a survey link stays valid)")

# Open data (Satu Data): the licence every dataset is published under (an SPDX id; CC-BY-4.0, CC-BY-SA-4.0,
# CC0-1.0 and ODbL-1.0 get their title and link), and how long the catalogue's per-year Fact counts are kept.
BALAI_OPENDATA_LICENSE = env_str("BALAI_OPENDATA_LICENSE", "CC-BY-4.0")
BALAI_OPENDATA_CACHE_SECONDS = env_int("BALAI_OPENDATA_CACHE_SECONDS", 60)
if BALAI_OPENDATA_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("BALAI_OPENDATA_CACHE_SECONDS must be 0 (no caching) or more seconds")
# Connectors (agency apps pulled on a schedule): seconds a pull may take to answer, largest answer accepted, and
# whether 127.0.0.1/::1 may be pulled (off in production: a connector must not reach services on Balai's own host).
BALAI_CONNECTOR_TIMEOUT_SECONDS = env_int("BALAI_CONNECTOR_TIMEOUT_SECONDS", 30)
BALAI_CONNECTOR_MAX_BYTES = env_int("BALAI_CONNECTOR_MAX_BYTES", 50 * 1024 * 1024)
BALAI_CONNECTOR_ALLOW_LOOPBACK = env_bool("BALAI_CONNECTOR_ALLOW_LOOPBACK", not PRODUCTION)
if BALAI_CONNECTOR_TIMEOUT_SECONDS < 1 or BALAI_CONNECTOR_MAX_BYTES < 1024:
    raise ImproperlyConfigured("BALAI_CONNECTOR_TIMEOUT_SECONDS must be ≥ 1 and BALAI_CONNECTOR_MAX_BYTES ≥ 1024")

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("BALAI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# Satu Dasbor traffic lights: a KPI tile is green at or above GREEN percent of its target (read through the
# indicator's polarity), amber at or above AMBER, red below; grey when it has no target (docs/admin/overview.md).
BALAI_DASHBOARD_GREEN_PCT = float(env_int("BALAI_DASHBOARD_GREEN_PCT", 100))
BALAI_DASHBOARD_AMBER_PCT = float(env_int("BALAI_DASHBOARD_AMBER_PCT", 90))
if not 0 <= BALAI_DASHBOARD_AMBER_PCT <= BALAI_DASHBOARD_GREEN_PCT:
    raise ImproperlyConfigured("BALAI_DASHBOARD_AMBER_PCT must be between 0 and BALAI_DASHBOARD_GREEN_PCT")
# Seconds browsers and reverse proxies may keep a page of the public transparency dashboard (Cache-Control).
BALAI_TRANSPARENCY_CACHE_SECONDS = env_int("BALAI_TRANSPARENCY_CACHE_SECONDS", 300)
if BALAI_TRANSPARENCY_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("BALAI_TRANSPARENCY_CACHE_SECONDS must be 0 (no caching) or more seconds")
