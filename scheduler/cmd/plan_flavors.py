#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Flavors by name from Nova's API database, for ``scheduler-plan``.

When ``[host_facts_nova_db] api_connection`` (Nova's ``[api_database]
connection``) is configured, a ``--flavor`` name (or flavor id) is read
from its ``flavors`` and ``flavor_extra_specs`` tables, on a read-only
connection (``scheduler.host_facts.nova_db_reads.read_only_engine``). Only the
columns used are declared here; nothing is created.
"""

from oslo_db import exception as db_exception
import sqlalchemy as sa

from scheduler.host_facts import nova_db_reads
from scheduler.objects import request_spec

_API = sa.MetaData()

flavors = sa.Table(
    'flavors', _API,
    sa.Column('id', sa.Integer), sa.Column('name', sa.String(255)),
    sa.Column('flavorid', sa.String(255)),
    sa.Column('vcpus', sa.Integer), sa.Column('memory_mb', sa.Integer),
    sa.Column('root_gb', sa.Integer), sa.Column('ephemeral_gb', sa.Integer),
    sa.Column('swap', sa.Integer))

flavor_extra_specs = sa.Table(
    'flavor_extra_specs', _API,
    sa.Column('flavor_id', sa.Integer), sa.Column('key', sa.String(255)),
    sa.Column('value', sa.String(255)))


class NotReadable(Exception):
    """The API database could not be read; the text names no password."""


def find(url, name):
    """The ``Flavor`` named (or with flavor id) ``name``, or None."""
    engine = None
    try:
        engine = nova_db_reads.read_only_engine(url)
        with engine.connect() as conn:
            row = conn.execute(sa.select(flavors).where(sa.or_(
                flavors.c.name == name, flavors.c.flavorid == name)).order_by(
                    (flavors.c.name != name), flavors.c.id)).first()
            if row is None:
                return None
            specs = conn.execute(sa.select(
                flavor_extra_specs.c.key, flavor_extra_specs.c.value).where(
                    flavor_extra_specs.c.flavor_id == row.id)).all()
    except (sa.exc.SQLAlchemyError, db_exception.DBError) as e:
        # The exception's text may quote the URL: its kind only.
        raise NotReadable('Nova API database: %s' % type(e).__name__)
    finally:
        if engine is not None:
            engine.dispose()
    return request_spec.Flavor(
        vcpus=row.vcpus, memory_mb=row.memory_mb, root_gb=row.root_gb or 0,
        ephemeral_gb=row.ephemeral_gb or 0, swap=row.swap or 0,
        name=row.name, flavorid=row.flavorid,
        extra_specs={key: value for key, value in specs})
