from pathlib import Path

import msgspec
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from antifraud_corpus.cli import main
from antifraud_corpus.config import SCHEMAS, default_config_dir, load_config, merge_over
from antifraud_corpus.errors import ConfigError


def test_every_shipped_config_loads_and_uses_only_declared_keys():
    config = load_config(default_config_dir())
    shipped = {p.stem for p in default_config_dir().glob("*.yaml")}
    assert shipped <= set(SCHEMAS)
    assert set(config.files) == shipped
    assert len(config.fingerprint) == 16


def test_local_folder_overrides_file_by_file(tmp_path: Path):
    (tmp_path / "labels.yaml").write_text("levels: {central: 国家级}\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert config["labels"]["levels"]["central"] == "国家级"
    assert "actors" in config["taxonomy"]  # other files still come from the defaults
    assert config.fingerprint != load_config(default_config_dir()).fingerprint


def test_unknown_key_names_file_and_key(tmp_path: Path):
    (tmp_path / "labels.yaml").write_text("levles: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == (f"{tmp_path / 'labels.yaml'}: unknown key 'levles' (allowed: levels, "
                                 "modalities, columns, statuses, actor_sources, report, explain, report_html, "
                                 "warning_kinds); fix the spelling or remove it")


def test_invalid_yaml_reports_line(tmp_path: Path):
    (tmp_path / "labels.yaml").write_text("levels:\n  central: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"labels.yaml: line \d+: invalid YAML"):
        load_config(tmp_path)


def test_missing_config_dir_is_an_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope")


def test_foreign_yaml_file_in_config_dir_is_an_error(tmp_path: Path):
    (tmp_path / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a config file"):
        load_config(tmp_path)


def test_set_overrides_one_key():
    config = load_config(default_config_dir(), ["labels.levels.central=国家"])
    assert config["labels"]["levels"]["central"] == "国家"
    with pytest.raises(ConfigError, match="expected FILE.KEY=VALUE"):
        load_config(default_config_dir(), ["nonsense"])
    with pytest.raises(ConfigError, match=r"^--set labels.colour=red: unknown key 'colour'"):
        load_config(default_config_dir(), ["labels.colour=red"])


def test_config_is_read_only():
    config = load_config(default_config_dir())
    with pytest.raises(TypeError):
        config["labels"]["levels"]["central"] = "x"  # type: ignore[index]


def test_configs_map_onto_taxonomy_ids():
    """Every id our configs use for actors and measures exists in the reference taxonomy or is declared."""
    config = load_config(default_config_dir())
    taxonomy = config["taxonomy"]
    if "measures" in config.files:
        measure_ids = set(taxonomy["measures"])
        assert set(config["measures"]["measures"]) <= measure_ids
    if "actors" in config.files:
        actor_ids = set(config["actors"]["actors"])
        assert set(taxonomy["actors"]) <= actor_ids


@pytest.mark.parametrize("content, message", [
    (b"levels: {central: \xff\xfe}\n", "not UTF-8"),
    (b"levels: " + b"9" * 5000 + b"\n", "cannot be read"),
    (b"levels: &a [1]\nkinds: *a\n", "aliases"),
    (b"levels: {central: &c x, provincial: *c}\n", "aliases"),  # an alias of a plain value too
])
def test_unreadable_config_files_are_one_line_errors(tmp_path: Path, content: bytes, message: str):
    (tmp_path / "labels.yaml").write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path)


@pytest.mark.parametrize("override, message", [
    ("labels.levels=[unclosed", "invalid YAML"),
    ("labels.levels=!!python/object:os.system x", "invalid YAML"),
    ("labels.levels=" + "9" * 5000, "cannot be read"),
])
def test_bad_set_values_are_config_errors(override: str, message: str):
    with pytest.raises(ConfigError, match=message):
        load_config(overrides=(override,))


# ---------------------------------------------------------------- the schema of every file


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_each_shipped_file_is_complete_on_its_own(name: str):
    """The shipped file alone holds every key of its schema: defaults live there and nowhere else."""
    data = yaml.safe_load((default_config_dir() / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(msgspec.convert(data, SCHEMAS[name]), SCHEMAS[name])


# One misspelt key per file, below the top level where the file has fixed keys there (topic.yaml's
# only nested mapping is its table of terms, whose keys are words).
MISSPELT = [
    ("actors", "actors:\n  public_security:\n    name: 公安机关\n    alias: [警方]\n",
     "unknown key 'actors.public_security.alias' (allowed: aliases, name, short)"),
    ("agencies", "duty_phrases:\n  - {pattern: '负责的部门', ids: departments}\n",
     "unknown key 'duty_phrases[0].ids' (allowed: id, pattern)"),
    ("check", "file_names:\n  max_lenght: 80\n",
     "unknown key 'file_names.max_lenght' (allowed: max_length, extensions, allow_spaces, allow_non_ascii, "
     "forbidden_start, forbidden, forbidden_end, reserved)"),
    ("clean", "footer:\n  min_item: 2\n",
     "unknown key 'footer.min_item' (allowed: min_items, max_item_chars, not_footer, separators)"),
    ("compare", "thresholds:\n  mach: 0.5\n",
     "unknown key 'thresholds.mach' (allowed: match, max_sources, min_grams, max_counterparts, min_shared, carry, "
     "omission_candidates, min_text, candidates, counterpart_ratio, postings)"),
    ("extract", "sentence:\n  min_char: 3\n",
     "unknown key 'sentence.min_char' (allowed: min_chars, terminators, enumerator, part_commas, closers, "
     "colon_split_before, part_separator, colon)"),
    ("formats", "pdf:\n  min_page_char: 5\n",
     "unknown key 'pdf.min_page_char' (allowed: min_page_chars, page_number, running_share, heading, "
     "garbled_warn_ratio, garbled_error_ratio)"),
    ("ingest", "mojibake:\n  min_gian: 3\n",
     "unknown key 'mojibake.min_gian' (allowed: min_gain, min_char_freq, min_score, max_readings, "
     "single_char_penalty, single_bytes, context_chars, anchors, max_word_length, max_unknown_bytes, max_units, "
     "opencc, fullwidth, codec)"),
    ("labels", "statuses:\n  echo: 呼应\n",
     "unknown key 'statuses.echo' (allowed: echoed, strengthened, added, omitted, weakened, off_topic, reassigned)"),
    ("measures", "places:\n  haed: 1.0\n",
     "unknown key 'places.haed' (allowed: head, lead, body, title, object, purpose, modifier, condition, topic)"),
    ("metadata", "scan:\n  head_line: 10\n",
     "unknown key 'scan.head_line' (allowed: head_lines, tail_lines, head_chars, tail_chars, markup)"),
    ("modality", "negation:\n  negator: [不]\n", "unknown key 'negation.negator' (allowed: negators, modality)"),
    ("pii", "person_record:\n  record_char: 40\n",
     "unknown key 'person_record.record_char' (allowed: record_chars, separator, roles, surnames, biography, "
     "attributes, paragraph_end, name, labels, not_name, appointment, identifying)"),
    ("regions", "provinces:\n  北京市: {code: '11', type: municipality, shrt: [京], counties: 东城区}\n",
     "unknown key 'provinces.北京市.shrt' (allowed: short, type, cities, counties, code)"),
    ("segment", "sequence:\n  max_gaps: 2\n", "unknown key 'sequence.max_gaps' (allowed: max_gap, start_max)"),
    ("taxonomy", "actors:\n  court: {name: 人民法院, alias: [法院]}\n",
     "unknown key 'actors.court.alias' (allowed: aliases, name)"),
    ("topic", "treshold: 0.4\n", "unknown key 'treshold' (allowed: threshold, terms, title_share, clause_share)"),
]


def test_the_compare_report_speaks_the_wording_of_labels_yaml(tmp_path: Path):
    from antifraud_corpus.compare import compare_corpus
    from antifraud_corpus.report.compare import render

    (tmp_path / "labels.yaml").write_text("report:\n  zh:\n    no_diffs: 无下级文件。\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert config["labels"]["report"]["en"]["no_diffs"] == "No lower-level documents to compare."
    assert render(compare_corpus([], config), "markdown", "zh").count("无下级文件。") == 1
    assert render(compare_corpus([], config), "markdown", "en").count("No lower-level documents to compare.") == 1


def test_modality_yaml_no_longer_takes_the_dead_strength_key(tmp_path: Path):
    (tmp_path / "modality.yaml").write_text("strength: {obligation: 3}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"modality.yaml: unknown key 'strength' \(allowed: "):
        load_config(tmp_path)


def test_a_label_for_a_level_that_does_not_exist_is_refused_with_the_levels(tmp_path: Path):
    (tmp_path / "labels.yaml").write_text("levels:\n  national: 国家\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'labels.yaml'}: unknown key 'levels.national' "
                                        "(allowed: central, municipal, provincial, county)")


def test_every_config_file_has_a_misspelt_key_case():
    assert sorted(name for name, _, _ in MISSPELT) == sorted(SCHEMAS)


@pytest.mark.parametrize("name, body, problem", MISSPELT, ids=[case[0] for case in MISSPELT])
def test_a_misspelt_key_at_any_depth_names_file_path_and_allowed_keys(tmp_path: Path, name: str, body: str,
                                                                      problem: str):
    (tmp_path / f"{name}.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == f"{tmp_path / name}.yaml: {problem}; fix the spelling or remove it"


@pytest.mark.parametrize("body, problem", [
    ("mojibake:\n  min_gain: high\n", "'mojibake.min_gain': expected a number, got text ('high')"),
    ("decode:\n  legacy_candidates: gb18030\n",
     "'decode.legacy_candidates': expected a list, got text ('gb18030')"),
    ("decode:\n  binary_signatures: [{magic: '1F8B08'}]\n", "'decode.binary_signatures[0].kind' is missing; "
     "add it (see the shipped file)"),
    ("convert:\n  overrides: {随著: [随着]}\n", "'convert.overrides.随著': expected text, got a list (['随着'])"),
])
def test_a_value_of_the_wrong_type_names_its_key_path(tmp_path: Path, body: str, problem: str):
    (tmp_path / "ingest.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'ingest.yaml'}: {problem}"


def test_a_misspelt_enum_value_lists_the_allowed_ones(tmp_path: Path):
    (tmp_path / "extract.yaml").write_text("engine: rjeiba\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == (f"{tmp_path / 'extract.yaml'}: 'engine': invalid value 'rjeiba' "
                                 "(allowed: rjieba, jieba)")


@pytest.mark.parametrize("body, message", [
    ("actors:\n  public_security:\n    name: 公安机关\n    alias: [警方]\n",
     "unknown key 'actors.public_security.alias' (allowed: aliases, name, short)"),
    ("collective:\n  salutation_windw: 2\n",
     "unknown key 'collective.salutation_windw' (allowed: salutation_window, salutation_max_chars, subject_words)"),
])
def test_the_cli_gives_one_line_and_exit_2_for_a_misspelt_key(runner, tmp_path: Path, body: str, message: str):
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "actors.yaml").write_text(body, encoding="utf-8")
    result = runner.invoke(main, ["ingest", "--raw", str(tmp_path), "--normalized", str(tmp_path / "out"),
                                  "--config", str(tmp_path / "configs")])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'configs' / 'actors.yaml'}: {message}; fix the spelling or remove it\n"
    assert not (tmp_path / "out").exists()  # (refused before any document is read)


def test_the_cli_names_a_misspelt_set_key(runner, tmp_path: Path):
    result = runner.invoke(main, ["ingest", "--raw", str(tmp_path), "--normalized", str(tmp_path / "out"),
                                  "--set", "ingest.mojibake.min_gian=3"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --set ingest.mojibake.min_gian=3: unknown key 'mojibake.min_gian' "
                                    "(allowed: min_gain, ")
    assert result.stderr.count("\n") == 1


# ---------------------------------------------------------------- one merge rule


def test_an_older_user_file_gets_the_newer_shipped_keys(tmp_path: Path):
    """A user file written before `max_readings` existed still loads, with the shipped value for it."""
    (tmp_path / "ingest.yaml").write_text("mojibake:\n  min_gain: 3.0\n", encoding="utf-8")
    shipped = load_config(default_config_dir())["ingest"]
    merged = load_config(tmp_path)["ingest"]
    assert merged["mojibake"]["min_gain"] == 3.0
    assert merged["mojibake"]["max_readings"] == shipped["mojibake"]["max_readings"] == 2000
    assert merged["decode"] == shipped["decode"]


def test_a_user_list_replaces_the_shipped_list_and_a_table_gains_entries(tmp_path: Path):
    (tmp_path / "topic.yaml").write_text("terms: {杀猪盘: 1.0}\n", encoding="utf-8")
    (tmp_path / "extract.yaml").write_text("user_words: [杀猪盘]\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert config["topic"]["terms"]["杀猪盘"] == 1.0 and config["topic"]["terms"]["诈骗"] == 1.0
    assert config["extract"]["user_words"] == ("杀猪盘",)


def test_set_merges_into_a_nested_key_like_a_user_file():
    config = load_config(default_config_dir(), ["ingest.mojibake.min_gain=2.5"])
    assert config["ingest"]["mojibake"]["min_gain"] == 2.5
    assert config["ingest"]["mojibake"]["min_score"] == -11.5


_KEYS = st.sampled_from(["a", "b", "c"])
_TREES = st.recursive(st.integers(0, 3) | st.lists(st.integers(0, 3), max_size=2),
                      lambda inner: st.dictionaries(_KEYS, inner, max_size=3), max_leaves=8)


def _leaves(tree, prefix=()):
    """(path, value) of every value that is not a mapping (an empty mapping has none)."""
    if isinstance(tree, dict):
        return [leaf for key, value in tree.items() for leaf in _leaves(value, (*prefix, key))]
    return [(prefix, tree)]


def _at(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def _untouched_by(own, path):
    """Whether `own` sets nothing at or above `path` (a base value there survives the merge)."""
    node = own
    for key in path:
        if not isinstance(node, dict):
            return False
        if key not in node:
            return True
        node = node[key]
    return False


_FILES = st.dictionaries(_KEYS, _TREES, max_size=3)


@given(_FILES, _FILES)
def test_merge_keeps_every_value_of_the_user_and_every_other_value_of_the_base(base, own):
    merged = merge_over(base, own)
    for path, value in _leaves(own):
        assert _at(merged, path) == value
    for path, value in _leaves(base):
        if _untouched_by(own, path):
            assert _at(merged, path) == value
    assert merge_over(merged, own) == merged
