"""The domain of a reflection session: plain Python, no Flask, no storage drivers.

Everything that decides who may see or do what lives here, so the HTTP API,
the Socket.IO handlers and the CLI all obey the same rules.
"""
