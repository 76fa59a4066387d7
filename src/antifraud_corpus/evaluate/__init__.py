"""Score the pipeline against hand-coded gold files (format: tests/fixtures/gold/README.md).

The figures follow the project's scoring tool exactly — duties match when
their sentences overlap by at least half of the shorter one; actors and
measures are micro-averaged sets over matched duties; clauses are
(path, start) pairs — so `corpus evaluate` and the outside scorer agree.
Cohen's kappa per measure is added: the agreement figure content-analysis
papers report, computed over the duties both coders (gold and pipeline) found.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import yaml

from ..config import Config
from ..errors import ConfigError
from ..models import Document


def norm(text: str | None) -> str:
    """Fold width and drop all white space, for robust substring tests."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(folded.split())


def overlap(a: str, b: str) -> float:
    """Share of the shorter string covered by matching blocks of the two."""
    a, b = norm(a), norm(b)
    if not a or not b:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / min(len(a), len(b))


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cohen_kappa(pairs: list[tuple[bool, bool]]) -> float | None:
    """Kappa of two coders' yes/no decisions; None when undefined (no units, or no variation)."""
    n = len(pairs)
    if not n:
        return None
    agree = sum(1 for a, b in pairs if a == b) / n
    p_a = sum(1 for a, _ in pairs if a) / n
    p_b = sum(1 for _, b in pairs if b) / n
    expected = p_a * p_b + (1 - p_a) * (1 - p_b)
    if expected >= 1.0:
        return None
    return (agree - expected) / (1 - expected)


@dataclass(slots=True)
class Counts:
    """Raw counts for one document or the whole set; figures are derived from them."""

    docs: int = 0
    docs_found: int = 0
    level_ok: int = 0
    kind_ok: int = 0
    region_ok: int = 0
    date_ok: int = 0
    date_n: int = 0
    title_ok: int = 0
    junk: int = 0
    junk_left: int = 0
    keep: int = 0
    keep_ok: int = 0
    pii: int = 0
    pii_leaked: int = 0
    body_start_ok: int = 0
    body_end_ok: int = 0
    cl_tp: int = 0
    cl_fp: int = 0
    cl_fn: int = 0
    du_tp: int = 0
    du_fp: int = 0
    du_fn: int = 0
    ac_tp: int = 0
    ac_fp: int = 0
    ac_fn: int = 0
    me_tp: int = 0
    me_fp: int = 0
    me_fn: int = 0
    mod_ok: int = 0
    mod_n: int = 0
    measure_pairs: dict[str, list[tuple[bool, bool]]] = field(default_factory=dict)

    def add(self, other: Counts) -> None:
        for name in self.__slots__:  # type: ignore[attr-defined]
            if name == "measure_pairs":
                for measure, pairs in other.measure_pairs.items():
                    self.measure_pairs.setdefault(measure, []).extend(pairs)
            else:
                setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, float | int]:
        n = max(self.docs, 1)
        duty = prf(self.du_tp, self.du_fp, self.du_fn)
        actor = prf(self.ac_tp, self.ac_fp, self.ac_fn)
        measure = prf(self.me_tp, self.me_fp, self.me_fn)
        clause = prf(self.cl_tp, self.cl_fp, self.cl_fn)
        return {
            "docs_found": self.docs_found / n,
            "level_acc": self.level_ok / n,
            "kind_acc": self.kind_ok / n,
            "region_acc": self.region_ok / n,
            "date_acc": self.date_ok / max(self.date_n, 1),
            "title_acc": self.title_ok / n,
            "junk_removed": 1 - self.junk_left / max(self.junk, 1),
            "keep_kept": self.keep_ok / max(self.keep, 1),
            "pii_leaked": self.pii_leaked,
            "body_bounds": (self.body_start_ok + self.body_end_ok) / (2 * n),
            "clause_p": clause[0],
            "clause_r": clause[1],
            "duty_p": duty[0],
            "duty_r": duty[1],
            "duty_f1": duty[2],
            "actor_p": actor[0],
            "actor_r": actor[1],
            "actor_f1": actor[2],
            "measure_p": measure[0],
            "measure_r": measure[1],
            "measure_f1": measure[2],
            "modality_acc": self.mod_ok / max(self.mod_n, 1),
            "gold_duties": self.du_tp + self.du_fn,
            "pred_duties": self.du_tp + self.du_fp,
        }

    def kappas(self) -> dict[str, float | None]:
        return {m: cohen_kappa(pairs) for m, pairs in sorted(self.measure_pairs.items())}


@dataclass(slots=True)
class Evaluation:
    """Per-document and overall counts."""

    per_document: dict[str, Counts]
    overall: Counts

    def to_dict(self) -> dict:
        return {
            "overall": self.overall.figures(),
            "kappa": self.overall.kappas(),
            "documents": {doc: c.figures() for doc, c in sorted(self.per_document.items())},
        }


def load_gold(gold_dir: Path) -> list[dict]:
    """Read every gold YAML file of a folder.

    Raises:
        ConfigError: the folder is missing or a file is not valid gold YAML.
    """
    if not gold_dir.is_dir():
        raise ConfigError(f"{gold_dir}: gold folder does not exist; pass --gold DIR with the gold YAML files")
    golds = []
    for path in sorted(gold_dir.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            raise ConfigError(f"{path}: invalid YAML in gold file; fix its syntax") from None
        if not isinstance(data, dict) or "doc" not in data:
            raise ConfigError(f"{path}: not a gold file (no 'doc' key); see the gold README")
        golds.append(data)
    if not golds:
        raise ConfigError(f"{gold_dir}: no gold *.yaml files found")
    return golds


def _duty_units(doc: Document) -> list[dict]:
    return [
        {"sentence": d.sentence, "clause": d.clause, "modality": d.modality,
         "actors": set(d.actor_ids), "measures": set(d.measure_ids)}
        for d in doc.duties
    ]


def _match(gold: list[dict], pred: list[dict]) -> list[tuple[dict, dict]]:
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            score = overlap(g["text"], p["sentence"])
            if score >= 0.5:
                candidates.append((score, gi, pi))
    candidates.sort(reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    matched = []
    for _, gi, pi in candidates:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        matched.append((gold[gi], pred[pi]))
    return matched


def score_document(gold: dict, doc: Document | None, every_output: str, measure_ids: Iterable[str]) -> Counts:
    """Counts for one gold file against the pipeline's document (None when it was not produced)."""
    c = Counts(docs=1)
    gold_duties = gold.get("duties") or []
    if doc is None:
        c.du_fn += len(gold_duties)
        return c
    c.docs_found = 1
    text = norm(doc.text)
    c.level_ok = int(doc.level == gold.get("level"))
    c.kind_ok = int(doc.kind == gold.get("kind"))
    c.region_ok = int(norm(doc.region) == norm(gold.get("region")))
    if gold.get("date_stated", True):
        c.date_n = 1
        c.date_ok = int(str(doc.date) == str(gold.get("date")))
    c.title_ok = int(overlap(doc.title or "", gold.get("title") or "") >= 0.9
                     and abs(len(norm(doc.title)) - len(norm(gold.get("title")))) <= 4)
    for junk in gold.get("junk") or []:
        c.junk += 1
        c.junk_left += int(norm(junk) in text)
    for keep in gold.get("keep") or []:
        c.keep += 1
        c.keep_ok += int(norm(keep) in text)
    for pii in gold.get("pii") or []:
        c.pii += 1
        c.pii_leaked += int(norm(pii) in every_output)
    body = gold.get("body") or {"starts_with": "", "ends_with": ""}
    start = text.find(norm(body.get("starts_with")))
    c.body_start_ok = int(0 <= start <= len(norm(gold.get("title"))) + 40)
    end = text.rfind(norm(body.get("ends_with")))
    c.body_end_ok = int(end >= 0 and len(text) - (end + len(norm(body.get("ends_with")))) <= 10)

    if gold.get("clauses") is not None:
        gold_clauses = [(norm(x["path"]), norm(x["starts_with"])) for x in gold["clauses"]]
        pred_clauses = [(norm(x.path), norm(x.text)) for x in doc.clauses]
        hit: set[int] = set()
        for path, starts in gold_clauses:
            for i, (p_path, p_text) in enumerate(pred_clauses):
                if i not in hit and p_path == path and starts[:6] in p_text[: len(starts) + 12]:
                    hit.add(i)
                    c.cl_tp += 1
                    break
            else:
                c.cl_fn += 1
        c.cl_fp += len([p for p in pred_clauses if p[0] and not p[0].startswith("¶")]) - len(hit)

    if gold.get("duties") is None:
        return c
    ignore = [norm(s) for s in gold.get("ignore_spans") or []]
    scope = [norm(x) for x in gold.get("duty_scope") or []]
    preds = [p for p in _duty_units(doc)
             if not any(norm(p["sentence"]) and norm(p["sentence"]) in s for s in ignore)
             and (not scope or any(norm(p["clause"]).startswith(x) for x in scope))]
    matched = _match(gold_duties, preds)
    c.du_tp = len(matched)
    c.du_fp = len(preds) - len(matched)
    c.du_fn = len(gold_duties) - len(matched)
    matched_gold = {id(g) for g, _ in matched}
    matched_pred = {id(p) for _, p in matched}
    for g, p in matched:
        gold_actors, pred_actors = set(g.get("actors") or []), p["actors"]
        c.ac_tp += len(gold_actors & pred_actors)
        c.ac_fp += len(pred_actors - gold_actors)
        c.ac_fn += len(gold_actors - pred_actors)
        gold_measures, pred_measures = set(g.get("measures") or []), p["measures"]
        c.me_tp += len(gold_measures & pred_measures)
        c.me_fp += len(pred_measures - gold_measures)
        c.me_fn += len(gold_measures - pred_measures)
        c.mod_n += 1
        c.mod_ok += int(g.get("modality") == p["modality"])
        for measure in measure_ids:
            c.measure_pairs.setdefault(measure, []).append((measure in gold_measures, measure in pred_measures))
    for g in gold_duties:
        if id(g) not in matched_gold:
            c.ac_fn += len(g.get("actors") or [])
            c.me_fn += len(g.get("measures") or [])
    for p in preds:
        if id(p) not in matched_pred:
            c.ac_fp += len(p["actors"])
            c.me_fp += len(p["measures"])
    return c


def evaluate_documents(golds: list[dict], docs: dict[str, Document], every_output: str,
                       measure_ids: Iterable[str]) -> Evaluation:
    """Score documents (by doc_id) against gold files; `every_output` is searched for leaked personal data."""
    measure_ids = list(measure_ids)
    folded_output = norm(every_output)
    per_document = {}
    overall = Counts()
    for gold in golds:
        counts = score_document(gold, docs.get(gold["doc"]), folded_output, measure_ids)
        per_document[gold["doc"]] = counts
        overall.add(counts)
    return Evaluation(per_document, overall)


def evaluate_corpus(gold_dir: Path, raw_dir: Path, config: Config, *, workers: int = 1) -> tuple[Evaluation, list]:
    """Ingest `raw_dir` into a scratch store, score it against `gold_dir`; return it and ingest failures."""
    import json
    import tempfile

    from ..pipeline import ingest_corpus
    from ..store import iter_document_paths

    golds = load_gold(gold_dir)
    docs: dict[str, Document] = {}
    outputs: list[str] = []  # every file the store holds: searched for leaked personal data
    with tempfile.TemporaryDirectory(prefix="corpus-evaluate-") as scratch:
        store = Path(scratch)
        report = ingest_corpus(raw_dir, store, config, workers=workers)
        documents = set(iter_document_paths(store))
        for path in sorted(store.iterdir()):
            if not path.is_file():
                continue
            content = path.read_text(encoding="utf-8", errors="replace")
            outputs.append(content)
            if path in documents:
                doc = Document.from_dict(json.loads(content))
                docs[doc.doc_id] = doc
    measures = list((config["taxonomy"].get("measures") or {}).keys())
    return evaluate_documents(golds, docs, "".join(outputs), measures), report.failed
