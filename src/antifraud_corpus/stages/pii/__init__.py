"""Personal data of private persons: found (`find`) and redacted (`redaction`).

Public names of both, so that `stages.pii` is the one place the rest of the package asks.
"""

from .find import (
    PiiRules,
    contains_personal_data,
    find_personal_data,
    id15_valid,
    id18_valid,
    pii_rules,
    redact,
    redaction_off,
    spans_boundary,
)
from .redaction import body_personal_data, raw_personal_data, redact_removed, replaced_records

__all__ = [
    "PiiRules", "body_personal_data", "contains_personal_data", "find_personal_data", "id15_valid", "id18_valid",
    "pii_rules", "raw_personal_data", "redact", "redact_removed", "redaction_off", "replaced_records",
    "spans_boundary",
]
