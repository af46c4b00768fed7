"""Custom action calls: a per-call time limit, failure reporting, and a cheaper response check.

Rasa 3.6 waits up to five minutes for each custom action call, and when a
call fails it logs the error and carries on as if the action had said
nothing, so the user gets silence or half an answer. ``GuardedActionEndpoint``
gives each call ``timeout`` seconds (the ``action_endpoint`` entry of the
endpoints file), reports a failed call into the current turn (``server.turns``)
and then skips the turn's remaining calls, so the input channel can tell the
user to try again within a few seconds.

Rasa also checks its constant response schema against the JSON Schema
meta-schema before validating each action server response
(``jsonschema.validate``): about 45 ms per call on a 2-core machine, more than
the rest of a turn. ``check_responses_with_compiled_schema`` checks the schema
once and then validates each response with Rasa's own schema and the validator
class ``jsonschema.validate`` would pick (about 1 ms), so it accepts exactly what
Rasa accepts. A response it rejects, and any action whose schema is not the one
compiled, still go to Rasa's own check, which raises Rasa's own error; when
Rasa's check or schema is not what this relies on, Rasa's check is left in
place (docs/RASA_INTERNALS.md).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Dict, Optional

import aiohttp
import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from server.turns import ACTION_SERVER, current_turn_failed, report_failure

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 3.0
# A form's validation action answers 400 to reject the input: that is no fault.
REJECTED = 400


class ActionServerUnavailable(aiohttp.ClientConnectionError):
    """Raised instead of the call's own error: Rasa handles connection errors
    of custom actions, and the message holds no conversation data."""


class GuardedActionEndpoint(EndpointConfig):
    @classmethod
    def guarding(cls, config: EndpointConfig) -> "GuardedActionEndpoint":
        return cls(
            url=config.url,
            params=config.params,
            headers=config.headers,
            basic_auth=config.basic_auth,
            token=config.token,
            token_name=config.token_name,
            cafile=config.cafile,
            **config.kwargs,
        )

    @property
    def timeout_s(self) -> float:
        return float(self.kwargs.get("timeout", DEFAULT_TIMEOUT_S))

    async def request(
        self,
        method: str = "post",
        subpath: Optional[str] = None,
        content_type: Optional[str] = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Optional[Any]:
        if current_turn_failed():
            raise ActionServerUnavailable("skipped: this turn has already failed")
        kwargs["timeout"] = self.timeout_s
        try:
            return await super().request(method, subpath, content_type, compress, **kwargs)
        except ClientResponseError as error:
            if error.status == REJECTED:
                raise
            # The error's text is the action server's reply, which may quote the conversation.
            raise self._failed(f"status {error.status}") from None
        except asyncio.TimeoutError:
            raise self._failed(f"no answer within {self.timeout_s:g} s") from None
        except aiohttp.ClientError as error:
            raise self._failed(error.__class__.__name__) from None

    def _failed(self, reason: str) -> ActionServerUnavailable:
        report_failure(ACTION_SERVER, reason)
        return ActionServerUnavailable(f"action server at {self.url}: {reason}")


ResponseCheck = Callable[[RemoteAction, Any], bool]
rasa_response_check: Optional[ResponseCheck] = getattr(RemoteAction, "_validate_action_result", None)


def compiled_response_check(schema: Dict[str, Any]) -> ResponseCheck:
    """Rasa's check of a response against ``schema``, with the schema itself checked once rather than per call."""
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def check_response(action: RemoteAction, result: Any) -> bool:
        if action.action_response_format_spec() == schema and validator.is_valid(result):
            return True
        return rasa_response_check(action, result)  # Rasa's verdict, with Rasa's error

    return check_response


def check_responses_with_compiled_schema() -> None:
    if rasa_response_check is None:
        logger.warning("Rasa has no RemoteAction._validate_action_result: see docs/RASA_INTERNALS.md.")
        return
    try:
        check = compiled_response_check(RemoteAction.action_response_format_spec())
    except Exception as error:  # whatever it is, Rasa's own check stays, which is always safe
        logger.warning("Action responses keep Rasa's own check: %r (see docs/RASA_INTERNALS.md).", error)
        return
    RemoteAction._validate_action_result = check


def prepare_action_calls(agent: Any) -> None:
    """Route the agent's custom action calls (now and after a model reload)
    through a ``GuardedActionEndpoint`` and check their responses with the
    compiled schema; nothing to do without an action endpoint."""
    endpoint = agent.action_endpoint
    if endpoint is None or isinstance(endpoint, GuardedActionEndpoint):
        return
    check_responses_with_compiled_schema()
    agent.action_endpoint = GuardedActionEndpoint.guarding(endpoint)
    if agent.processor is not None:
        agent.processor.action_endpoint = agent.action_endpoint
    logger.info("Custom action calls time out after %g s.", agent.action_endpoint.timeout_s)
