"""case tasks raised by alerts store whom they are about

A task raised by the absence alert or by missed counselling sessions was stored as a sentence in
the language of whoever saved the roll. It now stores the child it is about and is worded in the
reader's language. Existing tasks whose text is one of those sentences (in any language the app
has printed them in) are converted, with their timeline entries; a task typed by hand, or one
whose child cannot be told from the case, keeps its text.

Revision ID: 69df98da29e7
Revises: 2507ee8c1252
Create Date: 2026-11-30 20:51:57.782388

"""

import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "69df98da29e7"
down_revision = "2507ee8c1252"
branch_labels = None
depends_on = None

# The sentences as the catalogs have worded them (en, ro, hu, and the older hu wording).
SENTENCES = {
    "absences": [
        "%(name)s is on the absence alert of the day centre: talk to the family.",
        "%(name)s figurează în alerta de absențe a centrului de zi: discutați cu familia.",
        "%(name)s szerepel a nappali központ hiányzási figyelmeztetései között: beszéljen a családdal.",
        "%(name)s szerepel a nappali központ hiányzási riasztásában: beszéljen a családdal.",
    ],
    "no_shows": [
        "%(name)s missed counselling sessions again: talk to the family.",
        "%(name)s a lipsit din nou de la ședințele de consiliere: discutați cu familia.",
        "%(name)s ismét nem jelent meg a tanácsadáson: beszéljen a családdal.",
    ],
    # Raised by the serious-incident register (revision 558edf9f9842), later than this one: a
    # database at the head that goes down past here holds them too.
    "abuse_suspected": [
        "A suspicion of abuse or neglect about %(name)s was entered in the serious-incident "
        "register: act on it and see that the directorate was told.",
        "În registrul incidentelor deosebite s-a consemnat o suspiciune de abuz sau neglijare "
        "privind pe %(name)s: acționați și verificați că direcția a fost anunțată.",
        "A rendkívüli események nyilvántartásába bántalmazás vagy elhanyagolás gyanúja került "
        "(%(name)s): intézkedjen, és ellenőrizze, hogy az igazgatóságot értesítették.",
    ],
}
PATTERNS = {
    source: [
        re.compile(re.escape(sentence).replace(re.escape("%(name)s"), "(?P<name>.+)"))
        for sentence in sentences
    ]
    for source, sentences in SENTENCES.items()
}


def _named(source: str, text: str) -> str | None:
    for pattern in PATTERNS.get(source, []):
        found = pattern.fullmatch(" ".join(text.split()))
        if found:
            return found.group("name")
    return None


def _convert_tasks(connection) -> None:
    tasks = connection.execute(
        sa.text(
            "SELECT id, case_id, source, text FROM case_tasks"
            " WHERE source IN :sources AND person_id IS NULL"
        ).bindparams(sa.bindparam("sources", expanding=True)),
        {"sources": list(SENTENCES)},
    ).all()
    for task_id, case_id, source, text in tasks:
        name = _named(source, text or "")
        if name is None:
            continue
        children = connection.execute(
            sa.text(
                "SELECT people.id, people.given_name, people.family_name FROM people"
                " JOIN case_children ON case_children.person_id = people.id"
                " WHERE case_children.case_id = :case_id"
            ),
            {"case_id": case_id},
        ).all()
        matches = [
            (person_id, f"{family} {given}")
            for person_id, given, family in children
            if name in (f"{given} {family}", f"{family} {given}")
        ]
        if len(matches) != 1:
            continue
        person_id, full_name = matches[0]
        connection.execute(
            sa.text("UPDATE case_tasks SET person_id = :person_id, text = NULL WHERE id = :id"),
            {"person_id": person_id, "id": task_id},
        )
        connection.execute(
            sa.text(
                "UPDATE case_events SET kind = :kind, detail = :name"
                " WHERE case_id = :case_id AND kind = 'task' AND detail = :text"
            ),
            {"kind": f"task_{source}", "name": full_name, "case_id": case_id, "text": text},
        )
        connection.execute(
            sa.text(
                "UPDATE case_events SET detail = :name"
                " WHERE case_id = :case_id AND kind = 'task_done' AND detail = :text"
            ),
            {"name": full_name, "case_id": case_id, "text": text},
        )


def _restore_texts(connection) -> None:
    """Back to sentences, in Romanian (the default language)."""
    tasks = connection.execute(
        sa.text(
            "SELECT case_tasks.id, case_tasks.case_id, case_tasks.source, people.given_name,"
            " people.family_name FROM case_tasks JOIN people ON people.id = case_tasks.person_id"
            " WHERE case_tasks.text IS NULL"
        )
    ).all()
    for task_id, case_id, source, given, family in tasks:
        text = SENTENCES[source][1] % {"name": f"{given} {family}"}
        connection.execute(
            sa.text("UPDATE case_tasks SET text = :text WHERE id = :id"),
            {"text": text, "id": task_id},
        )
        listed = (
            f"{family} {given}"  # the timeline's detail, as the upgrade and the service store it
        )
        connection.execute(
            sa.text(
                "UPDATE case_events SET kind = 'task', detail = :text"
                " WHERE case_id = :case_id AND kind = :kind AND detail = :listed"
            ),
            {"text": text, "case_id": case_id, "kind": f"task_{source}", "listed": listed},
        )
        connection.execute(
            sa.text(
                "UPDATE case_events SET detail = :text"
                " WHERE case_id = :case_id AND kind = 'task_done' AND detail = :listed"
            ),
            {"text": text, "case_id": case_id, "listed": listed},
        )
    connection.execute(sa.text("UPDATE case_tasks SET text = '' WHERE text IS NULL"))


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("case_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.alter_column("text", existing_type=sa.VARCHAR(length=500), nullable=True)
        batch_op.create_index(batch_op.f("ix_case_tasks_person_id"), ["person_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_case_tasks_person_id_people"), "people", ["person_id"], ["id"]
        )

    # ### end Alembic commands ###
    _convert_tasks(op.get_bind())


def downgrade():
    _restore_texts(op.get_bind())
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("case_tasks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_case_tasks_person_id_people"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_case_tasks_person_id"))
        batch_op.alter_column("text", existing_type=sa.VARCHAR(length=500), nullable=False)
        batch_op.drop_column("person_id")

    # ### end Alembic commands ###
