"""``python -m gitdesk`` runs the command line."""

from gitdesk.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through the console script tests
    main()
