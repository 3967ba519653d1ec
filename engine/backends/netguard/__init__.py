"""Network containment: nothing leaves a sync for a host its recipe did not allow.

``policy`` holds the one rule (host names and patterns from ``allowed_domains``) and the
``Refusal`` record every backend reports; ``proxy`` is the filtering forward proxy each browser
context is given, the single point every browser connection passes (``relay`` moves its
bytes, on its own loop in a thread: ``loop``). The HTTP backend applies the same rule to each
request and each redirect hop itself.
See ``docs/network-containment.md`` for what is and is not guaranteed.
"""

from engine.backends.netguard.loop import guard_cpu_seconds
from engine.backends.netguard.policy import (
    LOCAL_SCHEMES,
    Refusal,
    host_matches,
    url_allowed,
    without_query,
)
from engine.backends.netguard.proxy import GuardProxy, ProxyRefusal

__all__ = ["LOCAL_SCHEMES", "GuardProxy", "ProxyRefusal", "Refusal", "guard_cpu_seconds",
           "host_matches", "url_allowed", "without_query"]
