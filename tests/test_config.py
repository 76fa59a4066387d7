from pathlib import Path

import pytest

from antifraud_corpus.config import SCHEMAS, default_config_dir, load_config
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
                                 "modalities, columns, statuses, actor_sources); fix the spelling or remove it")


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
