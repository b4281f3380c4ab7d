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

"""Load drivers, filters and weighers by their stevedore entry point names.

Every plugin is constructed with ``conf=<ConfigOpts>``. A name that is not
installed, or whose module or constructor fails, raises ``PluginLoadError``
naming it: the service refuses to start rather than run without it.
"""

from stevedore import driver
from stevedore import exception as stevedore_exception
from stevedore import extension
from stevedore import named

from scheduler import exception

DRIVER_NAMESPACE = 'scheduler.driver'
FILTER_NAMESPACE = 'scheduler.filters'
WEIGHER_NAMESPACE = 'scheduler.weighers'


def _on_missing(namespace):
    def callback(missing):
        raise exception.PluginLoadError(
            'no plugin named %s in namespace %s'
            % (', '.join(sorted(missing)), namespace))
    return callback


def _on_failure(namespace):
    def callback(manager, entrypoint, error):
        raise exception.PluginLoadError(
            'plugin %s in namespace %s failed to load: %s: %s'
            % (entrypoint.name, namespace, type(error).__name__, error)
        ) from error
    return callback


# How a nova.conf names Nova's own plugins: by class path, or all of them.
_NOVA_PACKAGES = ('nova.scheduler.filters.', 'nova.scheduler.weights.')
NOVA_ALL_WEIGHERS = 'nova.scheduler.weights.all_weighers'


def plugin_name(name):
    """Our entry point name for a name in a nova.conf.

    Nova names its built-in filters and weighers by class path
    (``nova.scheduler.filters.compute_filter.ComputeFilter``); ours are
    entry points of the class's name. Other names are kept as they are.
    """
    if name.startswith(_NOVA_PACKAGES) and name != NOVA_ALL_WEIGHERS:
        return name.rsplit('.', 1)[-1]
    return name


def _checked(namespace, extensions, interface):
    """``[(name, plugin)]``, each plugin an instance of ``interface``.

    An abstract subclass of ``interface`` (its rule not implemented)
    already failed to construct; this refuses what is not one at all.
    """
    plugins = [(ext.name, ext.obj) for ext in extensions]
    if interface is not None:
        for name, plugin in plugins:
            if not isinstance(plugin, interface):
                raise exception.PluginLoadError(
                    'plugin %s in namespace %s is a %s, not a %s.%s'
                    % (name, namespace, type(plugin).__name__,
                       interface.__module__, interface.__name__))
    return plugins


def load_named(namespace, names, conf, interface=None):
    """``[(name, plugin)]`` for ``names`` in order, each loaded once.

    :param interface: the class every plugin must be an instance of.
    """
    names = list(dict.fromkeys(plugin_name(name) for name in names))
    if not names:
        return []
    mgr = named.NamedExtensionManager(
        namespace, names, invoke_on_load=True, invoke_kwds={'conf': conf},
        name_order=True,
        on_load_failure_callback=_on_failure(namespace),
        on_missing_entrypoints_callback=_on_missing(namespace))
    return _checked(namespace, mgr, interface)


def load_all(namespace, conf, interface=None):
    """``[(name, plugin)]`` for every plugin of ``namespace``, by name."""
    mgr = extension.ExtensionManager(
        namespace, invoke_on_load=True, invoke_kwds={'conf': conf},
        on_load_failure_callback=_on_failure(namespace))
    return sorted(_checked(namespace, mgr, interface), key=lambda e: e[0])


def load_driver(name, conf, interface=None):
    """The scheduler driver ``name``, constructed with ``conf``."""
    try:
        mgr = driver.DriverManager(
            DRIVER_NAMESPACE, name, invoke_on_load=True,
            invoke_kwds={'conf': conf},
            on_load_failure_callback=_on_failure(DRIVER_NAMESPACE))
    except stevedore_exception.NoMatches:
        # DriverManager does not call on_missing_entrypoints_callback.
        _on_missing(DRIVER_NAMESPACE)([name])
    return _checked(DRIVER_NAMESPACE, mgr, interface)[0][1]
