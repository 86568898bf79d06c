"""The printed case file carries the chain head and every record as hashed, so a dispute
body can compute the hashes again by hand and hold a later copy against this one."""

from __future__ import annotations

import hashlib
import html
import re

import pytest

from casetracker.cases import chain
from tests.dashboard.conftest import Web, act, open_case, person

ROW = re.compile(
    r'<th scope="row">(\d+)</th>\s*<td class="digest"><code>(.*?)</code></td>\s*'
    r'<td class="digest"><code>([0-9a-f]{64})</code></td>'
)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_case_file_shows_records_a_reader_can_hash_into_the_chain_head(app, client, tamper):
    dpo = person("dana@example.com", "Dana Okafor", "dpo")
    case = open_case(dpo)
    case = act(case, "acknowledge", dpo)
    act(case, "note", dpo, text="Spoke to the marketing team — «Newsletter» list fixed.")
    web = Web(client)
    web.sign_in(dpo.email)

    page = web.get(f"/cases/{case.reference}/file").text

    rows = [(int(seq), html.unescape(record), hashed) for seq, record, hashed in ROW.findall(page)]
    assert [seq for seq, _, _ in rows] == [1, 2, 3]
    previous = chain.GENESIS
    for _, record, hashed in rows:
        assert f'"previous":"{previous}"' in record
        assert hashlib.sha256(record.encode("utf-8")).hexdigest() == hashed
        previous = hashed
    assert "«Newsletter»" in rows[-1][1]
    head = f'hash <code class="chain-head">{previous}</code>'
    assert f"event 3 of {case.reference}, {head}" in page
    assert chain.ALGORITHM in page
    assert "every event's record gives its hash" in page

    tamper("UPDATE events SET reason = 'Routine check' WHERE action = 'note'")
    page = web.get(f"/cases/{case.reference}/file").text
    assert "<strong>broken</strong> at event 3" in page
