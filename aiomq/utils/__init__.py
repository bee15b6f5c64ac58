"""Helpers with pyzmq's ``zmq.utils`` names: [monitor][aiomq.utils.monitor] (layer 7)."""

from __future__ import annotations

__all__: list[str] = []
