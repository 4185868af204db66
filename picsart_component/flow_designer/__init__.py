"""``picsart-flow designer``: a local web page to build, map, try and run flows.

``server.py`` is the werkzeug app (its security rules and JSON routes), ``session.py`` what one
designer keeps in memory (the key, where requests go, the media it may show), ``catalog.py``
the palette and each action as the page draws it, ``flow_files.py`` opening and saving flow
files, ``renaming.py`` renaming a step in later mappings, ``runs.py`` step runs and batches, and
``command.py`` the click command. The page itself is ``static/``.
"""
