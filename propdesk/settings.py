"""Settings for propdesk, read from environment variables.

Every value a deployment may change comes from the environment and fails loudly when malformed.
The embedded defaults (SQLite, huey on SQLite) need nothing installed beyond the Python packages.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PROPDESK_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0/true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Fernet keys encrypting providers' credentials at rest (propdesk/core/secrets.py), newest
# first; empty derives one from SECRET_KEY.
SECRETS_KEYS = env_list("SECRETS_KEYS", [])
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug-runs"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "ninja",  # its Swagger UI templates and static files: /api/docs loads nothing from a CDN
    "axes",
    "huey.contrib.djhuey",
    "propdesk.core",
    "propdesk.accounts",
    "propdesk.estates",
    "propdesk.tickets",
    "propdesk.billing",
    "propdesk.frontdesk",
    "propdesk.custody",
    "propdesk.notices",
    "propdesk.portal",
    "propdesk.quality",
    "propdesk.assistant",
    "propdesk.community",
    "propdesk.operations",
    "propdesk.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "propdesk.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "propdesk.core.middleware.StaffPagesMiddleware",
    "propdesk.core.middleware.RefuseNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "propdesk.core.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "propdesk.urls"
WSGI_APPLICATION = "propdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "propdesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "propdesk.core.context_processors.console",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        # Persistent connections (bench/README-requests.md, "Server settings"): a connection
        # per request costs PostgreSQL a new backend process each time.
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    # Measured alternatives (bench/README-requests.md, "Server settings at a million"): psycopg's
    # server-side binding (statements prepared by the server) and Django's connection pool
    # (psycopg_pool; it replaces persistent connections, so CONN_MAX_AGE must then be 0).
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        if env_bool("DB_SERVER_SIDE_BINDING", False):
            DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
        if env_bool("DB_POOL", False):
            DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
                "min_size": env_int("DB_POOL_MIN", 2),
                "max_size": env_int("DB_POOL_MAX", 8),
            }
            DATABASES["default"]["CONN_MAX_AGE"] = 0
            DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "propdesk.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while the worker writes; IMMEDIATE avoids lock-upgrade deadlocks.
        # case_sensitive_like lets `LIKE 'prefix%'` use the indexes behind registry search
        # (search keys are stored lower-cased, so nothing relies on case-folding LIKE).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA case_sensitive_like=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- background worker ------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("HUEY_NAME", "propdesk"),
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "propdesk",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }

# New requests' owners are told by the worker: the web process wakes it at most once per this
# many seconds (tickets.services.notify); 0 wakes it after every request.
OWNER_NOTICE_BATCH_SECONDS = env_int("OWNER_NOTICE_BATCH_SECONDS", 1)

# The cache shared by every web and worker process (providers' access tokens, single-use sign-in
# states): Redis when REDIS_URL is set (or CACHE_URL, another Redis), else this process's memory.
SHARED_CACHE_URL = os.environ.get("CACHE_URL", "") or REDIS_URL
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": SHARED_CACHE_URL,
            "KEY_PREFIX": os.environ.get("HUEY_NAME", "propdesk") + "-shared",
        }
        if SHARED_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"}
    ),
}

# The MQTT broker devices publish their readings to (`manage.py read_devices` reads it), e.g.
# mqtt://127.0.0.1:1883; empty (the default) leaves device monitoring off.
DEVICE_MQTT_URL = os.environ.get("DEVICE_MQTT_URL", "")

# --- auth -------------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "propdesk" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and uploaded files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "propdesk" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
# Uploaded and generated files (archive scans, photos, exports, pending imports) are read and
# written through the default storage only, so several web nodes and workers can share an
# S3-compatible object store (django-storages): STORAGE_BACKEND=s3 with S3_BUCKET and the rest.
# Files are private (no public ACL); the site hands them out through its own permission checks.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local").strip().lower()
if STORAGE_BACKEND == "s3":
    if not os.environ.get("S3_BUCKET"):
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", ""),
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND != "local":
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be local or s3, got {STORAGE_BACKEND!r}")
ARCHIVE_MAX_UPLOAD_BYTES = env_int("ARCHIVE_MAX_UPLOAD_MB", 10) * 1024 * 1024
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_MB", 5) * 1024 * 1024
# An owner's online payment order must be paid within this time (the provider is told too).
PORTAL_PAYMENT_ORDER_MINUTES = env_int("PORTAL_PAYMENT_ORDER_MINUTES", 30)
# The sandbox "provider" takes payments without moving money: development and tests only.
PORTAL_PAYMENT_SANDBOX = env_bool("PORTAL_PAYMENT_SANDBOX", DEBUG)
if PORTAL_PAYMENT_SANDBOX and not DEBUG:
    raise ImproperlyConfigured(
        "PORTAL_PAYMENT_SANDBOX takes payments without moving money: refused when DEBUG is off"
    )
# The provider owners' online payments go to; empty switches online payment off.
PORTAL_PAYMENT_PROVIDER = os.environ.get(
    "PORTAL_PAYMENT_PROVIDER", "sandbox" if PORTAL_PAYMENT_SANDBOX else ""
)
# A deployment's own provider adapters (dotted class paths), beside the built-in ones.
PORTAL_PAYMENT_PROVIDER_CLASSES = env_list("PORTAL_PAYMENT_PROVIDER_CLASSES", [])
# The address providers send their notifications to (this site as the internet sees it).
PORTAL_PUBLIC_BASE_URL = os.environ.get("PORTAL_PUBLIC_BASE_URL", "").rstrip("/")
# The providers' API addresses (changed only to point at a stand-in or a provider's sandbox).
PORTAL_WECHATPAY_API_BASE = os.environ.get(
    "PORTAL_WECHATPAY_API_BASE", "https://api.mch.weixin.qq.com"
).rstrip("/")
PORTAL_ALIPAY_GATEWAY = os.environ.get(
    "PORTAL_ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do"
)
# Seconds the product waits for a provider's API before giving up (the order is not created).
PORTAL_PAYMENT_HTTP_TIMEOUT = env_int("PORTAL_PAYMENT_HTTP_TIMEOUT", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- security ---------------------------------------------------------------------------------
# The change history and the access log are kept at least this many days (184 at the least);
# `propdesk audit_purge` deletes older rows (core.retention).
AUDIT_KEEP_DAYS = env_int("AUDIT_KEEP_DAYS", 184)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content-Security-Policy on every response (django-csp). Scripts and styles come only from the
# site's own static files: no inline <script>, no on…= handlers, no style="…" attributes (pages
# use classes; page scripts are static .js files). Images may be data: URIs (Bootstrap's form
# icons, Swagger UI's icons) and blob: (photo previews). A real payment provider's pay page may be
# reached by a form's redirect: list its origin in CSP_FORM_ACTION_EXTRA.
# The API's documentation and OpenAPI document: public in development, staff only in production.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", DEBUG)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *env_list("CSP_FORM_ACTION_EXTRA", [])],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}

if DEBUG:
    # Serve static files straight from the finders in development: no collectstatic needed.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

# --- notifications (the outbox's channels; see propdesk/core/transports) -----------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "propdesk@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
OUTBOX_TRANSPORTS: dict[str, str] = {}  # channel → Transport class path, e.g. an SMS provider
# SMS (see propdesk/core/transports/sms.py): "log" writes a masked line and never the text.
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "log")
SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = os.environ.get("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 10)
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")

# --- telephone system (the hotline's call events, /api/calls/events) -----------------------------
# The shared secret the telephone system signs its events with; empty refuses every event.
PBX_WEBHOOK_SECRET = os.environ.get("PBX_WEBHOOK_SECRET", "")
PBX_WEBHOOK_WINDOW_SECONDS = env_int("PBX_WEBHOOK_WINDOW_SECONDS", 300)
