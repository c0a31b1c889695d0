"""nnplay serve: the server, what a browser may send, one browser's relay to its app."""
