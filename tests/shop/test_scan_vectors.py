"""The shared scan vectors (tests/fixtures/scan_vectors.json) against the server's resolver:
the till's offline script must give the same answers (tests/e2e/test_scan_vectors_js.py)."""
import pytest

from models.errors import DomainError
from models.stock_codes import ChooseLot, resolve_code
from tests.fixtures.scan_world import build_world, vectors


def server_answer(location_id, code):
    """The vector's form of what resolve_code says."""
    try:
        return {"lot": resolve_code(location_id, code).lot_code}
    except ChooseLot as exc:
        return {"error": "choose_lot", "candidates": [c.lot_code for c in exc.candidates]}
    except DomainError as exc:
        return {"error": exc.code}


@pytest.fixture
def world(app):
    return build_world()


def test_every_vector_resolves_as_expected_on_the_server(world):
    wrong = []
    for code, expected in vectors():
        got = server_answer(world, code)
        if got != expected:
            wrong.append((code, expected, got))
    assert not wrong, wrong
