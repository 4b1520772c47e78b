"""Identity at intake: file name, manifest, folders, notebook metadata and the hub login must name the same staff id
(after the one rule), and that id must be on the roster; a refused submission never replaces an accepted one."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from aidojo.course.collect import collect_exchange, collect_folder, collect_zip
from aidojo.course.identity import Claim, IdentityError, resolve_identity, staff_id_in_name
from tests.conftest import require
from tests.fixtures.course.helpers import GOOD_Q1, GOOD_Q2, SOURCE, layout, variant
from tests.fixtures.intake.builders import nb_bytes, package, stamped, zip_of

VICTIM, ATTACKER = "k10001", "k10002"


@pytest.fixture
def lay(tmp_path):
    lay = layout(tmp_path)
    (lay.release_dir / "t01").mkdir(parents=True)
    shutil.copy(SOURCE / "t01" / "t01_kadai.ipynb", lay.release_dir / "t01" / "t01_kadai.ipynb")
    return lay


def _stored(lay, sid):
    folder = lay.submitted_dir / sid / "t01"
    return (folder / "t01_kadai.ipynb").read_bytes(), (folder / "timestamp.txt").read_text(encoding="utf-8")


def _only_problem(report, code):
    """The report's one problem line, which must have ``code`` (one line per bad file, never more)."""
    problems = report.problems
    assert [ln.code for ln in problems] == [code], report.text()
    return problems[0]


@pytest.mark.parametrize("name,module,expected", [
    ("k12345_m01.zip", "m01", "k12345"), ("k12345_m01 (1).zip", "m01", "k12345"), ("ｋ１２３４５_m01（１）.zip", "m01", "k12345"),
    ("k12345_m01 - コピー.zip", "m01", "k12345"), ("k12345_m01 2.zip", "m01", "k12345"), ("000123_M01.zip", "m01", "000123"),
    ("提出.zip", "m01", None), ("k12345_m02.zip", "m01", None), ("k12345", "m01", None),
])
def test_staff_id_in_a_file_name(name, module, expected):
    assert staff_id_in_name(name, module) == expected


def test_claims_resolve_by_the_one_rule():
    assert resolve_identity([Claim("a", "ｋ１２３４５"), Claim("b", "k12345")]) == "k12345"
    assert resolve_identity([Claim("a", "000123"), Claim("b", "０００１２３")]) == "000123"  # leading zeros kept
    with pytest.raises(IdentityError) as err:
        resolve_identity([Claim("ファイル名", "000123"), Claim("manifest.json", "123")])
    assert err.value.code == "id_mismatch" and "先頭の0" in str(err.value)
    with pytest.raises(IdentityError) as err:
        resolve_identity([Claim("ファイル名", "../etc")])
    assert err.value.code == "bad_staff_id"


def test_a_forged_zip_never_replaces_the_victims_work_nor_makes_it_look_older(lay, tmp_path):
    known = {VICTIM, ATTACKER}
    honest = variant(lay, GOOD_Q1, GOOD_Q2)
    blank = variant(lay)
    real = tmp_path / f"{VICTIM}_t01.zip"
    real.write_bytes(package(honest, VICTIM, created="2026-11-23T10:00:00+00:00"))
    assert collect_zip(real, layout=lay, known_ids=known).accepted == [(VICTIM, "t01")]
    before = _stored(lay, VICTIM)

    forgeries = {  # each names the victim somewhere and someone else elsewhere; all claim a time in the future
        "name_victim_manifest_attacker": (f"{VICTIM}_t01.zip", dict(staff_id=ATTACKER)),
        "name_attacker_rest_victim": (f"{ATTACKER}_t01.zip", dict(staff_id=VICTIM)),
        "notebook_says_attacker": (f"{VICTIM}_t01.zip", dict(staff_id=VICTIM, notebook_id=ATTACKER)),
        "folder_says_attacker": (f"{VICTIM}_t01.zip", dict(staff_id=VICTIM, folder_id=ATTACKER)),
    }
    for label, (name, kw) in forgeries.items():
        sid = kw.pop("staff_id")
        if label == "name_victim_manifest_attacker":
            data = package(blank, ATTACKER, created="2099-01-01T00:00:00+00:00")  # manifest, folder, notebook: attacker
        else:
            data = package(blank, sid, created="2099-01-01T00:00:00+00:00", **kw)
        forged = tmp_path / "forged" / label / name
        forged.parent.mkdir(parents=True)
        forged.write_bytes(data)
        report = collect_zip(forged, layout=lay, known_ids=known)
        line = _only_problem(report, "id_mismatch")
        assert VICTIM in line.message and ATTACKER in line.message and "受け付けませんでした" in line.message, label
        assert report.accepted == [] and _stored(lay, VICTIM) == before, label
    assert not (lay.submitted_dir / ATTACKER).exists()

    again = collect_zip(real, layout=lay, known_ids=known)  # the victim's real zip is not "older" than anything
    assert again.unchanged == [(VICTIM, "t01")] and not again.problems, again.text()
    newer = tmp_path / "newer" / f"{VICTIM}_t01 (1).zip"  # a browser's re-download name
    newer.parent.mkdir()
    newer.write_bytes(package(variant(lay, GOOD_Q1, "def greet(name):\n    return name"), VICTIM,
                              created="2026-11-23T11:00:00+00:00"))
    report = collect_zip(newer, layout=lay, known_ids=known)
    assert report.accepted == [(VICTIM, "t01")] and "置き換えました" in report.find(code="accepted")[0].message


def test_a_refused_resubmission_keeps_the_accepted_one(lay, tmp_path):
    real = tmp_path / "a" / f"{VICTIM}_t01.zip"
    real.parent.mkdir()
    real.write_bytes(package(variant(lay, GOOD_Q1, GOOD_Q2), VICTIM))
    collect_zip(real, layout=lay)
    before = _stored(lay, VICTIM)
    broken = variant(lay, GOOD_Q1, GOOD_Q2)
    broken["cells"][1]["source"] = 123  # valid JSON, not a notebook
    later = tmp_path / "b" / f"{VICTIM}_t01.zip"
    later.parent.mkdir()
    later.write_bytes(package(broken, VICTIM, created="2026-11-24T10:00:00+00:00"))
    report = collect_zip(later, layout=lay)
    assert _only_problem(report, "invalid_notebook").staff_id == VICTIM
    assert _stored(lay, VICTIM) == before


def test_package_needs_its_name_and_a_notebook_that_says_who(lay, tmp_path):
    nb = variant(lay, GOOD_Q1, GOOD_Q2)
    renamed = tmp_path / "提出.zip"
    renamed.write_bytes(package(nb, VICTIM))
    _only_problem(collect_zip(renamed, layout=lay), "name_no_id")
    old = tmp_path / f"{VICTIM}_t01.zip"
    old.write_bytes(package(nb, VICTIM, notebook_id=None, version=1))  # no id in the notebook
    _only_problem(collect_zip(old, layout=lay), "id_missing")
    assert not lay.submitted_dir.exists()


def test_staff_ids_are_normalised_everywhere_and_leading_zeros_kept(lay, tmp_path):
    nb = variant(lay, GOOD_Q1, GOOD_Q2)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ｋ１０００３_t01.zip").write_bytes(package(nb, "k10003"))  # typed in full width
    (inbox / "000123_t01.zip").write_bytes(package(nb, "000123"))
    (inbox / "000456_t01.zip").write_bytes(package(nb, "000456", manifest_id="456"))
    report = collect_folder(inbox, layout=lay)
    assert sorted(report.accepted) == [("000123", "t01"), ("k10003", "t01")], report.text()
    line = _only_problem(report, "id_mismatch")
    assert "先頭の0" in line.message
    assert sorted(p.name for p in lay.submitted_dir.iterdir()) == ["000123", "k10003"]


def test_unknown_ids_are_held_back_and_listed_unless_allowed(lay, tmp_path):
    nb = variant(lay, GOOD_Q1, GOOD_Q2)
    bundle = tmp_path / "第1回提出.zip"
    bundle.write_bytes(zip_of({f"{VICTIM}_t01.zip": package(nb, VICTIM), "k99999_t01.zip": package(nb, "k99999"),
                               "123_t01.zip": package(nb, "123")}))
    known = {VICTIM, "000123"}
    report = collect_zip(bundle, layout=lay, known_ids=known)
    assert report.accepted == [(VICTIM, "t01")]
    assert sorted(report.held) == [("123", "t01"), ("k99999", "t01")]
    held = {ln.staff_id: ln for ln in report.find(code="unknown_staff_id")}
    assert set(held) == {"123", "k99999"} and "000123" in held["123"].message  # leading-zero hint
    assert "k99999" in report.summary() and "--allow-unknown" in report.summary()
    assert sorted(p.name for p in lay.submitted_dir.iterdir()) == [VICTIM]

    allowed = collect_zip(bundle, layout=lay, known_ids=known, allow_unknown=True)
    assert sorted(allowed.accepted) == [("123", "t01"), ("k99999", "t01")]
    assert len(allowed.find(code="unknown_staff_id_allowed")) == 2 and not allowed.held
    no_roster = collect_zip(bundle, layout=lay)  # library callers without a roster: said in the report
    assert no_roster.find(code="no_roster")


def test_a_folder_is_named_by_its_staff_id_folder_and_the_notebook_must_agree(lay, tmp_path):
    inbox = tmp_path / "inbox"
    nb = variant(lay, GOOD_Q1, GOOD_Q2)
    for sid, claim in (("k10003", None), ("k10004", "k10004"), ("k10005", "k10006")):
        (inbox / sid / "t01").mkdir(parents=True)
        (inbox / sid / "t01" / "t01_kadai.ipynb").write_bytes(nb_bytes(stamped(nb, claim)))
    report = collect_folder(inbox, layout=lay)
    assert sorted(report.accepted) == [("k10003", "t01"), ("k10004", "t01")]
    assert "k10006" in _only_problem(report, "id_mismatch").message


def test_a_one_learner_zip_is_also_named_by_its_file_name(lay, tmp_path):
    nb = nb_bytes(variant(lay, GOOD_Q1, GOOD_Q2))
    own = tmp_path / f"{VICTIM}_t01.zip"
    own.write_bytes(zip_of({f"{VICTIM}/t01/t01_kadai.ipynb": nb}))
    assert collect_zip(own, layout=lay).accepted == [(VICTIM, "t01")]
    other = tmp_path / f"{ATTACKER}_t01.zip"  # the attacker's own zip, holding a folder in the victim's name
    other.write_bytes(zip_of({f"{VICTIM}/t01/t01_kadai.ipynb": nb_bytes(variant(lay))}))
    _only_problem(collect_zip(other, layout=lay), "id_mismatch")


def _inbound(lay, student: str, stamp: str, nb: dict | None, suffix: str = "abc123") -> None:
    folder = lay.exchange_dir / "aidojo" / "inbound" / f"{student}+t01+{stamp}+{suffix}"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(stamp, encoding="utf-8")
    if nb is not None:
        (folder / "t01_kadai.ipynb").write_bytes(nb_bytes(nb))


def test_exchange_identity_is_the_hub_login_and_the_notebook_must_not_contradict_it(lay):
    good, blank = variant(lay, GOOD_Q1, GOOD_Q2), variant(lay)
    _inbound(lay, "k20001", "2026-11-23 10:00:00.000000 UTC", stamped(good, "k20001"))
    _inbound(lay, "k20002", "2026-11-23 10:00:00.000000 UTC", good)  # a notebook never packed: no id, fine
    _inbound(lay, "k20003", "2026-11-23 10:05:00.000000 UTC", stamped(blank, "k20001"))  # says it is someone else
    _inbound(lay, "k20004", "2026-11-23 09:00:00.000000 UTC", blank, "old")
    _inbound(lay, "k20004", "2026-11-23 11:00:00.000000 UTC", good, "new")  # the newest, as nbgrader collect picks
    (lay.exchange_dir / "aidojo" / "inbound" / "garbage+t01+not a time").mkdir()
    report = collect_exchange(["t01"], layout=lay, known_ids={"k20001", "k20002", "k20003", "k20004"})
    assert sorted(report.accepted) == [("k20001", "t01"), ("k20002", "t01"), ("k20004", "t01")], report.text()
    assert sorted(ln.code for ln in report.problems) == ["exchange_bad_record", "id_mismatch"], report.text()
    assert json.loads((lay.submitted_dir / "k20004" / "t01" / "t01_kadai.ipynb").read_text()) == good
    assert (lay.submitted_dir / "k20004" / "t01" / "timestamp.txt").read_text().startswith("2026-11-23 11:00:00")
    assert not (lay.submitted_dir / "k20003").exists()


def test_an_exchange_submission_placed_by_another_learner_is_refused(lay):
    import pwd

    require(os.geteuid() == 0, "changing a folder's owner needs root (as in CI)")
    other = pwd.getpwnam("daemon")  # a system account whose name is also a valid staff id, standing in for a learner
    _inbound(lay, "k20001", "2026-11-23 10:00:00.000000 UTC", variant(lay, GOOD_Q1, GOOD_Q2))
    folder = next((lay.exchange_dir / "aidojo" / "inbound").iterdir())
    os.chown(folder, other.pw_uid, other.pw_gid)
    report = collect_exchange(["t01"], layout=lay, known_ids={"k20001", "daemon"})
    assert "daemon" in _only_problem(report, "owner_mismatch").message and not report.accepted
    assert collect_exchange(["t01"], layout=lay, known_ids={"k20001"}).accepted == [("k20001", "t01")]
