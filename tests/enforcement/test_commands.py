"""`ecredit enforcement documents --json`."""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.core.management import call_command

from tests.enforcement.helpers import Office, advance, penalty, propose


def test_it_lists_issued_documents_with_the_path_of_each_pdf(office: Office) -> None:
    case = advance(office, propose(office), "decided")
    document = penalty(office, case)
    out = io.StringIO()
    call_command("enforcement", "documents", "--json", stdout=out)
    items = json.loads(out.getvalue())
    assert items == [
        {
            "number": document.number,
            "kind": "penalty",
            "case": case.number,
            "date": "2024-05-10",
            "path": items[0]["path"],
        }
    ]
    assert Path(items[0]["path"]).read_bytes().startswith(b"%PDF")
