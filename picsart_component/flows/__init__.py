"""Flows and batches: several actions in a row, run over every item of a JSONL file, a CSV file or
a folder of images, as fast as Picsart's limits allow, resumable after a kill.

``model`` reads and checks flow files, ``mapping`` evaluates JSONata bodies, ``inputs`` reads the
items, ``journal`` keeps the results file and its journal, ``pacing`` is the shared throttle,
``runner`` runs a batch, ``dryrun`` checks one without sending anything, ``progress`` shows how
it goes and ``command`` is the ``picsart-flow flow`` command group.
"""
