#!/usr/bin/env python3
"""Point every alert's runbook_url at the repository where the runbooks live.

    python3 scripts/set-runbook-url.py https://github.com/OWNER/REPO/blob/main/

The prefix is kept in one place, prometheus/runbook-url-prefix; every runbook_url is that prefix
followed by docs/runbooks/<AlertName>.md. This rewrites the prefix file and every copy of the old
prefix: the rules, their promtool tests and the Kubernetes PrometheusRules generated from them.
tests/monitoring checks that they agree and that each page exists, and, in a clone whose
`origin` is on GitHub (CI's), that the prefix is that repository's.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PREFIX_FILE = REPO / "prometheus" / "runbook-url-prefix"
COPIES = [
    *sorted((REPO / "prometheus" / "rules").glob("*.yml")),
    *sorted((REPO / "prometheus" / "tests").glob("*.yml")),
    REPO / "deploy" / "kubernetes" / "components" / "monitoring" / "prometheus-rules.yaml",
]


def main() -> int:
    if len(sys.argv) != 2 or not sys.argv[1].startswith("https://"):
        print(__doc__, file=sys.stderr)
        return 2
    new = sys.argv[1].rstrip("/") + "/"
    old = PREFIX_FILE.read_text().strip()
    changed = 0
    for path in COPIES:
        if not path.exists():
            continue
        text = path.read_text()
        if old in text:
            path.write_text(text.replace(old, new))
            changed += 1
    PREFIX_FILE.write_text(new + "\n")
    print(f"runbook_url prefix {old} -> {new} in {changed} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
