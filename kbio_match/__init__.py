"""kbio-match: Korean biopharma partner matching (CLI and shared paths)."""

__version__ = "0.1.0"
