"""Assemble the credentials file the Rasa server starts with.

credentials.yml holds the channels that always run (REST, web chat); each
optional channel's file is added when its environment variable is set:
Rasa stops at start-up on an unset ${VARIABLE}, so `make run` works with no
Slack or Teams settings. The ${VARIABLES} are written as they are, for Rasa
to fill in. Usage: python -m channels.credentials OUTPUT_FILE
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Optional channel file -> the environment variable that switches it on.
OPTIONAL_CHANNELS = {"credentials.slack.yml": "BME_SLACK_TOKEN", "credentials.teams.yml": "BME_TEAMS_APP_ID"}


def enabled_files(env: Mapping[str, str]) -> List[str]:
    return ["credentials.yml", *(name for name, variable in OPTIONAL_CHANNELS.items() if env.get(variable))]


def assemble(env: Mapping[str, str], root: Path = ROOT) -> Dict[str, Any]:
    credentials: Dict[str, Any] = {}
    for name in enabled_files(env):
        credentials.update(yaml.safe_load((root / name).read_text()) or {})
    return credentials


def write(credentials: Mapping[str, Any], path: Path) -> None:
    path.write_text(yaml.safe_dump(dict(credentials), sort_keys=False))


def main(argv: List[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    write(assemble(os.environ), Path(argv[0]))
    print("Channels from " + ", ".join(enabled_files(os.environ)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
