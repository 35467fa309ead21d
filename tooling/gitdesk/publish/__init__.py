"""Publishing the site: a strict MkDocs build of ``kb/`` (``build``), the offline scan of what it
wrote (``offline``), and a local server. A service the CLI calls; MkDocs itself loads the site
plugin (:mod:`gitdesk.site.plugin`) through its entry point, so nothing here imports the site.
"""
