"""How clients reach a world: interception of the HTTP stacks in-process, the azure-core
transports, the HTTP server, and azpatch clients wired to a world."""
