"""Every modifier on hand-made documents whose outputs are known (NeMo Curator's semantics, ``CASES``)."""

from __future__ import annotations

import pandas as pd
import pytest

from curator_dask.stages.text.modifiers import (
    BoilerPlateStringModifier,
    DocumentModifier,
    UnicodeReformatter,
    UrlRemover,
)
from tests.stages.text.modifiers.cases import CASES


@pytest.mark.parametrize(("modifier", "text", "expected"), CASES, ids=lambda v: repr(v)[:30])
def test_known_output_per_document_and_batch(modifier: DocumentModifier, text: str, expected: str) -> None:
    assert modifier.modify_document(text) == expected
    assert modifier.modify_batch(pd.Series([text, text])).tolist() == [expected, expected]


def test_names_follow_nemo() -> None:
    assert UrlRemover().name == "UrlRemover"
    assert BoilerPlateStringModifier().name == "boilerplate_string_ratio"


def test_unicode_reformatter_takes_a_ready_config() -> None:
    from ftfy import TextFixerConfig

    config = TextFixerConfig(uncurl_quotes=True)
    assert UnicodeReformatter(config=config).config is config
    assert UnicodeReformatter().config.normalization is None


def test_unicode_reformatter_is_lazy_in_the_unicode_subpackage() -> None:
    from curator_dask.stages.text.modifiers import unicode

    assert unicode.UnicodeReformatter is UnicodeReformatter
    with pytest.raises(AttributeError, match="no attribute"):
        _ = unicode.NoSuchModifier
