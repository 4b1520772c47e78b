"""Class passwords: issued by the trainer for one training, printed (PDF cards or CSV), valid until they expire.

Only scrypt hashes are stored (``<hub_dir>/passwords.json``, mode 0600); the plain passwords exist once, in the
sheet the trainer prints. Issuing again replaces a person's password. Hand-written: the standard library's
``hashlib.scrypt`` and ``secrets`` are all it takes, and NativeAuthenticator has no bulk issue.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from aidojo.fileio import atomic_path, atomic_write_text
from aidojo.hub.accounts import Account

PASSWORDS_FILE = "passwords.json"
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without mistakes
JST = timezone(timedelta(hours=9))
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class IssuedPassword:
    account: Account
    password: str
    expires: datetime


def _hash(password: str, salt: bytes) -> str:
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def new_password(groups: int = 3, size: int = 4) -> str:
    """A random password like ``k7pm-x3qa-9dwe`` (about 70 bits)."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(size)) for _ in range(groups))


def _load(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def issue_passwords(hub_dir: Path, accounts: list[Account], *, days: int = 7,
                    now: datetime | None = None) -> list[IssuedPassword]:
    """New passwords for ``accounts`` valid for ``days`` days (to the end of the last day, JST)."""
    now = now or datetime.now(UTC)
    last_day = (now.astimezone(JST) + timedelta(days=max(days, 1) - 1)).date()
    expires = datetime(last_day.year, last_day.month, last_day.day, 23, 59, 59, tzinfo=JST)
    path = Path(hub_dir) / PASSWORDS_FILE
    store = _load(path)
    issued = []
    for account in accounts:
        password = new_password()
        store[account.staff_id] = {"hash": _hash(password, os.urandom(16)), "expires": expires.isoformat()}
        issued.append(IssuedPassword(account, password, expires))
    Path(hub_dir).mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(store, ensure_ascii=False, indent=1), encoding="utf-8")
    os.chmod(path, 0o600)
    return issued


def verify_password(hub_dir: Path, staff_id: str, password: str, *, now: datetime | None = None) -> bool:
    """True when ``password`` is ``staff_id``'s current, unexpired class password."""
    entry = _load(Path(hub_dir) / PASSWORDS_FILE).get(staff_id)
    if not entry or not password:
        return False
    if datetime.fromisoformat(entry["expires"]) < (now or datetime.now(UTC)):
        return False
    try:
        _, salt, _digest = entry["hash"].split("$")
        expected = _hash(password, base64.b64decode(salt))
    except (ValueError, KeyError):
        return False
    return hmac.compare_digest(expected, entry["hash"])


def _excel_safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_csv(issued: list[IssuedPassword], out: Path, url: str) -> Path:
    """A CSV that Excel opens (UTF-8 with BOM): 職員番号, 氏名, 所属, パスワード, 有効期限, URL."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["職員番号", "氏名", "所属", "パスワード", "有効期限", "URL"])
    for item in issued:
        a = item.account
        writer.writerow([_excel_safe(a.staff_id), _excel_safe(a.name), _excel_safe(a.department), item.password,
                         f"{item.expires:%Y-%m-%d %H:%M}", url])
    path = atomic_write_text(out, buf.getvalue(), encoding="utf-8-sig")
    os.chmod(path, 0o600)
    return path


def write_pdf(issued: list[IssuedPassword], out: Path, url: str, *, title: str = "AI道場 研修用ログイン情報") -> Path:
    """A4 sheets of cards to cut apart, one per person (reportlab's built-in Japanese CID fonts)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    for font in ("HeiseiKakuGo-W5", "HeiseiMin-W3"):
        if font not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(font))
    width, height = A4
    cols, rows = 2, 5
    card_w, card_h = (width - 20 * mm) / cols, (height - 20 * mm) / rows
    with atomic_path(out, suffix=".pdf") as tmp:
        c = canvas.Canvas(str(tmp), pagesize=A4, invariant=1)
        c.setTitle(title)
        for i, item in enumerate(issued):
            if i and i % (cols * rows) == 0:
                c.showPage()
            col, row = i % cols, (i // cols) % rows
            x, y = 10 * mm + col * card_w, height - 10 * mm - (row + 1) * card_h
            c.setDash(2, 2)
            c.rect(x, y, card_w, card_h)
            c.setDash()
            a = item.account
            c.setFont("HeiseiKakuGo-W5", 9)
            c.drawString(x + 5 * mm, y + card_h - 8 * mm, title)
            c.setFont("HeiseiMin-W3", 12)
            c.drawString(x + 5 * mm, y + card_h - 16 * mm, f"{a.name}　様")
            c.setFont("HeiseiMin-W3", 8)
            c.drawString(x + 5 * mm, y + card_h - 21 * mm, a.department[:40])
            c.setFont("HeiseiKakuGo-W5", 10)
            c.drawString(x + 5 * mm, y + card_h - 29 * mm, f"URL: {url}")
            c.drawString(x + 5 * mm, y + card_h - 35 * mm, f"ユーザー名（職員番号）: {a.staff_id}")
            c.drawString(x + 5 * mm, y + card_h - 41 * mm, f"パスワード: {item.password}")
            c.setFont("HeiseiMin-W3", 7)
            c.drawString(x + 5 * mm, y + 8 * mm, f"有効期限 {item.expires:%Y-%m-%d %H:%M}")
            c.drawString(x + 5 * mm, y + 4 * mm, "他の人に見せないでください。研修後は破棄してください。")
        c.save()
    os.chmod(out, 0o600)
    return Path(out)


def write_sheet(issued: list[IssuedPassword], out: Path, url: str) -> Path:
    """PDF or CSV by the file's suffix."""
    out = Path(out)
    if out.suffix.lower() == ".csv":
        return write_csv(issued, out, url)
    if out.suffix.lower() == ".pdf":
        return write_pdf(issued, out, url)
    raise ValueError(f"{out.name}: 出力ファイルは .pdf か .csv にしてください。")


__all__ = ["IssuedPassword", "issue_passwords", "new_password", "verify_password", "write_csv", "write_pdf",
           "write_sheet"]
