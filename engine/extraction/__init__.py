"""Pure extraction: documents in, records out. Never touches a browser or the network."""

from engine.extraction.records import (
    Extraction,
    FieldProblem,
    FieldStat,
    count_rows,
    extract_list,
    extract_one,
)

__all__ = ["Extraction", "FieldProblem", "FieldStat", "count_rows", "extract_list",
           "extract_one"]
