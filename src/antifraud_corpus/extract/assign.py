"""The actors and measures of a directive, and its action: named, inherited, or the document's addressee."""

from __future__ import annotations

import bisect
import sys
from collections.abc import Sequence
from itertools import compress, count

from ..models import Duty, Mention
from .actors import Chain, Name, agency_name, chain_is_subject, names_after, parse_chain
from .agencies import activity_subject
from .directives import Lead, bare_subjects, imperative_head, skip_frames
from .index import Analysis, DocIndex, unit_cues
from .measures import MeasureRules, choose_measures, fallback_measure
from .rules import Rules
from .sentences import Unit

# Provenance strings repeat across directives (`subject of '要'; alias '公安机关'`): one copy each.
_i = sys.intern

# Sentences and actions remembered to share one copy between duties that repeat them.
RECENT_TEXTS = 4096


def assign_actors(
    duty: Duty,
    unit: Unit,
    an: Analysis,
    rules: Rules,
    penalty: bool,
    previous: Duty | None,
    same_sentence: tuple[Duty, bool] | None,
    lead: Lead | None,
    addressee: list[Mention],
) -> None:
    # (a unit naming no actor has no subject and no target of its own, unless it opens with a
    # 的-phrase that names a party by what it does: `提供……服务的，应当……`)
    if an.names or an.markers and len(an.parts) > 1 and an.words[an.parts[1] - 2] == "的":
        found, duty.targets = _named_actors(an, rules, penalty)
        if found:
            seen: set[tuple[str, str]] = set()
            mentions = []
            for name, why, agency in found:
                # one mention per agency: two agencies of one id (生态环境部门, 规划主管部门) both keep their name
                if (name.id, agency) not in seen:
                    seen.add((name.id, agency))
                    mentions.append(Mention(name.id, _i(name.text), name.start, name.end, _i(why), _i(agency)))
            duty.actors = list(mentions)  # of its exact size
            duty.actor_source = "explicit"
            return
    source: Duty | None = None
    if penalty:
        if same_sentence is not None and same_sentence[1] and rules.penalty_continuing_re.search(an.sentence):
            source = same_sentence[0]
    elif previous is not None:
        source = previous
    elif lead is not None and lead.duty is not duty:
        source = lead.duty
    if source is not None and source.actors:
        whys = rules.inherited_whys[penalty]
        if len(whys) > RECENT_TEXTS:
            whys.clear()
        actors = []
        for m in source.actors:
            why = whys.get(m.rule)
            if why is None:
                how = "from the previous ；-part" if penalty else "from the previous directive of its paragraph"
                why = whys[m.rule] = _i(f"inherited {how} ({m.rule})")
            actors.append(Mention(m.id, m.text, -1, -1, why, m.name))
        duty.actors = actors
        duty.actor_source = "inherited"
        return
    if source is None and not penalty and addressee and unit.first_in_para:
        duty.actors = [Mention(m.id, m.text, -1, -1, m.rule, m.name) for m in addressee]
        duty.actor_source = "addressee"
        return
    duty.actors = []
    duty.actor_source = "none"


def _named_actors(
    an: Analysis, rules: Rules, penalty: bool
) -> tuple[list[tuple[Name, str, str]], list[Mention]]:
    """The actors of a unit that names some (with why and agency name), and its targets."""
    ar = rules.actors
    text, words, offs = an.text, an.words, an.offs
    found: list[tuple[Name, str, str]] = []

    def add(chain: Chain | None, why: str) -> None:
        if chain is not None:
            for name, how, head in zip(chain.actors, chain.rules, chain.heads, strict=False):
                found.append((name, f"{why}; {how} '{name.text}'", _agency_name(name, head, rules)))

    authority = _penalty_authority(an, rules, penalty)
    if authority is not None:
        add(authority, "subject after 由 in a penalty clause")
    for marker in an.markers:
        k = bisect.bisect_right(an.parts, marker.token) - 1
        part_start = _skip_frame_tokens(an, rules, an.parts[k])
        if marker.modality == "encouragement" and marker.token + 1 < an.i1:
            after = names_after(text, words, offs, an.names_at, marker.token, an.hi, ar)
            if after is not None and after.start == offs[marker.token + 1]:
                add(after, f"object of '{marker.word}' (encouraged actor)")
                continue
        if part_start < marker.start:
            chain = parse_chain(text, words, offs, an.names_at, part_start, marker.start, ar)
            if (
                chain is not None
                and chain.start == part_start
                and chain_is_subject(text, chain, ar)
                and marker.start - chain.end <= 30
                and not any(chain.end <= n.start < marker.start and not n.short for n in an.names)
            ):
                add(chain, f"subject of '{marker.word}'")
                continue
        if k > 0 and authority is None:
            # `X发现……时，应当……`, `X为……，……，应当……`: the subject opens the unit and the modal
            # word's own part names none (under a penalty clause's 由 the opener is the violator)
            first_part_end = offs[an.parts[1] - 1]
            start0 = _skip_frame_tokens(an, rules, an.i0)
            chain = parse_chain(text, words, offs, an.names_at, start0, first_part_end, ar)
            if (
                chain is not None
                and chain.start == start0
                and chain_is_subject(text, chain, ar)
                and not any(mk.start < first_part_end for mk in an.markers)
            ):
                add(chain, f"subject of '{marker.word}' opening the unit before a comma")
            elif chain is None and ar.agencies is not None and not found and k == 1:
                # `提供……服务的，应当……`: the party named by what it does
                activity = activity_subject(text[start0:first_part_end], ar.agencies)
                if activity is not None:
                    actor_id, why = activity
                    name = Name(actor_id, text[start0:first_part_end], start0, first_part_end, False, start0, why)
                    found.append((name, f"subject of '{marker.word}'; {why}", ar.canonical.get(actor_id, actor_id)))
    if not found and not an.markers and not penalty:
        for chain in bare_subjects(an, rules):
            add(chain, "subject of a bare verb")
    targets: list[Mention] = []
    unit_words = words[an.i0 : an.i1 - 1]
    # co-actors named with 会同/联合 after the subject
    if found and not ar.co_actor_verbs.isdisjoint(unit_words):
        for i in compress(count(an.i0), map(ar.co_actor_verbs.__contains__, unit_words)):
            chain = names_after(text, words, offs, an.names_at, i, an.hi, ar)
            add(chain, f"co-actor after '{words[i]}'")
    # targets: bodies steered by the actor
    if not ar.target_verbs.isdisjoint(unit_words):
        for i in compress(count(an.i0), map(ar.target_verbs.__contains__, unit_words)):
            w = words[i]
            chain = names_after(text, words, offs, an.names_at, i, an.hi, ar)
            if chain is not None and chain.start == offs[i + 1]:
                for name in chain.actors:
                    if all(name.start != f.start for f, _, _ in found):
                        why = f"target: after '{w}'"
                        targets.append(Mention(name.id, _i(name.text), name.start, name.end, _i(why),
                                               _i(_agency_name(name, "", rules))))
    return found, targets


def _agency_name(name: Name, head: str, rules: Rules) -> str:
    """`agency_name`, once per name as written (the same few agencies recur in every document)."""
    names = rules.agency_names
    key = (name.text, name.short, head, name.how == "alias")
    found = names.get(key)
    if found is None:
        if len(names) > RECENT_TEXTS:
            names.clear()
        found = names[key] = agency_name(name, head, rules.actors)
    return found


def _skip_frame_tokens(an: Analysis, rules: Rules, token: int) -> int:
    """Offset after frame words (`同时`, `下一步`) from word `token` on."""
    i = token
    while i < an.i1 and an.words[i] in rules.frames:
        i += 1
    return an.offs[i] if i < an.i1 else an.hi


def _penalty_authority(an: Analysis, rules: Rules, penalty: bool) -> Chain | None:
    """The authority named with 由 in a penalty clause (`……的，由X责令改正，并可处……罚款`).

    Read in any unit that the penalty pattern or a penalty cue marks, whether or not a
    modal word (`并可处以`) makes it a directive of its own; the coordination after 由
    may run past a comma (`由X或者Y，根据情节轻重，可以……`).
    """
    m = rules.penalty_re.search(an.sentence)
    if m is not None:
        return parse_chain(an.text, an.words, an.offs, an.names_at, an.lo + m.start("who"), an.lo + m.end("who"),
                           rules.actors)
    if not penalty and rules.penalty_cue_re.search(an.sentence) is None \
            and rules.penalty_continuing_re.search(an.sentence) is None:
        return None
    for i in range(an.i0, an.i1 - 1):
        if an.words[i] == "由":
            chain = names_after(an.text, an.words, an.offs, an.names_at, i, an.hi, rules.actors)
            if chain is not None and chain.start == an.offs[i + 1]:
                return chain
    return None


def find_addressee(units: Sequence[Unit], doc: DocIndex, rules: Rules) -> list[Mention]:
    """Actors of a salutation (`各地区各部门：`) opening the document, if it has one."""
    ar = rules.actors
    for unit in units:
        if unit.para >= ar.salutation_window:
            break
        s = doc.text[unit.start : unit.end]
        if not s.endswith("：") or len(s) > ar.salutation_max or not unit.first_in_para:
            continue
        lo = bisect.bisect_left(doc.name_starts, unit.start)
        hi = bisect.bisect_left(doc.name_starts, unit.end)
        names = [n for n in doc.names[lo:hi] if not n.short]
        if not names or sum(n.end - n.start for n in names) * 2 < len(s.rstrip("：")):
            continue
        out, seen = [], set()
        for n in names:
            if n.id not in seen:
                seen.add(n.id)
                out.append(Mention(n.id, n.text, -1, -1, f"addressee of the document ('{s}')",
                                   _agency_name(n, "", rules)))
        return out
    return []


def assign_measures(duty: Duty, an: Analysis, doc: DocIndex, rules: Rules) -> None:
    text = an.text
    if duty.marker_span is not None:
        action_start = duty.marker_span[1]
    else:
        head = imperative_head(an, rules, skip_frames(an, rules))
        action_start = an.offs[head[0]] if head else an.lo
    mr = rules.measures
    # (most directives have one actor or none: no dedup needed)
    actor_ids = [m.id for m in duty.actors] if len(duty.actors) < 2 else duty.actor_ids
    cues = unit_cues(doc, an.lo, an.hi, mr)
    chosen = choose_measures(text, an.lo, an.hi, cues, action_start, doc.marks, doc.purpose, mr,
                             actor_ids) if cues else []
    whys = rules.measure_whys
    if len(whys) > RECENT_TEXTS:
        whys.clear()
    if chosen:
        measures = []
        for measure, score, counted, best, _ in chosen:
            # the same cues in the same places recur: one copy of their wording
            key = (score, *counted)
            why = whys.get(key)
            if why is None:
                why = whys[key] = _i(_measure_why(score, counted, mr))
            measures.append(Mention(measure, _i(best[2]), best[0], best[1], why))
        duty.measures = measures
    else:
        nearest = fallback_measure(actor_ids, mr)
        if nearest is not None:
            measure, actor = nearest
            key = ("fallback", measure, actor)
            why = whys.get(key)
            if why is None:
                why = whys[key] = _i(f"no cue in the action: nearest instrument for actor {actor}" if actor
                                     else "no cue in the action: the default instrument (measures.yaml fallback)")
            duty.measures = [Mention(measure, "", -1, -1, why)]
    stop = rules.action_stop.search(text, action_start, an.hi) if duty.marker else None
    action = text[action_start : stop.start()] if stop else text[action_start : an.hi].rstrip("。；;！？!?")
    duty.action = action.strip()[: rules.action_max]


def _measure_why(score: float, counted: Sequence[tuple[str, str, float]], rules: MeasureRules) -> str:
    """`cues 冻结 (head: 2 × 2 = 4.0), 侦查 in 立案侦查 (object: 1 × 2 = 2.0); score 6.0`.

    Each cue that counted, where it stood, its lexicon weight times the strength of that place.
    """
    shown = []
    for cue, place, weight in counted:
        carried = rules.carried.get(cue)
        word = f"{carried} in {cue}" if carried else cue
        factor = rules.place_weight[place]
        shown.append(f"{word} ({place}: {weight / factor:g} × {factor:g} = {weight:.1f})")
    return f"cues {', '.join(shown)}; score {score:.1f}"
