"""IPC subclass prediction from titles: scoring helpers by hand, and a small cross-validation on real titles."""

from __future__ import annotations

import csv
import gzip
from collections import Counter

import numpy as np
import pytest
from sklearn.model_selection import KFold

from ipcity.patents.semantic.classify import IpcClassifier, cross_validate, ipc_class, ipc_section, micro_scores
from tests.conftest import shared_data


def test_micro_scores_by_hand():
    scores = micro_scores([{"A01B", "B65D"}, {"H01M"}], [{"A01B"}, {"H01M", "G06F"}])
    # 2 hits, 3 predicted, 3 true
    assert (scores.precision, scores.recall, scores.f1) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert micro_scores([[]], [[]]).f1 == 0.0
    assert ipc_class("H01M") == "H01" and ipc_section("H01M") == "H"


@pytest.fixture(scope="module")
def titles():
    folder = shared_data("cn-patent-titles-ipc")
    with gzip.open(folder / "cn_titles_ipc_subclasses.tsv.gz", "rt", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))[1:]
    rng = np.random.default_rng(0)
    picked = rng.choice(len(rows), 3000, replace=False)
    return [rows[i][1] for i in picked], [rows[i][2].split("|") for i in picked]


def test_beats_the_majority_label_on_a_small_cross_validation(titles):
    texts, labels = titles
    predicted = cross_validate(texts, labels, lambda: IpcClassifier(min_label_count=3), folds=3, seed=0)
    assert all(predicted)  # at least one label per document
    ours = micro_scores(predicted, labels).f1
    majority = []
    for train, test in KFold(3, shuffle=True, random_state=0).split(texts):
        top = Counter(label for i in train for label in labels[i]).most_common(1)[0][0]
        majority.append((test, top))
    baseline = micro_scores([[top] for test, top in majority for _ in test],
                            [labels[i] for test, _ in majority for i in test]).f1
    assert ours > 0.30 and ours > 3 * baseline, (ours, baseline)


def test_predict_top_ranks_the_labels(titles):
    texts, labels = titles
    model = IpcClassifier(min_label_count=3, threshold=-0.5).fit(texts[:2000], labels[:2000])
    top = model.predict_top("一种锂离子电池正极材料的制备方法", k=3)
    assert len(top) == 3 and [s for _, s in top] == sorted((s for _, s in top), reverse=True)
    assert top[0][0] == "H01M"  # lithium-ion battery cathode material: H01M (batteries)
    assert model.predict(["一种锂离子电池正极材料的制备方法", "一种茶叶烘干装置"])[0][0] == "H01M"
    assert all(model.predict(texts[2000:2100]))  # never an empty prediction
