"""Audit the locked dependencies (requirements.lock, which CI installs from) with pip-audit; fail on a known
vulnerability.

pip-audit asks the package index for each release's advisories. Where the index cannot answer (no network,
or a mirror without per-release data) nothing was audited: that is reported plainly and does not fail CI,
since it says nothing about the dependencies themselves.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        # Every line of the lock is pinned, so pip-audit reads it as it is, without resolving or installing.
        lock = Path(__file__).resolve().parent.parent / "requirements.lock"
        command = [sys.executable, "-m", "pip_audit", "-r", str(lock), "--no-deps", "--disable-pip"]
        command += ["--progress-spinner", "off"]
        try:
            run = subprocess.run(
                [*command, "-f", "json", "-o", str(report)], capture_output=True, text=True, timeout=600
            )
        except subprocess.TimeoutExpired:
            print("pip-audit did not finish in 10 minutes, so nothing was audited (not blocking)")
            return 0
        if not report.exists() or not report.read_text().strip():
            reason = (run.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"pip-audit could not run, so nothing was audited (not blocking): {reason}")
            return 0
        dependencies = json.loads(report.read_text())["dependencies"]
    code, lines = summarize(dependencies)
    print("\n".join(lines))
    return code


def summarize(dependencies: list[dict]) -> tuple[int, list[str]]:
    """The exit code and the lines to print for pip-audit's JSON `dependencies`."""
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = len(dependencies) - len(skipped)
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
            lines.append(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    if vulnerable:
        return 1, [*lines, f"pip-audit: {len(vulnerable)} vulnerable dependencies"]
    if audited == 0 and skipped:
        return 0, [
            f"pip-audit could not audit any of {len(skipped)} dependencies: the package index did not answer for "
            "their releases (no network, or a mirror without advisories). Not blocking; run it where PyPI is "
            "reachable."
        ]
    note = f"; {len(skipped)} could not be audited" if skipped else ""
    return 0, [f"pip-audit: no known vulnerabilities in {audited} dependencies{note}"]


if __name__ == "__main__":
    sys.exit(main())
