"""JUnit XML, for CI systems that show test results: each record is a test that passes or fails.

``failures`` counts failing testcases, not failure elements: a record with two findings is one failed
test carrying two ``failure`` elements, so ``tests - failures`` stays the number that passed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from hcpcs_lint.model import Finding, Record
from hcpcs_lint.report.base import Report, display_path, position, sorted_findings

# Characters XML 1.0 cannot carry at all (a CMS file with a stray control byte must still give valid XML).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
NO_FINDINGS = "(no findings)"


def clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def details(finding: Finding) -> str:
    """The failure's text: everything a reader needs without opening another report."""
    pos = position(finding)
    where = display_path(finding.record.location)
    if pos.line is not None:
        where += f":{pos.line}" + (f":{pos.column}" if pos.column is not None else "")
    lines = [
        f"{where} {finding.rule} {finding.name} [{finding.severity}]",
        finding.message,
        f"descriptor: {finding.record.long}",
    ]
    start, end = finding.span
    if end > start:
        lines.append(f"span: {finding.record.long[start:end]}")
    if finding.cpt:
        lines.append(f"CPT: {', '.join(finding.cpt)}")
    for r in finding.related:
        lines.append(f"related: {r.code} {r.descriptor}" + (f" ({r.note})" if r.note else ""))
    if finding.fix is not None:
        fix = finding.fix
        lines.append(f"fix ({fix.applicability}): {fix.message}".rstrip())
        lines.append(f"  {fix.descriptor}")
    return "\n".join(lines)


def _testcase(suite: ET.Element, name: str, path: str, line: int | None, findings: Sequence[Finding]) -> None:
    case = ET.SubElement(suite, "testcase", name=clean(name), classname=clean(path), file=clean(path))
    if line is not None:
        case.set("line", str(line))
    for f in findings:
        failure = ET.SubElement(case, "failure", message=clean(f.message), type=f.rule)
        failure.text = clean(details(f))


def render(report: Report) -> str:
    findings = sorted_findings(report.findings)
    by_record: dict[Record, list[Finding]] = {}
    for f in findings:
        by_record.setdefault(f.record, []).append(f)
    known = {record for records in report.records_by_file.values() for record in records}
    # Findings whose record the engine did not list fall back to one testcase per finding.
    loose: dict[str, list[Finding]] = {}
    for f in findings:
        if f.record not in known:
            loose.setdefault(f.record.location.path, []).append(f)

    paths = list(dict.fromkeys([*report.records_by_file, *report.files, *loose]))
    root = ET.Element("testsuites", name="hcpcs-lint")
    total_tests = total_failures = 0
    for path in paths:
        suite = ET.SubElement(root, "testsuite", name=clean(path))
        for record in report.records_by_file.get(path, ()):
            _testcase(suite, record.code, path, record.location.line, by_record.get(record, []))
        for f in loose.get(path, []):
            _testcase(suite, f.code, path, f.record.location.line, [f])
        if len(suite) == 0:  # a file with nothing to list still shows up as checked and clean
            _testcase(suite, NO_FINDINGS, path, None, [])
        tests = len(suite)
        failures = sum(1 for case in suite if case.find("failure") is not None)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
