"""Stand-ins for ``requests.get`` for the download tests (tests/test_test_utils.py,
tests/test_file_safety.py): no network, and every call recorded."""
from __future__ import annotations

from typing import Any

import requests


class FakeResponse:
    """A streamed HTTP response of ``chunks``; with ``fail_after`` the connection drops before
    that chunk."""

    def __init__(self, chunks: list[bytes], status_code: int = 200,
                 fail_after: int | None = None) -> None:
        self.chunks, self.status_code, self.fail_after = chunks, status_code, fail_after

    def iter_content(self, chunk_size: int = 1):
        for i, chunk in enumerate(self.chunks):
            if self.fail_after is not None and i == self.fail_after:
                raise requests.ConnectionError("connection reset by peer")
            yield chunk

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: Any) -> bool:
        return False


class FakeRequests:
    """Stands in for requests.get: answers from a list of responses or exceptions (the last
    one again and again) and records each call as ``(url, stream, timeout)``."""

    def __init__(self, *answers: Any) -> None:
        self.answers, self.calls = list(answers), []

    def __call__(self, url: str, stream: bool = False, timeout: Any = None) -> Any:
        self.calls.append((url, stream, timeout))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer
