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

"""ProviderNames: uuid -> name, fetched again only for unknown uuids."""

import threading
import time

from scheduler.placement import providers


class FakeClient(object):
    def __init__(self, providers_list, delay=0.0):
        self.providers = providers_list
        self.delay = delay
        self.gets = 0

    def get(self, url, version=None, **kwargs):
        assert url == '/resource_providers'
        self.gets += 1
        time.sleep(self.delay)
        return {'resource_providers': list(self.providers)}


def _rp(uuid, name, root=None):
    return {'uuid': uuid, 'name': name, 'root_provider_uuid': root or uuid}


def _asked(names, uuids):
    """What ``names`` answers for ``uuids`` (the known ones only)."""
    return {uuid: names[uuid] for uuid in uuids if uuid in names}


def test_known_uuids_are_answered_from_the_cache():
    client = FakeClient([_rp('a', 'host-a'), _rp('b', 'host-b')])
    names = providers.ProviderNames(client)
    assert _asked(names.lookup(['a']), ['a']) == {'a': 'host-a'}
    assert _asked(names.lookup(['a', 'b']), ['a', 'b']) == {
        'a': 'host-a', 'b': 'host-b'}
    assert client.gets == 1


def test_unknown_uuid_fetches_once_per_lookup():
    client = FakeClient([_rp('a', 'host-a')])
    names = providers.ProviderNames(client)
    names.lookup(['a'])
    client.providers.append(_rp('c', 'host-c'))
    assert _asked(names.lookup(['a', 'c']), ['a', 'c']) == {
        'a': 'host-a', 'c': 'host-c'}
    assert client.gets == 2


def test_uuid_unknown_to_placement_is_left_out():
    client = FakeClient([_rp('a', 'host-a')])
    names = providers.ProviderNames(client)
    assert _asked(names.lookup(['a', 'gone']), ['a', 'gone']) == {
        'a': 'host-a'}
    assert names.get('gone') is None
    assert client.gets == 2  # one fetch per lookup, not per uuid


def test_root_of_child_provider():
    client = FakeClient([_rp('a', 'host-a'), _rp('a-pf', 'pf', root='a')])
    names = providers.ProviderNames(client)
    names.lookup(['a-pf'])
    assert names.root_of('a-pf') == 'a'


def test_concurrent_lookups_share_one_fetch():
    client = FakeClient([_rp('a', 'host-a')], delay=0.05)
    names = providers.ProviderNames(client)
    results = []
    threads = [threading.Thread(
        target=lambda: results.append(_asked(names.lookup(['a']), ['a'])))
        for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [{'a': 'host-a'}] * 6
    assert client.gets == 1


def test_uuids_may_be_any_iterable():
    client = FakeClient([_rp('a', 'host-a'), _rp('b', 'host-b')])
    names = providers.ProviderNames(client)
    assert names.lookup(iter(['a', 'b'])).get('b') == 'host-b'
    assert names.lookup(uuid for uuid in ['a', 'c']).get('a') == 'host-a'
    assert client.gets == 2


def test_a_fetch_leaves_an_earlier_answer_unchanged():
    client = FakeClient([_rp('a', 'host-a')])
    names = providers.ProviderNames(client)
    before = names.lookup(['a'])
    client.providers = [_rp('a', 'renamed'), _rp('b', 'host-b')]
    after = names.lookup(['a', 'b'])
    assert dict(before) == {'a': 'host-a'}
    assert _asked(after, ['a', 'b']) == {'a': 'renamed', 'b': 'host-b'}


class _CountedList(list):
    """A list that counts how often it is read through."""

    reads = 0

    def __iter__(self):
        self.reads += 1
        return super().__iter__()


def test_the_same_list_is_answered_again_without_a_look():
    client = FakeClient([_rp('a', 'host-a'), _rp('b', 'host-b')])
    names = providers.ProviderNames(client)
    uuids = _CountedList(['a', 'b'])
    assert _asked(names.lookup(uuids), uuids) == {
        'a': 'host-a', 'b': 'host-b'}
    reads = uuids.reads
    names.lookup(uuids)
    assert uuids.reads == reads
    # Another cache (a fetch for an unknown provider): looked at again.
    names.lookup(['c'])
    names.lookup(uuids)
    assert uuids.reads > reads
    assert client.gets == 2


def test_a_list_with_an_unknown_uuid_is_never_taken_as_answered():
    client = FakeClient([_rp('a', 'host-a')])
    names = providers.ProviderNames(client)
    uuids = ['a', 'gone']
    names.lookup(uuids)
    names.lookup(uuids)
    assert client.gets == 2
