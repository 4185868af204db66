"""The Python runtime around the Picsart component: manifest, messages, executor, CLI, sandbox.

The component itself (``component.json``, ``actions/``, ``lib/``, ``schemas/``) lives at the top
of the repository; this package links to it, so that an installed copy carries it along.
"""

__version__ = "0.1.0"
