"""HR records: roster import (with history), completion rules on nbgrader's gradebook, exports,
certificates and the KPI dashboard.

Typical use::

    from aidojo.records import import_roster, compute_records, export_records, write_certificates, write_dashboard
    import_roster("職員名簿.csv")
    records = compute_records()
    export_records(records, "修了状況.xlsx", "xlsx")
    write_certificates(records, "basic", "修了証/")
    write_dashboard(records, "report.html")
"""

from aidojo.records.certificates import CertificateError, write_certificates
from aidojo.records.completion import ModuleResult, PersonRecord, Records, TrackResult, compute_records
from aidojo.records.dashboard import write_dashboard
from aidojo.records.export import ExportError, export_records
from aidojo.records.kpi import compute_kpis, load_kpi
from aidojo.records.roster import (ImportResult, Person, Roster, import_roster, load_roster, roster_history,
                                   sync_students)
from aidojo.records.roster_file import RosterError, read_roster_file

__all__ = [
    "CertificateError", "ExportError", "ImportResult", "ModuleResult", "Person", "PersonRecord", "Records", "Roster",
    "RosterError", "TrackResult", "compute_kpis", "compute_records", "export_records", "import_roster", "load_kpi",
    "load_roster", "read_roster_file", "roster_history", "sync_students", "write_certificates", "write_dashboard",
]
