"""docs/configuration.md lists every setting the code reads (the way Datasette's docs test guards its settings)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ipcity.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
NAME = re.compile(r"IPCITY_[A-Z0-9]+(?:_[A-Z0-9]+)*(?![A-Z0-9_])")  # a prefix (IPCITY_X_*) is no name
# Settings fields that are not read from the environment (fixed in code, or derived from another setting).
NOT_FROM_ENVIRONMENT = {"default_locale"}


def documented() -> set[str]:
    return set(re.findall(r"`(IPCITY_[A-Z0-9_]+)`", DOC))


def test_every_environment_variable_the_code_reads_is_documented():
    read = set()
    for path in (ROOT / "src" / "ipcity").rglob("*.py"):
        read |= set(NAME.findall(path.read_text(encoding="utf-8")))
    missing = sorted(read - documented())
    assert not missing, f"settings read by the code but missing from docs/configuration.md: {missing}"


def test_every_settings_field_is_documented():
    fields = {f.name for f in dataclasses.fields(Settings)} - NOT_FROM_ENVIRONMENT
    missing = sorted(f for f in fields if f"IPCITY_{f.upper()}" not in documented())
    assert not missing, f"Settings fields missing from docs/configuration.md: {missing}"


def test_the_documentation_names_no_setting_that_does_not_exist():
    read = set()
    for path in (ROOT / "src" / "ipcity").rglob("*.py"):
        read |= set(NAME.findall(path.read_text(encoding="utf-8")))
    stale = sorted(documented() - read)
    assert not stale, f"docs/configuration.md documents settings no code reads: {stale}"


# Every setting is read once, in core/config.py (the Settings dataclass); the rest of the code gets the Settings
# in force. These modules touch the environment for another reason:
ENVIRONMENT_EXCEPTIONS = {
    "cli.py": "`ipcity demo` sets IPCITY_DEMO=1 before the settings are loaded (a default, not a read)",
    "patents/semantic/st_encoder.py": "sets the Hugging Face libraries' own offline flags before it loads a model",
}
READS_ENVIRONMENT = re.compile(r"\bos\.environ\b|\bos\.getenv\b|\bgetenv\(|^\s*from os import .*\b(?:environ|getenv)\b",
                               re.MULTILINE)


def test_only_the_settings_module_reads_the_environment():
    package = ROOT / "src" / "ipcity"
    readers = {path.relative_to(package).as_posix() for path in package.rglob("*.py")
               if READS_ENVIRONMENT.search(path.read_text(encoding="utf-8"))}
    unexpected = sorted(readers - {"core/config.py"} - set(ENVIRONMENT_EXCEPTIONS))
    assert not unexpected, (f"modules reading os.environ outside core/config.py: {unexpected}; add a Settings "
                            "field (core/config.py, docs/configuration.md) and take it from settings_of(session)")
    stale = sorted(set(ENVIRONMENT_EXCEPTIONS) - readers)
    assert not stale, f"exceptions that no longer touch the environment: {stale}"
