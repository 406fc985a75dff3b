"""The sans-I/O core: building requests, reading responses, deciding retries and polls.

Rule 1: nothing in this package sends, sleeps or reads a clock.
Rule 2: time enters as an argument; randomness enters as a function in the context.
Rule 3: every operation's sequence of requests lives in ``_flows`` as one generator.
"""
