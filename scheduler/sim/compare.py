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

"""One workload, replayed once per configuration, each in its own process.

The service reads its configuration once, into oslo.config's global
``CONF``, and its plugins keep what they read: two configurations cannot
share a process. Each run is a new (spawned) process with its own
``CONF``, its own embedded Placement (a fresh sqlite database filled with
the same cloud) and its own log file; it sends its progress and, at the
end, its ``RunResult`` back to the parent. Runs go side by side, up to
``jobs`` at once: each is deterministic for the seed, whatever runs beside
it.
"""

import contextlib
import dataclasses
import multiprocessing
import os
import queue
import tempfile
import traceback
import warnings

from scheduler.sim import results

_PROGRESS, _DONE, _FAILED = 'progress', 'done', 'failed'


@dataclasses.dataclass
class RunSpec:
    """What one child runs: ``name`` labels it in the report."""

    name: str
    config_files: list
    cloud_file: str
    workload_file: str
    seed: int | None
    workdir: str
    hash_seed: int = 0
    debug: bool = False
    # {'GROUP.NAME': value} of the embedded Placement's own options.
    placement_options: dict = dataclasses.field(default_factory=dict)


class RunFailed(Exception):
    pass


def _child(spec, channel):
    # A spawned process starts with Python's default warning filters: the
    # libraries' deprecation warnings are not for a simulator's user.
    warnings.filterwarnings('ignore', category=DeprecationWarning)
    from scheduler.sim import cloud as sim_cloud
    from scheduler.sim import workload
    try:
        from scheduler import conf as scheduler_conf
        from scheduler.sim import replay
        from scheduler.sim import run as sim_run

        conf = scheduler_conf.CONF
        # The service's log goes to the run's directory; with --debug, to
        # stderr, at DEBUG.
        sim_run.configure(conf, spec.config_files, spec.debug, log_file=(
            None if spec.debug else
            os.path.join(spec.workdir, '%s.log' % spec.name)))
        cloud = sim_cloud.load_cloud(spec.cloud_file)
        load = workload.load(spec.workload_file, spec.seed)
        # A fresh Placement database per run, gone after it.
        with tempfile.TemporaryDirectory(prefix='placement-%s-' % spec.name,
                                         dir=spec.workdir) as placement_dir:
            sim = sim_run.Simulation(
                conf, cloud, placement_dir, durable=False,
                placement_options=spec.placement_options)
            sim.start()
            try:
                result = replay.Replay(sim, load, spec.name,
                                       spec.config_files).run(
                    lambda done, total: channel.put(
                        (_PROGRESS, spec.name, done, total)))
            finally:
                sim.stop()
        channel.put((_DONE, spec.name, result.to_dict(), None))
    except (workload.WorkloadError, sim_cloud.CloudError) as e:
        # The user's file is wrong: what, not where in our code.
        channel.put((_FAILED, spec.name, str(e), ''))
    except BaseException as e:  # every failure is the parent's to report
        channel.put((_FAILED, spec.name, '%s: %s' % (type(e).__name__, e),
                     traceback.format_exc()))


def run_all(specs, jobs=2, progress=None):
    """``[RunResult]`` in the order of ``specs``; RunFailed if one fails.

    ``progress(name, done, total)`` is called as each run advances.
    """
    context = multiprocessing.get_context('spawn')
    channel = context.Queue()
    waiting, running, done = list(specs), {}, {}
    while waiting or running:
        while waiting and len(running) < max(jobs, 1):
            spec = waiting.pop(0)
            process = context.Process(target=_child, args=(spec, channel),
                                      name='scheduler-sim-%s' % spec.name)
            with _hash_seed(spec.hash_seed):
                process.start()
            running[spec.name] = process
        try:
            kind, name, payload, trace = channel.get(timeout=1)
        except queue.Empty:
            _check_alive(running)
            continue
        if kind == _PROGRESS:
            if progress is not None:
                progress(name, payload, trace)
            continue
        running.pop(name).join()
        if kind == _FAILED:
            _stop(running)
            raise RunFailed('the run of %s failed: %s%s' % (
                name, payload, '\n' + trace if trace else ''))
        done[name] = results.RunResult.from_dict(payload)
    return [done[spec.name] for spec in specs]


@contextlib.contextmanager
def _hash_seed(seed):
    """The environment a child is spawned with: Python's hash seed set.

    Among equally good providers, Placement's answer and the scheduler's
    order follow the iteration order of sets of strings, which Python
    randomises per process unless ``PYTHONHASHSEED`` is set.
    """
    saved = os.environ.get('PYTHONHASHSEED')
    os.environ['PYTHONHASHSEED'] = str(seed % 4294967296)
    try:
        yield
    finally:
        if saved is None:
            del os.environ['PYTHONHASHSEED']
        else:
            os.environ['PYTHONHASHSEED'] = saved


def _check_alive(running):
    for name, process in running.items():
        if not process.is_alive():
            _stop(running)
            raise RunFailed('the run of %s exited with %s and no result'
                            % (name, process.exitcode))


def _stop(running):
    for process in running.values():
        process.terminate()
        process.join()
