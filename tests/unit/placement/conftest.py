import pytest

from scheduler.placement import client as placement_client
from scheduler.sim import placement_server
from tests.unit.placement import fakes


@pytest.fixture
def placement(tmp_path):
    """A real Placement on a fresh sqlite database."""
    server = placement_server.PlacementServer(str(tmp_path))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(placement):
    return placement_client.PlacementClient(fakes.make_conf(
        placement.endpoint))
