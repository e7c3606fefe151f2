"""types"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "d4"
down_revision = "c3"


def upgrade():
    typed = op.create_table(
        "typed",
        sa.Column("a", sa.Integer),
        sa.Column("b", sa.INTEGER()),
        sa.Column("c", sa.SmallInteger()),
        sa.Column("d", sa.BigInteger),
        sa.Column("e", sa.String),
        sa.Column("f", sa.String(length=20)),
        sa.Column("g", sa.Unicode(30)),
        sa.Column("h", sa.UnicodeText),
        sa.Column("i", sa.CHAR(3)),
        sa.Column("j", sa.VARCHAR(10)),
        sa.Column("k", sa.DateTime),
        sa.Column("l", sa.DateTime(True)),
        sa.Column("m", sa.TIMESTAMP(timezone=True)),
        sa.Column("n", postgresql.TIMESTAMP(precision=3)),
        sa.Column("o", sa.Date),
        sa.Column("p", sa.Time),
        sa.Column("q", sa.Time(timezone=True)),
        sa.Column("r", sa.Interval),
        sa.Column("s", sa.Float),
        sa.Column("t", sa.Float(53)),
        sa.Column("u", sa.REAL),
        sa.Column("v", postgresql.DOUBLE_PRECISION),
        sa.Column("w", sa.Numeric),
        sa.Column("x", sa.Numeric(precision=10, scale=2)),
        sa.Column("y", sa.Numeric(10)),
        sa.Column("z", sa.DECIMAL(5, 1)),
        sa.Column("aa", sa.LargeBinary),
        sa.Column("ab", sa.JSON),
        sa.Column("ac", postgresql.JSON),
        sa.Column("ad", postgresql.UUID),
        sa.Column("ae", postgresql.INET),
        sa.Column("af", postgresql.CIDR),
        sa.Column("ag", postgresql.MACADDR),
        sa.Column("ah", sa.ARRAY(sa.String(20))),
        sa.Column("ai", postgresql.ARRAY(sa.Text, dimensions=2)),
        sa.Column("aj", postgresql.ENUM("x", name="existing_kind", create_type=False)),
        sa.Column("ak", postgresql.TSVECTOR),
        sa.Column("al", postgresql.HSTORE),
        sa.Column("am", postgresql.MONEY),
        sa.Column("an", postgresql.BIT(3)),
        sa.Column("ao", postgresql.DATERANGE),
        sa.Column("ap", sa.Integer().with_variant(sa.BigInteger(), "postgresql")),
        sa.Column("aq", sa.types.Boolean),
        sa.Column("ar", sa.PickleType),
    )
    op.bulk_insert(typed, [{"e": "it's", "a": 1, "aq": True}, {"aq": None, "a": -2}])
    op.alter_column("typed", "a", type_=sa.BigInteger, existing_type=sa.Integer)


def downgrade():
    op.drop_table("typed")
