"""``UnicodeReformatter``: repairs mojibake and other Unicode damage with ftfy."""

from __future__ import annotations

from typing import Literal

import ftfy
import pandas as pd
from ftfy import TextFixerConfig

from curator_dask.stages.text.modifiers.doc_modifier import DocumentModifier
from curator_dask.stages.text.modifiers.unicode._unchanged import unchanged_test

__all__ = ["UnicodeReformatter"]


class UnicodeReformatter(DocumentModifier):
    """Fixes text with ``ftfy.fix_text``, configured like NeMo Curator's modifier.

    The keyword arguments are the fields of ``ftfy.TextFixerConfig`` with NeMo Curator's defaults
    (which differ from ftfy's own for ``fix_latin_ligatures``, ``fix_character_width``,
    ``uncurl_quotes``, ``fix_line_breaks`` and ``normalization``); see
    https://ftfy.readthedocs.io/en/latest/config.html for each one.

    Most texts need no repair, and ftfy still runs every fixer on every line of them. A cheap exact
    test (``_unchanged.unchanged_test``: no character a fixer acts on, no mojibake pattern) passes
    those through untouched; the others go to ``ftfy.fix_text``. The output is ftfy's, text for text.

    Args:
        config: a ready ``TextFixerConfig``; when given, every other argument is ignored.
    """

    # Positional like NeMo Curator's, so code written for it keeps working.
    def __init__(
        self,
        config: TextFixerConfig | None = None,
        unescape_html: str | bool = "auto",
        remove_terminal_escapes: bool = True,
        fix_encoding: bool = True,
        restore_byte_a0: bool = True,
        replace_lossy_sequences: bool = True,
        decode_inconsistent_utf8: bool = True,
        fix_c1_controls: bool = True,
        fix_latin_ligatures: bool = False,
        fix_character_width: bool = False,
        uncurl_quotes: bool = False,
        fix_line_breaks: bool = False,
        fix_surrogates: bool = True,
        remove_control_chars: bool = True,
        normalization: Literal["NFC", "NFD", "NFKC", "NFKD"] | None = None,
        max_decode_length: int = 1_000_000,
        explain: bool = True,
    ) -> None:
        super().__init__()
        if config is None:
            config = TextFixerConfig(
                unescape_html=unescape_html,
                remove_terminal_escapes=remove_terminal_escapes,
                fix_encoding=fix_encoding,
                restore_byte_a0=restore_byte_a0,
                replace_lossy_sequences=replace_lossy_sequences,
                decode_inconsistent_utf8=decode_inconsistent_utf8,
                fix_c1_controls=fix_c1_controls,
                fix_latin_ligatures=fix_latin_ligatures,
                fix_character_width=fix_character_width,
                uncurl_quotes=uncurl_quotes,
                fix_line_breaks=fix_line_breaks,
                fix_surrogates=fix_surrogates,
                remove_control_chars=remove_control_chars,
                normalization=normalization,
                max_decode_length=max_decode_length,
                explain=explain,
            )
        self.config = config

    def modify_document(self, text: str) -> str:
        unchanged = unchanged_test(self.config)
        if unchanged is not None and isinstance(text, str) and unchanged(text):
            return text
        return ftfy.fix_text(text, config=self.config)

    def modify_batch(self, texts: pd.Series) -> pd.Series:
        config, unchanged = self.config, unchanged_test(self.config)
        if unchanged is None:
            return super().modify_batch(texts)
        fixed = [t if isinstance(t, str) and unchanged(t) else ftfy.fix_text(t, config=config) for t in texts]
        return pd.Series(fixed, index=texts.index, dtype=object)
