"""ArXiv-style bulk source tars made in the test: one entry per paper, as arXiv's S3 bucket holds them.

A paper entry is ``<yymm>/<id>.gz``: either one gzipped ``.tex`` file or a gzipped tar of the
paper's project (several ``.tex`` files, a figure). PDF-only submissions are ``<id>.pdf``.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

__all__ = ["MAIN_TEX", "SECTION_TEX", "SINGLE_TEX", "write_bulk_tar"]

SINGLE_TEX = r"""\documentclass{article}
\newcommand{\R}{\mathbb{R}}
\def\eps{\varepsilon}
\title{A single-file paper}
\begin{document}
\maketitle
\section{Introduction}
% a comment line that must go
Let $x \in \R$ and $\eps > 0$. About 50% of it, 10\% kept. % an in-line comment
\Rightarrow stays.
\subsection{More}
Text of the subsection.
\bibliography{refs}
\end{document}
"""

MAIN_TEX = r"""\documentclass{article}
\newcommand{\method}{OurMethod}
\begin{document}
\section{Method}
We present \method.
\input{sections/results}
\appendix
\section{Proofs}
Appendix text that must go.
\end{document}
"""

SECTION_TEX = r"""\section{Results}
\method{} beats the baseline.
"""


def _member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _project(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as project:
        for name, data in files.items():
            _member(project, name, data)
    return buffer.getvalue()


def write_bulk_tar(path: Path) -> Path:
    """A bulk tar with a single-file paper, a project, an old-style id, a PDF and a Latin-1 paper."""
    entries = {
        "2301/2301.00001.gz": gzip.compress(SINGLE_TEX.encode()),
        "2301/2301.00002.gz": _project(
            {"main.tex": MAIN_TEX.encode(), "sections/results.tex": SECTION_TEX.encode(), "fig.png": b"\x89PNG"}
        ),
        "2301/2301.00003.pdf": b"%PDF-1.4 not LaTeX",
        "2301/2301.00004.gz": gzip.compress("\\section{Caf\xe9}\nLatin-1 text.".encode("latin-1")),
        "2301/hep-th9901001.gz": gzip.compress(b"\\section{Old}\nAn old-style identifier."),
        "2301/2301.00005.gz": _project({"README": b"no tex here"}),
    }
    with tarfile.open(path, "w") as bulk:
        for name, data in entries.items():
            _member(bulk, name, data)
    return path
