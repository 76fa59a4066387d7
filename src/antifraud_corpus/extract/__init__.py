"""The extractor: directives with their actors, modality, measures and provenance.

`extract_duties(text, clauses, config)` cuts the cleaned body into units
(sentences and `；`-parts, `sentences.py`), segments the body once with
jieba's dictionary (`segmenter.py`; unit boundaries are word boundaries), finds
actor names in one scan of it (and the measure cues of each directive in a scan of
that directive), and decides for each unit whether it is a directive and why:

* it holds a modal word (`modality.py`): the first one decides the modality;
  a definition (`……，是指……`) is none, whatever modal word it holds;
* it is an item of a list whose lead-in (a directive ending in a colon) lists
  duties (`应当履行下列义务：`, `不得有下列行为：`), not objects or conditions
  (`下列场所应当……：`, `告知下列事项：`), and names an act, not a thing or a
  catch-all (`法律、法规规定的其他义务。`): the lead-in's modality, marker "";
* it has none but is a penalty clause of a law (`由公安机关处……罚款`,
  `依法追究刑事责任`, `以共同犯罪论处`): obligation, marker ""; or a refusal
  (`……的，不予追缴。`): prohibition, marker "";
* it is a numbered heading phrased as an order (`加强组织领导，压实工作责任。`);
* its subject is an actor followed by a bare verb (`国务院建立……机制`);
* it is an imperative item (`强化技术反制，建立……机制`) governed by an earlier
  modal word in the same paragraph or clause, or introduced by a reporting
  verb (`会上提到，尽快开通……`): the governing modality (an obligation after a
  prohibition, or in a law's next 款), marker "".

Actors (`actors.py`) are the subject of the modal word or bare verb; a unit
without one carries over the actors of the previous directive of its
paragraph. Measures (`measures.py`) are scored from cues in the action. Every
tag records the rule or lexicon entry behind it (`explain.py`).

This module holds the loop over the units; the compiled rules are in `rules.py`,
the stretch index and each unit's analysis in `index.py`, the directive rules
above in `directives.py`, and actor, measure and action assignment in `assign.py`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..config import Config
from ..models import Clause, Duty, Mention
from ..text.segmenter import Segmenter, build_segmenter
from .assign import RECENT_TEXTS, assign_actors, assign_measures, find_addressee
from .directives import Lead, find_directive, in_lead, lists_duties
from .explain import explain_duty
from .index import CHUNK_CHARS, analyse_unit, indexed_stretches
from .rules import Rules, compile_rules
from .sentences import iter_units

__all__ = ["Segmenter", "build_segmenter", "explain_duty", "extract_duties", "compile_rules", "Rules"]


def extract_duties(
    text: str,
    clauses: Sequence[Clause],
    config: Config,
    segmenter: Segmenter | None = None,
) -> list[Duty]:
    """Tag every directive of a document body.

    Args:
        text: the cleaned simplified body (paragraphs separated by `\n`).
        clauses: its clauses as `segment_clauses` returns them.
        config: the loaded configuration.
        segmenter: a segmenter to reuse; built (and cached) from `config` when None.

    Returns:
        The directives in text order, offsets into `text`.
    """
    rules = compile_rules(config)
    seg = segmenter or build_segmenter(config)
    articles = [rules.article_re.match(c.heading) is not None for c in clauses]
    addressee: list[Mention] | None = None
    duties: list[Duty] = []
    last_in_para: dict[int, Duty] = {}
    last_in_sentence: dict[int, tuple[Duty, bool]] = {}
    governing: dict[int, tuple[Duty, int]] = {}  # scope -> the last directive with a marker, its paragraph
    lead: Lead | None = None
    recent: dict[str, str] = {}
    long_body = len(text) > CHUNK_CHARS  # (a short one holds few repeats: not worth hashing every sentence)
    # a stretch of the body at a time, indexed as it comes (bounded memory)
    for doc, stretch in indexed_stretches(text, iter_units(text, clauses, rules.sentences), seg, rules):
        if addressee is None:
            addressee = find_addressee(stretch, doc, rules)
        for unit in stretch:
            if lead is not None:
                if not in_lead(unit, lead, clauses):
                    lead = None
                elif unit.heading:
                    lead.item_para = unit.para
            if unit.titled and not unit.heading:
                continue  # a title, sub-title or chapter line
            an = analyse_unit(unit, doc, rules, lead is not None and not lead.conditions)
            if an is None:
                continue  # no rule can find a directive in it
            # numbered clauses and paragraphs (~para) as one key space
            scope = unit.clause_index if unit.clause else ~unit.para
            governor, governor_para = governing.get(scope, (None, -1))
            # in a law's next 款 an order with no modal word is a statutory duty, whatever the last 款 said
            statutory = governor_para != unit.para and unit.clause_index >= 0 and articles[unit.clause_index]
            duty = find_directive(unit, an, rules, governor, lead, statutory)
            if duty is None:
                continue
            penalty = duty.rules[0].startswith("directive:penalty")
            previous = last_in_para.get(unit.para)
            assign_actors(
                duty, unit, an, rules, penalty, previous, last_in_sentence.get(unit.sentence), lead, addressee
            )
            assign_measures(duty, an, doc, rules)
            if long_body:
                # Long documents repeat themselves (a page pasted twice, a law quoted in full):
                # one copy of each recent sentence and action.
                duty.sentence = recent.setdefault(duty.sentence, duty.sentence)
                duty.action = recent.setdefault(duty.action, duty.action)
                if len(recent) > RECENT_TEXTS:
                    recent.clear()
            duties.append(duty)
            last_in_para[unit.para] = duty
            last_in_sentence[unit.sentence] = (duty, penalty)
            if duty.marker:
                # imperative items are governed within a numbered clause, or else within a paragraph
                governing[scope] = (duty, unit.para)
            if rules.colon_lead and an.sentence.endswith("：") and not unit.titled:
                lead = Lead(unit.clause_index, unit.para, duty, not lists_duties(an.sentence, rules),
                             rules.noun_list_re.search(an.sentence) is not None)
    return duties
