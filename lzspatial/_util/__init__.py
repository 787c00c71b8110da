"""Domain-free helpers: atomic writes, text escaping, TOML reading (the lowest tier)."""
