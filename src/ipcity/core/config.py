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
    lockout_failures: int = 5
    lockout_minutes: int = 15
    default_locale: str = "zh_Hans"
    run_worker: bool = True
    demo: bool = False
    secure_cookies: bool = False
    search_backend: str = "tantivy"  # tantivy (embedded) or milvus (scale); docs/search.md
    milvus_uri: str = ""  # a Milvus server; empty = milvus-lite file in the data directory
    encoder: str = "corpus"  # "corpus" (trained on the corpus), "none", or "st:/path/to/sentence-transformers-model"
    encoder_dim: int = 256
    public_url: str = "http://127.0.0.1:8000"  # how the public reaches the platform: links printed in certificates

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
        run_worker=os.environ.get("IPCITY_RUN_WORKER", "1") != "0",
        demo=os.environ.get("IPCITY_DEMO", "0") == "1",
        secure_cookies=os.environ.get("IPCITY_SECURE_COOKIES", "0") == "1",
        search_backend=os.environ.get("IPCITY_SEARCH_BACKEND", "tantivy"),
        milvus_uri=os.environ.get("IPCITY_MILVUS_URI", ""),
        encoder=os.environ.get("IPCITY_ENCODER", "corpus"),
        encoder_dim=_int("IPCITY_ENCODER_DIM", 256),
        public_url=os.environ.get("IPCITY_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
    )
    values.update(overrides)
    return Settings(**values)
