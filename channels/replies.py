"""The HTTP reply of the Slack and Teams webhooks to a request they reject."""
from sanic import response
from sanic.response import HTTPResponse

from channels.inbound import Rejection


def rejected(rejection: Rejection) -> HTTPResponse:
    """The status and, as {"error": ...}, the reason."""
    return response.json({"error": rejection.reason}, status=rejection.status)
