"""Jobs for the export child process in tests: importable without Django (the child is a
fresh interpreter that does not set Django up)."""

from __future__ import annotations

import os
import time


def sleep(seconds, progress):
    progress(10, "sleeping")
    time.sleep(seconds)
    return "woke"


def hog(megabytes, progress):
    return len(bytearray(megabytes * 2**20))


def crash(code, progress):
    os._exit(code)


def pid(progress):
    progress(50, "half way")
    return os.getpid()
