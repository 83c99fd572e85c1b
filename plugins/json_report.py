"""The ``json`` format: the report as data for dashboards, in the published schema.

``readiness schema`` prints the schema; every JSON this writes validates against it,
and the same input always gives byte-identical output.
"""

from __future__ import annotations

from readiness import hookimpl
from readiness.export import json_text, report_as_dict
from readiness.model import RenderOptions, Report, ReportFormat


def render_json(report: Report, options: RenderOptions) -> str:
    return json_text(report_as_dict(report, include_files=options.include_files))


@hookimpl
def readiness_report_formats() -> list[ReportFormat]:
    return [ReportFormat("json", "the full report as JSON (see `readiness schema`)", render_json)]
