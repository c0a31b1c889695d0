"""The data: the toy data sets, CSV data, and the input features computed from (x, y)."""
