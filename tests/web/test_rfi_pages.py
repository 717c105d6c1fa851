"""The request-for-information pages: send a request in the browser, find it in the recipient's incoming
list, acknowledge and answer it with a record attached, read the thread from both sides, see faults named
by field, the overdue tab of supervisors, and the pages in Chinese."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from tests.conftest import Clock
from tests.factories import World
from tests.web.test_admin_pages import post, signed_in


def test_send_answer_and_read_the_thread_from_both_sides(client: TestClient, world: World, clock: Clock) -> None:
    asks, knows, other = world.agency("PG-ASKS"), world.agency("PG-KNOWS"), world.agency("PG-OTHER")
    asker, answerer = world.user(asks, "analyst"), world.user(knows, "investigator")
    boss, stranger = world.user(knows, "supervisor"), world.user(other, "supervisor")
    report = world.report(answerer, title="Golden Lotus Ltd owns the Mekong Star", distribution="agencies",
                          agencies=[other])
    mine = signed_in(client, world, clock, asker)

    form = mine.get("/rfi/new?recipient=PG-KNOWS&subject_kind=hit&subject_ref=blind+hit+at+PG-KNOWS")
    assert form.status_code == 200 and 'href="/rfi"' in form.text
    assert '<option value="PG-KNOWS" selected>' in form.text and 'value="blind hit at PG-KNOWS"' in form.text
    bad = post(mine, "/rfi/new", {"recipient": "PG-KNOWS", "subject_kind": "question", "title": "Boat",
                                  "priority": "routine", "due_on": "2026-05-01"}, page="/rfi/new")
    assert bad.status_code == 422 and "due date 2026-05-01 is in the past" in bad.text
    assert 'aria-invalid="true"' in bad.text
    sent = post(mine, "/rfi/new", {"recipient": "PG-KNOWS", "subject_kind": "hit",
                                   "subject_ref": "blind hit at PG-KNOWS on Zhang Wei", "title": "Who owns the boat?",
                                   "body": "Seen at Chiang Saen on 2 May.", "priority": "urgent", "due_on": ""},
                page="/rfi/new")
    assert sent.status_code == 303, sent.text
    url = sent.headers["location"]
    reference = url.rsplit("/", 1)[1]
    assert re.fullmatch(r"RFI-2026-\d{6}", reference)
    page = mine.get(url)
    assert page.status_code == 200 and "Request for information sent." in page.text
    assert "Who owns the boat?" in page.text and 'action="/rfi/' + reference + '/withdraw"' in page.text
    assert f'href="/rfi/{reference}"' in mine.get("/rfi?box=outgoing").text
    assert f'href="/rfi/{reference}"' not in mine.get("/rfi?box=incoming").text

    theirs = signed_in(client, world, clock, answerer)
    inbox = theirs.get("/rfi")
    assert inbox.status_code == 200 and f'href="/rfi/{reference}"' in inbox.text and "PG-ASKS" in inbox.text
    assert 'href="/rfi?box=overdue"' not in inbox.text  # supervisors only
    assert post(theirs, f"/rfi/{reference}/acknowledge", page=url).status_code == 303
    assert "Receipt acknowledged." in theirs.get(url).text
    empty = post(theirs, f"/rfi/{reference}/answer", {"body": "", "records": ""}, page=url)
    assert empty.status_code == 422 and 'id="answer-body-error"' in empty.text
    answered = post(theirs, f"/rfi/{reference}/answer", {"body": "Golden Lotus Ltd, see the report.",
                                                        "records": report.uuid}, page=url)
    assert answered.status_code == 303, answered.text

    thread = mine.get(url).text
    assert "Golden Lotus Ltd, see the report." in thread and f'href="/intel/{report.uuid}"' in thread
    assert mine.get(f"/intel/{report.uuid}").status_code == 200  # shared to the requester by the answer
    assert post(mine, f"/rfi/{reference}/messages", {"body": "Thank you, most helpful."}, page=url).status_code == 303
    both = theirs.get(url).text
    assert "Thank you, most helpful." in both and "Seen at Chiang Saen on 2 May." in both
    assert asker.username in both and answerer.username in both
    assert "Answered" in both and 'action="/rfi/' + reference + '/answer"' not in both

    # a third agency: as if the request did not exist
    assert signed_in(client, world, clock, stranger).get(url).status_code == 404

    # overdue: a supervisor's tab
    late = post(mine, "/rfi/new", {"recipient": "PG-KNOWS", "subject_kind": "question", "title": "Late one",
                                   "priority": "routine", "due_on": "2026-06-02"}, page="/rfi/new")
    late_ref = late.headers["location"].rsplit("/", 1)[1]
    clock.advance(days=2)  # (the sessions signed in before have lapsed by now)
    theirs = signed_in(client, world, clock, answerer)
    chief = signed_in(client, world, clock, boss)
    overdue = chief.get("/rfi?box=overdue")
    assert overdue.status_code == 200 and f'href="/rfi/{late_ref}"' in overdue.text
    assert f'href="/rfi/{reference}"' not in overdue.text
    assert signed_in(client, world, clock, asker).get("/rfi?box=overdue").status_code == 403

    zh = theirs.get(url, headers={"accept-language": "zh"})
    assert zh.status_code == 200 and "情报请求" in html.unescape(zh.text)
    ru = theirs.get("/rfi", headers={"accept-language": "ru"})
    assert ru.status_code == 200 and "Запросы информации" in html.unescape(ru.text)
