"""Personal data of private persons: found (`find`) and redacted (`redaction`).

Public names of both, so that `stages.pii` is the one place the rest of the package asks. They
are imported on first use: a run over an unchanged corpus asks only whether redaction is on.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ...config import Config

if TYPE_CHECKING:
    from .find import (
        PiiRules,
        contains_personal_data,
        find_personal_data,
        id15_valid,
        id18_valid,
        pii_rules,
        redact,
        spans_boundary,
    )
    from .redaction import body_personal_data, raw_personal_data, redact_removed, replaced_records

# name -> the module of this package that defines it
_DEFINED_IN = {
    **dict.fromkeys(("PiiRules", "contains_personal_data", "find_personal_data", "id15_valid", "id18_valid",
                     "pii_rules", "redact", "spans_boundary"), "find"),
    **dict.fromkeys(("body_personal_data", "raw_personal_data", "redact_removed", "replaced_records"), "redaction"),
}


def redaction_off(config: Config) -> str:
    """A note for the run when `pii.yaml` turns redaction off (`enabled: false`); "" when it is on."""
    if config["pii"].get("enabled", True) is False:
        return ("personal data redaction is turned off (pii.yaml: enabled: false); outputs may hold ID and "
                "phone numbers, names and addresses of private persons")
    return ""


def __getattr__(name: str) -> Any:
    module = _DEFINED_IN.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # (looked up once)
    return value


__all__ = [
    "PiiRules", "body_personal_data", "contains_personal_data", "find_personal_data", "id15_valid", "id18_valid",
    "pii_rules", "raw_personal_data", "redact", "redact_removed", "redaction_off", "replaced_records",
    "spans_boundary",
]
