"""The front door: the `sohoa` command line. Nothing imports this package."""
