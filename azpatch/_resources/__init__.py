"""The operation groups of a client, each as a sync and an async twin side by side."""
