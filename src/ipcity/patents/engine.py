"""The patent engine of one installation: the configured search backend and encoder, wired once.

Everything that changes the search index goes through here, so that the lexical index and the
embeddings always describe the same records (the register in the database is the source of truth).

The register knows what the index holds: a row stays `index_pending` from its write until the index
commit that contains its version; `commit(session)` clears it for exactly the versions committed. So
after a crash anywhere, the rows still pending are what the index may lack, and `sync` indexes them
(`ipcity patents check` compares the index with the register itself: index_check.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from ipcity.core.config import Settings
from ipcity.patents import store
from ipcity.patents.record import PatentRecord
from ipcity.patents.search import threads
from ipcity.patents.search.backends import open_backend
from ipcity.patents.search.contract import Hit, IndexDoc, SearchBackend, SearchPage, SearchRequest
from ipcity.patents.search.document import index_doc

Progress = Callable[[int, int, str], None]
CORPUS_ENCODER = "corpus-encoder"


class PatentEngine:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._backend: SearchBackend | None = None
        self._encoder = None
        self._encoder_loaded = False
        self._lock = threading.RLock()
        self._uncommitted: dict[str, str] = {}  # pub_number -> content hash indexed since the last commit

    # -- parts -----------------------------------------------------------------------------------
    @property
    def backend(self) -> SearchBackend:
        with self._lock:
            if self._backend is None:
                self._backend = open_backend(self.settings.search_backend, self.settings.search_dir,
                                             uri=self.settings.milvus_uri or None, dim=self._dim(),
                                             token=self.settings.milvus_token)
            return self._backend

    def _dim(self) -> int | None:
        encoder = self.encoder
        return encoder.dim if encoder is not None else None

    @property
    def encoder_dir(self) -> Path:
        return self.settings.models_dir / CORPUS_ENCODER

    @property
    def encoder(self):
        """The configured encoder, or None (no encoder configured, or the corpus one not trained yet)."""
        with self._lock:
            if not self._encoder_loaded:
                self._encoder = self._load_encoder()
                self._encoder_loaded = True
            return self._encoder

    def _load_encoder(self):
        spec = self.settings.encoder
        if spec == "none":
            return None
        from ipcity.patents.semantic.encoder import load_encoder
        from ipcity.patents.semantic.mixed_encoder import model_spec

        if spec == "corpus" or model_spec(spec):
            if not (self.encoder_dir / "encoder.json").exists():
                return None
            return self._with_model(load_encoder(f"corpus:{self.encoder_dir}"))
        return load_encoder(spec)

    def _with_model(self, corpus_encoder):
        """The corpus encoder, joined with the sentence-transformers model the setting names (`corpus+...`)."""
        from ipcity.patents.semantic.encoder import load_encoder
        from ipcity.patents.semantic.mixed_encoder import MixedEncoder, model_spec

        spec = model_spec(self.settings.encoder)
        return MixedEncoder(corpus_encoder, load_encoder(spec)) if spec else corpus_encoder

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None

    # -- writing ---------------------------------------------------------------------------------
    def index(self, records: Sequence[PatentRecord], docs: Sequence[IndexDoc] | None = None) -> int:
        """Index `records`; `docs` are their IndexDocs when already built (by the ingest workers)."""
        if not records:
            return 0
        docs = list(docs) if docs is not None else [index_doc(rec) for rec in records]
        if self.encoder is not None:
            for doc, vector in zip(docs, self.encoder.encode(store.texts(records)), strict=True):
                doc.vector = vector
        count = self.backend.upsert(docs)
        # Only after the backend holds them: a commit in between then commits more than it marks, never less.
        hashes = {rec.pub_number: store.content_hash(rec) for rec in records}
        with self._lock:
            self._uncommitted.update(hashes)
        return count

    def index_prepared(self, versions: Sequence[tuple[str, str]], documents: Sequence, texts: Sequence[str] = ()
                       ) -> int:
        """`index` of documents prepared by the bulk ingest (`prepared_document`), one per (pub_number, content
        hash) in `versions`; `texts` are what the encoder reads (`store.texts`) when one is configured."""
        if not documents:
            return 0
        vectors = self.encoder.encode(list(texts)) if self.encoder is not None else None
        backend = self.backend
        if hasattr(backend, "upsert_prepared"):
            count = backend.upsert_prepared(documents, vectors)
        else:  # the other backends index IndexDocs
            if vectors is not None:
                for doc, vector in zip(documents, vectors, strict=True):
                    doc.vector = vector
            count = backend.upsert(documents)
        with self._lock:  # after the backend holds them, as in `index`
            self._uncommitted.update(versions)
        return count

    def delete(self, pub_numbers: Sequence[str]) -> None:
        if pub_numbers:
            self.backend.delete(pub_numbers)

    def commit(self, session: Session | None = None) -> int:
        """Make every write so far visible and durable. With `session`, also mark the committed versions
        indexed in the register (the caller commits the session); without, they stay pending and a later
        `sync` indexes them again — the safe side. Returns how many records were marked."""
        with self._lock:
            committed, self._uncommitted = self._uncommitted, {}
        self.backend.commit()
        if session is not None:
            store.mark_indexed(session, committed.items())
            return len(committed)
        return 0

    def sync(self, session: Session, progress: Progress | None = None, commit_every: int = 20_000) -> int:
        """Index every record the index has not confirmed (left by a crash, or by a rebuild under way),
        committing the index and the marks every `commit_every` records; returns how many."""
        total, done, since = store.count_pending(session), 0, 0
        if not total:
            return 0
        for batch in store.iterate_pending(session):
            # End the read before anything else happens: on SQLite a transaction that read, and then saw
            # another connection commit (a progress line, a web request), can no longer write.
            session.commit()
            self.index(batch)
            done += len(batch)
            since += len(batch)
            if since >= commit_every:
                self.commit(session)
                session.commit()
                since = 0
            if progress:
                progress(done, total, "index")
        self.commit(session)
        session.commit()
        return done

    def rebuild(self, session: Session, progress: Progress | None = None) -> int:
        """Rebuild the index (and embeddings) from the register. Interrupted, it leaves the rows not yet
        re-indexed pending, so that the next ingest or `patents check --repair` finishes it."""
        session.commit()  # a fresh transaction that writes first (see sync)
        store.mark_all_pending(session)
        session.commit()
        with self._lock:
            self._uncommitted.clear()
        self.backend.clear()
        return self.sync(session, progress)

    def train_encoder(self, session, progress: Progress | None = None, max_docs: int = 200_000) -> None:
        """Fit the corpus encoder on the register's texts, then re-embed every record."""
        from ipcity.patents.semantic.corpus_encoder import CorpusEncoder

        def texts():
            for batch in store.iterate(session):
                yield from store.texts(batch)

        encoder = CorpusEncoder.fit(texts(), max_docs=max_docs, dim=self.settings.encoder_dim)
        encoder.save(self.encoder_dir)
        encoder = self._with_model(encoder)
        with self._lock:
            self.close()  # the vector dimension may have changed
            self._encoder, self._encoder_loaded = encoder, True
        backend = self.backend
        if not hasattr(backend, "replace_vectors"):  # a backend keeping vectors with the text re-indexes all
            self.rebuild(session, progress)
            return
        total, done = store.count(session), 0

        def batches():
            nonlocal done
            for batch in store.iterate(session):
                yield [r.pub_number for r in batch], encoder.encode(store.texts(batch))
                done += len(batch)
                if progress:
                    progress(done, total, "embed")

        backend.replace_vectors(batches())
        backend.commit()

    # -- reading ---------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchPage:
        return self.backend.search(request)

    def search_each(self, requests: Sequence[SearchRequest]) -> list[SearchPage]:
        """The pages of several independent searches, in order: at once (search/threads.py) on a backend that
        searches from several threads at a time (tantivy), one after the other on any other."""
        if self.backend.concurrent_reads:
            return threads.each(self.backend.search, requests)
        return [self.backend.search(request) for request in requests]

    def matching(self, request: SearchRequest) -> set[str]:
        return self.backend.matching(request)

    def similar_to_stored(self, pub_number: str, limit: int) -> list[Hit] | None:
        """Neighbours of a document by the embedding stored for it; None when it has none (then encode)."""
        vector = self.backend.vector_of(pub_number) if self.encoder is not None else None
        return None if vector is None else self.backend.similar(vector, limit)

    def similar_to_text(self, text: str, limit: int, request: SearchRequest | None = None) -> list[Hit]:
        if self.encoder is None or not text.strip():
            return []
        vector = self.encoder.encode([text])[0]
        if not vector.any():  # no term the encoder knows: there is no meaning to compare, only noise
            return []
        return self.backend.similar(vector, limit, request)


def prepared_document(backend_name: str, doc: IndexDoc):
    """What `PatentEngine.index_prepared` takes for `doc`: the backend's own document values where it has them
    (made in the process preparing a load, which has no engine), else the IndexDoc."""
    if backend_name == "tantivy":
        from ipcity.patents.search.tantivy_backend import TantivyBackend

        return TantivyBackend.document_values(doc)
    return doc


_engines: dict[tuple, PatentEngine] = {}
_engines_lock = threading.Lock()


def engine_for(settings: Settings) -> PatentEngine:
    """One engine per installation (data directory and search settings) in this process."""
    key = (str(settings.search_dir), settings.milvus_uri, settings.encoder, settings.encoder_dim)
    with _engines_lock:
        if key not in _engines:
            _engines[key] = PatentEngine(settings)
        return _engines[key]


def close_all() -> None:
    with _engines_lock:
        for engine in _engines.values():
            engine.close()
        _engines.clear()
