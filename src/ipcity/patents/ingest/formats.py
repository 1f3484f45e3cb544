"""The registry of patent file formats: every reader by its name, and the choice of reader for a file."""

from __future__ import annotations

from pathlib import Path

from ipcity.patents.ingest.base import Reader
from ipcity.patents.ingest.cn_table import CnTableReader
from ipcity.patents.ingest.exports import (
    DerwentReader,
    LensReader,
    LensTacReader,
    PatentscopeReader,
    ThomsonReader,
    WipoLandscapeReader,
)
from ipcity.patents.ingest.google_patents import GooglePatentsReader
from ipcity.patents.ingest.native import CsvReader, JsonlReader
from ipcity.patents.ingest.uspto import UsptoXmlReader

# Sniffing goes in this order; each sniff looks at distinctive names, roots or header columns, so at most one
# should match — the order only settles files built to look like two formats at once.
READERS: dict[str, Reader] = {reader.name: reader for reader in (
    UsptoXmlReader(),
    CnTableReader(),
    GooglePatentsReader(),
    PatentscopeReader(),
    WipoLandscapeReader(),
    LensReader(),
    LensTacReader(),
    DerwentReader(),
    ThomsonReader(),
    JsonlReader(),
    CsvReader(),
)}


def reader_for(path: Path, name: str | None = None) -> Reader:
    """The reader named `name`, or else the first whose sniff recognises the file; ValueError naming the known
    formats when neither."""
    known = ", ".join(READERS)
    if name is not None:
        if name not in READERS:
            raise ValueError(f"未知的专利文件格式 '{name}'；已知格式：{known} / "
                             f"unknown patent file format '{name}'; known formats: {known}")
        return READERS[name]
    path = Path(path)
    for reader in READERS.values():
        if reader.sniff(path):
            return reader
    raise ValueError(f"无法识别文件 {path.name} 的格式；已知格式：{known}（可用格式名指定）/ "
                     f"cannot tell the format of {path.name}; known formats: {known} (name one explicitly)")
