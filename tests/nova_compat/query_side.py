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

"""Our side of the query parity test, run as a child process.

Nova registers its options on the global cfg.CONF, so scheduler.conf
cannot be imported in the test process; this script builds our queries in
a process of its own. Input (JSON on stdin): a list of cases, each
``{"spec": <Nova RequestSpec primitive>`` (or ``"legacy": [request_spec,
filter_properties]``, the API 4.0 dicts), ``"aggregates": [{"uuid", "name",
"hosts", "metadata"}], "nodes": {node name: provider uuid}, "scheduler":
{[scheduler] overrides}}``. Output (JSON on stdout): one result per case,
``{"query": <query string>}`` or ``{"refused": <NoValidHost reason>}``.
"""

import json
import sys
import types


def _conf(overrides):
    # A script of its own (no tests package on its path).
    from oslo_config import cfg

    from scheduler import conf as scheduler_conf

    conf = cfg.ConfigOpts()
    scheduler_conf.register_opts(conf)
    conf([], default_config_files=[], default_config_dirs=[])
    for name, value in overrides.items():
        conf.set_override(name, value, group='scheduler')
    return conf


class _Facts:
    def __init__(self, aggregates):
        self._aggregates = {
            i: types.SimpleNamespace(id=i, **agg)
            for i, agg in enumerate(aggregates)}

    def aggregates(self):
        return self._aggregates

    def aggregates_unknown(self):
        """Never: these aggregates are all there is."""
        return None


class _Client:
    """Answers the one Placement read of ``query``: a provider by name."""

    endpoint = 'http://placement.invalid'

    def __init__(self, nodes):
        self._nodes = nodes

    def get(self, url, version=None, **kwargs):
        from urllib import parse

        name = parse.parse_qs(parse.urlsplit(url).query)['name'][0]
        uuid = self._nodes.get(name)
        return {'resource_providers': [{'uuid': uuid, 'name': name}]
                if uuid else []}


def main():
    from scheduler import exception
    from scheduler.placement import adapter as placement_adapter
    from scheduler.rpc import primitives

    results = []
    for case in json.load(sys.stdin):
        conf = _conf(case.get('scheduler') or {})
        adapter = placement_adapter.PlacementAdapter(
            conf, client=_Client(case.get('nodes') or {}))
        try:
            if 'legacy' in case:
                spec = primitives.request_spec_from_legacy(*case['legacy'])
            else:
                spec = primitives.request_spec_from_primitive(case['spec'])
            query = adapter.query(spec, _Facts(case.get('aggregates') or []))
            results.append({'query': query.to_query_string()})
        except exception.NoValidHost as e:
            results.append({'refused': e.reason})
    json.dump(results, sys.stdout)


if __name__ == '__main__':
    main()
