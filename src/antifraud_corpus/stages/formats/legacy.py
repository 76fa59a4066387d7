"""DOC, WPS and RTF: read through a converter where one is installed, else one clear line.

LibreOffice (`soffice --headless --convert-to docx`) reads DOC, WPS and RTF; it is optional
(it is a large install), so without it the file is refused with the command that converts
it. (OFD has its own reader, `ofd.py`.)
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path, PurePath

from ...config import Config
from . import FORMAT_NAMES, Extracted, FormatError, settings


def read_converted(data: bytes | bytearray, config: Config, name: str, kind: str) -> Extracted:
    """A DOC, WPS or RTF converted to DOCX and read as one.

    Raises:
        FormatError: `needs-conversion` when no converter is installed (or it fails).
    """
    what = FORMAT_NAMES.get(kind, (kind.upper(),))[0]
    convert = settings(config).convert
    office = next((found for command in convert["office"] if (found := shutil.which(str(command)))), None)
    command = f"soffice --headless --convert-to docx {PurePath(name).name}"
    if office is None:
        raise FormatError(f"{name}: {what} needs converting and LibreOffice is not installed; run "
                          f"`{command}` (or save it as DOCX from Word or WPS) and ingest the .docx",
                          "needs-conversion")
    from .docx import read_docx

    with tempfile.TemporaryDirectory(prefix="corpus-convert-") as folder:
        source = Path(folder) / f"document{PurePath(name).suffix or '.' + kind}"
        source.write_bytes(bytes(data))
        try:
            subprocess.run([office, "--headless", "--convert-to", "docx", "--outdir", folder, str(source)],
                           check=True, capture_output=True, timeout=float(convert["timeout_seconds"]))
            converted = source.with_suffix(".docx").read_bytes()
        except (subprocess.SubprocessError, OSError):
            raise FormatError(f"{name}: LibreOffice could not convert this {what}; open it in Word or WPS, "
                              "save it as DOCX and ingest that", "needs-conversion") from None
    extracted = read_docx(converted, config, name)
    note = ("encoding-found", f"converted from {what} to DOCX with LibreOffice; numbering and layout are "
                                "LibreOffice's reading of it")
    from dataclasses import replace

    return replace(extracted, findings=(note, *extracted.findings))
