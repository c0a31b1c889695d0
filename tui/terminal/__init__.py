"""The terminal: the driver, and the signals that end the app with a recovery save."""
