"""gitdesk: an IT help desk that lives in a git repository.

The package is layered (see ARCHITECTURE in the README): ``model`` and ``config`` are pure,
``store`` reads and writes tickets, the services (``sla``, ``metrics``, ``kb``, ``sync``,
``intake``, ``importers``) hold the help desk's logic, and ``cli`` and ``site`` are thin faces.
Nothing here imports Click, PyGithub, Whoosh or MkDocs at import time.
"""

__version__ = "0.1.0"
