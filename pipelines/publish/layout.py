"""Where the two tiers of a release live.

    releases/<id>/                  the catalog tier (whoever runs the pipeline)
        harmstats.duckdb, tables/, manifest.json, data_docs/
        public/                     the public tier: publishing = syncing this one folder
            index.html, manifest.json, extracts/, harmstats-extracts-<id>.zip, data_docs/

Nothing in `public/` is built from a catalog table: only from the public tables (statistics
after disclosure control, metadata with confidential counts withheld).
"""

from __future__ import annotations

from pathlib import Path

PUBLIC_DIR = "public"
EXTRACT_DIR = "extracts"
MANIFEST = "manifest.json"
# Columns of a public table that stay in the catalog: the error text of a failed read can
# quote raw cells and local paths.
PRIVATE_COLUMNS = {"sources": ("error",)}


def public_dir(release: Path) -> Path:
    """The public folder of a release."""
    return Path(release) / PUBLIC_DIR


def public_extracts(release: Path) -> Path:
    """The extracts folder of a release's public tier."""
    return public_dir(release) / EXTRACT_DIR


def current_public(out_dir: Path) -> Path | None:
    """The public folder of the current release of an output folder, or None."""
    link = Path(out_dir) / "current"
    if not (link.is_symlink() or link.is_dir()):
        return None
    folder = public_dir(link.resolve())
    return folder if folder.is_dir() else None
