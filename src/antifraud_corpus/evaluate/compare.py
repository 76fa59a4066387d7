"""Score `corpus compare` against a team's own hand alignment (`corpus evaluate --compare-gold FILE`).

The gold file is the format of the project's compare gold (shared/gold/compare/README.md): for every
directive of a local document, the reference directives it carries out (`refs`, `[]` when `added`)
with a status, the section headings it carries out through their items (`covered`), and the duty gold
whose texts the directives quote (`duty_gold:` folders of `<doc>.yaml`). The figures are those of the
outside scorer (score_compare.py), so that a team reports the same numbers on its own sample:

- align_p: aligned rows whose reference is among the gold refs of the local directive (a row on text
  that is no gold directive is wrong); align_r: gold directives with refs that have such a row;
- status_acc: on correctly aligned rows, the status equals the gold status of the pair;
- added_p / added_r: `added` rows on gold directives, against the gold's added directives;
- omitted_p / omitted_r: `omitted` rows against the derived omissions (every duty of an eligible
  reference that no directive lists in `refs` and that is not `covered`).

Sentences are paired with gold directives as in score.py: the characters two texts share are at least
half of the shorter one, the distinct sentences the run shows for a document taken one-to-one, highest
overlap first. Rows whose reference is later are ignored; text in the duty gold's `ignore_spans` is
neither right nor wrong.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..compare import CARRIED, compare_corpus, diff_to_json
from ..errors import ConfigError
from . import norm, overlap

FIGURES = ("align_p", "align_r", "align_f1", "status_acc", "added_p", "added_r", "omitted_p", "omitted_r")


class _Matcher:
    """Pairs the sentences a run shows for one document with its gold directives (see the module doc)."""

    def __init__(self, texts: list[str], ignore_spans: list[str]) -> None:
        self.texts = [norm(t) for t in texts]
        self.ignore = [norm(s) for s in ignore_spans]
        self.assigned: dict[str, int] = {}

    def ignored(self, sentence: str | None) -> bool:
        key = norm(sentence)
        return bool(key) and any(key in span for span in self.ignore)

    def assign(self, sentences: Iterable[str]) -> None:
        pairs = []
        for key in {norm(s) for s in sentences if s} - {""}:
            if self.ignored(key):
                continue
            for number, text in enumerate(self.texts):
                share = overlap(key, text)
                if share >= 0.5:
                    pairs.append((share, -abs(len(text) - len(key)), key, number))
        pairs.sort(reverse=True)
        used: set[int] = set()
        self.assigned = {}
        for _, _, key, number in pairs:
            if key not in self.assigned and number not in used:
                self.assigned[key] = number
                used.add(number)

    def match(self, sentence: str | None) -> int | None:
        return self.assigned.get(norm(sentence))

    def best(self, sentence: str | None) -> int | None:
        """The gold directive a sentence repeats (a summary line), not one-to-one."""
        key = norm(sentence)
        ranked = [(overlap(key, text), -abs(len(text) - len(key)), n) for n, text in enumerate(self.texts)]
        top = max(ranked, default=(0.0, 0, None))
        return top[2] if top[0] >= 0.5 else None


@dataclass(slots=True)
class CompareGold:
    """A compare gold file read and checked: duty texts per document, and what each local document does."""

    duties: dict[str, list[str]]
    ignore: dict[str, list[str]]
    locals: dict[str, dict[str, Any]]  # doc -> references, covered, directives {index: {status, refs}}, omitted


def load_compare_gold(path: Path) -> CompareGold:
    """Read a compare gold file and the duty gold it names.

    Raises:
        ConfigError: the file cannot be read, or a text, document or status in it is not found or known.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read compare gold ({exc.__class__.__name__}); check the path and its YAML") \
            from None
    if not isinstance(data, dict) or not isinstance(data.get("locals"), dict) or not data.get("duty_gold"):
        raise ConfigError(f"{path}: not a compare gold file (needs `duty_gold:` and `locals:`); see the compare gold "
                          "README")
    folders = [path.parent / str(d) for d in (data["duty_gold"] if isinstance(data["duty_gold"], list)
                                             else [data["duty_gold"]])]
    docs = set(map(str, data.get("metadata") or {})) | set(map(str, data["locals"]))
    for local in data["locals"].values():
        docs |= {str(d) for d in (local or {}).get("references") or ()}
    duties: dict[str, list[str]] = {}
    ignore: dict[str, list[str]] = {}
    for doc in sorted(docs):
        found = next((f / f"{doc}.yaml" for f in folders if (f / f"{doc}.yaml").is_file()), None)
        if found is None:
            raise ConfigError(f"{path}: no duty gold {doc}.yaml in {', '.join(map(str, folders))}")
        coded = yaml.safe_load(found.read_text(encoding="utf-8")) or {}
        if not isinstance(coded.get("duties"), list):
            raise ConfigError(f"{found}: its duties are not coded, so {doc} cannot be compared")
        duties[doc] = [str(d.get("text") or "") for d in coded["duties"]]
        ignore[doc] = [s for s in coded.get("ignore_spans") or [] if s]
    index = {doc: {norm(text): n for n, text in enumerate(texts)} for doc, texts in duties.items()}

    def find(doc: Any, text: Any, where: str) -> tuple[str, int]:
        number = index.get(str(doc), {}).get(norm(str(text or "")))
        if number is None:
            raise ConfigError(f"{path}: {where}: text not in the duty gold of {doc}: {str(text)[:30]}…")
        return str(doc), number

    locals_: dict[str, dict[str, Any]] = {}
    for local, spec in data["locals"].items():
        local, spec = str(local), spec or {}
        references = [str(d) for d in spec.get("references") or ()]
        covered = {find(c.get("doc"), c.get("text"), f"{local} covered") for c in spec.get("covered") or ()}
        directives: dict[int, dict[str, Any]] = {}
        for number, directive in enumerate(spec.get("directives") or ()):
            where = f"{local} directive {number + 1}"
            status = directive.get("status")
            if status not in (*CARRIED, "added"):
                raise ConfigError(f"{path}: {where}: status {status!r} is not one of {', '.join(CARRIED)}, added")
            _, own = find(local, directive.get("text"), where)
            refs = {find(r.get("doc"), r.get("text"), where): r.get("status", status)
                    for r in directive.get("refs") or ()}
            directives[own] = {"status": status, "refs": refs}
        carried = {ref for d in directives.values() for ref in d["refs"]}
        omitted = {(doc, n) for doc in references for n in range(len(duties[doc]))} - carried - covered
        locals_[local] = {"references": references, "directives": directives, "omitted": omitted}
    return CompareGold(duties, ignore, locals_)


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def figures(counts: Counter) -> dict[str, float]:
    """The scorer's figures from the counts of `score_compare`."""
    p, r = _ratio(counts["aligned_ok"], counts["aligned"]), _ratio(counts["recalled"], counts["gold_with_refs"])
    return {"align_p": p, "align_r": r, "align_f1": 2 * p * r / (p + r) if p + r else 0.0,
            "status_acc": _ratio(counts["status_ok"], counts["aligned_ok"]),
            "added_p": _ratio(counts["added_ok"], counts["added"]),
            "added_r": _ratio(counts["added_found"], counts["gold_added"]),
            "omitted_p": _ratio(counts["omitted_ok"], counts["omitted"]),
            "omitted_r": _ratio(counts["omitted_found"], counts["gold_omitted"])}


def score_compare(gold: CompareGold, diffs: Iterable[dict]) -> dict[str, Any]:
    """Judge diff records (`compare.diff_to_json`) against the gold; figures overall and per local document.

    Returns:
        `{"overall": figures, "documents": {doc: figures}, "counts": {doc: counts}}`.
    """
    rows = [d for d in diffs if isinstance(d, dict)]
    matchers = {doc: _Matcher(texts, gold.ignore[doc]) for doc, texts in gold.duties.items()}
    shown: dict[str, set[str]] = {doc: set() for doc in matchers}
    for row in rows:
        for side, doc in (("local", row.get("doc_id")), ("reference", (row.get("reference") or {}).get("doc_id"))):
            sentence = (row.get(side) or {}).get("sentence")
            if str(doc) in shown and sentence:
                shown[str(doc)].add(sentence)
    for doc, sentences in shown.items():
        matchers[doc].assign(sentences)
    per = {local: Counter() for local in gold.locals}
    found: dict[str, dict[str, set]] = {local: {"recalled": set(), "added": set(), "omitted": set()}
                                        for local in gold.locals}
    for row in rows:
        local = str(row.get("doc_id"))
        if local not in gold.locals or row.get("reference_later"):
            continue
        spec, counts, status = gold.locals[local], per[local], row.get("status")
        loc, ref = row.get("local") or {}, row.get("reference") or {}
        ref_doc = str(ref.get("doc_id")) if ref else None
        own = matchers[local].match(loc.get("sentence")) if loc else None
        other = matchers[ref_doc].match(ref.get("sentence")) if ref_doc in matchers else None
        ref_ignored = ref_doc in matchers and matchers[ref_doc].ignored(ref.get("sentence"))
        if ref_ignored and status in CARRIED:
            other = matchers[ref_doc].best(ref.get("sentence"))
        if (loc and matchers[local].ignored(loc.get("sentence"))) or \
                (ref_ignored and (status == "omitted" or other is None)):
            continue
        directive = spec["directives"].get(own) if own is not None else None
        if status in CARRIED:
            counts["aligned"] += 1
            gold_status = directive["refs"].get((ref_doc, other)) if directive and other is not None else None
            if gold_status is not None:
                counts["aligned_ok"] += 1
                counts["status_ok"] += status == gold_status
                found[local]["recalled"].add(own)
        elif status == "added" and directive is not None:
            counts["added"] += 1
            if directive["status"] == "added":
                counts["added_ok"] += 1
                found[local]["added"].add(own)
        elif status == "omitted":
            counts["omitted"] += 1
            if other is not None and (ref_doc, other) in spec["omitted"]:
                counts["omitted_ok"] += 1
                found[local]["omitted"].add((ref_doc, other))
    total: Counter = Counter()
    for local, spec in gold.locals.items():
        counts = per[local]
        directives = spec["directives"].values()
        counts["gold_with_refs"] = sum(1 for d in directives if d["refs"])
        counts["gold_added"] = sum(1 for d in directives if d["status"] == "added")
        counts["gold_omitted"] = len(spec["omitted"])
        counts["recalled"] = len(found[local]["recalled"])
        counts["added_found"] = len(found[local]["added"])
        counts["omitted_found"] = len(found[local]["omitted"])
        total.update(counts)
    return {"overall": figures(total), "documents": {local: figures(per[local]) for local in sorted(per)},
            "counts": {local: dict(per[local]) for local in sorted(per)}}


def evaluate_compare(gold_path: Path, normalized_dir: Path, config: Any) -> dict[str, Any]:
    """Compare the stored corpus (its own metadata) and score the result against `gold_path`."""
    from ..store import load_document_duties

    gold = load_compare_gold(gold_path)
    comparison = compare_corpus(load_document_duties(normalized_dir), config)
    return score_compare(gold, (diff_to_json(d) for d in comparison.diffs))
