"""forewarn: offline content-warning detection for fiction."""

__version__ = "0.1.0"
