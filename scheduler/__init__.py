"""A Nova-compatible scheduler service backed by Placement."""

# oslo.messaging's server imports oslo.service, whose default backend is
# eventlet (deprecated). Select the threading backend before anything of
# oslo.messaging is imported; every entry point imports this package first.
from oslo_service import backend as _service_backend
from oslo_service.backend import exceptions as _backend_exceptions


def select_threading_backend():
    """Select oslo.service's threading backend; raise if it is too late."""
    _service_backend.init_backend(_service_backend.BackendType.THREADING)


try:
    select_threading_backend()
except _backend_exceptions.BackendAlreadySelected:
    # Only a tool that imported oslo.messaging before our options (the
    # config generator) gets here, and it runs no service. The commands
    # call select_threading_backend() again, and stop if it fails.
    pass
