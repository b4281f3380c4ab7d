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

"""A Nova-compatible scheduler service backed by Placement."""

# oslo.messaging's server imports oslo.service, whose default backend is
# eventlet (deprecated). Select the threading backend before anything of
# oslo.messaging is imported; every entry point imports this package first.
import warnings as _warnings

from oslo_service import backend as _service_backend
from oslo_service.backend import exceptions as _backend_exceptions


def select_threading_backend():
    """Select oslo.service's threading backend; raise if it is too late."""
    _service_backend.init_backend(_service_backend.BackendType.THREADING)


with _warnings.catch_warnings():
    # The backend imports futurist, which imports eventlet when it is
    # installed, and eventlet warns at import that it is deprecated. This
    # service runs on threads: the warning is not for its users.
    _warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
    try:
        select_threading_backend()
    except _backend_exceptions.BackendAlreadySelected:
        # Only a tool that imported oslo.messaging before our options (the
        # config generator) gets here, and it runs no service. The
        # commands call select_threading_backend() again, and stop if it
        # fails.
        pass
