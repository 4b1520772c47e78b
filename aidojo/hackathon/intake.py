"""Suggest the starter template closest to a described work problem (keywords + character bigrams).

Hand-written rather than an embedding model: it must run offline, instantly, and explain its choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aidojo.hackathon.new import Template, list_templates
from aidojo.text import char_bigrams, content_bigrams, normalize


@dataclass(frozen=True)
class Suggestion:
    """A template, how well it fits (0–1+), and why, in Japanese."""

    template: Template
    score: float
    reason: str


def _score(problem: str, tpl: Template) -> tuple[float, list[str], float]:
    text = normalize(problem)
    hits = [k for k in tpl.keywords if normalize(k) in text]
    profile = " ".join((tpl.title_ja, tpl.description, *tpl.keywords))
    grams = content_bigrams(problem) or set(char_bigrams(problem))
    similarity = len(grams & set(char_bigrams(profile))) / len(grams) if grams else 0.0
    return len(hits) + 2.0 * similarity, hits, similarity


def suggest(problem: str, templates: list[Template] | None = None, k: int = 3, root: Path | None = None) -> list[Suggestion]:
    """The ``k`` best templates for ``problem``, best first; an empty problem raises ValueError."""
    if not problem or not problem.strip():
        raise ValueError("業務の困りごとを一文以上で書いてください（例：「窓口の問い合わせ対応に時間がかかる」）。")
    templates = templates if templates is not None else list_templates(root)
    ranked = []
    for tpl in templates:
        score, hits, similarity = _score(problem, tpl)
        if hits:
            reason = "キーワード" + "".join(f"「{h}」" for h in hits[:4]) + "が一致"
        else:
            reason = f"キーワードの一致はありません（説明文との文字の重なり {similarity:.2f}）"
        ranked.append(Suggestion(tpl, round(score, 3), reason))
    ranked.sort(key=lambda s: (-s.score, s.template.name))
    return ranked[:k]
