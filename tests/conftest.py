"""Shared by every test directory.

``import oslo_messaging`` (directly, or through Nova) selects oslo.service's
default eventlet backend for good; importing ``scheduler`` first selects
the threading backend the service runs on (see scheduler/__init__.py).
"""

import scheduler  # noqa: F401
