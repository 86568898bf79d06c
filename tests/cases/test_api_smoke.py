def test_create_and_read(api):
    case = api.create()
    assert case["reference"] == "PC-2026-00001"
    got = api.get(f"/api/v1/cases/{case['reference']}").get_json()
    assert {c["name"] for c in got["clocks"]} == {"acknowledge", "respond"}
