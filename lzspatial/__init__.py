"""lzspatial: spatial-structure planning for Liaozhong District and plans like it."""
__version__ = "0.1.0"
