"""StarCoder's code filters: NeMo Curator's scores and decisions without bs4, comment_parser or sentencepiece."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest

from curator_dask.errors import ConfigError, InputError
from curator_dask.stages.text.filters import ScoreFilter
from curator_dask.stages.text.filters.heuristic.code import (
    AlphaFilter,
    GeneralCommentToCodeFilter,
    HTMLBoilerplateFilter,
    NumberOfLinesOfCodeFilter,
    PerExtensionFilter,
    PythonCommentToCodeFilter,
    TokenizerFertilityFilter,
    XMLHeaderFilter,
)
from curator_dask.stages.text.utils.text_utils import get_comments_and_docstring
from curator_dask.tasks import DocumentBatch
from tests.stages.text.filters.tokenizers_for_tests import train_tokenizer_json


def _kept(filter_obj: object, docs: list[str]) -> list[str]:
    batch = DocumentBatch(dataset_name="code", data=pd.DataFrame({"text": docs}))
    return ScoreFilter(filter_obj).process(batch).to_pandas()["text"].tolist()  # type: ignore[arg-type]


def _batch_equals_documents(filter_obj: object, docs: list[str]) -> None:
    """The batch path gives exactly the per-document scores."""
    scores = filter_obj.score_batch(pd.Series(docs)).tolist()  # type: ignore[attr-defined]
    assert scores == [filter_obj.score_document(d) for d in docs]  # type: ignore[attr-defined]


@pytest.mark.filterwarnings("ignore:tokenization error")
def test_python_comment_share_counts_comments_and_docstrings() -> None:
    docs = ["# a note\nx = compute(1)", "x = compute(1)", "# only\n# comments", '"""Module doc."""\nx = 1', "def (:"]
    f = PythonCommentToCodeFilter()
    with pytest.warns(UserWarning, match="couldn't be parsed"):
        assert _kept(f, docs) == [docs[0], docs[3]]
    with pytest.warns(UserWarning):
        assert f.score_document("def (:") == 0
    _, comments = get_comments_and_docstring(docs[2])
    assert f.score_document(docs[2]) == len(comments or "") / len(docs[2]) > 0.85


@pytest.mark.parametrize(
    ("mime", "source", "comment_chars"),
    [
        ("text/x-c++", '// note\nint x = 1; /* two\nlines */', len(" note") + 1 + len(" two\nlines ")),
        ("text/x-java", 'String s = "// not a comment"; // yes', len(" yes")),
        ("application/javascript", "let s = '/* no */'; /*yes*/", len("yes")),
        ("text/x-go", "s := `// raw`\n// go", len(" go")),
        ("text/x-shellscript", 'echo "#no" # yes', len(" yes")),
        ("text/html", "<p>hi</p><!-- note -->", len(" note ")),
    ],
)
def test_general_comment_share_skips_markers_in_strings(mime: str, source: str, comment_chars: int) -> None:
    assert GeneralCommentToCodeFilter(mime).score_document(source) == pytest.approx(comment_chars / len(source))


def test_general_comment_filter_bounds_and_unterminated_comment() -> None:
    f = GeneralCommentToCodeFilter("text/x-c")
    good, none, heavy = '// note\nprintf("hello");', 'printf("x");', "//" + "a comment only " * 4
    assert _kept(f, [good, none, heavy]) == [good]
    with pytest.warns(UserWarning, match="no comment is extracted"):
        assert f.score_document("int x; /* never closed") == 9999


def test_general_comment_filter_rejects_an_unknown_mime_type() -> None:
    with pytest.raises(ConfigError, match=r"language='text/x-cobol'\): unknown MIME type; use one of \[.*'text/x-c"):
        GeneralCommentToCodeFilter("text/x-cobol")


def test_lines_xml_and_alpha_filters() -> None:
    assert _kept(NumberOfLinesOfCodeFilter(min_lines=2, max_lines=3), ["a", "a\nb", "a\nb\nc\nd"]) == ["a\nb"]
    assert _kept(XMLHeaderFilter(), ["code", '<?xml version="1.0"?>', "x" * 100 + "<?xml version="]) == [
        "code",
        "x" * 100 + "<?xml version=",
    ]
    # Alphabetic is Unicode's property: accented letters and Devanagari vowel signs count.
    assert AlphaFilter().score_document("é1") == 0.5 and AlphaFilter().score_document("\u0915\u093e") == 1.0
    assert _kept(AlphaFilter(), ["letters only", "1234 5678 [0.1, 0.2]", ""]) == ["letters only"]


def test_html_text_is_what_beautifulsoup_get_text_gives() -> None:
    page = "<html>\n  <head><title>T</title><style>p {}</style></head>\n  <body><script>x()</script><p>a&amp;b</p>"
    f = HTMLBoilerplateFilter(min_lang_content_num_chars=1)
    # Whitespace-only strings collapse to "\n"; scripts, styles and markup are not text.
    assert f.score_document(page) == pytest.approx(len("\nT\na&b") / len(page))
    prose = "<p>" + "readable words " * 10 + "</p>"
    tags = "<div>" * 40 + "<span>tiny</span>" + "</div>" * 40
    assert _kept(HTMLBoilerplateFilter(), [prose, tags, "<p>short</p>"]) == [prose]


@pytest.mark.filterwarnings("ignore:code couldn't be parsed")
def test_code_filters_batch_path_checks_the_column_and_matches_documents() -> None:
    docs = ["# c\nx = 1\n", "<p>x</p>", "int a; // b", ""]
    for f in (PythonCommentToCodeFilter(), GeneralCommentToCodeFilter("text/x-c"), AlphaFilter(), XMLHeaderFilter()):
        _batch_equals_documents(f, docs)
    with pytest.raises(InputError, match=r"text column 'text' has 1 missing value\(s\), the first at index 1"):
        AlphaFilter().score_batch(pd.Series(["a", None], name="text"))


def _meta_csv(path: Path) -> Path:
    header = "language,extension,Include,Long_line_threshold,Alphanum_threshold,Alpha filter\n"
    path.write_text(header + "c++,cpp,1,40,0.5,\nc++,h,0,,,\nc-sharp,cs,1,,,0.5\n")
    return path


def test_per_extension_filter_applies_the_csv_row(tmp_path: Path) -> None:
    meta = _meta_csv(tmp_path / "meta.csv")
    f = PerExtensionFilter("c++", "cpp", metadata_file=str(meta))
    ok, long_line, symbols = "int main() {\n  return 0;\n}", "x" * 41, "{}();\n{}();\n"
    assert _kept(f, [ok, long_line, symbols]) == [ok]
    assert f._line_statistics("abc\n") == (3, 1.5)
    assert _kept(PerExtensionFilter("c++", "h", metadata_file=str(meta)), [ok]) == []  # Include = 0


def test_per_extension_filter_errors_name_the_file_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"metadata_file 'nope\.csv' does not exist .* code_meta\.csv from NeMo"):
        PerExtensionFilter("c++", "cpp", metadata_file="nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("language,extension\nc++,cpp\n")
    with pytest.raises(ConfigError, match=r"bad\.csv' lacks the column\(s\) \['Include', 'Long_line_threshold'"):
        PerExtensionFilter("c++", "cpp", metadata_file=str(bad))
    with pytest.raises(ValueError, match=r"Did not find filtering params corresponding to language: `rust`"):
        PerExtensionFilter("rust", "rs", metadata_file=str(_meta_csv(tmp_path / "m.csv")))


def test_tokenizer_fertility_with_a_hugging_face_tokenizer_json(tmp_path: Path) -> None:
    path = train_tokenizer_json(tmp_path)
    f = TokenizerFertilityFilter(str(path), min_char_to_token_ratio=2.0)
    from tokenizers import Tokenizer

    text = "print(item) for item in items"
    tokens = Tokenizer.from_file(str(path)).encode(text, add_special_tokens=False).tokens
    assert f.score_document(text) == len(text) / len(tokens)
    assert f.score_document("") == -1
    same = TokenizerFertilityFilter(str(tmp_path))  # the folder holding tokenizer.json
    assert same.score_document(text) == f.score_document(text)
    clone = pickle.loads(pickle.dumps(f))  # ships the path, loads its own tokenizer
    assert clone._tokenizer is None and clone.score_document(text) == f.score_document(text)


def test_tokenizer_fertility_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^Must provide a valid path to a SentencePiece tokenizer"):
        TokenizerFertilityFilter()
    with pytest.raises(ConfigError, match=r"path_to_tokenizer '.*missing\.model' is missing; pass a \.model or"):
        TokenizerFertilityFilter(str(tmp_path / "missing.model"))
    model = tmp_path / "sp.model"
    model.write_bytes(b"\x00")
    try:
        import sentencepiece  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"sp\.model' is a SentencePiece model, which needs sentencepiece"):
            TokenizerFertilityFilter(str(model)).score_document("x")
    else:
        pytest.skip("sentencepiece is installed: the missing-package error cannot happen")
