"""`python -m pipelines.samples [RAW_DIR]`: rewrite every source's sample snapshots."""

import importlib
import shutil
import sys
from pathlib import Path

from pipelines.config import DEFAULT_RAW_DIR
from pipelines.sources.registry import SOURCES


def main(raw_dir: Path) -> None:
    for source_id in sorted(SOURCES):
        try:
            module = importlib.import_module(f"pipelines.samples.{source_id}")
        except ModuleNotFoundError:
            print(f"{source_id}: no sample writer", file=sys.stderr)
            continue
        for old in (raw_dir / source_id).glob("SAMPLE-*"):
            shutil.rmtree(old)
        module.write_samples(raw_dir)
        print(f"{source_id}: samples written under {raw_dir / source_id}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_RAW_DIR)
