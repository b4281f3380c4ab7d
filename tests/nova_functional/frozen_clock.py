"""``scheduler-server`` whose clock reads what the test froze Nova's at.

``python -m scheduler_nova_functional.frozen_clock ISO-TIME ARGS...``
runs the server with oslo.utils' ``timeutils.utcnow()`` overridden to
``ISO-TIME``, as the test's ``TimeFixture`` overrides it in Nova's
services: the service then judges heartbeats written at that time as
Nova's scheduler would in the test's process.
"""

import sys

from oslo_utils import timeutils

from scheduler.cmd import server


def main(argv):
    timeutils.set_time_override(timeutils.parse_isotime(argv[0]).replace(
        tzinfo=None))
    return server.main(argv[1:])


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
