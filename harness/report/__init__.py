"""The acceptance report in every format: JSON (machines), Markdown and self-contained HTML
(people, with maps and latency plots), JUnit XML (CI). Reads the evidence; imports no face,
platform or cli.
"""

from harness.report.document import REPORT_SCHEMA, build, from_results, from_run, write

__all__ = ["REPORT_SCHEMA", "build", "from_results", "from_run", "write"]
