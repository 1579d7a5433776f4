"""Domain errors: a stable machine code and a message in Chinese.

Services raise ``DomainError``; the edge maps it (form error, HTTP 4xx with the code, exit 2).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "unauthenticated"
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 -- an error code
    TOKEN_REVOKED = "token_revoked"  # noqa: S105 -- an error code
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    VALIDATION = "validation_error"
    CONFLICT = "conflict"
    THROTTLED = "throttled"
    INTERNAL = "internal_error"


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.TOKEN_EXPIRED: 401,
    ErrorCode.TOKEN_REVOKED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.VALIDATION: 422,
    ErrorCode.CONFLICT: 409,
    ErrorCode.THROTTLED: 429,
    ErrorCode.INTERNAL: 500,
}

DEFAULT_MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.UNAUTHENTICATED: "需要登录或有效的 API 令牌。",
    ErrorCode.TOKEN_EXPIRED: "API 令牌已过期，请重新申请。",
    ErrorCode.TOKEN_REVOKED: "API 令牌已被吊销。",
    ErrorCode.FORBIDDEN: "您的角色无权执行此操作。",
    ErrorCode.NOT_FOUND: "未找到该对象。",
    ErrorCode.VALIDATION: "提交的数据有误。",
    ErrorCode.CONFLICT: "与现有数据冲突。",
    ErrorCode.THROTTLED: "请求过于频繁，请稍后再试。",
    ErrorCode.INTERNAL: "服务器内部错误。",
}


class DomainError(Exception):
    def __init__(self, code: ErrorCode, message: str | None = None, details: Any = None) -> None:
        self.code = code
        self.message = message or DEFAULT_MESSAGES[code]
        self.details = details
        super().__init__(self.message)
