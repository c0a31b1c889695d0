"""The files nnplay saves and loads: the session file and the exports of a trained network."""
