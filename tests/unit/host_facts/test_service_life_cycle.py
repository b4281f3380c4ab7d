"""A worker starts its manager's host-facts sources and stops them."""

from scheduler.cmd import server


class RecordingManager:
    def __init__(self):
        self.calls = []

    def start(self):
        self.calls.append('start')

    def stop(self):
        self.calls.append('stop')

    def reset(self):
        self.calls.append('reset')


def test_worker_stop_stops_the_managers_sources():
    service = server.SchedulerService(conf=None)
    manager = service.manager = RecordingManager()
    service.stop()
    assert manager.calls == ['stop']
    assert service.manager is None


def test_sighup_reset_reaches_the_manager():
    service = server.SchedulerService(conf=None)
    manager = service.manager = RecordingManager()
    service.reset()
    assert manager.calls == ['reset']
