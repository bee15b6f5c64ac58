"""Interop tests against libzmq (pyzmq). A package, so that its conftest has a name of its
own (``interop.conftest``) beside the root one."""
