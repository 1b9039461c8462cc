"""`python -m harness.cli`: the same command line as `commtwin`, for subprocesses and tests."""

from harness.cli import main

main()
