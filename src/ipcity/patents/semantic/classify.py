"""IPC subclass prediction from a patent's title (multi-label), to check a filing's declared field.

Model: character 1–2-gram TF-IDF of the NFKC-folded title, one linear SVM per subclass (one-vs-rest).
A document gets every subclass whose margin is above one global threshold, and at least its best one; the
threshold is tuned on a held-out 15 % of the training data and the model is then refitted on all of it.

Choices measured with bench/ipc_classify.py's protocol on cn-patent-titles-ipc (9,740 titles, 5-fold,
subclass micro-F1): char 1–2-grams 0.437 > 1–3-grams 0.425 > 1–4-grams 0.415; adding jieba word tokens
to the 1–2-grams lowered it (0.430); C = 0.5 (0.438) ≥ 1.0 (0.437) > 0.25 (0.432); logistic regression
(liblinear, C = 20, probability threshold) reached 0.421 and trained ~25× slower.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ipcity.patents.search.analysis import normalise_text

THRESHOLDS = tuple(float(t) for t in np.linspace(-1.0, 0.5, 31))


def ipc_class(subclass: str) -> str:
    """H01M -> H01 (the IPC class is the section letter plus two digits)."""
    return subclass[:3]


def ipc_section(subclass: str) -> str:
    return subclass[:1]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    predicted: int
    true: int


def micro_scores(predicted: Sequence[Iterable[str]], true: Sequence[Iterable[str]]) -> Scores:
    """Micro-averaged precision, recall and F1 over documents' label sets."""
    hits = n_predicted = n_true = 0
    for guess, gold in zip(predicted, true, strict=True):
        guess, gold = set(guess), set(gold)
        hits += len(guess & gold)
        n_predicted += len(guess)
        n_true += len(gold)
    precision = hits / n_predicted if n_predicted else 0.0
    recall = hits / n_true if n_true else 0.0
    f1 = 2 * hits / (n_predicted + n_true) if n_predicted + n_true else 0.0
    return Scores(precision, recall, f1, n_predicted, n_true)


def _select(scores: np.ndarray, threshold: float) -> np.ndarray:
    """Labels above the threshold, and each row's best label whatever its score."""
    chosen = scores > threshold
    if scores.shape[1]:
        chosen[np.arange(len(scores)), scores.argmax(axis=1)] = True
    return chosen


class IpcClassifier:
    def __init__(self, *, ngram_range: tuple[int, int] = (1, 2), c: float = 0.5, min_label_count: int = 1,
                 threshold: float | None = None, validation_size: float = 0.15, seed: int = 0, n_jobs: int = 1):
        self.ngram_range = ngram_range
        self.c = c
        self.min_label_count = min_label_count
        self.threshold = threshold  # None: tuned in fit
        self.validation_size = validation_size
        self.seed = seed
        self.n_jobs = n_jobs
        self.labels: list[str] = []
        self._vectorizer = None
        self._model = None

    def _fit_once(self, texts: Sequence[str], label_sets: Sequence[set[str]]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.svm import LinearSVC

        counts = Counter(label for labels in label_sets for label in labels)
        self.labels = sorted(label for label, n in counts.items() if n >= self.min_label_count)
        if not self.labels:
            raise ValueError("no label has enough training documents")
        column = {label: i for i, label in enumerate(self.labels)}
        # int64, not int8: scikit-learn 1.9.1's one-vs-rest silently mis-trains on an int8 indicator matrix
        # with hundreds of columns (reproduced with 300 random labels: label 0 learnt at chance level).
        targets = np.zeros((len(texts), len(self.labels)), dtype=np.int64)
        for row, labels in enumerate(label_sets):
            for label in labels:
                if label in column:
                    targets[row, column[label]] = 1
        self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range, sublinear_tf=True,
                                           preprocessor=normalise_text, dtype=np.float32)
        features = self._vectorizer.fit_transform(texts)
        if len(self.labels) == 1:  # one-vs-rest needs two columns; a second, empty one is never chosen
            targets = np.hstack([targets, np.zeros_like(targets)])
        svm = LinearSVC(C=self.c, random_state=self.seed)  # seeded: liblinear shuffles its coordinate order
        self._model = OneVsRestClassifier(svm, n_jobs=self.n_jobs).fit(features, targets)

    def fit(self, texts: Sequence[str], labels: Sequence[Iterable[str]]) -> IpcClassifier:
        """Train on texts and their label sets; tunes the threshold first unless one was given."""
        texts = list(texts)
        label_sets = [set(labels_of) for labels_of in labels]
        if len(texts) != len(label_sets):
            raise ValueError("texts and labels differ in length")
        if self.threshold is None:
            rng = np.random.default_rng(self.seed)
            order = rng.permutation(len(texts))
            n_validation = max(1, int(round(self.validation_size * len(texts))))
            held, kept = order[:n_validation], order[n_validation:]
            self._fit_once([texts[i] for i in kept], [label_sets[i] for i in kept])
            scores = self.decision([texts[i] for i in held])
            gold = [label_sets[i] for i in held]
            self.threshold = max(THRESHOLDS, key=lambda t: (micro_scores(self._labels_of(_select(scores, t)), gold).f1,
                                                              -abs(t)))
        self._fit_once(texts, label_sets)
        return self

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        """Margins, one column per label in `self.labels` (higher means more likely)."""
        if self._model is None:
            raise RuntimeError("the classifier is not fitted")
        scores = self._model.decision_function(self._vectorizer.transform(list(texts)))
        return np.asarray(scores, dtype=np.float32).reshape(len(texts), -1)[:, : len(self.labels)]

    def _labels_of(self, chosen: np.ndarray) -> list[list[str]]:
        return [[self.labels[i] for i in np.flatnonzero(row)] for row in chosen]

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        """Each text's predicted subclasses: those above the threshold, at least the best one."""
        return self._labels_of(_select(self.decision(texts), self.threshold))

    def predict_top(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The k most likely subclasses of one text with their margins, best first."""
        scores = self.decision([text])[0]
        order = np.argsort(-scores, kind="stable")[:k]
        return [(self.labels[i], float(scores[i])) for i in order]


def cross_validate(texts: Sequence[str], labels: Sequence[Iterable[str]], make: Callable[[], IpcClassifier], *,
                   folds: int = 5, seed: int = 0,
                   progress: Callable[[int, float], None] | None = None) -> list[list[str]]:
    """Out-of-fold predictions (KFold, shuffled with `seed`): each document predicted by a model that
    never saw it. `progress(fold, threshold)` is called after each fold."""
    from sklearn.model_selection import KFold

    texts = list(texts)
    label_sets = [set(labels_of) for labels_of in labels]
    predicted: list[list[str]] = [[] for _ in texts]
    for fold, (train, test) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(texts)):
        model = make().fit([texts[i] for i in train], [label_sets[i] for i in train])
        for i, guess in zip(test, model.predict([texts[i] for i in test]), strict=True):
            predicted[i] = guess
        if progress is not None:
            progress(fold, float(model.threshold))
    return predicted
