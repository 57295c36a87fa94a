"""Calls a bankops server as a KServe/Triton client would: tritonclient's HTTP InferenceServerClient.

Usage: oip-client.py <host:port> <api key> <model name> <record as JSON>; prints one JSON object.
"""

import json
import sys

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

url, key, name, record = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
headers = {"Authorization": f"Bearer {key}"}
client = httpclient.InferenceServerClient(url=url)
metadata = client.get_model_metadata(name, headers=headers)

rows = 3
inputs = []
for tensor in metadata["inputs"]:
    if tensor["name"] not in record:
        continue
    dtype = np.object_ if tensor["datatype"] == "BYTES" else np.int64
    data = np.array([record[tensor["name"]]] * rows, dtype=dtype)
    infer_input = httpclient.InferInput(tensor["name"], [rows], tensor["datatype"])
    infer_input.set_data_from_numpy(data, binary_data=False)
    inputs.append(infer_input)
outputs = [
    httpclient.InferRequestedOutput(output, binary_data=False)
    for output in ("probability", "prediction_id")
]
result = client.infer(name, inputs, outputs=outputs, headers=headers, request_id="oip-test")

try:
    client.get_model_metadata("no-such-model", headers=headers)
    wrong_name = "answered"
except InferenceServerException as error:
    wrong_name = error.status()

print(
    json.dumps(
        {
            "live": client.is_server_live(headers=headers),
            "ready": client.is_server_ready(headers=headers),
            "model_ready": client.is_model_ready(name, headers=headers),
            "metadata": metadata,
            "probability": result.as_numpy("probability").tolist(),
            "prediction_id": [v.decode() if isinstance(v, bytes) else v for v in result.as_numpy("prediction_id").tolist()],
            "response": result.get_response(),
            "wrong_name": wrong_name,
        }
    )
)
