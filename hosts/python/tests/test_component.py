"""The real component, run by wasmtime-py, against loopback servers."""

import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import s1_download_from_cloud as dfc
from servers import AUTH_FAILED_BODY, SUCCESS_BODY, Canned, CannedServer, refused_url

TOKEN = "demo-token-abc123"
THREAT = "1462913347082287800"


def json_request(base_url, threat_id=THREAT, **conn):
    return json.dumps(
        {
            "connection": {"base_url": base_url, "api_token": TOKEN, **conn},
            "inputs": {"path_parameters": {"threat_id": threat_id}},
        }
    )


# --- documented 200 ---------------------------------------------------------


def test_success_returns_the_documented_element(action, ok_server):
    out = action.download_from_cloud(ok_server.url, TOKEN, THREAT, timeout_ms=5000)
    assert list(out) == ["status_code", "response_headers", "reason", "json_body"]
    assert out["status_code"] == 200
    assert out["reason"] == "OK"
    assert out["json_body"] == SUCCESS_BODY
    assert out["response_headers"]["Content-Type"] == "application/json"
    assert out["response_headers"]["X-RQID"] == "6774d02e-05e6-4a51-8c4c-168411f6fd66"
    assert out["response_headers"]["Content-Encoding"] == "gzip"

    [req] = ok_server.requests
    assert req.method == "GET"
    assert req.path == f"/web/api/v2.1/threats/{THREAT}/download-from-cloud"
    assert req.headers["authorization"] == f"ApiToken {TOKEN}"
    assert req.headers["accept"] == "application/json"
    assert "gzip" in req.headers["accept-encoding"]
    assert req.headers["user-agent"].startswith("sentinelone-download-from-cloud/")


def test_json_entry_matches_the_typed_entry(action, ok_server):
    typed = action.download_from_cloud(ok_server.url + "/web/api/v2.1/", TOKEN, f"  {THREAT} ")
    text = action.invoke_json(json_request(ok_server.url, timeout_ms=5000, max_retries=0))
    doc = json.loads(text)
    assert isinstance(doc, list) and len(doc) == 1
    # Date may differ between the two answers; everything else must be equal.
    for d in (typed, doc[0]):
        d["response_headers"].pop("Date", None)
    assert doc[0] == typed
    assert [r.path for r in ok_server.requests] == [f"/web/api/v2.1/threats/{THREAT}/download-from-cloud"] * 2


def test_module_level_functions(ok_server):
    out = dfc.download_from_cloud(ok_server.url, TOKEN, THREAT, timeout_ms=5000, max_retries=1)
    assert out["json_body"]["data"]["fileName"] == "abc"
    assert json.loads(dfc.invoke_json(json_request(ok_server.url)))[0]["json_body"] == SUCCESS_BODY


def test_concurrent_calls(action, ok_server):
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda _: action.download_from_cloud(ok_server.url, TOKEN, THREAT), range(8)))
    assert all(o["json_body"] == SUCCESS_BODY for o in outs)
    assert len(ok_server.requests) == 8


# --- http-status ------------------------------------------------------------


def test_401_is_http_status_with_the_whole_answer(action, unauthorized_server):
    with pytest.raises(dfc.HttpStatus) as info:
        action.download_from_cloud(unauthorized_server.url, TOKEN, THREAT, timeout_ms=5000)
    err = info.value
    assert isinstance(err, dfc.DownloadFromCloudError) and err.kind == "http-status"
    assert err.status_code == 401
    assert err.output["reason"] == "Unauthorized"
    assert err.output["json_body"] == AUTH_FAILED_BODY
    assert "Authentication Failed" in str(err)
    assert TOKEN not in str(err) and TOKEN not in err.error_json
    assert len(unauthorized_server.requests) == 1  # 401 is not retried


def test_401_through_the_json_entry(action, unauthorized_server):
    with pytest.raises(dfc.HttpStatus) as info:
        action.invoke_json(json_request(unauthorized_server.url))
    err = info.value
    doc = json.loads(err.error_json)["error"]
    assert doc["kind"] == "http-status"
    assert "Authentication Failed" in doc["message"] and "4010010" in doc["message"]
    assert err.message == doc["message"]
    assert doc["output"][0]["status_code"] == 401
    assert err.output == doc["output"][0]
    assert TOKEN not in err.error_json


# --- invalid-input: nothing is sent ----------------------------------------


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"threat_id": "x"}, "inputs.path_parameters.threat_id"),
        ({"threat_id": "12345678901234567890"}, "inputs.path_parameters.threat_id"),
        ({"api_token": "has space"}, "connection.api_token"),
        ({"api_token": ""}, "connection.api_token"),
        ({"timeout_ms": 0}, "connection.timeout_ms"),
        ({"max_retries": 11}, "connection.max_retries"),
    ],
)
def test_invalid_input_sends_nothing(action, ok_server, kwargs, field):
    args = {"base_url": ok_server.url, "api_token": TOKEN, "threat_id": THREAT, **kwargs}
    with pytest.raises(dfc.InvalidInput) as info:
        action.download_from_cloud(**args)
    assert info.value.kind == "invalid-input"
    assert field in info.value.message
    assert ok_server.requests == []


def test_invalid_base_url(action, ok_server):
    with pytest.raises(dfc.InvalidInput, match="connection.base_url"):
        action.download_from_cloud(ok_server.url + "/?q=1", TOKEN, THREAT)
    assert ok_server.requests == []


@pytest.mark.parametrize(
    "request_text",
    [
        "not json",
        json.dumps({"connection": {"base_url": "http://127.0.0.1:9"}, "inputs": {}}),
        json.dumps(
            {
                "connection": {"base_url": "http://127.0.0.1:9", "api_token": "t"},
                "inputs": {"path_parameters": {"threat_id": 1}},
            }
        ),
    ],
)
def test_invalid_json_requests(action, request_text):
    with pytest.raises(dfc.InvalidInput) as info:
        action.invoke_json(request_text)
    assert json.loads(info.value.error_json)["error"]["kind"] == "invalid-input"


# --- timeout, transport, invalid-response ----------------------------------


def test_server_that_never_answers_times_out(action, silent_server):
    start = time.monotonic()
    with pytest.raises(dfc.Timeout) as info:
        action.download_from_cloud(silent_server.url, TOKEN, THREAT, timeout_ms=500)
    elapsed = time.monotonic() - start
    assert info.value.kind == "timeout"
    assert "500 ms" in info.value.message
    assert 0.45 <= elapsed < 2.0, elapsed
    assert len(silent_server.accepted) == 1


def test_timeout_through_the_json_entry(action, silent_server):
    with pytest.raises(dfc.Timeout):
        action.invoke_json(json_request(silent_server.url, timeout_ms=300))


def test_refused_connection_is_transport(action):
    with pytest.raises(dfc.Transport, match="refused"):
        action.download_from_cloud(refused_url(), TOKEN, THREAT, timeout_ms=2000)


def test_2xx_without_the_documented_data_is_invalid_response(action):
    server = CannedServer(Canned(200, {"data": {}}))
    try:
        with pytest.raises(dfc.InvalidResponse):
            action.download_from_cloud(server.url, TOKEN, THREAT, timeout_ms=5000)
    finally:
        server.close()


def test_missing_component_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="S1_DFC_COMPONENT"):
        dfc.Action(tmp_path / "nope.wasm")


# --- the bundled console simulator (optional) -------------------------------

SIM_BIN = Path(os.environ.get("S1_DFC_BIN", "/work/main/target/debug/s1-dfc"))


@pytest.mark.skipif(not SIM_BIN.is_file(), reason=f"simulator binary not found at {SIM_BIN} (set S1_DFC_BIN)")
def test_against_the_bundled_simulator(action):
    port = int(refused_url().rsplit(":", 1)[1])
    proc = subprocess.Popen([str(SIM_BIN), "simulate", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        out = action.download_from_cloud(url, TOKEN, THREAT, timeout_ms=5000)
        assert out["status_code"] == 200
        assert out["response_headers"]["Server"] == "nginx"
        assert out["json_body"]["data"]["fileName"]
    finally:
        proc.kill()
        proc.wait(5)
