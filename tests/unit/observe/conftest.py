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

"""prometheus_client's value class and directory, put back after a test."""

import os

from prometheus_client import values
import pytest

from scheduler.observe import metrics


@pytest.fixture(autouse=True)
def single_process_values():
    """Tests start with in-process values; the exporter's are undone."""
    saved = values.ValueClass
    saved_dir = os.environ.pop(metrics.MULTIPROC_DIR_ENV, None)
    values.ValueClass = values.MutexValue
    yield
    values.ValueClass = saved
    os.environ.pop(metrics.MULTIPROC_DIR_ENV, None)
    if saved_dir is not None:
        os.environ[metrics.MULTIPROC_DIR_ENV] = saved_dir
