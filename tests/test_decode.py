"""decode.py: encoding detection, binary/empty refusal, truncated files, streaming reads."""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.errors import IngestError
from antifraud_corpus.stages.decode import Decoded, decode_bytes, read_raw_file
from conftest import SEED_PATHS

SEEDS = {path.stem: path.read_text(encoding="utf-8") for path in SEED_PATHS}
_GLOSS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


@pytest.mark.parametrize("doc_id", sorted(SEEDS))
@pytest.mark.parametrize(
    ("codec", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),
    ],
)
def test_seed_copies_decode_to_the_same_text(config, doc_id, codec, expected):
    text = SEEDS[doc_id]
    if codec == "gbk":  # GBK lacks © and €: test the rest
        text = text.encode("gbk", errors="ignore").decode("gbk")
    decoded = decode_bytes(text.encode(codec), config)
    assert decoded == Decoded(text, expected, ())


@pytest.mark.parametrize("doc_id", ["000_888081b4012a42ca", "001_1fada07f3521683b", "003_88b48e3f98e8c1bb"])
def test_big5_copy_of_a_traditional_seed_decodes_as_big5(config, doc_id):
    # Big5 has no pinyin letters (ǎ): drop the glosses, keep the lines Big5 can hold.
    lines = [
        line
        for line in _GLOSS.sub("", SEEDS[doc_id]).split("\n")
        if line.encode("big5", errors="ignore").decode("big5") == line
    ]
    text = "\n".join(lines)
    assert len(text) > 1000
    decoded = decode_bytes(text.encode("big5"), config)
    assert decoded.encoding == "big5"
    assert decoded.text == text


def test_short_big5_and_gbk_are_told_apart(config):
    assert decode_bytes("中文測試".encode("big5"), config).encoding == "big5"
    assert decode_bytes("你好，中国".encode("gbk"), config).encoding == "gb18030"


def test_crlf_and_bom_are_handled_without_normalizing(config):
    text = "第一条\r\n第二条\r\n"
    assert decode_bytes(text.encode("utf-8"), config).text == text
    assert decode_bytes(codecs.BOM_UTF8 + text.encode("utf-8"), config) == Decoded(text, "utf-8-sig", ())


def test_utf8_cut_inside_the_last_character_keeps_a_replacement_char(config):
    data = "反电信网络诈骗法".encode()[:-1]
    decoded = decode_bytes(data, config)
    assert decoded.encoding == "utf-8"
    assert decoded.text == "反电信网络诈骗\ufffd"
    assert decoded.warnings == (
        "2 undecodable byte(s) at end of file (cut inside a multibyte character) "
        "replaced by U+FFFD; recorded in removed",
    )


def test_gb18030_cut_inside_the_last_character(config):
    text = SEEDS["000_888081b4012a42ca"]
    decoded = decode_bytes(text.encode("gb18030")[:-1], config)
    assert decoded.encoding == "gb18030"
    assert decoded.text == text[:-1] + "\ufffd"
    assert "1 undecodable byte(s) at end of file" in decoded.warnings[0]


def test_utf8_with_a_stray_bad_byte_stays_utf8(config):
    text = "这是一个测试文件，内容很长。" * 30
    data = text.encode()[:30] + b"\xff" + text.encode()[30:]
    decoded = decode_bytes(data, config)
    assert decoded.encoding == "utf-8"
    assert decoded.text.count("\ufffd") == 1
    assert decoded.warnings == ("1 undecodable byte sequence(s) replaced by U+FFFD; recorded in removed",)


def test_empty_file_is_refused(config):
    with pytest.raises(IngestError) as exc:
        decode_bytes(b"", config, name="a.txt")
    assert str(exc.value) == "a.txt: empty file; remove it or add the document's text"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image"),
        (b"\xff\xd8\xff\xe0" + bytes(200), "JPEG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
        (b"PK\x03\x04" + bytes(100), "ZIP archive or Office document"),
        (bytes(range(256)) * 20, "NUL bytes"),
        (bytes(range(1, 9)) * 100, "control bytes"),
    ],
)
def test_binary_files_are_refused_with_what_they_are(config, data, kind):
    with pytest.raises(IngestError) as exc:
        decode_bytes(data, config, name="scan.txt")
    assert (
        str(exc.value) == f"scan.txt: binary file ({kind}), not text; remove it or convert it to UTF-8 text"
    )


def test_read_raw_file_hashes_the_bytes_and_decodes(config, tmp_path):
    text = SEEDS["002_b06b64127b7163c7"]
    path = tmp_path / "doc.txt"
    data = text.encode("gb18030")
    path.write_bytes(data)
    raw = read_raw_file(path, config, name="doc.txt")
    assert raw.sha256 == hashlib.sha256(data).hexdigest()
    assert raw.size == len(data)
    assert raw.decoded.text == text
    assert raw.decoded.encoding == "gb18030"


def test_read_raw_file_streams_a_large_file(config, tmp_path):
    text = SEEDS["004_cb00f39c3fb5eb64"] * 300  # ~2.4 MB, several read chunks
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    raw = read_raw_file(path, config)
    assert raw.decoded.text == text
    assert raw.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_raw_file_errors_are_one_line(config, tmp_path, monkeypatch):
    with pytest.raises(IngestError, match=r"^missing\.txt: cannot read \(No such file or directory\); check the path$"):
        read_raw_file(tmp_path / "missing.txt", config, name="missing.txt")
    with pytest.raises(IngestError, match=r"^sub: cannot read \(Is a directory\); give a file, not a folder$"):
        read_raw_file(tmp_path, config, name="sub")
    locked = tmp_path / "locked.txt"
    locked.write_text("文本", encoding="utf-8")

    def deny(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(IngestError) as exc:
        read_raw_file(locked, config, name="locked.txt")
    assert str(exc.value) == ("locked.txt: cannot read (Permission denied); "
                              "check the permissions of the file and its folder")


def test_unknown_legacy_codec_in_config_is_a_config_error(config):
    from antifraud_corpus.config import Config
    from antifraud_corpus.errors import ConfigError

    ingest = config.plain("ingest")
    ingest["decode"]["legacy_candidates"] = ["gb18030", "no-such-codec"]
    broken = Config(files={"ingest": ingest})
    with pytest.raises(ConfigError, match="no-such-codec"):
        decode_bytes("你好".encode("gbk"), broken)


_TEXT = st.text(
    alphabet=st.sampled_from(
        list("反电信网络诈骗法第一条为了预防遏制和惩治活动，。、（）《》\n\r\t abcXYZ0123456789:,")
    ),
    min_size=1,
    max_size=200,
)


@settings(max_examples=60, deadline=None)
@given(text=_TEXT, codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_unicode_encodings_round_trip(config, text, codec):
    assert decode_bytes(text.encode(codec), config).text == text


@settings(max_examples=40, deadline=None)
@given(start=st.integers(0, 3000), length=st.integers(40, 400))
def test_gb18030_slices_of_seed_text_round_trip(config, start, length):
    text = SEEDS["000_888081b4012a42ca"][start : start + length]
    decoded = decode_bytes(text.encode("gb18030"), config)
    assert decoded.text == text


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE],
                         ids=["utf-8", "utf-16-le", "utf-16-be", "utf-32-le"])
def test_a_bom_in_front_of_a_binary_file_does_not_make_it_text(config, bom):
    with pytest.raises(IngestError) as caught:
        decode_bytes(bom + PNG, config, name="picture.txt")
    assert str(caught.value) == "picture.txt: binary file (PNG image), not text; remove it or convert it to UTF-8 text"


def test_a_bom_in_front_of_nul_bytes_does_not_make_them_text(config):
    with pytest.raises(IngestError) as caught:
        decode_bytes(codecs.BOM_UTF8 + "正文".encode() + b"\x00\x00\x01\x02" * 64, config, name="blob.txt")
    assert str(caught.value) == "blob.txt: binary file (NUL bytes), not text; remove it or convert it to UTF-8 text"
    with pytest.raises(IngestError, match=r"^blob\.txt: binary file \(control bytes\)"):
        decode_bytes(codecs.BOM_UTF16_LE + ("正文" + "\x01\x02\x03" * 50).encode("utf-16-le"), config, name="blob.txt")
