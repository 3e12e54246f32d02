"""The fairness audit engine: pure Python over numpy/pandas/pyarrow, no Django."""
