"""ecredit settings: one file, driven by the environment with strict parsers.

Profiles: ``ECREDIT_PROFILE=development`` (default; embedded SQLite and generated secrets in
``./var/``) and ``ECREDIT_PROFILE=production`` (secrets and hosts must be supplied; HTTPS only).
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from ecredit.environ import Env, EnvError, generated_secret

env = Env()

try:
    PROFILE = env.choice("ECREDIT_PROFILE", "development", ("development", "production"))
    PRODUCTION = PROFILE == "production"
    VAR_DIR = Path(env.string("ECREDIT_VAR_DIR", str(Path.cwd() / "var"))).resolve()
    DEBUG = env.boolean("DEBUG", False)
    # The site's public address, printed in documents' QR codes (evidence certificates, notices and
    # decisions) that are made outside a web request.
    PUBLIC_URL = env.string("ECREDIT_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    POLICY_PACK = env.choice(
        "ECREDIT_POLICY_PACK",
        "nanan-2023-trial",
        tuple(
            sorted(
                p.stem
                for p in (Path(__file__).resolve().parent / "policy" / "packs").glob("*.yaml")
                if "." not in p.stem
            )
        ),
    )
    if PRODUCTION and DEBUG:
        raise EnvError("DEBUG", "生产环境不得开启 DEBUG / DEBUG must be false in production")

    _secret_key = env.secret("SECRET_KEY")
    if _secret_key is None:
        if PRODUCTION:
            raise EnvError("SECRET_KEY", "生产环境必须提供 / required in production (or SECRET_KEY_FILE)")
        _secret_key = generated_secret(VAR_DIR / "secret_key", secrets.token_urlsafe(50))
    SECRET_KEY = _secret_key

    # Fernet keys, newest first; older keys still decrypt (rotation keeps them for a while).
    _field_keys = env.secret("FIELD_ENCRYPTION_KEYS")
    if _field_keys is None:
        if PRODUCTION:
            raise EnvError("FIELD_ENCRYPTION_KEYS", "生产环境必须提供 / required in production")
        _field_keys = generated_secret(VAR_DIR / "field_encryption_key", Fernet.generate_key().decode())
    FIELD_ENCRYPTION_KEYS = [key.strip() for key in _field_keys.split(",") if key.strip()]
    for _key in FIELD_ENCRYPTION_KEYS:
        try:
            if len(base64.urlsafe_b64decode(_key.encode())) != 32:
                raise ValueError
        except ValueError:
            raise EnvError(
                "FIELD_ENCRYPTION_KEYS",
                "每个密钥应为 Fernet 密钥（32 字节的 urlsafe base64）/ each key must be a Fernet key",
            ) from None

    _hosts_default = [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
    ALLOWED_HOSTS = env.strings("ALLOWED_HOSTS", _hosts_default)
    if PRODUCTION and not ALLOWED_HOSTS:
        raise EnvError("ALLOWED_HOSTS", "生产环境必须提供 / required in production")
    CSRF_TRUSTED_ORIGINS = env.strings("CSRF_TRUSTED_ORIGINS", [])

    _database_url = env.string("DATABASE_URL", "")
    if _database_url:
        try:
            _db = dj_database_url.parse(_database_url, conn_max_age=env.integer("DB_CONN_MAX_AGE", 0, minimum=0))
        except (ValueError, dj_database_url.UnknownSchemeError) as exc:
            raise EnvError("DATABASE_URL", str(exc)) from None
        if _db.get("ENGINE") not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
            raise EnvError(
                "DATABASE_URL", "仅支持 postgres:// 与 sqlite:// / only postgres:// and sqlite:// are supported"
            )
    else:
        _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "ecredit.sqlite3")}
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers queue up
        # instead of failing half-way (this is also what keeps the audit chain from forking).
        _db.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 30})
        # Tests use a file, not shared-cache memory, so threads see real locking as in production.
        _db.setdefault("TEST", {"NAME": str(VAR_DIR / "test-ecredit.sqlite3")})
    DATABASES = {"default": _db}

    SESSION_COOKIE_AGE = env.integer("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
    AXES_FAILURE_LIMIT = env.integer("LOGIN_FAILURE_LIMIT", 5, minimum=1)
    AXES_COOLOFF_TIME = timedelta(minutes=env.integer("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
    API_TOKEN_DAYS = env.integer("API_TOKEN_DAYS", 365, minimum=1)
    EMAIL_BACKEND = env.string("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "ecredit@localhost")
    SITE_NAME = env.string("SITE_NAME", "南安市网销商品质量安全信用评价系统")
except EnvError as exc:
    raise ImproperlyConfigured(str(exc)) from None

VAR_DIR.mkdir(parents=True, exist_ok=True)
BASE_DIR = Path(__file__).resolve().parent

INSTALLED_APPS = [
    "ecredit.apps.EcreditAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ecredit.accounts",
    "ecredit.audit",
    "ecredit.policy",
    "ecredit.registry",
    "ecredit.credit",
    "ecredit.inspections",
    "ecredit.evidence",
    "ecredit.enforcement",
    "ecredit.monitoring",
    "ecredit.portal",
    "ecredit.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "ecredit.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ecredit.urls"
WSGI_APPLICATION = "ecredit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ecredit.accounts.context_processors.navigation",
            ],
        },
    },
]

# Background work (evidence capture, long imports): Django's task framework, the database as the queue.
# `ecredit db_worker` runs the queue; `make run` starts one beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A monitoring batch uploaded through the page larger than this is checked and applied by the worker.
MONITORING_INLINE_BYTES = 2 * 1024 * 1024

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "ecredit.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # registered read-only in accounts/admin.py instead

SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
