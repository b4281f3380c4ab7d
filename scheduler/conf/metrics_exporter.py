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

"""Options of the [metrics_exporter] group: the Prometheus endpoint.

Off unless ``listen`` is set. Not to be confused with the ``[metrics]``
group, which weighs hosts by the metrics their compute nodes report.
"""

from oslo_config import cfg
from oslo_config import types

GROUP = 'metrics_exporter'


def parse_listen(value):
    """``(host, port)`` of ``HOST:PORT`` (``[ADDRESS]:PORT`` for IPv6).

    :raises ValueError: naming what is wrong with ``value``.
    """
    text = str(value).strip()
    host, sep, port = text.rpartition(':')
    if not sep or not host:
        raise ValueError('%r is not HOST:PORT' % text)
    if host.startswith('[') and host.endswith(']'):
        host = types.IPAddress(version=6)(host[1:-1])
    elif ':' in host:
        raise ValueError('%r: write an IPv6 address as [ADDRESS]:PORT'
                         % text)
    else:
        host = types.HostAddress()(host)
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError('%r: the port must be a number from 1 to 65535'
                         % text)
    return host, int(port)


class ListenAddress(types.ConfigType):
    """``HOST:PORT`` to listen on; the value is kept as written."""

    def __init__(self, type_name='host:port value'):
        super().__init__(type_name=type_name)

    def __call__(self, value):
        parse_listen(value)
        return str(value).strip()

    def __eq__(self, other):
        return self.__class__ == other.__class__

    def _formatter(self, value):
        return str(value)


def _metrics_exporter_group():
    # A new OptGroup for every ConfigOpts (see filter_scheduler.py).
    return cfg.OptGroup(
        GROUP, title='Prometheus metrics exporter',
        help='The HTTP endpoint Prometheus scrapes: request durations, '
             'steps, refusals, Placement errors and host-facts health, '
             'summed over every worker of the service.')


metrics_exporter_opts = [
    cfg.Opt(
        'listen',
        type=ListenAddress(),
        default=None,
        help='``HOST:PORT`` (``[ADDRESS]:PORT`` for IPv6) the Prometheus '
             'exporter listens on, e.g. ``127.0.0.1:9180``; unset (the '
             'default), no metrics are kept. One HTTP server in the '
             'parent process of scheduler-server answers ``GET /metrics`` '
             'for all its workers. A value that does not parse, or an '
             'address that cannot be bound, stops the service at start.'),
    cfg.IntOpt(
        'refresh_interval',
        default=10,
        min=1,
        max=3600,
        help='Seconds between two updates of the gauges each worker '
             'publishes (host-facts age and state, deferred releases '
             'pending). Counters and histograms are updated as requests '
             'finish.'),
]


def register_opts(conf):
    group = _metrics_exporter_group()
    conf.register_group(group)
    conf.register_opts(metrics_exporter_opts, group=group)


def list_opts():
    return {_metrics_exporter_group(): metrics_exporter_opts}
