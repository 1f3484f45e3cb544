"""Settings, read once from the environment (IPCITY_*); see docs/configuration.md."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


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
    demo: bool = False
    secure_cookies: bool = False
    search_backend: str = "tantivy"  # tantivy (embedded) or milvus (scale); docs/search.md
    milvus_uri: str = ""  # a Milvus server; empty = milvus-lite file in the data directory
    encoder: str = "corpus"  # "corpus" (trained on the corpus), "none", or "st:/path/to/sentence-transformers-model"
    encoder_dim: int = 256
    public_url: str = "http://127.0.0.1:8000"  # how the public reaches the platform: links printed in certificates
    files_quota_bytes: int = 20 * 1024**3  # the whole file store (sum of stored files); 0 = no quota
    objection_max_files: int = 10  # evidence files in one data-IP objection
    objection_max_bytes: int = 30 * 1024 * 1024  # evidence bytes in one data-IP objection
    objection_limit_per_client: int = 3  # objections per person, client address or contact in the window
    objection_limit_per_product: int = 20  # objections (confirmed or awaiting a live code) per product in the window
    objection_window_hours: int = 24
    contact_code_minutes: int = 30  # how long a contact confirmation code is valid
    contact_code_attempts: int = 5  # wrong codes before the code is void
    notifier: str = "outbox"  # "outbox" (the notify_outbox table, for an operator) or "module:factory"
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
    audit_key_file: Path | None = None  # key signing audit checkpoints; None = <data dir>/keys/audit-ed25519.pem
    audit_checkpoint_every: int = 10  # sign a checkpoint of the audit head at least every this many entries
    audit_checkpoint_minutes: int = 1  # … and on the first entry after this many minutes without one

    @property
    def login_policy(self):
        from ipcity.core.throttle import Policy

        return Policy(self.lockout_failures, self.login_address_failures, self.login_account_failures,
                      self.lockout_minutes * 60)

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
        demo=os.environ.get("IPCITY_DEMO", "0") == "1",
        search_backend=os.environ.get("IPCITY_SEARCH_BACKEND", "tantivy"),
        milvus_uri=os.environ.get("IPCITY_MILVUS_URI", ""),
        encoder=os.environ.get("IPCITY_ENCODER", "corpus"),
        encoder_dim=_int("IPCITY_ENCODER_DIM", 256),
        public_url=os.environ.get("IPCITY_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        files_quota_bytes=_int("IPCITY_FILES_QUOTA_BYTES", 20 * 1024**3),
        objection_max_files=_int("IPCITY_OBJECTION_MAX_FILES", 10),
        objection_max_bytes=_int("IPCITY_OBJECTION_MAX_BYTES", 30 * 1024 * 1024),
        objection_limit_per_client=_int("IPCITY_OBJECTION_LIMIT_PER_CLIENT", 3),
        objection_limit_per_product=_int("IPCITY_OBJECTION_LIMIT_PER_PRODUCT", 20),
        objection_window_hours=_int("IPCITY_OBJECTION_WINDOW_HOURS", 24),
        contact_code_minutes=_int("IPCITY_CONTACT_CODE_MINUTES", 30),
        contact_code_attempts=_int("IPCITY_CONTACT_CODE_ATTEMPTS", 5),
        notifier=os.environ.get("IPCITY_NOTIFIER", "outbox"),
        max_body_bytes=_int("IPCITY_MAX_BODY_BYTES", 2 * 1024 * 1024),
        max_multipart_bytes=_int("IPCITY_MAX_MULTIPART_BYTES", 128 * 1024 * 1024),
        ingest_max_expanded_bytes=_int("IPCITY_INGEST_MAX_EXPANDED_BYTES", 8 * 1024**3),
        ingest_max_ratio=_int("IPCITY_INGEST_MAX_RATIO", 100),
        ingest_max_record_bytes=_int("IPCITY_INGEST_MAX_RECORD_BYTES", 16 * 1024**2),
        ingest_max_text_chars=_int("IPCITY_INGEST_MAX_TEXT_CHARS", 2_000_000),
        ingest_max_field_chars=_int("IPCITY_INGEST_MAX_FIELD_CHARS", 10_000),
        search_max_results=_int("IPCITY_SEARCH_MAX_RESULTS", 10_000),
        search_max_query_chars=_int("IPCITY_SEARCH_MAX_QUERY_CHARS", 2_000),
        audit_key_file=Path(os.environ["IPCITY_AUDIT_KEY_FILE"]) if os.environ.get("IPCITY_AUDIT_KEY_FILE") else None,
        audit_checkpoint_every=_int("IPCITY_AUDIT_CHECKPOINT_EVERY", 10),
        audit_checkpoint_minutes=_int("IPCITY_AUDIT_CHECKPOINT_MINUTES", 1),
    )
    values.update(overrides)
    if "secure_cookies" not in values:
        # Secure cookies whenever the public reaches us over https; IPCITY_SECURE_COOKIES, when set, wins.
        explicit = os.environ.get("IPCITY_SECURE_COOKIES", "")
        values["secure_cookies"] = explicit == "1" if explicit else str(values["public_url"]).startswith("https://")
    return Settings(**values)
