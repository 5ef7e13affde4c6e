"""``python -m inference.batch score|report ...``."""

from inference.batch.cli import main

raise SystemExit(main())
