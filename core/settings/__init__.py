"""The settings of a run: TrainConfig, the presets, and the memory budget they must fit."""
