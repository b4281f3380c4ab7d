import numpy as np

from scheduler.filters import compute_filter
from scheduler.host_state import host_state as hs
from tests.unit.host_state import fakes


def _hosts():
    return fakes.make_host_set([
        {'name': 'up'},
        {'name': 'disabled', 'traits': [hs.DISABLED_TRAIT, 'COMPUTE_NODE']},
        {'name': 'other-traits', 'traits': ['COMPUTE_NODE']},
    ])


def test_host_with_disabled_trait_never_passes():
    flt = compute_filter.ComputeFilter(conf=fakes.make_conf())
    host_set = _hosts()
    spec = fakes.make_spec()
    assert not flt.host_passes(host_set[1], spec)
    assert list(flt.filter_mask(host_set, spec)) == [True, False, True]


def test_column_and_per_host_answers_agree():
    flt = compute_filter.ComputeFilter(conf=fakes.make_conf())
    rng = np.random.default_rng(7)
    hosts = [{'name': 'h%d' % i,
              'traits': [hs.DISABLED_TRAIT] if rng.random() < 0.3 else []}
             for i in range(200)]
    host_set = fakes.make_host_set(hosts)
    spec = fakes.make_spec()
    per_host = [flt.host_passes(h, spec) for h in host_set]
    assert list(flt.filter_mask(host_set, spec)) == per_host
    assert 0 < sum(per_host) < 200
