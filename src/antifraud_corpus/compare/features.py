"""The corpus as the comparison reads it: documents, their directives, and the features of each
distinct directive (n-gram ids by fragment, weights, actors, measures, modality, deadlines, numbers)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..models import Document
from ..store import DocumentDuties
from .pairscore import GramTable, flat_grams, gram_table
from .records import RANK, DocumentInfo
from .settings import CompareSettings


@dataclass(slots=True)
class Sig:
    """What the comparison knows of a distinct directive: n-grams, actors, measures, modality rank."""

    grams: tuple[int, ...]  # distinct gram ids, fragment after fragment (a gram is kept in its first fragment)
    bounds: tuple[int, ...]  # end of each fragment in `grams`
    specific: frozenset[str]  # actors other than the generic ones
    named: bool  # a specific actor named in the sentence itself or carried over to it
    vague: bool  # only generic actors named (`各有关部门`): vaguer than a specific one
    measures: frozenset[str]
    rank: float  # of the modality
    label: str  # the marker as written, or the modality
    deadlines: tuple[tuple[str, str, int | None], ...]  # (text, lapse, stated year)
    numbers: tuple[str, ...]
    weight: float = 0.0  # sum of squared gram weights
    frag_weights: tuple[float, ...] = ()
    long: tuple[int, ...] = ()  # fragments of at least `fragment_min_grams` grams, aligned on their own
    floor: float = 0.0  # the smallest weight among the `long` fragments (0 when there is none)
    role: int = 0  # ORDINARY, SINGLE_PRINCIPLE or GUIDING (`compare.yaml` guiding)
    actions: int = 0  # bit set of the action concepts (`ngram.action_concepts`) whose action words it names
    leads: int = 0  # bit set of the action concepts its leading fragment names: its own action

    def part(self, number: int) -> tuple[int, ...]:
        """The gram ids of fragment `number`."""
        return self.grams[self.bounds[number - 1] if number else 0:self.bounds[number]]


@dataclass(slots=True)
class Item:
    """A directive of a document, compact (the loaded `Document` is not kept)."""

    doc: int
    clause: str
    sentence: str
    start: int
    end: int
    actors: tuple[str, ...]
    modality: str
    marker: str
    measures: tuple[str, ...]
    sig: int
    pos: int = 0  # index among the directives of its document (in text order)
    on_topic: bool = True  # its topic relevance reaches topic.yaml's threshold (`topic.py`)
    section_end: int = 0  # for a section heading: the position after its last item (else 0)
    minor: bool = False  # a list item or a penalty provision (omitted only against a document of its kind)


class Corpus:
    """Documents, their directives and the distinct directive features, built in one pass."""

    def __init__(self, settings: CompareSettings) -> None:
        self.s = settings
        self.infos: list[DocumentInfo] = []
        self.items: list[list[Item]] = []
        self.sigs: list[Sig] = []
        self.sig_ids: dict[tuple, int] = {}
        self.sig_count: list[int] = []
        self.gram_ids: dict[str, int] = {}
        self.concept_grams = [self.gram_ids.setdefault(CONCEPT + name, len(self.gram_ids))
                              for name, _ in settings.concepts]
        self.w2: list[float] = []
        self.fragments: dict[str, tuple[int, ...]] = {}
        self.interned: dict[object, object] = {}
        self.table: GramTable | None = None  # the features as arrays, for batch scoring (`finish`)
        self.tags: TagBits | None = None  # measures and specific actors as bit sets (`finish`)
        self.roles: np.ndarray | None = None  # each distinct directive's `role` (`finish`)
        self.actions: np.ndarray | None = None  # each distinct directive's `actions` (`finish`)
        self.leads: np.ndarray | None = None  # each distinct directive's `leads` (`finish`)

    def add(self, doc: Document | DocumentDuties) -> None:
        index = len(self.infos)
        self.infos.append(DocumentInfo(doc.doc_id, doc.level if doc.level in RANK else None, doc.region,
                                       doc.province, doc.date, doc.title, doc.kind, len(doc.duties)))
        items = []
        intern = self.interned.setdefault
        for duty in doc.duties:
            actors = tuple(duty.actor_ids)
            actors = intern(actors, actors)  # few distinct combinations: share one tuple each
            measures = tuple(duty.measure_ids)
            measures = intern(measures, measures)
            # Local documents copy central sentences verbatim: one string per distinct text, not per
            # directive (at 10k documents, 96k distinct sentences among 250k directives), and one per
            # clause number, modality and marker.
            sentence, modality, marker, clause = (intern(text, text) for text in (duty.sentence, duty.modality,
                                                                                   duty.marker, duty.clause or ""))
            named = duty.actor_source in self.s.named_sources
            key = (sentence, actors, named, modality, marker, measures)
            sig = self.sig_ids.get(key)
            if sig is None:
                sig = self.sig_ids[key] = len(self.sigs)
                self.sigs.append(self._features(sentence, actors, named, modality, marker, measures))
                self.sig_count.append(0)
            self.sig_count[sig] += 1
            items.append(Item(index, clause, sentence, duty.start, duty.end, actors, modality, marker, measures, sig,
                              on_topic=self.s.topic.on_topic(getattr(duty, "topic", None))))
        items.sort(key=lambda it: (it.start, it.end))
        for pos, item in enumerate(items):
            item.pos = pos
        self._mark_sections(items)
        self.items.append(items)

    def _mark_sections(self, items: list[Item]) -> None:
        """Mark section headings with the extent of their items, and the minor provisions of a statute.

        A heading opens with a reporting frame (`《意见》要求，要构建严密防范体系。`) or ends in a colon
        (`应当采取下列措施：`); its items run to the next heading, within its clause when it has one.
        """
        s = self.s
        opens = [bool(s.heading_re.search(item.sentence)) for item in items]
        for pos, item in enumerate(items):
            if s.penalty_re is not None and s.penalty_re.search(item.sentence) or "/" in item.clause:
                item.minor = True
            if not opens[pos]:
                continue
            end = pos + 1
            while end < len(items) and not opens[end] and \
                    (not item.clause or items[end].clause.startswith(item.clause)):
                end += 1
            if end > pos + 1:
                item.section_end = end

    def _features(self, sentence: str, actors: tuple[str, ...], named: bool, modality: str, marker: str,
                  measures: tuple[str, ...]) -> Sig:
        s = self.s
        seen: set[int] = set()
        grams: list[int] = []
        bounds: list[int] = []
        fragments = normalized_fragments(sentence, s)
        for fragment in fragments:
            part = [g for g in self._fragment_grams(fragment) if g not in seen]
            if part:
                seen.update(part)
                grams.extend(part)
                bounds.append(len(grams))
        deadlines = []
        if s.deadline_hint.search(sentence):
            for rule in s.deadlines:
                for found in rule.pattern.finditer(sentence):
                    year = None
                    if rule.lapse == "stated" and found.groups() and (found.group(1) or "").isdigit():
                        year = int(found.group(1))
                    deadlines.append((found.group(0), rule.lapse, year))
        numbers: tuple[str, ...] = ()
        if s.number_hint.search(sentence):
            plain = strip_titles(sentence)
            numbers = tuple(dict.fromkeys(m.group(0) for p in s.numbers for m in p.finditer(plain)))
        specific = frozenset(a for a in actors if a not in s.generic_actors)
        intern = self.interned.setdefault
        measure_set = frozenset(measures)
        return Sig(tuple(grams), tuple(bounds), intern(specific, specific), named and bool(specific),
                    named and bool(actors) and not specific,
                    intern(measure_set, measure_set), s.strength_modalities.get(modality, 0.0), marker or modality,
                    tuple(deadlines), numbers, role=role_of(sentence, fragments, s),
                    actions=action_bits(fragments, s, words=True), leads=action_bits(fragments[:1], s))

    def _fragment_grams(self, fragment: str) -> tuple[int, ...]:
        """Distinct gram ids of a fragment, in order; fragments recur (formulaic text), so they are kept."""
        cached = self.fragments.get(fragment)
        if cached is not None:
            return cached
        n, gram_ids = self.s.n, self.gram_ids
        pieces = [fragment[i:i + n] for i in range(max(1, len(fragment) - n + 1))]
        ids = list(map(gram_ids.get, pieces))
        if None in ids:
            for number, piece in enumerate(pieces):
                if ids[number] is None:
                    gram = gram_ids.get(piece)
                    if gram is None:
                        gram = gram_ids[piece] = len(gram_ids)
                    ids[number] = gram
        # A paraphrase class named in the fragment is one more gram of it, shared by every wording.
        ids.extend(gram for gram, (_, cues) in zip(self.concept_grams, self.s.concepts, strict=True)
                   if cues.search(fragment))
        grams = tuple(dict.fromkeys(ids))
        if len(self.fragments) < _FRAGMENT_CACHE:
            self.fragments[fragment] = grams
        return grams  # type: ignore[return-value]

    def finish(self) -> None:
        """Gram weights (inverse document frequency over distinct directives) and per-directive norms."""
        # A gram found in one directive only can never be shared, so it would only lower every score
        # of that directive: it weighs as one found in two.
        total = len(self.sigs) + 1
        grams = flat_grams(self.sigs)
        df = np.bincount(grams, minlength=len(self.gram_ids))
        self.w2 = [math.log(total / (max(count, 2) + 1)) ** self.s.idf_power + 1e-9 for count in df.tolist()]
        for gram in self.concept_grams:
            self.w2[gram] *= self.s.concept_weight
        weight_of, minimum = self.w2.__getitem__, self.s.fragment_min_grams
        for sig in self.sigs:
            start = 0
            weights, long = [], []
            for number, end in enumerate(sig.bounds):
                weights.append(sum(map(weight_of, sig.grams[start:end])))
                if end - start >= minimum:
                    long.append(number)
                start = end
            sig.frag_weights = tuple(weights)
            sig.weight = sum(weights)
            sig.long = tuple(long)
            sig.floor = min((weights[n] for n in long), default=0.0)
        self.table = gram_table(self.sigs, self.w2, minimum, grams)
        self.tags = tag_bits(self.sigs)
        self.roles = np.fromiter((sig.role for sig in self.sigs), np.int8, len(self.sigs))
        self.actions = np.fromiter((sig.actions for sig in self.sigs), np.int64, len(self.sigs))
        self.leads = np.fromiter((sig.leads for sig in self.sigs), np.int64, len(self.sigs))

    def drop_gram_tuples(self) -> None:
        """Free each directive's grams and fragments as Python tuples, once `table` holds them as arrays.

        The alignment reads them from the table only (the plain `similarity.Scorer.text`, the
        definition the tests hold the table to, reads the tuples): they were a third of the memory of
        the directive features, and of a cluster's parts, as tuples of int and float objects.
        """
        for sig in self.sigs:
            sig.grams = sig.bounds = sig.frag_weights = sig.long = ()



@dataclass(frozen=True, slots=True)
class TagBits:
    """Each distinct directive's measures and specific actors as one bit per id (uint64), for scoring
    many pairs at once."""

    measures: np.ndarray
    specific: np.ndarray


def tag_bits(sigs: list[Sig]) -> TagBits | None:
    """The tags of `sigs` as bit sets; None when a taxonomy has more ids than bits (then pairs are
    combined one by one)."""
    columns = []
    for name in ("measures", "specific"):
        bit: dict[str, int] = {}
        sets = [getattr(sig, name) for sig in sigs]
        masks = []
        for tags in sets:
            mask = 0
            for tag in tags:
                mask |= 1 << bit.setdefault(tag, len(bit))
            masks.append(mask)
        if len(bit) > 64:
            return None
        columns.append(np.array(masks, dtype=np.uint64))
    return TagBits(*columns)


ORDINARY, SINGLE_PRINCIPLE, GUIDING = 0, 1, 2


def role_of(sentence: str, fragments: list[str], settings: CompareSettings) -> int:
    """Whether a directive is a guiding-principle paragraph, states a principle, or neither."""
    s = settings
    if s.guiding_re is not None and s.guiding_re.search(sentence):
        return GUIDING
    if s.principle_re is not None and \
            sum(1 for fragment in fragments if s.principle_re.search(fragment)) >= s.min_principles:
        return GUIDING
    if s.single_principle_re is not None and any(s.single_principle_re.search(f) for f in fragments):
        return SINGLE_PRINCIPLE
    return ORDINARY


def action_bits(fragments: list[str], settings: CompareSettings, *, words: bool = False) -> int:
    """The action concepts (`ngram.action_concepts`) the fragments name, one bit each: by the concept's
    cues, or with `words` by them or its broader action words."""
    return sum(1 << bit for bit, (cues, more) in enumerate(settings.action_cues)
               if any(cues.search(f) or words and more.search(f) for f in fragments))


def pairable(local: Sig, ref: Sig) -> bool:
    """Whether two directives can be counterparts at all.

    A guiding paragraph lists the key words of many specific directives without carrying out any:
    it pairs only with guiding paragraphs and with directives that state a principle. A reference
    whose own action (its leading fragment) is an action concept (`严厉打击…`) is carried out only by
    a directive naming that action in any words (`打击`, `严惩`): another action on the same object
    (监测 of 洗钱) is another directive.
    """
    roles = (local.role == GUIDING) <= (ref.role != ORDINARY) and (ref.role == GUIDING) <= (local.role != ORDINARY)
    return roles and not ref.leads & ~local.actions


def pairable_many(corpus: Corpus, local_sigs: np.ndarray, ref_sigs: np.ndarray) -> np.ndarray:
    """`pairable` of many (local sig, reference sig) pairs at once."""
    local, ref = corpus.roles[local_sigs], corpus.roles[ref_sigs]
    roles = ((local != GUIDING) | (ref != ORDINARY)) & ((ref != GUIDING) | (local != ORDINARY))
    return roles & ((corpus.leads[ref_sigs] & ~corpus.actions[local_sigs]) == 0)


_TITLE_RE = re.compile(r"《[^》]*》")
_FRAGMENT_CACHE = 200_000  # distinct fragments whose gram ids are kept
CONCEPT = "\x00"  # prefix of a concept's gram key: no n-gram of text holds it


def strip_titles(sentence: str) -> str:
    return _TITLE_RE.sub("", sentence)


_SPLIT_RE = re.compile(r"[^\w]+")


def normalized_fragments(sentence: str, settings: CompareSettings) -> list[str]:
    """The sentence as the comparison reads it: frame words and quoted titles dropped, synonyms unified,
    split at punctuation.

    A title (`《中华人民共和国反电信网络诈骗法》`) says which text is carried out, not what is done: two
    directives that cite the same law are no counterparts for that.

    Example: `《意见》要求，要加强反电诈中心建设` → `['要加强反诈中心建设']` with the default config.
    """
    text = sentence
    if settings.frame_re is not None:
        text = settings.frame_re.sub("", text, count=1)
    text = strip_titles(text)
    if settings.synonym_re is not None:
        text = settings.synonym_re.sub(lambda m: settings.synonyms[m.group(0)], text)
    return [piece for piece in _SPLIT_RE.split(text) if piece and piece != "_"]
