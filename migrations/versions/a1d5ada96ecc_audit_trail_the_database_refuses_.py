"""audit trail: the database refuses updates and deletes

Revision ID: a1d5ada96ecc
Revises: 3387db18e273
Create Date: 2026-11-23 07:41:54.945644

"""
from alembic import op

from daycentre.audit.models import guard_audit_trail, unguard_audit_trail


# revision identifiers, used by Alembic.
revision = 'a1d5ada96ecc'
down_revision = '3387db18e273'
branch_labels = None
depends_on = None


def upgrade():
    guard_audit_trail(op.get_bind())


def downgrade():
    unguard_audit_trail(op.get_bind())
