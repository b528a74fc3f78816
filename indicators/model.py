"""The learned stages' artefact: load it from the package and score candidate sentences.

The sentence stage is stacked, because the rules' evidence combines non-linearly (a cue means one thing in an
adversary's mouth and another in a rebuke):
- text model: one logistic regression per kind (hostile mention, accusation, denial, threat) over the
  sentence's words, lemma bigrams, character n-grams and the previous sentence's words, hashed into
  ``N_FEATURES`` buckets (murmurhash of the feature name);
- combiner: per kind, gradient-boosted trees over the text model's four probabilities (for the sentence, the
  sentence before it, and the document's maximum) and the rules' findings (``indicators.stage``); a kind fires
  at or above its threshold.
The accused model is one logistic regression over (sentence, person) pairs that says whether the person is the one
an accusation sentence accuses (``indicators.attribution``).
The artefact (``indicators/model/extraction_model.zip``) is written by ``make train`` (``indicators.train``): the
non-zero weights and the trees' nodes as numpy arrays plus a JSON manifest with thresholds, the combiner's input
names, the hash of the training data, the training figures and the library versions. No pickle, nothing
downloaded; a missing artefact is a clear error.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

N_FEATURES = 2**18
MODEL_PATH = Path(__file__).resolve().parent / "model" / "extraction_model.zip"
KINDS = ("hostile_mention", "accusation", "denial", "threat")


# what the rules contribute to the features (``indicators.stage``, ``indicators.attribution``): a model trained
# "text only" (the ablation's classifier-only row) never sees these
RULE_PREFIXES = ("rule", "cue", "cat:", "dropped:", "valid:", "evidence", "voice:", "adv_in", "unknown_voice",
                 "has_target", "prev_rule", "spk", "pub:", "ref:", "person:", "role_noun", "descriptor",
                 "other_country", "speech_verb", "doc:")


def strip_rule_features(feats: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in feats.items() if not k.startswith(RULE_PREFIXES)}


class ModelMissing(RuntimeError):
    pass


@cache
def hasher():
    from sklearn.feature_extraction import FeatureHasher

    return FeatureHasher(n_features=N_FEATURES, input_type="dict", alternate_sign=False)


def vectorize(feats: list[dict[str, float]]):
    """Sparse matrix (CSR, float64) of a list of feature dicts."""
    return hasher().transform(feats)


@dataclass
class Linear:
    """Weights of one or more logistic regressions over the hashed space, stored sparsely."""

    idx: np.ndarray  # int32 feature indices with a non-zero weight in some column
    w: np.ndarray  # float32 (len(idx), n_outputs)
    b: np.ndarray  # float32 (n_outputs,)

    def proba(self, X) -> np.ndarray:
        if X.shape[0] == 0:
            return np.zeros((0, self.w.shape[1]))
        dense_w = _dense(self)
        z = X @ dense_w + self.b
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def from_coef(cls, coef: np.ndarray, intercept: np.ndarray) -> Linear:
        """From sklearn's (n_outputs, N_FEATURES) coefficients."""
        nz = np.flatnonzero(np.any(coef != 0, axis=0)).astype(np.int32)
        return cls(nz, coef[:, nz].T.astype(np.float32).copy(), intercept.astype(np.float32).ravel())


def _dense(lin: Linear) -> np.ndarray:
    """The full weight matrix, built once per model (8 MB for four outputs)."""
    m = lin.__dict__.get("_dense")
    if m is None:
        m = np.zeros((N_FEATURES, lin.w.shape[1]), dtype=np.float64)
        m[lin.idx] = lin.w
        lin.__dict__["_dense"] = m
    return m


@dataclass
class Trees:
    """A gradient-boosted tree ensemble (binary) as flat arrays: the nodes of every tree one after the other."""

    baseline: float
    roots: np.ndarray  # int32 index of each tree's root node
    feature: np.ndarray  # int32
    threshold: np.ndarray  # float64: x <= threshold goes left
    left: np.ndarray  # int32 (absolute node index)
    right: np.ndarray  # int32
    leaf: np.ndarray  # bool
    value: np.ndarray  # float64 leaf values
    missing_left: np.ndarray  # bool: where a missing (NaN) value goes

    @classmethod
    def from_sklearn(cls, hgb) -> Trees:
        """From a fitted ``HistGradientBoostingClassifier`` (numeric features, binary target)."""
        parts, roots, off = [], [], 0
        for (pred,) in hgb._predictors:
            n = pred.nodes
            roots.append(off)
            parts.append((n["feature_idx"], n["num_threshold"], n["left"].astype(np.int64) + off,
                          n["right"].astype(np.int64) + off, n["is_leaf"], n["value"], n["missing_go_to_left"]))
            off += len(n)
        cat = [np.concatenate([p[k] for p in parts]) if parts else np.zeros(0) for k in range(7)]
        return cls(float(np.ravel(hgb._baseline_prediction)[0]), np.array(roots, dtype=np.int32),
                   cat[0].astype(np.int32), cat[1].astype(np.float64), cat[2].astype(np.int32),
                   cat[3].astype(np.int32), cat[4].astype(bool), cat[5].astype(np.float64), cat[6].astype(bool))

    def raw(self, X: np.ndarray) -> np.ndarray:
        """Sum of the leaf values each row reaches, plus the baseline (the log-odds)."""
        n = X.shape[0]
        if n == 0 or len(self.roots) == 0:
            return np.full(n, self.baseline)
        fast = self._compiled()
        if fast is not None:
            Xc = np.ascontiguousarray(X, dtype=np.float64)
            no_cat = np.zeros((0, 8), dtype=np.uint32)
            f_map = np.zeros(X.shape[1], dtype=np.uint32)
            return self.baseline + sum(t.predict(Xc, no_cat, f_map, 1) for t in fast)
        return self._walk(X)

    def _walk(self, X: np.ndarray) -> np.ndarray:
        """The same in numpy: all trees walked at once, one level per step."""
        n = X.shape[0]
        node = np.broadcast_to(self.roots, (n, len(self.roots))).copy()
        rows = np.broadcast_to(np.arange(n)[:, None], node.shape)
        active = ~self.leaf[node]
        while active.any():
            nd = node[active]
            x = X[rows[active], self.feature[nd]]
            go_left = np.where(np.isnan(x), self.missing_left[nd], x <= self.threshold[nd])
            node[active] = np.where(go_left, self.left[nd], self.right[nd])
            active = ~self.leaf[node]
        return self.baseline + self.value[node].sum(axis=1)

    def _compiled(self):
        """scikit-learn's compiled tree walker over these nodes (its predictor class is private API, so any
        mismatch falls back to the numpy walk)."""
        if "_fast" in self.__dict__:
            return self.__dict__["_fast"]
        fast = None
        try:
            from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE
            from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

            ends = list(self.roots[1:]) + [len(self.feature)]
            fast = []
            for start, end in zip(self.roots, ends, strict=True):
                nodes = np.zeros(end - start, dtype=PREDICTOR_RECORD_DTYPE)
                nodes["value"] = self.value[start:end]
                nodes["feature_idx"] = self.feature[start:end]
                nodes["num_threshold"] = self.threshold[start:end]
                nodes["missing_go_to_left"] = self.missing_left[start:end]
                nodes["left"] = self.left[start:end] - start
                nodes["right"] = self.right[start:end] - start
                nodes["is_leaf"] = self.leaf[start:end]
                empty = np.zeros((0, 8), dtype=np.uint32)
                fast.append(TreePredictor(nodes, empty, empty))
        except (ImportError, ValueError, TypeError):
            fast = None
        self.__dict__["_fast"] = fast
        return fast

    def proba(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.raw(X)))

    def arrays(self) -> dict[str, np.ndarray]:
        return {"baseline": np.array([self.baseline]), "roots": self.roots, "feature": self.feature,
                "threshold": self.threshold, "left": self.left, "right": self.right, "leaf": self.leaf,
                "value": self.value, "missing_left": self.missing_left}

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> Trees:
        return cls(float(a["baseline"][0]), a["roots"], a["feature"], a["threshold"], a["left"], a["right"],
                   a["leaf"], a["value"], a["missing_left"])


def combiner_inputs(cands: list, text_probs: np.ndarray, rule_names: list[str]) -> np.ndarray:
    """The combiner's input matrix for one document's candidates: the text model's probabilities for the sentence,
    for the sentence just before it (zero when that was no candidate) and the document's maximum, then the
    rules' findings in the order of ``rule_names``."""
    n = len(cands)
    if n == 0:
        return np.zeros((0, 3 * len(KINDS) + len(rule_names)))
    prev = np.zeros_like(text_probs)
    for k in range(1, n):
        if cands[k].i == cands[k - 1].i + 1:
            prev[k] = text_probs[k - 1]
    dmax = np.tile(text_probs.max(axis=0), (n, 1))
    index = {name: j for j, name in enumerate(rule_names)}
    R = np.zeros((n, len(rule_names)))
    for k, c in enumerate(cands):
        for name, v in c.rules.items():
            j = index.get(name)
            if j is not None:
                R[k, j] = v
    return np.hstack([text_probs, prev, dmax, R])


def choose_accused(scored: list[tuple[float, object]], top: float, more: float) -> list:
    ranked = sorted(scored, key=lambda x: -x[0])
    return [p for k, (q, p) in enumerate(ranked) if q >= (top if k == 0 else max(top, more))]


@dataclass
class ExtractionModel:
    text: Linear  # the text model (4 outputs)
    trees: list[Trees]  # the combiner, one ensemble per kind
    rule_names: list[str]  # the combiner's rule inputs
    accused: Linear
    thresholds: dict[str, float]
    accused_threshold: float  # the likeliest person of an accusing sentence is accused from here
    manifest: dict
    accused_more: float | None = None  # any further person from here (several accused in one sentence)

    def choose_accused(self, scored: list[tuple[float, object]]) -> list:
        """The accused among (probability, person) pairs of one accusing sentence."""
        return choose_accused(scored, self.accused_threshold,
                              self.accused_threshold if self.accused_more is None else self.accused_more)

    @property
    def text_only(self) -> bool:
        return bool(self.manifest.get("text_only"))

    def _pairs(self, feats: list[dict[str, float]]) -> list[dict[str, float]]:
        return [strip_rule_features(f) for f in feats] if self.text_only else feats

    def text_proba(self, cands: list) -> np.ndarray:
        if not cands:
            return np.zeros((0, len(KINDS)))
        return self.text.proba(vectorize([c.text for c in cands]))

    def sentence_proba(self, docs: list[list]) -> list[np.ndarray]:
        """Kind probabilities for each document's candidates (a list of candidate lists), in one batch."""
        flat = [c for cands in docs for c in cands]
        A = self.text_proba(flat)
        if self.text_only:
            P = A
        else:
            rows, k = [], 0
            for cands in docs:
                rows.append(combiner_inputs(cands, A[k:k + len(cands)], self.rule_names))
                k += len(cands)
            X = np.vstack(rows) if rows else np.zeros((0, 3 * len(KINDS) + len(self.rule_names)))
            P = np.column_stack([t.proba(X) for t in self.trees]) if len(X) else np.zeros((0, len(KINDS)))
        out, k = [], 0
        for cands in docs:
            out.append(P[k:k + len(cands)])
            k += len(cands)
        return out

    def accused_proba(self, feats: list[dict[str, float]]) -> np.ndarray:
        return self.accused.proba(vectorize(self._pairs(feats)))[:, 0]

    def top_words(self, feats: dict[str, float], kind: str, n: int) -> list[str]:
        """The sentence's words (lemmas) that pushed ``kind`` up the most in the text model: the evidence behind
        a learned signal."""
        words = [(k, v) for k, v in feats.items() if k.startswith("w:") and not k.startswith("w:⟨") and len(k) > 4]
        if not words:
            return []
        contrib = vectorize([{k: v} for k, v in words]) @ _dense(self.text)[:, KINDS.index(kind)]
        order = np.argsort(-contrib, kind="stable")
        return [words[j][0][2:] for j in order[:n] if contrib[j] > 0]


def save(model: ExtractionModel, path: Path = MODEL_PATH) -> None:
    """Write the artefact byte-for-byte deterministically (fixed zip timestamps, sorted manifest)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        def put(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)

        def put_array(name: str, arr: np.ndarray) -> None:
            buf = io.BytesIO()
            np.save(buf, arr, allow_pickle=False)
            put(name + ".npy", buf.getvalue())

        for prefix, lin in (("text", model.text), ("accused", model.accused)):
            for part in ("idx", "w", "b"):
                put_array(f"{prefix}_{part}", getattr(lin, part))
        for kind, trees in zip(KINDS, model.trees, strict=False):  # none for a text-only model
            for name, arr in trees.arrays().items():
                put_array(f"trees_{kind}_{name}", arr)
        manifest = dict(model.manifest, thresholds=model.thresholds, accused_threshold=model.accused_threshold,
                        accused_more=model.accused_more, n_features=N_FEATURES, kinds=list(KINDS), rule_names=model.rule_names)
        put("manifest.json", json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    tmp.replace(path)


def load(path: Path = MODEL_PATH) -> ExtractionModel:
    if not path.exists():
        raise ModelMissing(f"no extraction model at {path}: run `make train` to build it from training/corpus")
    with zipfile.ZipFile(path) as z:
        def arr(name: str) -> np.ndarray:
            return np.load(io.BytesIO(z.read(name + ".npy")), allow_pickle=False)

        manifest = json.loads(z.read("manifest.json"))
        if manifest.get("n_features") != N_FEATURES or manifest.get("kinds") != list(KINDS):
            raise ModelMissing(f"the model at {path} was built for another feature space: run `make train`")
        text = Linear(arr("text_idx"), arr("text_w"), arr("text_b"))
        acc = Linear(arr("accused_idx"), arr("accused_w"), arr("accused_b"))
        trees = [] if manifest.get("text_only") else [
            Trees.from_arrays({k: arr(f"trees_{kind}_{k}") for k in ("baseline", "roots", "feature", "threshold",
                                                                    "left", "right", "leaf", "value", "missing_left")})
            for kind in KINDS]
    return ExtractionModel(text, trees, manifest["rule_names"], acc, manifest["thresholds"],
                           manifest["accused_threshold"], manifest, manifest.get("accused_more"))


@cache
def default_model() -> ExtractionModel:
    return load()
