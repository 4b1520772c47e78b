"""The PII kinds, their placeholders and the ``Finding`` / ``Masked`` result types."""

from __future__ import annotations

from dataclasses import dataclass, field

PII_KINDS: tuple[str, ...] = (
    "my_number",
    "phone",
    "email",
    "postal_code",
    "address",
    "person_name",
    "credit_card",
    "bank_account",
    "date_of_birth",
)

PLACEHOLDERS: dict[str, str] = {
    "my_number": "［マイナンバー］",
    "phone": "［電話番号］",
    "email": "［メールアドレス］",
    "postal_code": "［郵便番号］",
    "address": "［住所］",
    "person_name": "［氏名］",
    "credit_card": "［クレジットカード番号］",
    "bank_account": "［口座番号］",
    "date_of_birth": "［生年月日］",
}

KIND_LABELS_JA: dict[str, str] = {
    "my_number": "マイナンバー",
    "phone": "電話番号",
    "email": "メールアドレス",
    "postal_code": "郵便番号",
    "address": "住所",
    "person_name": "氏名",
    "credit_card": "クレジットカード番号",
    "bank_account": "口座番号",
    "date_of_birth": "生年月日",
}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind and its span ``[start, end)`` in the original text."""

    kind: str
    start: int
    end: int
    value: str

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS[self.kind]


@dataclass(frozen=True)
class Masked:
    """The masked text and the findings that were replaced (spans refer to the original text)."""

    text: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        return {f.kind for f in self.findings}

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Candidate:
    """A detector's hit on the normalised text (before mapping back and resolving overlaps)."""

    kind: str
    start: int
    end: int
