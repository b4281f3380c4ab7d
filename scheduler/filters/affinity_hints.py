"""Shared by DifferentHostFilter and SameHostFilter: the hosts running any
of the instances a scheduler hint names."""

from scheduler.filters import utils
from scheduler.host_state import columns


def hinted_uuids(spec, hint):
    uuids = utils.scheduler_hint(spec, hint)
    if not uuids:
        return None
    return [uuids] if isinstance(uuids, str) else list(uuids)


def runs_any(host_state, uuids):
    return not set(uuids).isdisjoint(utils.host_instances(host_state))


def runs_any_column(host_set, uuids):
    return columns.hosts_with_instances(host_set, uuids) > 0
