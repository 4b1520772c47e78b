"""Japanese-aware search with citations: BM25 over NFKC character bigrams (or Janome words).

    from aidojo.retrieval import Index, grounded_answer
    index = Index()
    index.add_file("manual.pdf")           # pages → "manual.pdf p.3" (also .txt, .md, .docx)
    index.add_csv("gomi_bunbetsu.csv")     # rows  → "gomi_bunbetsu.csv 行 12"
    hits = index.search("電子レンジの捨て方", k=5)
    grounded_answer("電子レンジはどう捨てますか", index).citations
    hits[0].relevance >= aidojo.safety.MIN_RELEVANCE   # one scale (0..1) for every corpus
"""

from aidojo.retrieval.grounded import DEFAULT_MIN_SCORE, GroundedAnswer, build_prompt, grounded_answer
from aidojo.retrieval.index import Chunk, Hit, Index
from aidojo.retrieval.relevance import query_terms
from aidojo.retrieval.tokenize import TOKENIZERS, RetrievalError

__all__ = [
    "Index",
    "Hit",
    "Chunk",
    "RetrievalError",
    "TOKENIZERS",
    "grounded_answer",
    "GroundedAnswer",
    "build_prompt",
    "DEFAULT_MIN_SCORE",
    "query_terms",
]
