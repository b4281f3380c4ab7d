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

"""Select oslo.service's threading backend before any test imports it.

``import oslo_messaging`` imports ``oslo_service.service``, which fixes the
backend to eventlet unless one was selected first; the ``scheduler``
package selects threading when imported, so it must come first.
"""

import scheduler  # noqa: F401
