"""The ARM surface, laid out as moto lays out a service: the route table, request reading,
the wire serializer and error envelope, faults, and one handler module per resource family.

Handlers receive the world and parsed input; imports only ``_world``.
"""
