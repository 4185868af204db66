"""What the component and the sandbox both know of Picsart's API, as data: every operation
(``operations``) and the names its fields take (``choices``). It imports nothing of the package,
so that the component's ``lib`` and the sandbox read one description instead of keeping two."""
