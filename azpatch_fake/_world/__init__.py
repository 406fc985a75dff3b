"""The world: the fake's own state and facts, with no HTTP and no behaviour over time.

Records, subscriptions, the virtual clock, the patch catalog, images and the
patch-mode rules, regions and their pairs, time zones and off-peak hours.
Imports nothing from the other rooms.
"""
