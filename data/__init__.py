"""The curated catalog (CSV files), installed as ``kbio_match.data``; see README.md here."""
