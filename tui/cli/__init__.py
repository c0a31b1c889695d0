"""The nnplay command: the parser, and one module per subcommand."""
