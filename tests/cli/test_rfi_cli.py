"""`interdict rfi ...`, end to end on SQLite: send, list, show, answer; refusals are one line, exit code 1."""

from __future__ import annotations

import json

from tests.cli.conftest import token_for


def test_send_list_answer_and_the_refusals(run) -> None:  # type: ignore[no-untyped-def]
    assert run("reference", "load").exit_code == 0
    th, us = token_for(run, "rfi.th", "TH-ONCB"), token_for(run, "rfi.us", "US-DEA")
    cn = token_for(run, "rfi.cn", "CN-NNCC")
    sent = run("rfi", "send", "--to", "US-DEA", "--title", "Who owns the Mekong Star?", "--about", "hit",
               "--subject", "blind hit at US-DEA on Zhang Wei", "--format", "json", token=th)
    assert sent.exit_code == 0, sent.output
    rfi = json.loads(sent.output)[0]
    ref = rfi["reference"]
    assert rfi["state"] == "sent" and rfi["recipient_agency"] == "US-DEA"

    incoming = json.loads(run("rfi", "list", "--box", "incoming", "--format", "json", token=us).output)
    assert [r["reference"] for r in incoming] == [ref]
    assert json.loads(run("rfi", "list", "--box", "incoming", "--format", "json", token=th).output) == []

    answered = run("rfi", "answer", ref, "--body", "Golden Lotus Ltd.", token=us)
    assert answered.exit_code == 0, answered.output
    shown = run("rfi", "show", ref, token=th)
    assert shown.exit_code == 0 and "answered" in shown.output and "Golden Lotus Ltd." in shown.output

    again = run("rfi", "answer", ref, "--body", "Again.", token=us)
    assert again.exit_code == 1 and again.output.startswith(f"error: request {ref} is answered; it cannot be answered")
    hidden = run("rfi", "show", ref, token=cn)
    assert hidden.exit_code == 1 and hidden.output.startswith(f"error: no request for information {ref!r}")
    own = run("rfi", "send", "--to", "TH-ONCB", "--title", "Self", token=th)
    assert own.exit_code == 1 and "your own" in own.output
