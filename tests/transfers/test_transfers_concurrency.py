"""Two operators dispatch (or receive) the same transfer at once: exactly one succeeds."""
import threading
from decimal import Decimal

import pytest

from extensions import db
from models.errors import DomainError
from models.ledger import available, integrity_mismatches
from models.transfers_posting import create_transfer, dispatch_transfer, receive_transfer


def race(app, action, n=6):
    """Run `action()` in n threads released together; returns the outcomes."""
    barrier = threading.Barrier(n)
    results = []

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                action()
                db.session.commit()
                results.append("ok")
            except DomainError as exc:
                db.session.rollback()
                results.append(exc.code)
            except Exception as exc:  # noqa: BLE001 - any other failure is a bug to report
                db.session.rollback()
                results.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(results)


@pytest.mark.parametrize("step", ["dispatch", "receive"])
def test_one_transfer_changes_state_once(app, stock, ids, step):
    transfer = create_transfer(ids["WH-STOCK"], ids["SHOP-AIRPORT"],
                               [{"lot_id": stock["early"], "quantity": Decimal(30)}])
    if step == "receive":
        dispatch_transfer(transfer.id)
    db.session.commit()
    tid = transfer.id
    db.session.remove()
    action = (lambda: dispatch_transfer(tid)) if step == "dispatch" else (lambda: receive_transfer(tid, []))
    results = race(app, action)
    expected = "already_dispatched" if step == "dispatch" else "already_received"
    assert results == sorted(["ok"] + [expected] * 5), results
    assert available(stock["early"], ids["WH-STOCK"]) == Decimal(20)
    wanted = Decimal(30) if step == "dispatch" else Decimal(0)
    assert available(stock["early"], ids["TRANSIT"]) == wanted
    assert integrity_mismatches() == []
