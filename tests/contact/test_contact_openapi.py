"""OpenAPI documents every contact operation, its answers and its refusals."""

CONTACT = {
    ("get", "/api/v1/relationships/{relationship_id}/contact"),
    ("get", "/api/v1/relationships/{relationship_id}/sessions"),
    ("post", "/api/v1/relationships/{relationship_id}/sessions"),
    ("get", "/api/v1/relationships/{relationship_id}/sessions/slots"),
    ("get", "/api/v1/relationships/{relationship_id}/sessions/{session_id}"),
    ("post", "/api/v1/relationships/{relationship_id}/sessions/{session_id}/confirm"),
    ("post", "/api/v1/relationships/{relationship_id}/sessions/{session_id}/reschedule"),
    ("post", "/api/v1/relationships/{relationship_id}/sessions/{session_id}/cancel"),
    ("post", "/api/v1/relationships/{relationship_id}/sessions/{session_id}/outcome"),
    ("get", "/api/v1/relationships/{relationship_id}/messages"),
    ("post", "/api/v1/relationships/{relationship_id}/messages"),
    ("post", "/api/v1/relationships/{relationship_id}/messages/read"),
    ("get", "/api/v1/me/calendar-feed"),
    ("post", "/api/v1/me/calendar-feed"),
    ("delete", "/api/v1/me/calendar-feed"),
    ("get", "/api/v1/calendar/{file}"),
    ("get", "/api/v1/push/public-key"),
    ("get", "/api/v1/me/push-subscriptions"),
    ("post", "/api/v1/me/push-subscriptions"),
    ("delete", "/api/v1/me/push-subscriptions/{subscription_id}"),
    ("get", "/api/v1/coordination/relationships/{relationship_id}/messages"),
}


async def test_every_contact_operation_is_documented(client):
    schema = (await client.get("/openapi.json")).json()
    paths = schema["paths"]
    found = {(m, p) for p, item in paths.items() for m in item if (m, p) in CONTACT}
    assert found == CONTACT
    for method, path in CONTACT:
        operation = paths[path][method]
        assert operation.get("summary") and operation.get("tags"), (method, path)
        for code, answer in operation["responses"].items():
            if int(code) >= 400:
                assert "application/problem+json" in answer["content"], (method, path, code)
    propose = paths["/api/v1/relationships/{relationship_id}/sessions"]["post"]
    assert {"201", "409", "422"} <= set(propose["responses"])
    assert "outside the agreed contact times" in propose["description"]
    messages = paths["/api/v1/relationships/{relationship_id}/messages"]["get"]
    assert "304" in messages["responses"]
    assert "text/calendar" in paths["/api/v1/calendar/{file}"]["get"]["responses"]["200"]["content"]
    components = schema["components"]["schemas"]
    for name in ("SessionOut", "MessageOut", "ContactOut", "CountsOut", "PushSubscriptionIn"):
        assert name in components
    assert components["SessionOut"].get("examples")
