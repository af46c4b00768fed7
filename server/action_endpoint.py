"""Custom action calls: a per-call time limit, failure reporting, and cheaper response checks.

Rasa 3.6 waits up to five minutes for each custom action call, and when a
call fails it logs the error and carries on as if the action had said
nothing, so the user gets silence or half an answer. ``GuardedActionEndpoint``
gives each call ``timeout`` seconds (the ``action_endpoint`` entry of the
endpoints file), reports a failed call into the current turn (``server.turns``)
and then skips the turn's remaining calls, so the input channel can tell the
user to try again within a few seconds.

Rasa also checks its constant response schema against the JSON Schema
meta-schema before validating each action server response
(``jsonschema.validate``): about 25 ms per call on a 2-core machine, as much
as the rest of a turn; and the schema checks each returned event against the
schema of every event type (``oneOf``), though only the type the event names
can match. ``check_responses_with_compiled_schema`` checks each event against
its type's schema alone, with validators built once; a response it rejects
still goes to Rasa's own check, which raises Rasa's own error.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, Dict, Optional

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


@lru_cache(maxsize=1)
def _event_validators() -> Dict[str, Any]:
    """For each event type, a validator of Rasa's event schema with only that type's part of ``oneOf``."""
    common = dict(RemoteAction.action_response_format_spec()["properties"]["events"]["items"])
    validators = {}
    for variant in common.pop("oneOf"):
        schema = {"allOf": [common, variant]}
        validator_class = jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)
        validators[variant["properties"]["event"]["const"]] = validator_class(schema)
    return validators


def _valid_event(event: Any) -> bool:
    name = event.get("event") if isinstance(event, dict) else None
    validator = _event_validators().get(name) if isinstance(name, str) else None
    return validator is not None and validator.is_valid(event)


def valid_action_response(result: Any) -> bool:
    """What Rasa's response schema accepts: a JSON object whose ``events`` (if any)
    are valid events and whose ``responses`` (if any) are JSON objects."""
    if not isinstance(result, dict):
        return False
    events, responses = result.get("events", []), result.get("responses", [])
    return (
        isinstance(events, list)
        and isinstance(responses, list)
        and all(isinstance(response, dict) for response in responses)
        and all(map(_valid_event, events))
    )


_rasa_response_check = RemoteAction._validate_action_result


def _check_response(action: RemoteAction, result: Dict[str, Any]) -> bool:
    return valid_action_response(result) or _rasa_response_check(action, result)


def check_responses_with_compiled_schema() -> None:
    RemoteAction._validate_action_result = _check_response


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
