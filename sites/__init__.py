"""Demo institutions: small local web apps that behave like real banks.

They are the live targets for the demo command, for recording fixtures and for tests, since no
real bank is reachable from here. Every site binds 127.0.0.1 only.
"""

from engine.extras import require

require("demo", "sites (the demo institutions)")
