"""Sidecars: `NAME.meta.yaml` files are validated strictly and normalized."""

from __future__ import annotations

from pathlib import Path

import pytest

from antifraud_corpus.errors import ConfigError
from antifraud_corpus.stages.sidecar import is_sidecar, load_sidecar, sidecar_path


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doc.meta.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sidecar_path_sits_beside_the_raw_file():
    assert sidecar_path(Path("data/raw/000_abc.txt")) == Path("data/raw/000_abc.meta.yaml")
    assert is_sidecar(Path("data/raw/000_abc.meta.yaml"))
    assert not is_sidecar(Path("data/raw/000_abc.txt"))


def test_valid_sidecar_is_normalized(tmp_path, config):
    path = write(tmp_path, "title: 关于加强反诈工作的意见\nissuer: 湖南省人民政府\ndate: 2021-04-08\n"
                           "level: provincial\nregion: 湖南\nprovince: 湖南\nkind: opinion\n")
    assert load_sidecar(path, config) == {
        "title": "关于加强反诈工作的意见", "issuer": "湖南省人民政府", "date": "2021-04-08",
        "level": "provincial", "region": "湖南省", "province": "湖南省", "kind": "opinion",
    }


def test_empty_sidecar_sets_nothing(tmp_path, config):
    assert load_sidecar(write(tmp_path, "# nothing yet\n"), config) == {}


def test_null_values_are_allowed(tmp_path, config):
    assert load_sidecar(write(tmp_path, "date: null\nregion: ~\n"), config) == {"date": None, "region": None}


def test_unknown_key(tmp_path, config):
    path = write(tmp_path, "title: x\ndat: 2021-04-08\n")
    with pytest.raises(ConfigError) as err:
        load_sidecar(path, config)
    assert str(err.value) == (f"{path}: unknown key 'dat' (allowed: title, issuer, date, level, region, "
                              "province, kind)")


@pytest.mark.parametrize("value", ["2022/9/26", "2022-02-30", "'2022-9-26'", "20220926", "April 8"])
def test_bad_date_names_the_value_and_the_format(tmp_path, config, value):
    path = write(tmp_path, f"date: {value}\n")
    with pytest.raises(ConfigError) as err:
        load_sidecar(path, config)
    message = str(err.value)
    assert message.startswith(f"{path}: date '")
    assert value.strip("'") in message
    assert "YYYY-MM-DD" in message


def test_invalid_yaml_names_the_line(tmp_path, config):
    path = write(tmp_path, "title: x\nissuer: [unclosed\nlevel: central\n")
    with pytest.raises(ConfigError, match=r"doc\.meta\.yaml: line \d+: invalid YAML") as err:
        load_sidecar(path, config)
    assert "fix the syntax" in str(err.value)


def test_top_level_must_be_a_mapping(tmp_path, config):
    with pytest.raises(ConfigError, match="expected a mapping of metadata fields"):
        load_sidecar(write(tmp_path, "- 2021-04-08\n"), config)


def test_bad_level_lists_the_allowed_values(tmp_path, config):
    path = write(tmp_path, "level: national\n")
    with pytest.raises(ConfigError) as err:
        load_sidecar(path, config)
    assert str(err.value) == (f"{path}: level 'national' is not allowed "
                              "(allowed: central, provincial, municipal, county)")


def test_bad_kind_lists_the_allowed_values(tmp_path, config):
    with pytest.raises(ConfigError, match=r"kind 'memo' is not allowed \(allowed: .*law.*notice.*\)"):
        load_sidecar(write(tmp_path, "kind: memo\n"), config)


def test_unknown_region(tmp_path, config):
    with pytest.raises(ConfigError, match=r"region '火星市' is not a known region name"):
        load_sidecar(write(tmp_path, "region: 火星市\n"), config)


def test_province_must_be_provincial(tmp_path, config):
    with pytest.raises(ConfigError, match=r"province '临汾市' is not a known province name"):
        load_sidecar(write(tmp_path, "province: 临汾市\n"), config)


def test_ambiguous_district_is_kept_as_written(tmp_path, config):
    assert load_sidecar(write(tmp_path, "region: 朝阳区\nprovince: 北京市\n"), config) == {
        "region": "朝阳区", "province": "北京市"}


def test_non_string_title(tmp_path, config):
    with pytest.raises(ConfigError, match=r"'title' must be a string, got list"):
        load_sidecar(write(tmp_path, "title: [a, b]\n"), config)


def test_unreadable_file(tmp_path, config):
    with pytest.raises(ConfigError, match="cannot read sidecar"):
        load_sidecar(tmp_path / "missing.meta.yaml", config)


def test_not_utf8(tmp_path, config):
    path = tmp_path / "doc.meta.yaml"
    path.write_bytes("title: 湖南".encode("gb18030"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_sidecar(path, config)


# --------------------------------------------------------------------------- hostile sidecars

ALIAS_BOMB = ("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
              "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
              "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
              "level: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n")


def test_alias_bomb_is_refused_in_bounded_memory(tmp_path, config):
    import tracemalloc

    path = write(tmp_path, ALIAS_BOMB)
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError, match="aliases .* are not allowed"):
            load_sidecar(path, config)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000  # bytes: nothing is expanded (it would take gigabytes)


@pytest.mark.parametrize("text, message", [
    ("title: " + "9" * 5000 + "\n", "cannot be read"),
    ('title: "\\ud800"\n', "lone surrogate"),
    ("title: " + "长" * 600 + "\n", "longer than 500"),
    ("? [a, b]\n: x\n", "invalid YAML"),
    ("? 5\n: x\n", "unknown key"),
    ("date: [2022, 1, 1]\n", "must be a string"),
    ("level: {a: 1}\n", "must be a string"),
])
def test_hostile_values_are_one_line_errors(tmp_path, config, text, message):
    with pytest.raises(ConfigError, match=message):
        load_sidecar(write(tmp_path, text), config)


def test_oversized_sidecar_is_not_read_whole(tmp_path, config):
    with pytest.raises(ConfigError, match="larger than 16 KB"):
        load_sidecar(write(tmp_path, "title: x\n" + "# padding\n" * 5000), config)


def test_hostile_sidecar_fails_its_document_and_the_batch_goes_on(tmp_path, config):
    from antifraud_corpus.pipeline import ingest_corpus

    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("a", "b"):
        (raw / f"{name}.txt").write_text("关于加强反诈宣传的通知\n各单位要加强反诈宣传。\n", encoding="utf-8")
    (raw / "a.meta.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    report = ingest_corpus(raw, tmp_path / "normalized", config)
    assert report.ingested == ["b"]
    [problem] = report.failed
    assert "a.meta.yaml" in problem.message and "aliases" in problem.message
