"""Actors of legal text on handmade sentences: the agency grammar, 的-phrases, subjects away from the
modal word, coordination chains and penalty chains (each with its taxonomy id and agency name)."""

from __future__ import annotations

import functools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import load_config
from antifraud_corpus.errors import ExtractError
from antifraud_corpus.extract import compile_rules, explain_duty, extract_duties
from antifraud_corpus.extract.agencies import AgencyRules
from antifraud_corpus.models import Duty
from antifraud_corpus.text.wordtrie import trie_pattern


@pytest.fixture(scope="module")
def config():
    return load_config()


def _actors(text: str, config) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each directive's sentence with its (id, agency name) pairs."""
    return [(d.sentence, [(m.id, m.name) for m in d.actors]) for d in extract_duties(text, [], config)]


def _only(text: str, config) -> Duty:
    (duty,) = extract_duties(text, [], config)
    return duty


def test_an_agency_the_lexicon_does_not_list_is_found_by_level_field_and_head(config):
    assert "国务院外汇行政主管部门" not in compile_rules(config).actors.entries
    duty = _only("国务院外汇行政主管部门应当会同有关部门制定跨境资金监测办法。", config)
    assert [(m.id, m.name) for m in duty.actors] == [
        ("financial_regulator", "国务院外汇行政主管部门"), ("departments", "有关部门")]
    assert explain_duty(duty)[2] == (
        "actor: financial_regulator ← '国务院外汇行政主管部门' at 0–11 (explicit: subject of '应当'; "
        "agency grammar: field 外汇 → financial_regulator '国务院外汇行政主管部门')")


def test_a_field_with_no_id_of_its_own_maps_to_the_nearest_and_keeps_its_name(config):
    assert _actors("设区的市级以上水利部门应当加强监督。", config) == [
        ("设区的市级以上水利部门应当加强监督。", [("departments", "设区的市级以上水利部门")])]


def test_a_party_named_by_its_role_and_a_description(config):
    assert _actors("支付清算系统的运营者应当留存交易日志。", config) == [
        ("支付清算系统的运营者应当留存交易日志。", [("internet_provider", "支付清算系统的运营者")])]


def test_a_verb_before_a_role_is_no_description_of_it(config):
    # (督促 steers the provider: it is a target, and the name is the lexicon's)
    duty = _only("市通信管理局应当督促互联网服务提供者落实实名制度。", config)
    assert [(m.id, m.name) for m in duty.targets] == [("internet_provider", "互联网服务提供者")]


def test_a_de_phrase_names_the_party_by_what_it_does(config):
    assert _actors("为小程序提供托管服务的，应当核验开发者的真实身份。", config) == [
        ("为小程序提供托管服务的，应当核验开发者的真实身份。", [("internet_provider", "互联网服务提供者")])]


def test_a_subject_before_a_comma_set_off_clause_governs_the_modal_part(config):
    assert _actors("公安机关接到银行的线索后，应当及时核查。", config) == [
        ("公安机关接到银行的线索后，应当及时核查。", [("public_security", "公安机关")])]


def test_a_coordination_chain_with_a_closed_list_and_more_parties_after_it(config):
    assert _actors("公安、民政、网信等部门和基础电信企业、支付机构应当加强协作。", config) == [
        ("公安、民政、网信等部门和基础电信企业、支付机构应当加强协作。", [
            ("public_security", "公安部门"), ("civil_affairs", "民政部门"), ("cyberspace", "网信部门"),
            ("telecom_operator", "基础电信企业"), ("financial_institution", "支付机构")])]


def test_a_sector_word_no_lexicon_lists_in_a_closed_list_is_an_agency_of_its_own(config):
    assert _actors("县级以上人民政府公安、水利、档案等有关部门应当按照各自职责做好工作。", config) == [
        ("县级以上人民政府公安、水利、档案等有关部门应当按照各自职责做好工作。", [
            ("public_security", "公安部门"), ("departments", "水利部门"), ("departments", "档案部门")])]


def test_the_authority_after_you_governs_every_part_of_a_penalty_chain(config):
    text = "违反本办法第九条规定的，由县级以上市场监督管理部门责令改正；拒不改正的，处五千元以上二万元以下罚款。"
    assert _actors(text, config) == [
        ("违反本办法第九条规定的，由县级以上市场监督管理部门责令改正；",
         [("market_regulator", "县级以上市场监督管理部门")]),
        ("拒不改正的，处五千元以上二万元以下罚款。", [("market_regulator", "县级以上市场监督管理部门")]),
    ]


def test_the_violator_of_a_penalty_clause_with_a_modal_word_is_not_its_actor(config):
    text = "支付机构违反本办法规定的，由中国人民银行责令限期改正，并可处一万元以下罚款。"
    assert _actors(text, config) == [(text, [("financial_regulator", "中国人民银行")])]


def test_a_grammar_id_outside_the_lexicon_is_refused():
    with pytest.raises(ExtractError, match="agencies.yaml: fields: actor 'ministry_of_magic' is not in actors.yaml"):
        AgencyRules.from_config({"fields": {"ministry_of_magic": ["魔法"]}}, frozenset({"departments"}))


def _plain_agencies(grammar: dict, text: str) -> list[tuple[int, int, str]]:
    """The matches of `prefix* field head` written out without the opening lookahead (the reference)."""
    fields = [w for words in grammar["fields"].values() for w in words]
    plain = re.compile(f"(?:{trie_pattern(grammar['prefixes'])})*(?P<field>{trie_pattern(fields)})"
                       f"(?:{trie_pattern(grammar['heads'])})")
    return [(m.start(), m.end(), m.group("field")) for m in plain.finditer(text)]


_GRAMMAR_PIECES = ["省", "市", "县级以上", "国务院", "公安", "林", "草原", "部门", "局", "主管部门", "的", "和", "、",
                   "人民政府", "应当", "林业", "。"]


@functools.cache
def _shipped_agencies() -> dict:
    return load_config().plain("agencies")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_GRAMMAR_PIECES), max_size=12))
def test_the_opening_lookahead_keeps_every_agency_match(pieces):
    # one-character prefixes and fields: the second character is then a prefix's, a field's or a head's
    grammar = {"prefixes": ["省", "市", "县级以上", "国务院"], "fields": {"departments": ["公安", "林", "草原"]},
               "heads": ["部门", "局", "主管部门"]}
    rules = AgencyRules.from_config({**_shipped_agencies(), **grammar}, frozenset())
    assert rules.agency_re.pattern.startswith("(?=[")
    text = "".join(pieces)
    assert [(m.start(), m.end(), m.group("field")) for m in rules.agency_re.finditer(text)] == \
        _plain_agencies(grammar, text)


def test_the_project_grammar_with_its_lookahead_finds_the_plain_matches(config):
    rules = compile_rules(config).actors.agencies
    assert rules is not None
    text = ("省公安机关和县级以上地方人民政府住房城乡建设主管部门应当加强监督；市林业局、国务院电信主管部门、"
            "设区的市级以上生态环境部门、区市场监管部门以及各级教育行政部门依法履行职责。")
    found = [(m.start(), m.end(), m.group("field")) for m in rules.agency_re.finditer(text)]
    assert found == _plain_agencies(config["agencies"], text)
    assert [text[a:b] for a, b, _ in found] == [
        "省公安机关", "县级以上地方人民政府住房城乡建设主管部门", "国务院电信主管部门", "设区的市级以上生态环境部门",
        "区市场监管部门", "各级教育行政部门"]
