"""`python -m cli`: the same as the `civicmap` command."""

from cli import main

raise SystemExit(main())
