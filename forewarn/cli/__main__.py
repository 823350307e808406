"""``python -m forewarn.cli``, as before it was a package (``python -m forewarn`` is the usual way)."""

from forewarn.cli import main

main()
