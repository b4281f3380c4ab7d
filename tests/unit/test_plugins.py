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

"""Plugins are checked at load: the right base class, its rule written."""

import pytest

from scheduler import exception
from scheduler.filters import handler as filter_handler
from scheduler.request_filters import handler as request_filter_handler
from scheduler.weighers import handler as weight_handler
from tests.unit.host_state import fakes

NOT_A_PLUGIN = ('class NotAPlugin:\n'
                '    def __init__(self, conf=None):\n'
                '        pass\n'
                '    def host_passes(self, host_state, spec):\n'
                '        return True\n'
                '    def _weigh_object(self, host_state, spec):\n'
                '        return 1.0\n'
                '    def apply(self, spec, query, facts):\n'
                '        return False\n')


def _filters(conf):
    conf.set_override('enabled_filters', ['NotAPlugin'],
                      group='filter_scheduler')
    return filter_handler.FilterHandler(conf)


def _weighers(conf):
    conf.set_override('weight_classes', ['NotAPlugin'],
                      group='filter_scheduler')
    return weight_handler.WeightHandler(conf)


def _request_filters(conf):
    return request_filter_handler.RequestFilterHandler(conf)


@pytest.mark.parametrize('namespace, load, source, error', [
    ('scheduler.filters', _filters, NOT_A_PLUGIN,
     'is a NotAPlugin, not a scheduler.filters.base.BaseHostFilter'),
    ('scheduler.filters', _filters,
     'from scheduler.filters import base\n'
     'class NotAPlugin(base.ColumnFilter):\n'
     '    pass\n',
     'abstract method filter_mask'),
    ('scheduler.weighers', _weighers, NOT_A_PLUGIN,
     'is a NotAPlugin, not a scheduler.weighers.base.BaseHostWeigher'),
    ('scheduler.weighers', _weighers,
     'from scheduler.weighers import base\n'
     'class NotAPlugin(base.ColumnWeigher):\n'
     '    pass\n',
     'abstract method weigh_columns'),
    ('scheduler.request_filters', _request_filters, NOT_A_PLUGIN,
     'is a NotAPlugin, not a '
     'scheduler.request_filters.base.RequestFilter'),
    ('scheduler.request_filters', _request_filters,
     'from scheduler.request_filters import base\n'
     'class NotAPlugin(base.RequestFilter):\n'
     '    pass\n',
     'abstract method apply'),
])
def test_plugin_without_its_interface_does_not_load(
        tmp_path, monkeypatch, namespace, load, source, error):
    fakes.install_plugins(tmp_path, monkeypatch, namespace,
                          {'NotAPlugin': 'not_a_plugin_mod:NotAPlugin'},
                          {'not_a_plugin_mod': source})
    with pytest.raises(exception.PluginLoadError) as e:
        load(fakes.make_conf())
    assert 'plugin NotAPlugin in namespace %s' % namespace in str(e.value)
    assert error in str(e.value)
