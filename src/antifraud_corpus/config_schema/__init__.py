"""The shape of every config file, as msgspec Structs: the keys each mapping may hold, at every depth.

Why a schema library: 17 files with mappings four levels deep, lists of rules and
open tables (actor ids, words, regions) are one declaration each here, checked in
one pass by `msgspec.convert` (already a dependency, and fast: all 17 files,
`regions.yaml` included, in a few milliseconds on every load). A misspelt key
anywhere (`alias:` for `aliases:`) is rejected with its path instead of silently
dropping a rule; a value of the wrong type is rejected before any document is read.

Every key of a section is required: the values live in the shipped YAML only,
and a user's file is merged over it (see `config.load_config`), so an older user
file that lacks a newer key still gets it. Keys marked `Omittable` are the few a
rule may leave out (per-rule flags of a list of rules); the code that reads them
says what leaving them out means. A mapping typed `dict[str, ...]` is an open
table whose keys are data (ids, words), not settings.
"""

from __future__ import annotations

from .analysis import CheckFile, CompareFile, LabelsFile, TopicFile
from .base import Section
from .extract import ActorsFile, AgenciesFile, ExtractFile, MeasuresFile, ModalityFile, SegmentFile, TaxonomyFile
from .ingest import CleanFile, FormatsFile, IngestFile, MetadataFile, PiiFile, RegionsFile

# Config file name (without `.yaml`) -> its schema. A file not listed here is not a config file.
SCHEMAS: dict[str, type[Section]] = {
    "taxonomy": TaxonomyFile,
    "ingest": IngestFile,
    "clean": CleanFile,
    "pii": PiiFile,
    "metadata": MetadataFile,
    "regions": RegionsFile,
    "agencies": AgenciesFile,
    "segment": SegmentFile,
    "actors": ActorsFile,
    "modality": ModalityFile,
    "measures": MeasuresFile,
    "extract": ExtractFile,
    "check": CheckFile,
    "compare": CompareFile,
    "labels": LabelsFile,
    "topic": TopicFile,
    "formats": FormatsFile,
}
