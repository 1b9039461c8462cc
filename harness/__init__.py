"""The outside of the twin: protocol servers over the devices' points, the platform's side,
measurement, results and the command line. Nothing imports harness but the CLI and tests."""

__all__: list[str] = []
