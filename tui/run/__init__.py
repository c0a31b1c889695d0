"""The run channel between the UI and the trainer: the channel, its commands, the kernel loader."""
