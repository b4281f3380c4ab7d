"""Select oslo.service's threading backend before any test imports it.

``import oslo_messaging`` imports ``oslo_service.service``, which fixes the
backend to eventlet unless one was selected first; the ``scheduler``
package selects threading when imported, so it must come first.
"""

import scheduler  # noqa: F401
