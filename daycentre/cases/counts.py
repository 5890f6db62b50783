"""What the centres did with cases in a period."""

from collections import Counter
from datetime import date

from sqlalchemy import func

from daycentre.cases.models import Case, CaseStage, ClosureReason, Evaluation, Review
from daycentre.extensions import db

S = CaseStage


def counts(centre_ids, date_from: date, date_to: date) -> dict:
    """What the centres did in the period, both ends included (dates are Bucharest dates)."""
    centre_ids = set(centre_ids) or {0}
    cases = list(db.session.scalars(db.select(Case).where(Case.centre_id.in_(centre_ids))))

    def within(day):
        return day is not None and date_from <= day <= date_to

    closed = [c for c in cases if c.stage is S.CLOSED and within(c.closed_on)]
    opened = [c for c in cases if c.competent and within(c.primary_on)]
    active = [
        c
        for c in cases
        if c.competent
        and c.primary_on <= date_to
        and (c.stage is not S.CLOSED or c.closed_on >= date_from)
    ]
    reviews = db.session.scalars(
        db.select(Review)
        .join(Case)
        .where(
            Case.centre_id.in_(centre_ids),
            Review.reviewed_on >= date_from,
            Review.reviewed_on <= date_to,
        )
    ).all()
    evaluations = db.session.scalar(
        db.select(func.count(Evaluation.id))
        .join(Case)
        .where(
            Case.centre_id.in_(centre_ids),
            Evaluation.completed_on >= date_from,
            Evaluation.completed_on <= date_to,
        )
    )
    by_reason = Counter(c.closure_reason for c in closed)
    return {
        "received": sum(1 for c in cases if within(c.received_on)),
        "referred": sum(1 for c in cases if c.stage is S.REFERRED and within(c.primary_on)),
        "opened": len(opened),
        "active": len(active),
        "closed": len(closed),
        "closed_by_reason": {reason: by_reason.get(reason, 0) for reason in ClosureReason},
        "children_stayed": sum(len(c.children) for c in closed if c.stays_in_family),
        "reviews": len(reviews),
        "reviews_on_time": sum(1 for review in reviews if review.on_time),
        "evaluations": evaluations or 0,
    }
