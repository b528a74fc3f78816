"""The learned stage's artefact: it loads from the package, records the data it was trained on, is written
byte-for-byte deterministically, and its exported trees score exactly as scikit-learn's."""

import hashlib

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from indicators.model import KINDS, MODEL_PATH, Linear, Trees, load, save
from indicators.train import corpus_files, data_hash


def test_exported_trees_score_as_sklearn():
    rng = np.random.default_rng(7)
    X = rng.random((400, 6))
    X[rng.random(X.shape) < 0.05] = np.nan  # missing values take the learned side
    y = ((np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 3]) > 1.0) ^ (rng.random(400) < 0.1)).astype(int)
    m = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=7, random_state=0, early_stopping=False).fit(X, y)
    trees = Trees.from_sklearn(m)
    np.testing.assert_allclose(trees.proba(X), m.predict_proba(X)[:, 1], rtol=1e-9, atol=1e-12)
    # the numpy walk (used where scikit-learn's compiled walker is unavailable) agrees too
    np.testing.assert_allclose(1 / (1 + np.exp(-trees._walk(X))), m.predict_proba(X)[:, 1], rtol=1e-9, atol=1e-12)
    assert trees._compiled() is not None


def test_the_shipped_model_was_trained_on_the_files_in_the_repo():
    model = load()
    files = corpus_files()
    assert model.manifest["data_sha256"] == data_hash(files), "the artefact is stale: run `make train`"
    assert sorted(model.thresholds) == sorted(KINDS) and all(0 < t < 1 for t in model.thresholds.values())
    assert model.manifest["training"]["candidate_sentences"] >= 3000
    assert len(model.trees) == len(KINDS) and model.rule_names


def test_saving_is_deterministic(tmp_path):
    model = load()
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    save(model, a)
    save(model, b)
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    again = load(a)
    assert again.thresholds == model.thresholds
    np.testing.assert_array_equal(again.text.w, model.text.w)


def test_a_missing_artefact_is_one_clear_error(tmp_path):
    try:
        load(tmp_path / "none.zip")
    except RuntimeError as e:
        assert "make train" in str(e)
    else:
        raise AssertionError("no error")
    assert MODEL_PATH.name == "extraction_model.zip"


def test_linear_weights_round_trip():
    coef = np.zeros((2, 2**18))
    coef[0, 5], coef[1, 77] = 1.5, -2.0
    lin = Linear.from_coef(coef, np.array([0.1, -0.2]))
    assert list(lin.idx) == [5, 77] and lin.w.shape == (2, 2)
