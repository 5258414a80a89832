import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import AUTH_FAILED_BODY, SUCCESS_BODY, Canned, CannedServer, SilentServer  # noqa: E402

import s1_download_from_cloud as dfc  # noqa: E402


@pytest.fixture(scope="session")
def action():
    path = dfc.component_path()
    if not path.is_file():
        pytest.fail(f"component not found at {path}: set {dfc.ENV_COMPONENT} or build it (make build)")
    with dfc.Action(path) as a:
        yield a


@pytest.fixture
def ok_server():
    s = CannedServer(Canned(200, SUCCESS_BODY, gzip_body=True))
    yield s
    s.close()


@pytest.fixture
def unauthorized_server():
    s = CannedServer(Canned(401, AUTH_FAILED_BODY))
    yield s
    s.close()


@pytest.fixture
def silent_server():
    s = SilentServer()
    yield s
    s.close()
