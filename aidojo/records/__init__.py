"""HR records: roster import (with history and undo), monotone completion from the attempts ledger, exports,
certificates with verification codes, the KPI dashboard and the audit log.

Typical use::

    from aidojo.records import import_roster, compute_records, export_records, write_certificates, write_dashboard
    import_roster("職員名簿.csv", as_of="2026-04-01")
    records = compute_records()                      # or compute_records(fiscal=2026) / (as_of="2027-03-31")
    export_records(records, "修了状況.xlsx", "xlsx")  # one workbook: 一覧, 課別集計, 役職別集計, 未修了者
    write_certificates(records, "basic", "修了証/")
    write_dashboard(records, "report.html")

Names are loaded on first use (PEP 562), so that ``aidojo`` commands start fast.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "CertificateError": "certificates", "write_certificates": "certificates", "verify_certificate": "certificates",
    "ModuleResult": "completion", "PersonRecord": "completion", "Records": "completion", "TrackResult": "completion",
    "compute_records": "completion",
    "write_dashboard": "dashboard",
    "ExportError": "export", "export_records": "export",
    "compute_kpis": "kpi", "load_kpi": "kpi",
    "ImportResult": "roster", "Person": "roster", "Roster": "roster", "import_roster": "roster",
    "load_roster": "roster", "roster_history": "roster", "sync_students": "roster", "undo_last_import": "roster",
    "sync_student_names": "roster",
    "RosterError": "roster_file", "read_roster_file": "roster_file",
    "read_audit": "audit",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"aidojo.records.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'aidojo.records' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
