"""Two requests at the same moment: each racer in its own thread, app context and connection."""

import threading

from daycentre.core.errors import Refused
from daycentre.extensions import db

#: Long enough for a loaded CI machine, short enough that a lock never waited out fails the test.
PATIENCE_SECONDS = 30


def race(app, prepare, arguments):
    """Run ``prepare(argument)`` for each argument, then what it returns, all at once.

    ``prepare`` loads what a request would load before saving (in the racer's own session) and
    returns the save itself, a callable; the saves start together and each is committed. The
    outcomes come back in finishing order: what the save returned, or the ``Refused`` it raised
    (rolled back). Any other error, or a racer still waiting after the patience runs out, fails
    the test instead of leaving a transaction open that would block the next one.
    """
    barrier = threading.Barrier(len(arguments), timeout=PATIENCE_SECONDS)
    outcomes, errors = [], []

    def run(argument):
        with app.app_context():
            try:
                save = prepare(argument)
                barrier.wait()
                outcome = save()
                db.session.commit()
                outcomes.append(outcome)
            except Refused as refusal:
                db.session.rollback()
                outcomes.append(refusal)
            except BaseException as error:  # re-raised in the test's own thread below
                db.session.rollback()
                barrier.abort()
                errors.append(error)
            finally:
                db.session.remove()

    racers = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(PATIENCE_SECONDS * 2)
    assert not any(racer.is_alive() for racer in racers), "a racer is still waiting for a lock"
    if errors:
        raise errors[0]
    db.session.expire_all()
    return outcomes


def refused(outcomes):
    return sum(isinstance(outcome, Refused) for outcome in outcomes)
