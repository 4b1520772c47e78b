"""Sealed answer keys: a self-check can confirm a choice answer without the key being readable in the package.

The package learners import holds only a salted digest of the canonical right answer (for example
``"A,C,D"``); the plain key lives with the instructor's material under ``grader/keys/``, and a test checks
that the two agree. Hand-written: two lines of hashlib, no library needed.
"""

from __future__ import annotations

import hashlib


def seal(qid: str, canonical: str) -> str:
    """The digest stored in the package for question ``qid``'s canonical answer."""
    return hashlib.sha256(f"aidojo:{qid}:{canonical}".encode()).hexdigest()


def matches(qid: str, canonical: str, digest: str) -> bool:
    """True when ``canonical`` is the sealed right answer of ``qid``."""
    return seal(qid, canonical) == digest
