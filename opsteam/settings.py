"""OpsTeam settings: the only settings module.

Every knob is an ``OPSTEAM_*`` environment variable (plus ``DATABASE_URL``). The defaults make
``make demo`` work with nothing set; production refuses to start without a secret key.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


# Paths

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OPSTEAM_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Security

DEBUG = env_bool("OPSTEAM_DEBUG", False)
TESTING = env_bool("OPSTEAM_TESTING", False)
SECRET_KEY = env_str("OPSTEAM_SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "opsteam-insecure-development-key-never-use-in-production-0123456789"
    else:
        raise ImproperlyConfigured(
            "OPSTEAM_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set OPSTEAM_DEBUG=1 for a local development server."
        )

ALLOWED_HOSTS = env_list("OPSTEAM_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("OPSTEAM_CSRF_TRUSTED_ORIGINS")

# OPSTEAM_HTTPS=1 when served over TLS (directly or behind a proxy that sets X-Forwarded-Proto);
# plain-HTTP intranet deployments leave it off and still pass `check --deploy`.
HTTPS = env_bool("OPSTEAM_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("OPSTEAM_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("OPSTEAM_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("OPSTEAM_HSTS_PRELOAD", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Absolute session lifetime (12 h) and idle timeout (30 min), enforced by
# accounts.middleware.SessionTimeoutMiddleware; the cookie itself also expires at the maximum.
SESSION_COOKIE_AGE = env_int("OPSTEAM_SESSION_MAX_AGE", 12 * 3600)
OPSTEAM_SESSION_IDLE_SECONDS = env_int("OPSTEAM_SESSION_IDLE_SECONDS", 30 * 60)
# Password rotation: days after which a password must be changed; 0 (default) turns it off.
OPSTEAM_PASSWORD_MAX_AGE_DAYS = env_int("OPSTEAM_PASSWORD_MAX_AGE_DAYS", 0)
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SILENCED_SYSTEM_CHECKS: list[str] = []
if not SECURE_HSTS_PRELOAD:
    # Submitting a domain to the browsers' HSTS preload list is hard to undo and pointless for
    # intranet host names; it is the operator's choice (OPSTEAM_HSTS_PRELOAD=1).
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if not DEBUG and not HTTPS:
    # Plain-HTTP intranet mode: Secure cookies and HSTS cannot work without TLS; the operator
    # chose this explicitly by leaving OPSTEAM_HTTPS off.
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008", "security.W012", "security.W016"]

# Application

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    "opsteam.core",
    "opsteam.accounts",
    "opsteam.org",
    "opsteam.performance",
    "opsteam.surveys",
    "opsteam.training",
    "opsteam.careers",
    "opsteam.incentives",
    "opsteam.workflow",
    "opsteam.collab",
    "opsteam.insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opsteam.core.middleware.LoginRequiredMiddleware",
    "opsteam.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "opsteam.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "opsteam.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "opsteam.urls"
WSGI_APPLICATION = "opsteam.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "insights:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "opsteam" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opsteam.core.context_processors.navigation",
                "opsteam.collab.context_processors.unread_notifications",
            ],
        },
    },
]

# Database

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'opsteam.sqlite3'}",
        conn_max_age=env_int("OPSTEAM_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": env_str("OPSTEAM_TEST_SQLITE", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing with a million PBKDF2 rounds per test user would dominate the suite's run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Internationalisation

LANGUAGE_CODE = env_str(
    "OPSTEAM_LANGUAGE_CODE", "zh-hans"
)  # the default; browsers and users may choose
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "opsteam" / "locale"]
USE_I18N = True
TIME_ZONE = env_str("OPSTEAM_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = HTTPS

# Static and media files

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("OPSTEAM_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [BASE_DIR / "opsteam" / "static"]
# Vendor files come from node_modules through core.staticfiles.VendorFinder (only those used).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "opsteam.core.staticfiles.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Source maps are for developers' tools: served, but not worth compressing at deploy time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "zip",
    "gz",
    "tgz",
    "bz2",
    "tbz",
    "xz",
    "br",
    "swf",
    "flv",
    "woff",
    "woff2",
    "3gp",
    "3gpp",
    "asf",
    "avi",
    "m4v",
    "mov",
    "mp4",
    "mpeg",
    "mpg",
    "webm",
    "wmv",
    "map",
)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("OPSTEAM_MEDIA_ROOT", str(VAR_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Caches

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "opsteam",
    }
}
if env_str("OPSTEAM_REDIS_CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("OPSTEAM_REDIS_CACHE_URL"),
    }

# E-mail: SMTP when a host is configured; otherwise each message is written to a file under
# var/mail (the demo and intranets without a mail server lose nothing and send nothing).

EMAIL_HOST = env_str("OPSTEAM_EMAIL_HOST")
EMAIL_PORT = env_int("OPSTEAM_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("OPSTEAM_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("OPSTEAM_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("OPSTEAM_EMAIL_TLS")
EMAIL_USE_SSL = env_bool("OPSTEAM_EMAIL_SSL")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("OPSTEAM_EMAIL_FROM", "OpsTeam <opsteam@localhost>")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# Celery: eager in-process unless a broker is configured.

CELERY_BROKER_URL = env_str("OPSTEAM_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("OPSTEAM_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Task modules not named tasks.py (autodiscovery finds only those).
CELERY_BEAT_SCHEDULE = {
    "seal-audit-trail": {"task": "core.audit_seal", "schedule": 300.0},
    "apply-retention": {"task": "core.apply_retention", "schedule": 24 * 3600.0},
    "training-session-reminders": {"task": "training.session_reminders", "schedule": 900.0},
    "training-certificate-renewals": {
        "task": "training.certificate_renewal_reminders",
        "schedule": 24 * 3600.0,
    },
    "training-assignment-rules": {
        "task": "training.plan_rules_run",
        "schedule": 24 * 3600.0,
        "kwargs": {"lookback_days": 7},
    },
    "training-close-expired-attempts": {
        "task": "training.attempts_close_expired",
        "schedule": 600.0,
    },
    "incentives-badges": {"task": "incentives.badges_award", "schedule": 24 * 3600.0},
    # Time-based automation rules (SLA alerts, due dates, schedules); never fires twice.
    "workflow-rules-scan": {"task": "workflow.rules_scan", "schedule": 900.0},
    # Notification delivery: quiet-hour releases, retries and stuck sends; digests; reminders.
    "collab-deliveries-dispatch": {"task": "collab.deliveries_dispatch", "schedule": 60.0},
    "collab-digests": {"task": "collab.digests_send", "schedule": 900.0},
    "collab-reminders": {"task": "collab.reminders_scan", "schedule": 3600.0},
    # The quarterly system review, created once at quarter start (idempotent daily check).
    "insights-system-review": {"task": "insights.system_review_quarterly", "schedule": 24 * 3600.0},
}

# API

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "opsteam.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "opsteam.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "opsteam.core.api.schema.OpsTeamAutoSchema",
    "EXCEPTION_HANDLER": "opsteam.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpsTeam API",
    "DESCRIPTION": "Operations-staff system: org, job descriptions, RACI, import and audit.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PulseQuestionKindEnum": "opsteam.surveys.choices_pulse.PulseQuestionKind",
        "PulseStatusEnum": "opsteam.surveys.choices_pulse.PulseStatus",
        "PulseWaveStatusEnum": "opsteam.surveys.choices_pulse.WaveStatus",
        "PulseThemeEnum": "opsteam.surveys.choices_pulse.PulseTheme",
        "TenureBandEnum": "opsteam.surveys.choices_pulse.TenureBand",
        "StaffStatusEnum": "opsteam.org.choices.StaffStatus",
        "SystemReviewStatusEnum": "opsteam.insights.choices.ReviewStatus",
        "SystemReviewSectionEnum": "opsteam.insights.review.SECTION_KEYS",
        "ImProviderEnum": "opsteam.collab.choices.ImProvider",
        "MeetingKindEnum": "opsteam.collab.models_meetings.MeetingKind",
        "WorkReportKindEnum": "opsteam.collab.models_reports.ReportKind",
        "WorkReportStatusEnum": "opsteam.collab.models_reports.ReportStatus",
        "MeetingStatusEnum": "opsteam.collab.models_meetings.MeetingStatus",
        "MeetingActionStatusEnum": "opsteam.collab.models_meetings.ActionItemStatus",
        "MeetingRecurrenceEnum": "opsteam.collab.models_meetings.Recurrence",
        "MeetingAttendanceEnum": "opsteam.collab.models_meetings.Attendance",
        "DocumentCategoryEnum": "opsteam.collab.models_knowledge.DocumentCategory",
        "DocumentVisibilityEnum": "opsteam.collab.models_knowledge.DocumentVisibility",
        "PublicationStatusEnum": "opsteam.collab.models_knowledge.DocumentStatus",
        "CourseProviderEnum": "opsteam.training.choices.Provider",
        "EmailFrequencyEnum": "opsteam.collab.choices.EmailFrequency",
        "NotificationKindEnum": "opsteam.collab.kinds.KIND_SLUGS",
        "DeliveryStatusEnum": "opsteam.collab.choices.DeliveryStatus",
        "JobDescriptionStatusEnum": "opsteam.org.choices.JobDescriptionStatus",
        "ImportStatusEnum": "opsteam.core.choices.ImportStatus",
        "UnitKindEnum": "opsteam.org.choices.UnitKind",
        "RelationKindEnum": "opsteam.org.choices.RelationKind",
        "RaciRoleEnum": "opsteam.org.choices.RaciRole",
        "AuditActionEnum": "opsteam.core.choices.AuditAction",
        "AuditSourceEnum": "opsteam.core.choices.AuditSource",
        "ErrorTypeEnum": ["validation_error", "client_error", "server_error"],
        "SuggestionStatusEnum": "opsteam.collab.models_suggestions.SuggestionStatus",
        "SuggestionCategoryEnum": "opsteam.collab.models_suggestions.SuggestionCategory",
        "TemplateStatusEnum": "opsteam.performance.choices.TemplateStatus",
        "CycleStageEnum": "opsteam.performance.choices.CycleStage",
        "ReviewStatusEnum": "opsteam.performance.choices.ReviewStatus",
        "GradeSourceEnum": "opsteam.performance.choices.GradeSource",
        "AppealStatusEnum": "opsteam.performance.choices.AppealStatus",
        "PeriodKindEnum": "opsteam.performance.choices.PeriodKind",
        "ActionItemStatusEnum": "opsteam.performance.choices.ActionItemStatus",
        "PlanStateEnum": "opsteam.performance.choices.PlanState",
        "PlanGoalStatusEnum": "opsteam.performance.choices.PlanGoalStatus",
        "CampaignStatusEnum": "opsteam.surveys.choices.CampaignStatus",
        "InvitationStatusEnum": "opsteam.surveys.choices.InvitationStatus",
        "RaterRelationshipEnum": "opsteam.surveys.choices.Relationship",
        "CourseCategoryEnum": "opsteam.training.choices.CourseCategory",
        "MaterialKindEnum": "opsteam.training.choices.MaterialKind",
        "PlanStageEnum": "opsteam.training.choices.PlanStage",
        "AssignmentSourceEnum": "opsteam.training.choices.AssignmentSource",
        "EnrolmentStatusEnum": "opsteam.training.choices.EnrolmentStatus",
        "KpiCategoryEnum": "opsteam.performance.choices.KpiCategory",
        "SkillCategoryEnum": "opsteam.org.choices.SkillCategory",
        "SurveyQuestionKindEnum": "opsteam.surveys.choices.QuestionKind",
        "ExamQuestionKindEnum": "opsteam.training.choices.QuestionKind",
        "ExamKindEnum": "opsteam.training.choices.ExamKind",
        "LearningKindEnum": "opsteam.training.choices.LearningKind",
        "WorkItemStatusEnum": "opsteam.workflow.choices.ItemStatus",
        "WorkItemKindEnum": "opsteam.workflow.choices.ItemKind",
        "WorkItemPriorityEnum": "opsteam.workflow.choices.Priority",
        "WorkItemLinkKindEnum": "opsteam.workflow.choices.LinkKind",
        "EventSourceKindEnum": "opsteam.workflow.choices.SourceKind",
        "ImprovementActionStatusEnum": "opsteam.workflow.choices.ActionStatus",
        "RuleTriggerEnum": "opsteam.workflow.choices.Trigger",
        "TrainingRuleTriggerEnum": "opsteam.training.choices.Trigger",
    },
    # Served from our own static files (npm swagger-ui-dist), never from a CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/opsteam/favicon.svg",
}

# Logging: the security log never carries passwords, tokens or session keys.

LOG_DIR = VAR_DIR / "logs"
LOG_DIR.mkdir(parents=True, exist_ok=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "loggers": {
        "opsteam.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# OpsTeam knobs

OPSTEAM_LOGIN_MAX_FAILURES = env_int("OPSTEAM_LOGIN_MAX_FAILURES", 5)
OPSTEAM_LOGIN_COOLOFF_SECONDS = env_int("OPSTEAM_LOGIN_COOLOFF_SECONDS", 15 * 60)
OPSTEAM_IMPORT_MAX_UPLOAD_BYTES = env_int("OPSTEAM_IMPORT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
OPSTEAM_IMPORT_MAX_INFLATED_BYTES = env_int("OPSTEAM_IMPORT_MAX_INFLATED_BYTES", 200 * 1024 * 1024)
# Where users reach the site (e.g. https://ops.example.com): absolute links in e-mails and
# calendar invites; empty leaves them as paths.
OPSTEAM_SITE_URL = env_str("OPSTEAM_SITE_URL", "")
# The largest course material file accepted (videos included).
OPSTEAM_TRAINING_MAX_UPLOAD_BYTES = env_int("OPSTEAM_TRAINING_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
# The largest knowledge-base attachment accepted (collab.services_knowledge).
OPSTEAM_KNOWLEDGE_MAX_UPLOAD_BYTES = env_int("OPSTEAM_KNOWLEDGE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
OPSTEAM_IMPORT_MAX_ZIP_MEMBERS = env_int("OPSTEAM_IMPORT_MAX_ZIP_MEMBERS", 200)
OPSTEAM_IMPORT_MAX_COMPRESSION_RATIO = env_int("OPSTEAM_IMPORT_MAX_COMPRESSION_RATIO", 100)
OPSTEAM_IMPORT_BATCH_SIZE = env_int("OPSTEAM_IMPORT_BATCH_SIZE", 2000)
OPSTEAM_RACI_MAX_LOAD = float(env_str("OPSTEAM_RACI_MAX_LOAD", "12"))
OPSTEAM_RACI_OVERLAP_THRESHOLD = float(env_str("OPSTEAM_RACI_OVERLAP_THRESHOLD", "0.6"))
# Key of the audit trail's hash chain (keep it stable and out of the database); derived from
# the secret key when unset.
OPSTEAM_AUDIT_KEY = env_str("OPSTEAM_AUDIT_KEY")
# Fernet keys for encrypted fields; the first encrypts, all decrypt (rotation). Derived from the
# secret key when unset (development only: set it in production and keep it out of backups).
OPSTEAM_FIELD_KEYS = env_list("OPSTEAM_FIELD_KEYS")
# Retention (core/retention.py): security log at least 183 days whatever is set here.
OPSTEAM_RETENTION_SECURITY_LOG_DAYS = env_int("OPSTEAM_RETENTION_SECURITY_LOG_DAYS", 365)
OPSTEAM_RETENTION_IMPORT_ERRORS_DAYS = env_int("OPSTEAM_RETENTION_IMPORT_ERRORS_DAYS", 365)
OPSTEAM_ANONYMITY_THRESHOLD = max(3, env_int("OPSTEAM_ANONYMITY_THRESHOLD", 3))
# Wellbeing check-ins: team figures only for groups of at least this many people (never below 3).
OPSTEAM_WELLBEING_THRESHOLD = max(3, env_int("OPSTEAM_WELLBEING_THRESHOLD", 5))
# 360 feedback: raters who rated at least this many people get their leniency normalised;
# roles that may de-anonymise answers (each use audited with its reason): nobody by default.
OPSTEAM_SURVEY_NORMALISE_MIN_SUBJECTS = max(2, env_int("OPSTEAM_SURVEY_NORMALISE_MIN_SUBJECTS", 3))
OPSTEAM_SURVEY_DEANONYMISE_ROLES = env_list("OPSTEAM_SURVEY_DEANONYMISE_ROLES", [])
