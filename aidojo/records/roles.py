"""役職 (job titles) → the role classes the tracks use (幹部 / 一般), from grader/course.toml ``[roles]``.

Real rosters carry titles (課長, 係長, 主事, 会計年度任用職員 …), not classes. ``[roles.titles]`` lists, per class,
the titles that belong to it; a title is matched exactly, else by its longest listed ending (市民課長 → 課長,
主任主事 → 主事), after NFKC, without spaces and without a trailing remark in brackets (会計年度任用職員（事務補助）);
a grade as 職階 columns write it (課長級, 部長相当職) is matched by the title it names. A class name itself (幹部, 一般)
is always accepted. Titles that match nothing are reported together by the importer.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from aidojo.course.config import GRADER_DIR

DEFAULT_CLASSES = ("幹部", "一般")
_ENGLISH = {"executive": "幹部", "general": "一般", "staff": "一般"}
_REMARK = re.compile(r"[(（\[［【].*?[)）\]］】]\s*$")
_GRADE = re.compile(r"(?:相当)?(?:職|級)$|相当$")  # 課長級, 課長相当職, 部長相当 → the title they name


def normalize_title(title: str) -> str:
    """A title as compared: NFKC, no spaces, no trailing bracketed remark."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", title or ""))
    while _REMARK.search(text) and _REMARK.sub("", text):
        text = _REMARK.sub("", text)
    return text


@dataclass(frozen=True)
class RoleMap:
    """Role classes, the title → class table, and each track's allowed classes (empty: everyone)."""

    classes: tuple[str, ...] = DEFAULT_CLASSES
    titles: dict[str, str] = field(default_factory=dict)
    track_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def class_name(self, text: str) -> str | None:
        """``text`` when it is a role class itself (幹部, 一般, or executive / general / staff), else None."""
        text = normalize_title(text)
        if text in self.classes:
            return text
        english = _ENGLISH.get(text.lower())
        return english if english in self.classes else None

    def classify(self, title: str) -> str | None:
        """The class of ``title`` (a class name or a listed title, see the module docstring), or None when unknown."""
        text = normalize_title(title)
        if not text:
            return None
        known = self.class_name(text) or self._by_title(text)
        if known is None and _GRADE.search(text) and len(_GRADE.sub("", text)) >= 2:
            known = self._by_title(_GRADE.sub("", text))
        return known

    def _by_title(self, text: str) -> str | None:
        if text in self.titles:
            return self.titles[text]
        for cut in range(1, len(text) - 1):  # longest listed ending of at least two characters
            if text[cut:] in self.titles:
                return self.titles[text[cut:]]
        return None

    def eligible(self, track: str, role_class: str) -> bool:
        """Whether someone of ``role_class`` can complete ``track`` (tracks without ``roles`` take everyone)."""
        allowed = self.track_roles.get(track)
        return not allowed or role_class in allowed


def parse_roles(data: dict) -> RoleMap:
    """A RoleMap from a parsed course.toml."""
    table = data.get("roles", {})
    classes = tuple(table.get("classes", DEFAULT_CLASSES))
    titles: dict[str, str] = {}
    for role_class, names in table.get("titles", {}).items():
        for name in names:
            titles[normalize_title(name)] = role_class
    track_roles = {tid: tuple(t["roles"]) for tid, t in data.get("tracks", {}).items() if t.get("roles")}
    return RoleMap(classes, titles, track_roles)


@lru_cache(maxsize=4)
def load_roles(path: Path | None = None) -> RoleMap:
    """The ``[roles]`` table and the tracks' ``roles`` of grader/course.toml."""
    path = Path(path or GRADER_DIR / "course.toml")
    return parse_roles(tomllib.loads(path.read_text(encoding="utf-8")))
