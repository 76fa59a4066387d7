"""Ingest stages: raw file → decoded, repaired, converted, cleaned, dated, segmented text."""
