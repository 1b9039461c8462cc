"""Evidence: lifecycle statistics, device-health and site measurements, acceptance judging, and
the record of a run. Imports no face, platform, report or cli: it works on what the world and
the faces recorded, so a saved run can be judged again without serving anything.
"""

from harness.evidence.judge import STATUS_ZH, Measurement, Verdict, evaluate
from harness.evidence.lifecycles import MISSED_LEGEND, KindStats, summarize
from harness.evidence.run import RESULTS_SCHEMA, RunResult, write_results

__all__ = ["MISSED_LEGEND", "RESULTS_SCHEMA", "STATUS_ZH", "KindStats", "Measurement",
           "RunResult", "Verdict", "evaluate", "summarize", "write_results"]
