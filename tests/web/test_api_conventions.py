"""What every API resource shares: the OpenAPI document, local docs, 404/405 answers."""
from openapi_spec_validator import validate


def test_openapi_document_validates(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/stock" in spec["paths"] and "/api/v1/tokens" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_page_is_served_from_local_files(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_405_carries_allow(client, auth):
    response = client.delete("/api/v1/products", headers=auth.headers("admin"))
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_unknown_api_path_is_404_json(client, auth):
    response = client.get("/api/v1/nothing-here", headers=auth.headers("admin"))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
