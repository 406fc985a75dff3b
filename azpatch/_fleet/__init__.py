"""Fleet operations: many VMs across subscriptions, paced to ARM's and Compute's budgets.

The sans-I/O run (``_scheduler``, ``_dispatch``, ``_budgets``, ``_journal``)
decides; the runners (``_runner``) only send, sleep and write the journal.
"""
