"""Where the Rasa server's extensions rely on Rasa's or python-socketio's internals, and the versions checked.

Private methods and attributes, a skipped constructor, undocumented call
orders: an upgrade may change any of them without notice, and some would
fail silently (answers lost, conversations not saved). So the Rasa server
refuses to start when an installed version is not the one each reach was
checked against, and names the reaches to re-check. docs/RASA_INTERNALS.md
says why each is needed and what breaks if it changes.

To upgrade: re-check each named reach against the new version's source, run
``make test``, then update ``TESTED_VERSIONS``. Plain Python (it reads
package metadata only), so the check runs before any extension is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Callable, Dict, List, Optional, Tuple

DOC = "docs/RASA_INTERNALS.md"
TESTED_VERSIONS = {"rasa": "3.6.21", "python-socketio": "5.18.1"}


@dataclass(frozen=True)
class Reach:
    internal: str  # as named in the first column of the doc's table
    where: str
    packages: Tuple[str, ...] = ("rasa",)


REACHES = (
    Reach("RemoteAction._validate_action_result", "server/action_endpoint.py"),
    Reach("MessageProcessor.action_endpoint", "server/action_endpoint.py"),
    Reach("app.ctx.agent", "channels/webhooks.py, channels/plan_page.py"),
    Reach("SQLTrackerStore._retrieve", "server/tracker_store.py"),
    Reach("SQLTrackerStore._additional_events", "server/tracker_store.py"),
    Reach("SQLTrackerStore.SQLEvent", "server/tracker_store.py, server/conversations.py"),
    Reach("RedisLockStore ticket methods", "server/lock_store.py"),
    Reach("SocketIOInput.blueprint handlers", "channels/web.py", ("rasa", "python-socketio")),
    Reach("SlackBot.client", "channels/slack.py"),
    Reach("BotFrameworkInput.__init__", "channels/teams.py"),
    Reach("BotFramework.send", "channels/teams.py"),
    Reach("LogisticRegressionClassifier.clf", "components/intent_classifier.py"),
)

InstalledVersion = Callable[[str], Optional[str]]


class UntestedVersions(RuntimeError):
    """Not an ImportError: Rasa quietly swaps a tracker store that fails to import for an in-memory one."""


def installed_version(package: str) -> Optional[str]:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def untested_versions(installed: InstalledVersion = installed_version) -> Dict[str, Optional[str]]:
    """Each package whose installed version is not the tested one, with that version (None: not installed)."""
    versions = {package: installed(package) for package in TESTED_VERSIONS}
    return {package: version for package, version in versions.items() if version != TESTED_VERSIONS[package]}


def reaches_to_recheck(packages: Dict[str, Optional[str]]) -> List[Reach]:
    return [reach for reach in REACHES if set(reach.packages) & set(packages)]


def refuse_untested_versions(installed: InstalledVersion = installed_version) -> None:
    untested = untested_versions(installed)
    if not untested:
        return
    found = ", ".join(
        f"{package} {version or 'not installed'} (tested: {TESTED_VERSIONS[package]})"
        for package, version in untested.items()
    )
    reaches = "\n".join(f"  - {reach.internal} ({reach.where})" for reach in reaches_to_recheck(untested))
    raise UntestedVersions(
        f"{found}. This project relies on these internals, checked only with the tested versions:\n{reaches}\n"
        f"Re-check each (see {DOC}), then update TESTED_VERSIONS in server/internals.py."
    )
