"""Read untrusted zips and folders entry by entry, within byte budgets, without extracting anything to disk.

zipfile does the parsing; this module adds what untrusted input needs and zipfile lacks: names decoded as
Windows writes them (cp932 without the UTF-8 flag, or Info-ZIP's Unicode path field), unsafe and odd names
refused, sizes checked before reading (declared or on-disk size) and while reading (bytes actually produced),
and a byte budget that a zip shares with the zips inside it, so neither a one-entry bomb nor nested zips grow
past it. Nothing is written to disk: entries are read into memory one at a time, each at most its limit.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

JUNK = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini", "__pycache__"})  # and every name starting with "." or "~$"
OTHER_ARCHIVES = (".7z", ".rar", ".lzh", ".lha", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".cab")
CHUNK = 64 * 1024
MAX_PART_BYTES = 255
MAX_PATH_CHARS = 1024
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_UNICODE_PATH_FIELD = 0x7075


def _odd_name_message(text: str) -> str:
    return f"名前に使えない文字がある（または長すぎる）ファイル「{shown(text)}」は読みませんでした"


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


class IntakeProblem(Exception):
    """A file or entry that cannot be read as given: ``code`` stable English, ``message`` Japanese (names it)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class BudgetExceeded(IntakeProblem):
    """More bytes were read than ``budget`` allows (the budget says whose: an archive's or a nested zip's)."""

    def __init__(self, budget: Budget):
        super().__init__("zip_too_large", f"展開した量が上限（{megabytes(budget.limit)}）を超えました")
        self.budget = budget


class Budget:
    """Bytes one archive may produce, nested zips included: a child charges its parent too."""

    def __init__(self, limit: int, parent: Budget | None = None):
        self.limit, self.parent, self.used = limit, parent, 0

    def charge(self, n: int) -> None:
        self.used += n
        if self.parent is not None:
            self.parent.charge(n)
        if self.used > self.limit:
            raise BudgetExceeded(self)

    def child(self, limit: int) -> Budget:
        return Budget(limit, self)


@dataclass(frozen=True)
class Entry:
    """A regular file in a container: ``parts`` its safe, decoded path; ``size`` declared (zip) or on disk."""

    parts: tuple[str, ...]
    size: int
    mtime: datetime
    ref: object = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def path(self) -> str:
        return "/".join(self.parts)


@dataclass(frozen=True)
class Skipped:
    """An entry left out while listing (unsafe or odd name, link, device): one report line each."""

    level: str
    code: str
    message: str
    path: str


def is_junk(parts: tuple[str, ...]) -> bool:
    """Operating-system litter (``__MACOSX``, ``.DS_Store``, ``._x``, ``Thumbs.db``, Office ``~$`` lock files)."""
    return any(p in JUNK or p.startswith((".", "~$")) for p in parts)


def _odd(text: str) -> bool:
    return any(ord(c) < 32 or c == "\x7f" or 0xD800 <= ord(c) <= 0xDFFF for c in text)


def shown(text: str, limit: int = 80) -> str:
    """A name fit for a report line: control characters escaped, long names shortened."""
    safe = "".join(c if c.isprintable() else "\\x%02x" % (ord(c) & 0xFF) for c in text)
    return safe if len(safe) <= limit else safe[:limit] + "…"


def split_name(text: str) -> tuple[tuple[str, ...] | None, str]:
    """(parts, "") for a usable relative path, or (None, code) with code ``zip_unsafe_path`` or ``odd_name``."""
    norm = text.replace("\\", "/")
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
        return None, "zip_unsafe_path"
    parts = tuple(p for p in norm.split("/") if p not in ("", "."))
    if ".." in parts:
        return None, "zip_unsafe_path"
    if (not parts or _odd(norm) or len(norm) > MAX_PATH_CHARS
            or any(len(p.encode("utf-8", "surrogatepass")) > MAX_PART_BYTES or p.strip() != p for p in parts)):
        return None, "odd_name"
    return parts, ""


def _unicode_path_field(info: zipfile.ZipInfo, raw: bytes) -> str | None:
    """Info-ZIP's Unicode path extra field (7-Zip and others write it), when its CRC matches the stored name."""
    extra, i = info.extra or b"", 0
    while i + 4 <= len(extra):
        field_id, size = struct.unpack("<HH", extra[i:i + 4])
        data = extra[i + 4:i + 4 + size]
        if field_id == _UNICODE_PATH_FIELD and len(data) > 5 and data[0] == 1:
            if struct.unpack("<I", data[1:5])[0] == zlib.crc32(raw):
                try:
                    return data[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
        i += 4 + size
    return None


def decode_zip_name(info: zipfile.ZipInfo) -> str:
    """An entry's name as its author saw it: UTF-8 when flagged or plainly UTF-8, else cp932 (Japanese Windows'
    Explorer, which sets no flag), else zipfile's cp437 reading; NFC (Finder writes decomposed kana)."""
    text = info.orig_filename
    if not info.flag_bits & _UTF8_FLAG:
        raw = text.encode("cp437")
        text = _unicode_path_field(info, raw) or text
        if text == info.orig_filename:
            for encoding in ("utf-8", "cp932"):
                try:
                    text = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
    return unicodedata.normalize("NFC", text)


def _dos_time(info: zipfile.ZipInfo) -> datetime:
    try:
        return datetime(*info.date_time, tzinfo=UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)


class Container:
    """A zip or a folder seen as a list of entries: ``name`` its own file name, ``label`` where the report says
    it is, ``depth`` 0 for a folder, 1 for a zip given or found in a folder, 2 for a zip inside a zip."""

    def __init__(self, name: str, label: str, depth: int, budget: Budget):
        self.name, self.label, self.depth, self.budget = name, label, depth, budget

    @property
    def is_archive(self) -> bool:
        return False

    def where(self, entry: Entry | str) -> str:
        path = entry.path if isinstance(entry, Entry) else entry
        return f"{self.label}/{path}" if path else self.label

    def listing(self) -> tuple[list[Entry], list[Skipped]]:
        raise NotImplementedError

    def _open(self, entry: Entry):
        raise NotImplementedError

    def read(self, entry: Entry, limit: int) -> bytes:
        """The entry's bytes, refused before reading when its size says it is over ``limit`` and while reading when
        it produces more; every byte read is charged to the budget (BudgetExceeded)."""
        if entry.size > limit:
            raise IntakeProblem("too_large", f"「{entry.name}」が大きすぎます（{megabytes(entry.size)}、上限 {megabytes(limit)}）")
        chunks, n = [], 0
        try:
            with self._open(entry) as src:
                while True:
                    chunk = src.read(min(CHUNK, limit + 1 - n))
                    if not chunk:
                        break
                    n += len(chunk)
                    self.budget.charge(len(chunk))
                    if n > limit:
                        raise IntakeProblem("too_large", f"「{entry.name}」が大きすぎます（{megabytes(entry.size)} と"
                                            f"書かれていましたが、読むと上限 {megabytes(limit)} を超えました）")
                    chunks.append(chunk)
        except IntakeProblem:
            raise
        except NotImplementedError:  # before RuntimeError, its base class
            raise IntakeProblem("bad_zip_entry", f"「{entry.name}」はこの圧縮方式では読めません（標準の zip で作り直してください）") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, struct.error) as exc:
            raise IntakeProblem("bad_zip_entry", f"「{entry.name}」が壊れていて読めません（{type(exc).__name__}）") from None
        return b"".join(chunks)

    def close(self) -> None:
        pass


class ZipContainer(Container):
    """A zip on disk or in memory; ``max_entries`` refuses archives listing more entries than any class hands in."""

    def __init__(self, source: Path | bytes, name: str, label: str, depth: int, budget: Budget, max_entries: int):
        super().__init__(name, label, depth, budget)
        self.max_entries = max_entries
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error, UnicodeDecodeError,
                NotImplementedError) as exc:
            raise IntakeProblem("bad_zip", f"zipファイルとして読めません（{type(exc).__name__}）") from None

    @property
    def is_archive(self) -> bool:
        return True

    def listing(self) -> tuple[list[Entry], list[Skipped]]:
        infos = self.zf.infolist()
        if len(infos) > self.max_entries:
            raise IntakeProblem("zip_too_many_entries", f"zipの中のファイルが多すぎます（{len(infos)} 個、上限 {self.max_entries} 個）")
        entries, skipped = [], []
        for info in infos:
            text = decode_zip_name(info)
            if info.is_dir() or text.endswith(("/", "\\")):
                continue
            parts, problem = split_name(text)
            if problem == "zip_unsafe_path":
                skipped.append(Skipped("error", problem, f"zip内の危険なパス「{shown(text)}」は読みませんでした",
                                       self.where(shown(text))))
                continue
            if problem:
                skipped.append(Skipped("warn", problem, _odd_name_message(text), self.where(shown(text))))
                continue
            assert parts is not None
            if is_junk(parts):
                continue
            if info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16):
                skipped.append(Skipped("warn", "not_regular", f"「{text}」はリンクなので読みませんでした", self.where(text)))
                continue
            if info.flag_bits & _ENCRYPTED_FLAG:
                skipped.append(Skipped("error", "encrypted", f"「{text}」はパスワード付きのため読めません", self.where(text)))
                continue
            entries.append(Entry(parts, info.file_size, _dos_time(info), info))
        return entries, skipped

    def _open(self, entry: Entry):
        return self.zf.open(entry.ref)  # type: ignore[arg-type]

    def nested(self, entry: Entry, limit: int, max_entries: int) -> ZipContainer:
        """A zip inside this zip: its bytes read (at most ``limit``, charged here), its entries charged to a child
        budget of ``limit`` — so one level of nesting costs no more than the zip it sits in allows."""
        data = self.read(entry, limit)
        return ZipContainer(data, entry.name, self.where(entry), self.depth + 1, self.budget.child(limit), max_entries)

    def close(self) -> None:
        self.zf.close()


class FolderContainer(Container):
    """A folder on disk: links, devices and unreadable folders are listed as skipped, never followed."""

    def __init__(self, root: Path, label: str, budget: Budget, depth: int = 0):
        super().__init__(root.name, label, depth, budget)
        self.root = root

    def listing(self) -> tuple[list[Entry], list[Skipped]]:
        entries: list[Entry] = []
        skipped: list[Skipped] = []

        def unreadable(err: OSError) -> None:
            rel = os.path.relpath(err.filename or str(self.root), self.root)
            skipped.append(Skipped("error", "unreadable", f"フォルダ「{rel}」が読めません（{err.strerror}）", self.where(rel)))

        for dirpath, dirnames, filenames in os.walk(self.root, onerror=unreadable, followlinks=False):
            base = Path(dirpath)
            rel_dir = base.relative_to(self.root).parts
            keep = []
            for d in sorted(dirnames):
                if is_junk((d,)):
                    continue
                if (base / d).is_symlink():
                    skipped.append(Skipped("warn", "not_regular", f"「{'/'.join((*rel_dir, d))}」はリンクなので読みませんでした",
                                           self.where("/".join((*rel_dir, d)))))
                    continue
                keep.append(d)
            dirnames[:] = keep
            for f in sorted(filenames):
                rel = (*rel_dir, f)
                text = "/".join(rel)
                if is_junk(rel):
                    continue
                parts, problem = split_name(text)
                if problem or parts is None:
                    skipped.append(Skipped("warn", "odd_name", _odd_name_message(text), self.where(shown(text))))
                    continue
                try:
                    st = os.lstat(base / f)
                except OSError as exc:
                    skipped.append(Skipped("error", "unreadable", f"「{text}」が読めません（{exc.strerror}）", self.where(text)))
                    continue
                if not stat.S_ISREG(st.st_mode):
                    skipped.append(Skipped("warn", "not_regular", f"「{text}」は普通のファイルではない（リンクなど）ので読みませんでした",
                                           self.where(text)))
                    continue
                entries.append(Entry(parts, st.st_size, datetime.fromtimestamp(st.st_mtime, tz=UTC), base / f))
        return entries, skipped

    def _open(self, entry: Entry):
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(entry.ref, flags)  # type: ignore[arg-type]
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError("not a regular file")
        return os.fdopen(fd, "rb")
