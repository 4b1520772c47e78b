"""``Index``: BM25 search (the ``bm25s`` library) over located chunks of text, Markdown, PDF and CSV."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from aidojo.retrieval.chunking import chunk_text, line_of
from aidojo.retrieval.loaders import (
    CSV_SUFFIXES,
    DOCX_SUFFIXES,
    MARKDOWN_SUFFIXES,
    PDF_SUFFIXES,
    TEXT_SUFFIXES,
    Section,
    csv_rows,
    docx_sections,
    markdown_sections,
    pdf_pages,
    read_text_file,
)
from aidojo.retrieval.relevance import TermStats, query_terms
from aidojo.retrieval.tokenize import RetrievalError, get_tokenizer

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Chunk:
    """One indexed piece: its text, the source (file name or label), where in it, and character offsets."""

    text: str
    source: str
    location: str | None = None
    start: int | None = None
    end: int | None = None
    heading: str | None = None  # Markdown heading path: searched with the text, not shown in it


@dataclass(frozen=True)
class Hit:
    """A search result: the chunk's text, its BM25 score, source and location (``citation`` formats both)."""

    text: str
    score: float
    source: str
    location: str | None = None
    start: int | None = None
    end: int | None = None
    relevance: float = 0.0  # 0..1 on one scale for every corpus (aidojo.retrieval.relevance); compare to MIN_RELEVANCE

    @property
    def citation(self) -> str:
        """Where the passage comes from, e.g. "manual.pdf p.3" or "gomi_bunbetsu.csv 行 12"."""
        return f"{self.source} {self.location}" if self.location else self.source

    def snippet(self, width: int = 80) -> str:
        """The first ``width`` characters of the text on one line."""
        flat = " ".join(self.text.split())
        return flat if len(flat) <= width else flat[: width - 1] + "…"


class Index:
    """A searchable collection of chunks. BM25 (``bm25s``, Lucene variant) over NFKC character bigrams
    by default, or Janome words with ``tokenizer="janome"``.

        index = Index()
        index.add_csv(TSU_GOMI_CSV)
        index.search("電子レンジはどう捨てますか", k=5)[0].citation   # 'gomi_bunbetsu.csv 行 …'
    """

    def __init__(self, tokenizer: str = "bigram", *, chunk_size: int = 400, overlap: int = 80,
                 k1: float = 1.5, b: float = 0.75) -> None:
        self.tokenizer = tokenizer
        self._tokenize = get_tokenizer(tokenizer)
        if chunk_size <= 0 or not 0 <= overlap < chunk_size:
            raise RetrievalError("chunk_size は正の数、overlap は 0 以上 chunk_size 未満にしてください")
        self.chunk_size, self.overlap, self.k1, self.b = chunk_size, overlap, k1, b
        self.chunks: list[Chunk] = []
        self._bm25 = None  # built lazily on the first search after a change
        self._stats: TermStats | None = None

    def __len__(self) -> int:
        return len(self.chunks)

    def __repr__(self) -> str:
        sources = len({c.source for c in self.chunks})
        return f"Index(tokenizer={self.tokenizer!r}, chunks={len(self.chunks)}, sources={sources})"

    # --- adding -------------------------------------------------------------------------------

    def _add(self, chunks: list[Chunk]) -> int:
        self.chunks.extend(chunks)
        self._bm25 = None
        self._stats = None
        return len(chunks)

    def add_text(self, text: str, source: str, location: str | None = None, *, heading: str | None = None,
                 line_offset: int = 0) -> int:
        """Add ``text`` cut into overlapping chunks; returns how many chunks were added.

        Every chunk gets ``location`` when given; otherwise, when the text makes several chunks,
        each is located by the line it starts on ("行 N").
        """
        if not isinstance(text, str):
            raise RetrievalError(f"add_text にはテキスト（str）を渡してください（{type(text).__name__} が渡されました）")
        spans = chunk_text(text, self.chunk_size, self.overlap)
        chunks = []
        for span in spans:
            loc = location
            if loc is None and (len(spans) > 1 or line_offset):
                loc = f"行 {line_of(text, span.start) + line_offset}"
            chunks.append(Chunk(span.text, str(source), loc, span.start, span.end, heading))
        return self._add(chunks)

    def add_file(self, path: str | os.PathLike, source: str | None = None) -> int:
        """Add a .txt, .md, .pdf or .docx file (a .csv goes to :meth:`add_csv`); returns the number of chunks.

        Locations: "行 N" for text, the heading path for Markdown and Word, "p.N" for PDF pages.
        """
        path = Path(path)
        if not path.is_file():
            raise RetrievalError(f"{path}: ファイルが見つかりません")
        name = source or path.name
        suffix = path.suffix.lower()
        if suffix in CSV_SUFFIXES:
            return self.add_csv(path, source=name)
        if suffix in TEXT_SUFFIXES:
            return self.add_text(read_text_file(path), name)
        if suffix in MARKDOWN_SUFFIXES:
            return self._add_sections(markdown_sections(read_text_file(path)), name, markdown=True)
        if suffix in PDF_SUFFIXES:
            return self._add_sections(pdf_pages(path), name)
        if suffix in DOCX_SUFFIXES:
            return self._add_sections(docx_sections(path), name, markdown=True)
        raise RetrievalError(f"{path}: この形式（{suffix or '拡張子なし'}）は読み込めません。.txt / .md / .pdf / .docx / .csv が使えます")

    def _add_sections(self, sections: list[Section], source: str, markdown: bool = False) -> int:
        added = 0
        for sec in sections:
            if markdown:
                loc = sec.location
                for span in chunk_text(sec.text, self.chunk_size, self.overlap):
                    added += self._add([Chunk(span.text, source, loc, None, None, loc)])
            else:
                added += self.add_text(sec.text, source, sec.location)
        return added

    def add_csv(self, path: str | os.PathLike, *, columns: list[str] | None = None, source: str | None = None) -> int:
        """Add one chunk per CSV row with every column's text (or ``columns``), located as "行 N".

        UTF-8 (with or without BOM) and cp932 (Shift_JIS) files are read; N is the spreadsheet row.
        """
        path = Path(path)
        if not path.is_file():
            raise RetrievalError(f"{path}: ファイルが見つかりません")
        name = source or path.name
        return self._add([Chunk(sec.text, name, sec.location) for sec in csv_rows(path, columns)])

    # --- searching ----------------------------------------------------------------------------

    def _tokens(self, chunk: Chunk) -> list[str]:
        text = f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text
        return self._tokenize(text) or [""]

    def _build(self):
        import bm25s

        token_lists = [self._tokens(c) for c in self.chunks]
        retriever = bm25s.BM25(k1=self.k1, b=self.b)
        retriever.index(token_lists, show_progress=False)
        self._bm25 = retriever
        self._stats = TermStats(token_lists)
        return retriever

    def _term_stats(self) -> TermStats:
        if self._stats is None:  # an index read from disk: count the terms once
            self._stats = TermStats(self._tokens(c) for c in self.chunks)
        return self._stats

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The ``k`` best chunks for ``query``, best first (by BM25); chunks sharing no token with it are left out.

        Each hit carries ``relevance`` (0..1, the same scale for every corpus): compare it to
        ``aidojo.safety.MIN_RELEVANCE`` to decide whether the index has anything on the question.
        """
        if not isinstance(query, str):
            raise RetrievalError(f"search の質問はテキスト（str）で渡してください（{type(query).__name__} が渡されました）")
        if not self.chunks or k <= 0:
            return []
        retriever = self._bm25 or self._build()
        tokens = list(dict.fromkeys(t for t in self._tokenize(query) if t))
        if not tokens:
            return []
        scores = np.asarray(retriever.get_scores(tokens), dtype=float)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = sorted(top, key=lambda i: (-scores[i], i))
        stats = self._term_stats()
        terms = query_terms(query, self._tokenize)
        hits = []
        for i in top:
            if scores[i] <= 0:
                break
            c = self.chunks[i]
            hits.append(Hit(c.text, float(scores[i]), c.source, c.location, c.start, c.end, stats.relevance(terms, int(i))))
        return hits

    # --- persistence --------------------------------------------------------------------------

    def save(self, directory: str | os.PathLike) -> Path:
        """Write the index to ``directory`` (chunks as JSON lines plus the BM25 arrays), replacing it whole."""
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
        try:
            meta = {"format": "aidojo.retrieval", "version": FORMAT_VERSION, "tokenizer": self.tokenizer,
                    "chunk_size": self.chunk_size, "overlap": self.overlap, "k1": self.k1, "b": self.b,
                    "chunks": len(self.chunks)}
            (tmp / "index.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
            with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
                for c in self.chunks:
                    fh.write(json.dumps(asdict(c), ensure_ascii=False) + "\n")
            if self.chunks:
                (self._bm25 or self._build()).save(str(tmp / "bm25"))
            old = None
            if directory.exists():
                old = directory.with_name(directory.name + ".old-" + tmp.name[-8:])
                os.replace(directory, old)
            os.replace(tmp, directory)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return directory

    @classmethod
    def load(cls, directory: str | os.PathLike) -> Index:
        """Read an index written by :meth:`save`."""
        directory = Path(directory)
        meta_path = directory / "index.json"
        if not meta_path.is_file():
            raise RetrievalError(f"{directory}: 保存された索引ではありません（index.json がありません）")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != "aidojo.retrieval" or meta.get("version") != FORMAT_VERSION:
            raise RetrievalError(f"{directory}: この版では読めない索引です（version={meta.get('version')}）")
        index = cls(meta["tokenizer"], chunk_size=meta["chunk_size"], overlap=meta["overlap"], k1=meta["k1"], b=meta["b"])
        with open(directory / "chunks.jsonl", encoding="utf-8") as fh:
            index.chunks = [Chunk(**json.loads(line)) for line in fh if line.strip()]
        if len(index.chunks) != meta["chunks"]:
            raise RetrievalError(f"{directory}: 索引が壊れています（{meta['chunks']} 件のはずが {len(index.chunks)} 件）")
        if index.chunks and (directory / "bm25").is_dir():
            import bm25s

            index._bm25 = bm25s.BM25.load(str(directory / "bm25"))
        return index
