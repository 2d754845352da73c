"""Error handlers (handler400/403/404/500, CSRF failure) and the /healthz probe."""

from __future__ import annotations

import logging
import time

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.csrf import csrf_exempt

from calculator.ops import dbguard
from calculator.ops.responses import api_refusal, error_response, method_not_allowed, page_error

logger = logging.getLogger(__name__)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.conf import settings

    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS

        def message() -> str:
            return gettext(
                "提交的字段太多（最多 %(limit)s 个）。网页一次最多填写 50 次就诊；更多次就诊请用 API（一次最多 1000 次）一起计算。"
            ) % {"limit": limit}

        return error_response(request, status=400, field="", message=message)
    if isinstance(exception, RequestDataTooBig):
        return error_response(request, status=413, field="body", message=lambda: gettext("请求体过大。"))
    return _plain(request, 400, gettext_noop("请求无效。"))


def _plain(request: HttpRequest, status: int, api_message: str) -> HttpResponse:
    """The API's JSON error (``api_message``, a msgid, in the client's language), or the page
    (whose own text says it all) elsewhere."""
    if request.path_info.startswith("/api/"):
        return api_refusal(request, status, "", lambda: gettext(api_message))
    return page_error(request, status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _plain(request, 403, gettext_noop("没有权限访问这个地址。"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path_info.startswith("/e/"):
        # A saved link that is not (or no longer) there: say what happens to saved links
        # rather than "地址可能输错了". Wrong and expired tokens read the same (nothing tells
        # whether a token ever existed).
        from django.conf import settings

        days = settings.ENQUIRY_RETENTION_DAYS

        def message() -> str:
            return gettext(
                "找不到这个保存的计算。保存的计算在 %(days)s 天后自动删除，这个链接可能已经过期，也可能不完整。"
                "请重新填写并计算，需要时再保存一次。"
            ) % {"days": days}

        return page_error(request, 404, message)
    return _plain(request, 404, gettext_noop("找不到这个地址。"))


SERVER_ERROR = gettext_noop("服务器内部错误，请稍后再试或联系我们。")


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return api_refusal(request, 500, "(server)", lambda: gettext(SERVER_ERROR))
    return page_error(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    def message() -> str:
        return gettext(
            "页面已过期或浏览器没有发送安全令牌（Cookie）。请返回上一页，刷新后再试；如果仍然不行，请允许本站使用 Cookie。"
        )

    return error_response(request, status=403, field="", message=message)


SCHEMA_RECHECK_SECONDS = 60
_schema_seen_at = [float("-inf")]  # per process: when the enquiries' table was last seen


def database_state() -> dict[str, str]:
    connection = connections["default"]
    cause = dbguard.unreachable()  # unreachable, or was a moment ago (not tried again yet)
    if cause is None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:
            cause = type(exc).__name__
            try:
                connection.close()  # a connection that failed its query is not reused
            except Exception:
                pass
    if cause is not None:
        logger.warning("database unavailable: %s", cause, extra={"ops": {"database": "unavailable"}})
        return {"status": "unavailable", "vendor": connection.vendor}
    # Answering is not enough: saving needs the enquiries' table (an unmigrated database said
    # "ok" while every save answered 503). Checked once a minute per process: a table, once
    # there, stays (a probe every second would otherwise double the cost of /healthz).
    from calculator.enquiries.models import Enquiry

    now = time.monotonic()
    if now - _schema_seen_at[0] < SCHEMA_RECHECK_SECONDS:
        return {"status": "ok", "vendor": connection.vendor}
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(Enquiry._meta.db_table)} LIMIT 1")  # noqa: S608 - a model's own table name
            cursor.fetchall()
    except Exception as exc:
        logger.warning(
            "database not migrated (run manage.py migrate): %s", type(exc).__name__, extra={"ops": {"database": "not_migrated"}}
        )
        return {"status": "not_migrated", "vendor": connection.vendor}
    _schema_seen_at[0] = now
    return {"status": "ok", "vendor": connection.vendor}


@csrf_exempt
def healthz(request: HttpRequest) -> JsonResponse:
    """GET /healthz — 200 when the database answers, 503 (the calculator still works) when not."""
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed(request, ["GET", "HEAD"])
    database = database_state()
    healthy = database["status"] == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database},
        status=200 if healthy else 503,
    )
