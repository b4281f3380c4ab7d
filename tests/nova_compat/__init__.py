"""Nova compatibility tests: Nova's own RPC client calls our service.

Importing Nova's RPC modules imports ``oslo_messaging.server``, which makes
oslo.service pick its default (eventlet) backend unless one was chosen
before; ``import scheduler`` then fails with BackendAlreadySelected. Nova's
client side runs on the threading backend, which the service uses too, so
choose it here, before any test module or conftest imports Nova.
"""

from oslo_service import backend as _service_backend

_service_backend.init_backend(_service_backend.BackendType.THREADING)
