"""Filter values checked against what they can match; ids typed by prefix and shown so they can be typed back."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antifraud_corpus.doc_ids import labelled, resolve_prefix, typable_prefix
from antifraud_corpus.errors import FilterError
from antifraud_corpus.filters import (
    DutyFilter,
    as_values,
    checked_clause,
    checked_filter,
)
from antifraud_corpus.models import Clause, Document, Duty

IDS = sorted(["000_888081b4012a42ca", "001_1fada07f3521683b", "shanxi_datong_1", "shanxi_datong_2", "q_1", "q_12"])


@pytest.mark.parametrize(("typed", "doc_id"), [
    ("000", "000_888081b4012a42ca"),
    ("001_1fada07f3521683b", "001_1fada07f3521683b"),
    ("shanxi_datong_2", "shanxi_datong_2"),
    ("q_1", "q_1"),  # typed in full, it wins over the longer id it starts
    ("q_12", "q_12"),
])
def test_an_id_or_a_unique_prefix_names_one_document(typed, doc_id):
    assert resolve_prefix(typed, IDS) == doc_id


def test_an_ambiguous_prefix_lists_the_ids_it_starts():
    with pytest.raises(FilterError) as error:
        resolve_prefix("shanxi", IDS, option="--doc")
    assert str(error.value) == ("--doc shanxi: 2 document ids start with it (shanxi_datong_1, shanxi_datong_2); "
                                "type more of the id")


def test_a_value_is_labelled_as_flag_or_keyword():
    assert [labelled("--doc", "000"), labelled("doc=", "000"), labelled("", "000")] == ["--doc 000", "doc=000", "000"]
    with pytest.raises(FilterError) as error:
        resolve_prefix("shanxi", IDS, option="doc=")
    assert str(error.value).startswith("doc=shanxi: 2 document ids start with it")


def test_an_unknown_id_names_the_closest():
    with pytest.raises(FilterError) as error:
        resolve_prefix("shanxi_datung_1", IDS, where="store")
    assert str(error.value) == ("shanxi_datung_1: no such document in store; did you mean shanxi_datong_1 or "
                                "shanxi_datong_2?")
    with pytest.raises(FilterError) as error:
        resolve_prefix("zzz", IDS, where="store")
    assert str(error.value) == "zzz: no such document in store; `corpus list` lists the ids"


def test_a_filter_error_is_a_value_error_for_library_callers():
    assert issubclass(FilterError, ValueError)


@pytest.mark.parametrize(("doc_id", "label"), [
    ("000_888081b4012a42ca", "000"), ("shanxi_datong_1", "shanxi_datong_1"), ("q_1", "q_1"), ("q_12", "q_12"),
])
def test_labels_are_the_shortest_cut_at_an_underscore_that_types_back(doc_id, label):
    assert typable_prefix(doc_id, IDS) == label


@given(st.sets(st.text(alphabet="ab_1", min_size=1, max_size=6), min_size=1, max_size=12))
def test_every_label_types_back_to_its_document(ids):
    ordered = sorted(ids)
    for doc_id in ordered:
        label = typable_prefix(doc_id, ordered)
        assert doc_id.startswith(label)
        assert resolve_prefix(label, ordered) == doc_id


def test_values_are_one_or_several_without_repeats():
    assert as_values(None) == ()
    assert as_values("court") == ("court",)
    assert as_values(["court", "court", "procuratorate"]) == ("court", "procuratorate")


def _never() -> list[str]:
    raise AssertionError("the store was read although no value needed it")


def test_checked_filter_completes_ids_and_names_regions_as_documents_do(config):
    keep = checked_filter(config, doc_ids=lambda: IDS, regions=_never, doc=["000", "q_1"], level="municipal",
                          region=["山西", "江苏省"], actor="court", measure=("crackdown",), topic="on")
    assert keep == DutyFilter(levels=("municipal",), regions=("山西省", "江苏省"), actors=("court",),
                              measures=("crackdown",), doc_ids=("000_888081b4012a42ca", "q_1"), topic="on")


def test_a_region_outside_the_gazetteer_is_taken_when_the_store_has_it(config):
    keep = checked_filter(config, doc_ids=_never, regions=lambda: {"湘江新区"}, region="湘江新区")
    assert keep.regions == ("湘江新区",)


@pytest.mark.parametrize(("values", "message"), [
    ({"level": "provincal"}, "level=provincal: unknown level; did you mean provincial?"),
    ({"region": "湖男省"}, "region=湖男省: unknown region; did you mean 湖北省 or 湖南省?"),
    ({"region": "Hunan"}, "region=Hunan: unknown region; `corpus list` shows the regions of the store"),
    ({"actor": "public_securty"}, "actor=public_securty: unknown actor id; did you mean public_security?"),
    ({"measure": "fund_contrl"}, "measure=fund_contrl: unknown measure id; did you mean fund_control?"),
    ({"topic": "yes"}, "topic=yes: unknown topic choice; use one of all, on, off"),
    ({"doc": "00"}, "doc=00: 2 document ids start with it (000_888081b4012a42ca, 001_1fada07f3521683b); "
                    "type more of the id"),
])
def test_unknown_values_name_the_closest_match_and_the_keyword_typed(config, values, message):
    with pytest.raises(FilterError) as error:
        checked_filter(config, doc_ids=lambda: IDS, regions=lambda: {"湖南省", "临汾市", "山西省"}, **values)
    assert str(error.value) == message
    name = next(iter(values))
    with pytest.raises(FilterError) as error:  # the CLI's wording: the flag, then the value
        checked_filter(config, doc_ids=lambda: IDS, regions=lambda: {"湖南省", "临汾市", "山西省"}, names="flag",
                       **values)
    assert str(error.value) == message.replace(f"{name}=", f"--{name} ", 1)


def test_duties_are_kept_by_any_kept_actor_and_measure_on_the_topic_asked():
    keep = DutyFilter(actors=("court", "procuratorate"), measures=("crackdown",), topic="on")
    assert keep.keeps_duty(["court", "public_security"], ["crackdown", "legal_support"], True)
    assert not keep.keeps_duty(["court"], ["crackdown"], False)
    assert not keep.keeps_duty(["public_security"], ["crackdown"], True)
    assert not keep.keeps_duty(["court"], ["legal_support"], True)
    assert DutyFilter().keeps_duty([], [], False) and not DutyFilter().selects_duties


def _doc_with_clauses(*paths: str) -> Document:
    clauses = [Clause(path, "文", i, i + 1) for i, path in enumerate(paths)]
    duty = Duty("三/（二）", "各部门要加强宣传。", 0, 9, "obligation", "要", "加强宣传")
    return Document("d1", "d1.txt", "", "utf-8", "", "", None, None, None, None, None, "文", clauses=clauses,
                    duties=[duty])


def test_a_clause_is_checked_against_the_document_paths_and_the_parts_that_hold_them():
    doc = _doc_with_clauses("一", "二", "三/（一）")
    assert [checked_clause(doc, path) for path in ("一", "三", "三/（一）", "三/（二）")] == \
        ["一", "三", "三/（一）", "三/（二）"]
    assert checked_clause(doc, None) is None
    with pytest.raises(FilterError) as error:
        checked_clause(doc, "三/（三）")
    assert str(error.value) == "clause 三/（三）: unknown clause of d1; did you mean 三/（一） or 三/（二）?"


def test_an_unknown_clause_without_a_close_one_lists_the_top_level_clauses():
    numerals = "一二三四五六七八九十"
    doc = _doc_with_clauses(*numerals, *(f"十{n}" for n in numerals[:5]))
    with pytest.raises(FilterError) as error:
        checked_clause(doc, "第五条")
    assert str(error.value) == ("clause 第五条: unknown clause of d1; its top-level clauses: "
                                "一, 二, 三, 四, 五, 六, 七, 八, 九, 十, 十一, 十二, …")
