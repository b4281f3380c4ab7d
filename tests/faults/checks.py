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

"""What every matrix row measures: outcomes, leaks, over-commit, liveness."""

import concurrent.futures
import dataclasses
import os
import time

import oslo_messaging

from scheduler import exception
from scheduler.sim import cloud
from tests.faults import settings
from tests.functional import helpers


# Every text a caller of the suite was answered with (test_secrets.py).
CALLER_TEXTS = []


def context():
    """A Nova context dict carrying the suite's secrets."""
    return helpers.context(
        auth_token=settings.SECRETS['auth_token'],
        service_catalog=[{'type': 'volumev3', 'name': 'cinderv3',
                          'endpoints': [{
                              'region': 'RegionOne',
                              'publicURL': settings.SECRETS['catalog url'],
                          }]}])


def remember(error):
    texts = [str(error), repr(error)]
    cause = getattr(error, '__cause__', None)
    if cause is not None:
        texts += [str(cause), repr(cause),
                  str(getattr(cause, 'value', '')),
                  str(getattr(cause, 'kwargs', ''))]
    CALLER_TEXTS.extend(texts)


@dataclasses.dataclass
class Outcome:
    consumers: list
    result: object = None
    refusal: exception.NoValidHost = None
    error: Exception = None
    seconds: float = 0.0

    @property
    def ok(self):
        return self.refusal is None and self.error is None


def call(client, spec=None, count=1, consumers=None):
    """One select_destinations; never raises, returns an ``Outcome``."""
    consumers = consumers or helpers.uuids(count)
    spec = spec or helpers.spec(num_instances=len(consumers))
    started = time.monotonic()
    outcome = Outcome(consumers)
    try:
        outcome.result = client.select_destinations(
            context(), spec, consumers, return_objects=True)
    except exception.NoValidHost as e:
        outcome.refusal = e
        remember(e)
    except Exception as e:  # noqa: B902 (counted as an error)
        outcome.error = e
        remember(e)
    outcome.seconds = time.monotonic() - started
    return outcome


def call_concurrently(clients, count, spec=None, threads=64):
    """``count`` one-instance calls spread over ``clients``, in parallel."""
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(call, clients[i % len(clients)], spec)
                   for i in range(count)]
        return [f.result() for f in futures]


def leaked(placement, outcomes):
    """Allocations Placement holds that no successful answer accounts for.

    A refused or failed request must hold nothing; a successful one
    exactly its chosen host's provider, once per consumer.
    """
    count = 0
    for outcome in outcomes:
        for i, consumer in enumerate(outcome.consumers):
            allocs = helpers.allocations(placement, consumer)
            if not outcome.ok:
                count += len(allocs)
            else:
                chosen = outcome.result[i][0].compute_node_uuid
                count += len(set(allocs) - {chosen})
    return count


def orphans(placement, outcomes, vcpus_each=1):
    """VCPUs used in Placement beyond what the successful answers hold."""
    held = sum(len(o.consumers) for o in outcomes if o.ok) * vcpus_each
    used = sum(u.get('VCPU', 0)
               for u in cloud.usages(placement.endpoint).values())
    return max(used - held, 0)


def overcommitted(placement, hosts, usages=None):
    """(provider, resource class) pairs used beyond capacity x ratio."""
    usages = usages if usages is not None else cloud.usages(
        placement.endpoint)
    count = 0
    for host in hosts:
        for rc, inv in host.inventory.items():
            limit = inv['total'] * inv.get('allocation_ratio', 1.0)
            if usages.get(host.name, {}).get(rc, 0) > limit:
                count += 1
    return count


def release(placement, outcomes):
    """Give back what the successful answers claimed."""
    api = cloud.placement_adapter(placement.endpoint)
    for outcome in outcomes:
        if outcome.ok:
            for consumer in outcome.consumers:
                api.delete('/allocations/%s' % consumer,
                           raise_exc=False)


def release_all(placement, hosts):
    """Remove every allocation held on ``hosts``."""
    api = cloud.placement_adapter(placement.endpoint)
    for host in hosts:
        allocations = api.get('/resource_providers/%s/allocations'
                              % host.uuid).json()['allocations']
        for consumer in allocations:
            api.delete('/allocations/%s' % consumer, raise_exc=False)


def alive(client, placement, proc=None):
    """The server answers a plain request with a claim (then released)."""
    if proc is not None and proc.process.poll() is not None:
        return False
    outcome = call(client)
    if not outcome.ok:
        return False
    release(placement, [outcome])
    return True


def log_size(proc):
    return os.path.getsize(proc.log_file) if os.path.exists(
        proc.log_file) else 0


def log_since(proc, since=0):
    """What the server logged after offset ``since`` of its log file."""
    with open(proc.log_file, 'rb') as f:
        f.seek(since)
        return f.read().decode(errors='replace')


def error_lines(proc, since=0):
    """ERROR lines the server logged after offset ``since``."""
    return [line for line in log_since(proc, since).splitlines()
            if ' ERROR ' in line]


def is_timeout(error):
    return isinstance(error, oslo_messaging.MessagingTimeout)
