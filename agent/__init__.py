"""filings-agent: building blocks (no graph wiring) of a cited research assistant for SEC filings."""

import os as _os
import warnings as _warnings

__version__ = "0.1.0"

# In a notebook without ipywidgets, importing bm25s / transformers / sentence-transformers (tqdm.auto)
# warns "IProgress not found" (TqdmWarning); we draw no progress widgets, so it is noise (issue 15).
if _os.environ.get("FILINGS_VERBOSE", "").strip().lower() not in ("1", "true", "yes", "on"):
    _warnings.filterwarnings("ignore", message="IProgress not found")
