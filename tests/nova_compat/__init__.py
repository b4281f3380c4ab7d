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

"""Nova compatibility tests: Nova's own RPC client calls our service.

Importing Nova's RPC modules imports ``oslo_messaging.server``, which makes
oslo.service pick its default (eventlet) backend unless one was chosen
before; ``import scheduler`` then fails with BackendAlreadySelected. Nova's
client side runs on the threading backend, which the service uses too, so
choose it here, before any test module or conftest imports Nova.
"""

from oslo_service import backend as _service_backend

_service_backend.init_backend(_service_backend.BackendType.THREADING)
