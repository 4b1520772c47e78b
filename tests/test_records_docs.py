"""The HR guide says what grader/course.toml says: which modules make each track (the executive track is e01)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aidojo.course.config import load_course

REPO = Path(__file__).resolve().parents[1]
GUIDES = sorted((REPO / "docs" / "hr").glob("**/*.md"))
# How the guide names each track: its id and the Japanese name HR reads.
NAMES = {"executive": ("executive", "幹部向けコース"), "basic": ("basic", "基礎コース"),
         "builder": ("builder", "ビルダー）コース", "AI人材コース")}
MODULES = r"[em]\d\d(?:\s*[〜～~–-]\s*[em]\d\d)?(?:\s*[・,、]\s*[em]\d\d(?:\s*[〜～~–-]\s*[em]\d\d)?)*"
ONE = re.compile(r"([em])(\d\d)(?:\s*[〜～~–-]\s*[em](\d\d))?")


def _modules(expr: str) -> list[str]:
    """'m01〜m03' -> m01, m02, m03; 'e01・m04' -> e01, m04."""
    out = []
    for prefix, first, last in ONE.findall(expr):
        out += [f"{prefix}{n:02d}" for n in range(int(first), int(last or first) + 1)]
    return out


def _paragraphs(text: str) -> str:
    """Wrapped lines joined (a line that does not start a list item, table row, heading or block joins the previous)."""
    return re.sub(r"\n[ \t]+(?![-|#*>`]|\d+\.)", "", text)


def track_claims(text: str) -> list[tuple[str, list[str], str]]:
    """(track, modules, where) for each place that says which modules a track has: a table row (the cell after the
    track's name) or a phrase 'NAME（…）：m01〜m03' / 'NAME は m01〜m03' / 'NAME（e01・90分）'."""
    claims = []
    for line in _paragraphs(text).splitlines():
        if line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            for i, cell in enumerate(cells[:-1]):
                for track, names in NAMES.items():
                    if any(n in cell for n in names) and re.fullmatch(MODULES, cells[i + 1]):
                        claims.append((track, _modules(cells[i + 1]), line.strip()))
            continue
        found: dict[tuple[str, int], tuple[str, list[str], str]] = {}  # one claim per place, whichever name led to it
        for track, names in NAMES.items():
            for name in names:
                for m in re.finditer(re.escape(name) + r"[^。、\n|]{0,16}?[：:は（(]\s*(" + MODULES + ")", line):
                    found.setdefault((track, m.start(1)), (track, _modules(m.group(1)), m.group(0)))
        claims += found.values()
    return claims


def test_the_checker_finds_what_a_guide_claims():
    wrong = ("- 幹部向けコース（executive）：m01〜m03\n- 基礎コースは m01〜m03、AI人材（ビルダー）コースは m01〜m09 です。\n"
             "| 幹部向けコース（executive） | e01 | 幹部 |\n- 幹部向けコース（e01・90分）\n"
             "e01 を修了しても基礎コースの\n  修了にはなりません。")
    assert sorted((t, tuple(m)) for t, m, _ in track_claims(wrong)) == sorted([
        ("executive", ("m01", "m02", "m03")), ("basic", ("m01", "m02", "m03")),
        ("builder", tuple(f"m0{i}" for i in range(1, 10))), ("executive", ("e01",)), ("executive", ("e01",))])


@pytest.mark.parametrize("guide", GUIDES, ids=[g.name for g in GUIDES])
def test_every_track_the_hr_guide_describes_has_the_modules_course_toml_gives_it(guide):
    tracks = {tid: list(t.modules) for tid, t in load_course().tracks.items()}
    claims = track_claims(guide.read_text(encoding="utf-8"))
    assert {c[0] for c in claims} >= set(tracks), "the guide should say which modules each track has"
    for track, modules, where in claims:
        assert modules == tracks[track], f"{guide.name}: {track} is {tracks[track]}, not {modules}: {where}"
