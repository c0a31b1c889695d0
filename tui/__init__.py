"""nnplay's terminal front end: the Textual app and the ``nnplay`` command."""
