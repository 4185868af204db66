"""The component runtime: it loads a component directory and runs its actions, as a platform does.

It knows nothing of Picsart. It reads ``component.json``, imports the modules it names, checks
messages against the metadata schemas, runs ``process`` and turns whatever happens into events.
The component (``actions/``, ``lib/``) builds on it; the front ends build on both.
"""
