"""Host-facts sources: what Nova's host manager knows beyond Placement.

Each source is a stevedore plugin in the ``scheduler.host_facts``
namespace (``base.HostFactsSource``); ``store.HostFactsStore`` merges them
into the per-host ``scheduler.host_state.facts.HostFacts`` records the
pipeline reads.
"""
