"""Pure functions over the site: coverage of 5G, fiber/TV, cameras, facades, detectors, walking."""

__all__: list[str] = []
