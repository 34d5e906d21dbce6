"""Working with health and care systems."""
