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

"""The files shipped with the simulator, from a checkout or installed.

pbr installs ``etc/scheduler`` under ``sys.prefix``; a checkout has it
beside the package.
"""

import os
import sys

_CHECKOUT = os.path.join(os.path.dirname(__file__), '..', '..', 'etc',
                         'scheduler')
_INSTALLED = os.path.join(sys.prefix, 'etc', 'scheduler')


def shipped(*parts):
    """The path of a shipped file, e.g. ``shipped('sim', 'pack.conf')``."""
    for base in (_CHECKOUT, _INSTALLED):
        path = os.path.join(base, *parts)
        if os.path.exists(path):
            return os.path.abspath(path)
    return os.path.join(_INSTALLED, *parts)


def default_cloud():
    return shipped('sim-cloud.yaml')


def default_scenario():
    return shipped('sim', 'scenario.yaml')


def default_configs():
    return [shipped('sim', 'spread.conf'), shipped('sim', 'pack.conf')]
