"""Settings, read once from the environment (IPCITY_*); see docs/configuration.md.

This is the one module that reads the environment: every other part of the platform gets its settings from the
`Settings` in force (a session's `core.context.settings_of`, or a parameter), never from `os.environ`. A
malformed value stops the start with a `SettingError` that names the variable.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"


class SettingError(ValueError):
    """An environment variable whose value is not one the platform can use; the message names it."""


def _raw(name: str) -> str | None:
    raw = os.environ.get(name)
    return raw.strip() if raw is not None and raw.strip() else None


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise SettingError(f"{name}={raw!r} must be at least {minimum}")
    return value


def _decimal(name: str, default: Decimal) -> Decimal:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SettingError(f"{name}={raw!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise SettingError(f"{name}={raw!r} must be a number greater than 0")
    return value


def _share(name: str, default: float) -> float:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a number") from None
    if not 0 <= value <= 1:
        raise SettingError(f"{name}={raw!r} must be between 0 and 1")
    return value


def _date(name: str) -> date | None:
    raw = _raw(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a date; write it YYYY-MM-DD") from None


def _path(name: str) -> Path | None:
    raw = _raw(name)
    return Path(raw) if raw else None


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = _raw(name)
    if raw is None:
        return default
    if raw not in choices:
        raise SettingError(f"{name}={raw!r} must be one of {', '.join(choices)}")
    return raw


NOTIFIERS = ("outbox", "file", "smtp")
SMTP_SECURITY = ("starttls", "ssl", "none")


def _notifier(name: str, default: str) -> str:
    raw = _raw(name)
    if raw is None:
        return default
    module, colon, factory = raw.partition(":")
    if raw in NOTIFIERS or (colon and all(p.isidentifier() for p in module.split(".")) and factory.isidentifier()):
        return raw
    raise SettingError(f"{name}={raw!r} must be one of {', '.join(NOTIFIERS)}, or package.module:factory")


def _address(name: str) -> str:
    raw = _raw(name) or ""
    if raw and (raw.count("@") != 1 or raw.startswith("@") or raw.endswith("@") or any(c.isspace() for c in raw)):
        raise SettingError(f"{name}={raw!r} is not an e-mail address")
    return raw


def _check_mail(values: dict) -> None:
    """A notifier that sends mail needs its server; checked once the overrides are in."""
    if values["notifier"] == "smtp" and not values["smtp_host"]:
        raise SettingError("IPCITY_SMTP_HOST must name the mail server when IPCITY_NOTIFIER=smtp")
    if not 1 <= values["smtp_port"] <= 65535:
        raise SettingError(f"IPCITY_SMTP_PORT={values['smtp_port']!r} must be between 1 and 65535")


def _check_jobs(values: dict) -> None:
    """A lease must outlast a missed heartbeat or two, or live jobs would be taken over from their workers."""
    if values["job_lease_seconds"] < 2 * values["job_heartbeat_seconds"]:
        raise SettingError(f"IPCITY_JOB_LEASE_SECONDS={values['job_lease_seconds']!r} must be at least twice "
                           f"IPCITY_JOB_HEARTBEAT_SECONDS={values['job_heartbeat_seconds']!r}")


def _words(name: str) -> tuple[str, ...] | None:
    """A comma-separated list; set but empty = no words; unset = None (the built-in list)."""
    raw = os.environ.get(name)
    return None if raw is None else tuple(w.strip() for w in raw.split(",") if w.strip())


def _body_code(name: str, default: str) -> str:
    raw = _raw(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isalnum() or len(raw) > 8:
        raise SettingError(f"{name}={raw!r} must be at most 8 letters or digits (the certificate number keeps "
                           "17 characters)")
    return raw


S3_ADDRESSING = ("auto", "path", "virtual")
S3_ENCRYPTION = ("none", "AES256", "aws:kms")
_BUCKET_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789.-")


def _file_store(name: str) -> str:
    """`local` or `s3://bucket[/prefix]`: a bucket name as S3 allows it (3-63 lower-case letters, digits, dots and
    hyphens), a prefix of non-empty segments without spaces."""
    raw = _raw(name)
    if raw is None or raw == "local":
        return "local"
    bucket, _, prefix = raw.removeprefix("s3://").partition("/")
    prefix = prefix.strip("/")
    if (not raw.startswith("s3://") or not 3 <= len(bucket) <= 63 or not set(bucket) <= _BUCKET_CHARS
            or not (bucket[0].isalnum() and bucket[-1].isalnum())
            or (prefix and ("" in prefix.split("/") or any(c.isspace() for c in prefix)))):
        raise SettingError(f"{name}={raw!r} must be local or s3://bucket/optional/prefix (a bucket name of 3 to 63 "
                           "lower-case letters, digits, dots and hyphens)")
    return f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"


def _url(name: str) -> str:
    raw = _raw(name) or ""
    if raw and not raw.startswith(("http://", "https://")):
        raise SettingError(f"{name}={raw!r} must be an http:// or https:// address")
    return raw.rstrip("/")


def _number_format(name: str, default: str) -> str:
    raw = os.environ.get(name) or default
    try:
        first, second = raw.format(year=2026, serial=1), raw.format(year=2026, serial=2)
    except (KeyError, IndexError, ValueError):
        raise SettingError(f"{name}={raw!r} must be a format with {{year}} and {{serial}} only") from None
    if first == second or len(first) > 32:
        raise SettingError(f"{name}={raw!r} must use {{serial}} and give at most 32 characters")
    return raw


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    max_upload_bytes: int = 20 * 1024 * 1024
    session_hours: int = 8
    lockout_failures: int = 5  # failed sign-ins of one account from one address before delays start
    lockout_minutes: int = 15  # the longest delay after failed sign-ins
    login_address_failures: int = 20  # failed sign-ins from one address, over all accounts, before delays start
    login_account_failures: int = 50  # failed sign-ins of one account from everywhere (known browsers are exempt)
    default_locale: str = "zh_Hans"
    run_worker: bool = True
    # Background jobs (core/jobs.py): a worker refreshes its running job's heartbeat this often; a running job
    # whose heartbeat is older than the lease is taken over by any worker (its worker is presumed dead).
    job_heartbeat_seconds: int = 10
    job_lease_seconds: int = 60
    job_max_attempts: int = 3  # runs of a failing (or interrupted) job before it is marked failed
    job_retry_seconds: int = 30  # wait before the first retry; doubled for each further one
    demo: bool = False
    secure_cookies: bool = False
    today: date | None = None  # pins "today" for demonstrations and tests (core.clock); None = the real date
    db_pool_size: int = 10  # PostgreSQL connections a process keeps open
    db_pool_overflow: int = 30  # … and how many more it may open at a peak
    search_backend: str = "tantivy"  # tantivy (embedded) or milvus (scale); docs/search.md
    milvus_uri: str = ""  # a Milvus server; empty = milvus-lite file in the data directory
    milvus_token: str = ""  # "user:password" or an API key, for a Milvus server with authentication
    encoder: str = "corpus"  # "corpus" (trained on the corpus), "none", "st:/path/to/model", "corpus+st-package:<name>"
    encoder_dim: int = 256
    public_url: str = "http://127.0.0.1:8000"  # how the public reaches the platform: links printed in certificates
    service_contact: str = ""  # how the public reaches the office with questions (咨询方式): every service guide
    files_quota_bytes: int = 20 * 1024**3  # the whole file store (sum of stored files); 0 = no quota
    # Where stored files live (core/files.py): "local" (<data dir>/files) or "s3://bucket/prefix" (core/filestore_s3.py:
    # an S3-compatible object store; credentials from the standard AWS chain, never from here).
    file_store: str = "local"
    s3_endpoint_url: str = ""  # an S3-compatible server (MinIO, Ceph, OSS); empty = AWS
    s3_region: str = ""  # empty = the AWS configuration's region
    s3_addressing: str = "auto"  # auto, path (bucket in the path: most MinIO setups) or virtual (bucket in the host)
    s3_encryption: str = "none"  # server-side encryption asked for each object: none, AES256 or aws:kms
    objection_max_files: int = 10  # evidence files in one data-IP objection
    objection_max_bytes: int = 30 * 1024 * 1024  # evidence bytes in one data-IP objection
    objection_limit_per_client: int = 3  # objections per person, client address or contact in the window
    objection_limit_per_product: int = 20  # objections (confirmed or awaiting a live code) per product in the window
    objection_window_hours: int = 24
    contact_code_minutes: int = 30  # how long a contact confirmation code is valid
    contact_code_attempts: int = 5  # wrong codes before the code is void
    # How messages to an e-mail address or phone leave (core/notify.py): "outbox" (the notify_outbox table, for an
    # operator or relay), "file" (one .eml file each under <data dir>/outbox: the demo's default), "smtp", or
    # "module:factory".
    notifier: str = "outbox"
    mail_from: str = ""  # the sender of the platform's e-mail; empty = noreply@ the host of public_url
    smtp_host: str = ""  # with notifier "smtp": the mail server
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls, ssl (implicit TLS, usually port 465) or none
    smtp_user: str = ""  # empty = no authentication
    smtp_password: str = ""
    smtp_timeout_seconds: int = 10
    # Self-registration of companies and individuals (core/registration.py).
    self_registration: bool = True
    email_confirm_hours: int = 48  # how long the link that confirms a new account's e-mail address is valid
    password_reset_minutes: int = 60  # how long a password-reset link is valid
    identity_unit: str = ""  # the unit whose officials verify applicants' identities; empty = the IP office
    max_body_bytes: int = 2 * 1024 * 1024  # JSON and urlencoded request bodies (web/limits.py)
    max_multipart_bytes: int = 128 * 1024 * 1024  # multipart bodies, unless the route declares its own ceiling
    # Patent ingest (patents/ingest/limits.py): what one source file may expand to and hold.
    ingest_max_expanded_bytes: int = 8 * 1024**3  # decompressed bytes of one gz/zip/xlsx file
    ingest_max_ratio: int = 100  # decompressed ÷ compressed size, checked beyond the first MiB
    ingest_max_record_bytes: int = 16 * 1024**2  # one record: a line, a CSV row, an XML document, an SQL statement
    ingest_max_text_chars: int = 2_000_000  # abstract, claims, description of one record
    ingest_max_field_chars: int = 10_000  # every other field and each list item
    search_max_results: int = 10_000  # deepest result a search pages to (page × per_page) and most rows an export gives
    search_max_query_chars: int = 2_000  # longest search query or "describe your invention" text
    search_export_max_rows: int = 100_000  # most rows a full search export (a background job) writes
    audit_key_file: Path | None = None  # key signing audit checkpoints; None = <data dir>/keys/audit-ed25519.pem
    audit_checkpoint_every: int = 10  # sign a checkpoint of the audit head at least every this many entries
    audit_checkpoint_minutes: int = 1  # … and on the first entry after this many minutes without one
    # Annual fees (patents/fees.py): years after grant that the 减缴 reduction covers (unverified; earlier 6).
    fee_reduction_years_after_grant: int = 10
    # The unit that acts for a service (core.context.office_unit): a unit code; empty = the unit of kind IP office.
    dataip_unit: str = ""
    openlicense_unit: str = ""
    pledge_unit: str = ""
    # Data-IP registration (services/dataip; the sources of each limit: dataip/domain.py Rules, docs/dataip.md).
    dataip_key_file: Path | None = None  # the registry's Ed25519 key; None = <data dir>/keys/dataip-ed25519.pem
    dataip_body_code: str = "3100"  # registration-body code inside certificate numbers
    dataip_max_data_bytes: int = 8 * 1024**3  # largest data file hashed at filing
    dataip_publicity_days: int = 15  # Shanghai official guide: 15-day publicity
    dataip_publicity_unit: str = CALENDAR_DAYS  # calendar_days or working_days
    dataip_objection_days: int = 60  # calendar days for the objection decision
    dataip_validity_years: int = 3
    dataip_relock_months: int = 3  # Shanghai measures Art 7(6): no re-application within 3 months of a withdrawal
    dataip_formal_review_days: int = 5  # working days (service commitment)
    dataip_substantive_review_days: int = 20  # working days (service commitment)
    dataip_expert_days: int = 10  # working days (service commitment)
    dataip_correction_days: int = 15  # working days (service commitment)
    dataip_amendment_days: int = 10  # working days (service commitment)
    dataip_renewal_window_days: int = 90  # a renewal may be filed this many days before expiry
    # The transparency log (services/dataip/sequencer.py): a process running background work signs a tree head over
    # new entries this often (0 = every step signs its own head); the inclusion promise says the log includes an
    # entry within the merge delay.
    dataip_log_sign_ms: int = 1000
    dataip_log_merge_delay_seconds: int = 300
    # Open licensing (services/openlicense).
    openlicense_formal_check_days: int = 10  # working days (the office's service commitment)
    openlicense_max_fixed_yuan: Decimal = Decimal(20_000_000)  # royalty caps of 国知发运字〔2024〕19号
    openlicense_max_rate_net_sales: Decimal = Decimal(20)  # percent
    openlicense_max_rate_profit: Decimal = Decimal(40)  # percent
    openlicense_ad_words: tuple[str, ...] | None = None  # None = the built-in list (openlicense/domain.py)
    # Fast pre-examination at the protection centre (services/preexam). The centre's time limits are its own
    # (rules.md §8, §14.10: not public): these are defaults for it to set.
    preexam_unit: str = ""  # code of the centre's unit; "" = the first unit of kind protection centre
    preexam_fields_file: str = ""  # the centre's technical fields and area (JSON); "" = the built-in Shanghai lists
    preexam_registration_days: int = 5  # working days to admit or refuse a company's registration
    preexam_acceptance_days: int = 2  # working days to accept a submitted case or not
    preexam_exam_days_invention: int = 15  # working days of pre-examination, by patent type
    preexam_exam_days_utility: int = 10
    preexam_exam_days_design: int = 5
    preexam_correction_days: int = 5  # working days the company has to answer a correction request
    preexam_filing_days: int = 30  # calendar days after passing within which the case must be filed at CNIPA
    # The rights-protection network (services/rights). The first-response commitment and the correction period
    # are the office's own settings (no rule fixes them: Order 81 Art 16 lets the office set the correction period).
    rights_first_response_days: int = 2  # working days for the competent unit's first response to a request
    rights_correction_days: int = 15  # calendar days to answer an adjudication's correction notice (Art 16)
    rights_lookups_per_hour: int = 30  # tracking-number misses from one address before it is slowed down
    # Pledge registration (services/pledge).
    pledge_decision_days: int = 5  # working days (unverified; 2010 rule 7, a local window 3)
    pledge_max_patents: int = 50  # patents per application
    pledge_number_format: str = "Y{year}310{serial:07d}"  # registration numbers (pledge/numbering.py)
    # Valuation helper: indicator weights file (None = built in) and the share of weight that needs data.
    valuation_weights: Path | None = None
    valuation_min_coverage: float = 0.6
    # Work-plan supervision (services/workplan): the lead unit's rules, not statutory.
    workplan_review_days: int = 10  # working days for the review of a report
    workplan_resubmit_days: int = 10  # working days for a revised report
    workplan_due_soon_days: int = 30  # a dated point is due soon this many days before its deadline
    workplan_stale_days: int = 90  # an ongoing point without an accepted report this long is stale

    @property
    def login_policy(self):
        from ipcity.core.throttle import Policy

        return Policy(self.lockout_failures, self.login_address_failures, self.login_account_failures,
                      self.lockout_minutes * 60)

    @property
    def outbox_dir(self) -> Path:
        """Where the "file" notifier writes each message (core/notify.py FileNotifier)."""
        return self.data_dir / "outbox"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def search_dir(self) -> Path:
        return self.data_dir / "search" / self.search_backend

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    def secret_key(self) -> str:
        """Per-installation secret, kept in the data directory and never in the repository."""
        env = os.environ.get("IPCITY_SECRET_KEY")
        if env:
            return env
        path = self.data_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@cache
def setting_names() -> frozenset[str]:
    """The names of the Settings fields (what a case type's deadline may name: workflow.definition)."""
    return frozenset(f.name for f in dataclasses.fields(Settings))


def load_settings(**overrides) -> Settings:
    data_dir = Path(overrides.pop("data_dir", None) or os.environ.get("IPCITY_DATA_DIR", "var")).resolve()
    url = overrides.pop("database_url", None) or os.environ.get("IPCITY_DATABASE_URL")
    if not url:
        url = f"sqlite:///{data_dir / 'ipcity.sqlite3'}"
    values = dict(
        data_dir=data_dir,
        database_url=url,
        max_upload_bytes=_int("IPCITY_MAX_UPLOAD_BYTES", 20 * 1024 * 1024),
        session_hours=_int("IPCITY_SESSION_HOURS", 8),
        lockout_failures=_int("IPCITY_LOCKOUT_FAILURES", 5),
        lockout_minutes=_int("IPCITY_LOCKOUT_MINUTES", 15),
        login_address_failures=_int("IPCITY_LOGIN_ADDRESS_FAILURES", 20),
        login_account_failures=_int("IPCITY_LOGIN_ACCOUNT_FAILURES", 50),
        run_worker=os.environ.get("IPCITY_RUN_WORKER", "1") != "0",
        job_heartbeat_seconds=_int("IPCITY_JOB_HEARTBEAT_SECONDS", 10, minimum=1),
        job_lease_seconds=_int("IPCITY_JOB_LEASE_SECONDS", 60, minimum=2),
        job_max_attempts=_int("IPCITY_JOB_MAX_ATTEMPTS", 3, minimum=1),
        job_retry_seconds=_int("IPCITY_JOB_RETRY_SECONDS", 30),
        demo=os.environ.get("IPCITY_DEMO", "0") == "1",
        today=_date("IPCITY_TODAY"),
        db_pool_size=_int("IPCITY_DB_POOL_SIZE", 10, minimum=1),
        db_pool_overflow=_int("IPCITY_DB_POOL_OVERFLOW", 30),
        search_backend=os.environ.get("IPCITY_SEARCH_BACKEND", "tantivy"),
        milvus_uri=os.environ.get("IPCITY_MILVUS_URI", ""),
        milvus_token=os.environ.get("IPCITY_MILVUS_TOKEN", ""),
        encoder=os.environ.get("IPCITY_ENCODER", "corpus"),
        encoder_dim=_int("IPCITY_ENCODER_DIM", 256),
        public_url=os.environ.get("IPCITY_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        service_contact=_raw("IPCITY_SERVICE_CONTACT") or "",
        files_quota_bytes=_int("IPCITY_FILES_QUOTA_BYTES", 20 * 1024**3),
        file_store=_file_store("IPCITY_FILE_STORE"),
        s3_endpoint_url=_url("IPCITY_S3_ENDPOINT_URL"),
        s3_region=_raw("IPCITY_S3_REGION") or "",
        s3_addressing=_choice("IPCITY_S3_ADDRESSING", "auto", S3_ADDRESSING),
        s3_encryption=_choice("IPCITY_S3_ENCRYPTION", "none", S3_ENCRYPTION),
        objection_max_files=_int("IPCITY_OBJECTION_MAX_FILES", 10),
        objection_max_bytes=_int("IPCITY_OBJECTION_MAX_BYTES", 30 * 1024 * 1024),
        objection_limit_per_client=_int("IPCITY_OBJECTION_LIMIT_PER_CLIENT", 3),
        objection_limit_per_product=_int("IPCITY_OBJECTION_LIMIT_PER_PRODUCT", 20),
        objection_window_hours=_int("IPCITY_OBJECTION_WINDOW_HOURS", 24),
        contact_code_minutes=_int("IPCITY_CONTACT_CODE_MINUTES", 30),
        contact_code_attempts=_int("IPCITY_CONTACT_CODE_ATTEMPTS", 5),
        # The demo writes its mail to files a person trying it can open; a real installation queues it.
        notifier=_notifier("IPCITY_NOTIFIER", "file" if os.environ.get("IPCITY_DEMO", "0") == "1" else "outbox"),
        mail_from=_address("IPCITY_MAIL_FROM"),
        smtp_host=os.environ.get("IPCITY_SMTP_HOST", "").strip(),
        smtp_port=_int("IPCITY_SMTP_PORT", 587, minimum=1),
        smtp_security=_choice("IPCITY_SMTP_SECURITY", "starttls", SMTP_SECURITY),
        smtp_user=os.environ.get("IPCITY_SMTP_USER", "").strip(),
        smtp_password=os.environ.get("IPCITY_SMTP_PASSWORD", ""),
        smtp_timeout_seconds=_int("IPCITY_SMTP_TIMEOUT_SECONDS", 10, minimum=1),
        self_registration=os.environ.get("IPCITY_SELF_REGISTRATION", "1") != "0",
        email_confirm_hours=_int("IPCITY_EMAIL_CONFIRM_HOURS", 48, minimum=1),
        password_reset_minutes=_int("IPCITY_PASSWORD_RESET_MINUTES", 60, minimum=5),
        identity_unit=os.environ.get("IPCITY_IDENTITY_UNIT", "").strip(),
        max_body_bytes=_int("IPCITY_MAX_BODY_BYTES", 2 * 1024 * 1024),
        max_multipart_bytes=_int("IPCITY_MAX_MULTIPART_BYTES", 128 * 1024 * 1024),
        ingest_max_expanded_bytes=_int("IPCITY_INGEST_MAX_EXPANDED_BYTES", 8 * 1024**3),
        ingest_max_ratio=_int("IPCITY_INGEST_MAX_RATIO", 100),
        ingest_max_record_bytes=_int("IPCITY_INGEST_MAX_RECORD_BYTES", 16 * 1024**2),
        ingest_max_text_chars=_int("IPCITY_INGEST_MAX_TEXT_CHARS", 2_000_000),
        ingest_max_field_chars=_int("IPCITY_INGEST_MAX_FIELD_CHARS", 10_000),
        search_max_results=_int("IPCITY_SEARCH_MAX_RESULTS", 10_000),
        search_max_query_chars=_int("IPCITY_SEARCH_MAX_QUERY_CHARS", 2_000),
        search_export_max_rows=_int("IPCITY_SEARCH_EXPORT_MAX_ROWS", 100_000),
        audit_key_file=_path("IPCITY_AUDIT_KEY_FILE"),
        audit_checkpoint_every=_int("IPCITY_AUDIT_CHECKPOINT_EVERY", 10),
        audit_checkpoint_minutes=_int("IPCITY_AUDIT_CHECKPOINT_MINUTES", 1),
        fee_reduction_years_after_grant=_int("IPCITY_FEE_REDUCTION_YEARS_AFTER_GRANT", 10),
        dataip_unit=os.environ.get("IPCITY_DATAIP_UNIT", "").strip(),
        openlicense_unit=os.environ.get("IPCITY_OPENLICENSE_UNIT", "").strip(),
        pledge_unit=os.environ.get("IPCITY_PLEDGE_UNIT", "").strip(),
        dataip_key_file=_path("IPCITY_DATAIP_KEY_FILE"),
        dataip_body_code=_body_code("IPCITY_DATAIP_BODY_CODE", "3100"),
        dataip_max_data_bytes=_int("IPCITY_DATAIP_MAX_DATA_BYTES", 8 * 1024**3, minimum=1),
        dataip_publicity_days=_int("IPCITY_DATAIP_PUBLICITY_DAYS", 15),
        dataip_publicity_unit=_choice("IPCITY_DATAIP_PUBLICITY_UNIT", CALENDAR_DAYS, (CALENDAR_DAYS, WORKING_DAYS)),
        dataip_objection_days=_int("IPCITY_DATAIP_OBJECTION_DAYS", 60),
        dataip_validity_years=_int("IPCITY_DATAIP_VALIDITY_YEARS", 3, minimum=1),
        dataip_relock_months=_int("IPCITY_DATAIP_RELOCK_MONTHS", 3),
        dataip_formal_review_days=_int("IPCITY_DATAIP_FORMAL_REVIEW_DAYS", 5),
        dataip_substantive_review_days=_int("IPCITY_DATAIP_SUBSTANTIVE_REVIEW_DAYS", 20),
        dataip_expert_days=_int("IPCITY_DATAIP_EXPERT_DAYS", 10),
        dataip_correction_days=_int("IPCITY_DATAIP_CORRECTION_DAYS", 15),
        dataip_amendment_days=_int("IPCITY_DATAIP_AMENDMENT_DAYS", 10),
        dataip_renewal_window_days=_int("IPCITY_DATAIP_RENEWAL_WINDOW_DAYS", 90),
        dataip_log_sign_ms=_int("IPCITY_DATAIP_LOG_SIGN_MS", 1000),
        dataip_log_merge_delay_seconds=_int("IPCITY_DATAIP_LOG_MERGE_DELAY_SECONDS", 300, minimum=1),
        openlicense_formal_check_days=_int("IPCITY_OPENLICENSE_FORMAL_CHECK_DAYS", 10),
        openlicense_max_fixed_yuan=_decimal("IPCITY_OPENLICENSE_MAX_FIXED_YUAN", Decimal(20_000_000)),
        openlicense_max_rate_net_sales=_decimal("IPCITY_OPENLICENSE_MAX_RATE_NET_SALES", Decimal(20)),
        openlicense_max_rate_profit=_decimal("IPCITY_OPENLICENSE_MAX_RATE_PROFIT", Decimal(40)),
        openlicense_ad_words=_words("IPCITY_OPENLICENSE_AD_WORDS"),
        preexam_unit=os.environ.get("IPCITY_PREEXAM_UNIT", "").strip(),
        preexam_fields_file=os.environ.get("IPCITY_PREEXAM_FIELDS_FILE", "").strip(),
        preexam_registration_days=_int("IPCITY_PREEXAM_REGISTRATION_DAYS", 5, minimum=1),
        preexam_acceptance_days=_int("IPCITY_PREEXAM_ACCEPTANCE_DAYS", 2, minimum=1),
        preexam_exam_days_invention=_int("IPCITY_PREEXAM_EXAM_DAYS_INVENTION", 15, minimum=1),
        preexam_exam_days_utility=_int("IPCITY_PREEXAM_EXAM_DAYS_UTILITY", 10, minimum=1),
        preexam_exam_days_design=_int("IPCITY_PREEXAM_EXAM_DAYS_DESIGN", 5, minimum=1),
        preexam_correction_days=_int("IPCITY_PREEXAM_CORRECTION_DAYS", 5, minimum=1),
        preexam_filing_days=_int("IPCITY_PREEXAM_FILING_DAYS", 30, minimum=1),
        rights_first_response_days=_int("IPCITY_RIGHTS_FIRST_RESPONSE_DAYS", 2, minimum=1),
        rights_correction_days=_int("IPCITY_RIGHTS_CORRECTION_DAYS", 15, minimum=1),
        rights_lookups_per_hour=_int("IPCITY_RIGHTS_LOOKUPS_PER_HOUR", 30, minimum=1),
        pledge_decision_days=_int("IPCITY_PLEDGE_DECISION_DAYS", 5),
        pledge_max_patents=_int("IPCITY_PLEDGE_MAX_PATENTS", 50, minimum=1),
        pledge_number_format=_number_format("IPCITY_PLEDGE_NUMBER_FORMAT", "Y{year}310{serial:07d}"),
        valuation_weights=_path("IPCITY_VALUATION_WEIGHTS"),
        valuation_min_coverage=_share("IPCITY_VALUATION_MIN_COVERAGE", 0.6),
        workplan_review_days=_int("IPCITY_WORKPLAN_REVIEW_DAYS", 10),
        workplan_resubmit_days=_int("IPCITY_WORKPLAN_RESUBMIT_DAYS", 10),
        workplan_due_soon_days=_int("IPCITY_WORKPLAN_DUE_SOON_DAYS", 30),
        workplan_stale_days=_int("IPCITY_WORKPLAN_STALE_DAYS", 90),
    )
    values.update(overrides)
    _check_mail(values)
    _check_jobs(values)
    if "secure_cookies" not in values:
        # Secure cookies whenever the public reaches us over https; IPCITY_SECURE_COOKIES, when set, wins.
        explicit = os.environ.get("IPCITY_SECURE_COOKIES", "")
        values["secure_cookies"] = explicit == "1" if explicit else str(values["public_url"]).startswith("https://")
    return Settings(**values)
