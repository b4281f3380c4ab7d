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

"""Options of the [placement] group.

Session, auth and adapter options come from keystoneauth1's loading helpers,
as in Nova, so the same [placement] section works in both services. The
adapter's own retry options carry the bounded backoff for connection errors
and retriable status codes; this module only gives them safer defaults.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

PLACEMENT_GROUP = 'placement'
DEFAULT_SERVICE_TYPE = 'placement'


def _placement_group():
    # A new OptGroup for every ConfigOpts: register_group() copies it
    # shallowly, so a shared one would share overrides between them.
    return cfg.OptGroup(
        PLACEMENT_GROUP, title='Placement service options',
        help='How to reach and authenticate to the Placement API.')


# Defaults for keystoneauth1's own options that differ from its defaults:
# a scheduler must not hang on Placement, and must retry what may pass.
# keystoneauth1 counts a read timeout as a connection failure, so a hung
# Placement costs (connect_retries + 1) * timeout plus backoff: keep that
# well under a caller's RPC timeout (60 s in Nova).
OUR_DEFAULTS = {
    'timeout': 10,
    'connect_retries': 2,
    'connect_retry_delay': None,
    'status_code_retries': 3,
    'retriable_status_codes': [502, 503, 504],
    'service_type': DEFAULT_SERVICE_TYPE,
    'valid_interfaces': ['internal', 'public'],
}


def _with_our_defaults(opts):
    # keystoneauth1 builds new option objects on every call, so their
    # defaults are ours to set; a default carried by the option itself
    # also survives ConfigOpts.clear(), which set_default() would not.
    for opt in opts:
        if opt.dest in OUR_DEFAULTS:
            opt.default = OUR_DEFAULTS[opt.dest]
    return opts


def _session_and_adapter_opts():
    return _with_our_defaults(
        ks_loading.get_session_conf_options() +
        ks_loading.get_adapter_conf_options(include_deprecated=False))


def register_opts(conf):
    group = _placement_group()
    conf.register_group(group)
    conf.register_opts(_session_and_adapter_opts(), group=group)
    # auth_type and auth_section; the chosen plugin's own options are
    # registered by keystoneauth1 when it loads the plugin.
    ks_loading.register_auth_conf_options(conf, PLACEMENT_GROUP)


def _auth_plugin_opts():
    # Options of every auth plugin a deployer is likely to pick, so that
    # the sample file documents them (the same choice Nova makes).
    opts = ks_loading.get_auth_common_conf_options()
    for name in ('password', 'v3password', 'admin_token'):
        plugin_opts = ks_loading.get_auth_plugin_conf_options(name)
        known = {o.dest for o in opts}
        opts += [o for o in plugin_opts if o.dest not in known]
    return opts


def list_opts():
    return {_placement_group(): (_session_and_adapter_opts() +
                                 _auth_plugin_opts())}
