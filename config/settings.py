"""Qadam settings: one file, driven by the environment (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QADAM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("QADAM_DEBUG", False)
# A development key only; production must set QADAM_SECRET_KEY (checked by `qadam check --deploy`).
SECRET_KEY = os.environ.get("QADAM_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
# Field encryption (qadam/lib/crypto.py), independent of SECRET_KEY: the first key encrypts, all decrypt.
# Empty means development keys, which `qadam check --deploy` refuses.
QADAM_FIELD_KEYS = [k.strip() for k in os.environ.get("QADAM_FIELD_KEYS", "").split(",") if k.strip()]
QADAM_BLIND_INDEX_KEY = os.environ.get("QADAM_BLIND_INDEX_KEY", "").strip()
ALLOWED_HOSTS = [h for h in os.environ.get("QADAM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("QADAM_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "qadam.lib",
    "qadam.kato",
    "qadam.accounts",
    "qadam.audit",
    "qadam.families",
    "qadam.cases",
    "qadam.consent",
    "qadam.assessments",
    "qadam.directory",
    "qadam.plans",
    "qadam.contracts",
    "qadam.safety",
    "qadam.referrals",
    "qadam.insights",
    "qadam.cohorts",
    "qadam.exports",
    "qadam.documents",
    "qadam.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "qadam.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "qadam.accounts.middleware.SessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "qadam.accounts.middleware.TwoFactorMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "qadam" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# SQLite by default (a file under var/); PostgreSQL when DATABASE_URL says so.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'qadam.sqlite3'}",
        conn_max_age=int(os.environ.get("QADAM_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the task worker read while the web process writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The test database: UTF-8, copied from template0 so that it takes the cluster's locale (which must
    # not be C: a C ctype lowercases only ASCII, and Cyrillic search quietly stops matching). Django
    # cannot set the collation itself; tests/test_postgres.py checks what we got.
    DATABASES["default"]["TEST"] = {"CHARSET": "UTF8", "TEMPLATE": "template0"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 first; a password stored with an older hasher is rehashed with Argon2 at its next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Axes first: it refuses a locked-out username before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sessions live in the database so that any app server can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Idle timeout: a session unused for 30 minutes ends (every request pushes the expiry on), and so does
# any session 12 hours after its login (qadam.accounts.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
QADAM_SESSION_LIFETIME = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Behind HTTPS (QADAM_SECURE_COOKIES=true): cookies only over TLS, and browsers told to keep to HTTPS.
SESSION_COOKIE_SECURE = env_bool("QADAM_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # pages carry the token themselves (hx-headers); no script reads the cookie
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if SESSION_COOKIE_SECURE else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY: dict[str, list[str]] = {"camera": [], "microphone": [], "geolocation": []}
# No inline script or style anywhere: htmx is configured from a <meta> (no eval, no injected styles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Two-factor login (django-otp, TOTP): required for the roles in qadam.accounts.twofactor.
OTP_TOTP_ISSUER = "Qadam"
# Lockout (django-axes): five failed logins for a username lock it for 30 minutes, whatever the address
# (guessing spread over many addresses), and so for any address-and-username pair. Not by address alone:
# a whole office behind one NAT address would be locked out by a few typos. A successful login clears it.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "qadam.accounts.views.locked_out"
AXES_VERBOSE = False  # its failures and lockouts are still logged; not its banner at every command

LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django ships no Kazakh formats module; ours is in qadam/lib/formats/kk.
FORMAT_MODULE_PATH = ["qadam.lib.formats"]
LANGUAGE_COOKIE_NAME = "qadam_language"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = "Asia/Almaty"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "qadam" / "static"]
# Static files are few: the app servers serve them through WhiteNoise, found in place or collected.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Background work runs on a worker (`qadam db_worker`), never in the request.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("QADAM_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("QADAM_LOG_LEVEL", "INFO")},
}

# Product settings.
QADAM_PAGE_SIZE = 25
QADAM_COUNT_CAP = 1000  # lists never count past this: "1,000+"
# Record every view of a person, family or case in the audit log (changes are always recorded).
QADAM_AUDIT_READS = env_bool("QADAM_AUDIT_READS", True)
# Export files (lists, reports, research exports) are deleted this many days after they are ready.
QADAM_EXPORT_KEEP_DAYS = int(os.environ.get("QADAM_EXPORT_KEEP_DAYS", "7"))
QADAM_VERBOSE_NAME = _("Qadam")
