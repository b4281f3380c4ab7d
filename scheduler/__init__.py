"""A Nova-compatible scheduler service backed by Placement."""

# oslo.messaging's server imports oslo.service, whose default backend is
# eventlet (deprecated). Select the threading backend before anything of
# oslo.messaging is imported; every entry point imports this package first.
from oslo_service import backend as _service_backend

_service_backend.init_backend(_service_backend.BackendType.THREADING)
