from scheduler.filters import all_hosts_filter
from scheduler.host_state import host_state as hs
from tests.unit.host_state import fakes


def test_every_host_passes_both_ways():
    flt = all_hosts_filter.AllHostsFilter(conf=fakes.make_conf())
    host_set = fakes.make_host_set(
        [{'name': 'a'}, {'name': 'b', 'traits': [hs.DISABLED_TRAIT]}])
    spec = fakes.make_spec()
    assert list(flt.filter_mask(host_set, spec)) == [True, True]
    assert [flt.host_passes(h, spec) for h in host_set] == [True, True]
