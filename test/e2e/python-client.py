# A second real client: Debian's python3-kubernetes against nodelet. Reads SERVER, CA, NS, CM and either TOKEN or
# CERT+KEY from the environment; lists, creates, watches, reads logs, execs (WebSocket) and tries another
# namespace; prints one JSON object with what each step saw. Run by access-python.test.ts.
import json
import os

from kubernetes import client, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import stream

cfg = client.Configuration()
cfg.host = os.environ["SERVER"]
cfg.ssl_ca_cert = os.environ["CA"]
if os.environ.get("TOKEN"):
    cfg.api_key = {"authorization": os.environ["TOKEN"]}
    cfg.api_key_prefix = {"authorization": "Bearer"}
else:
    cfg.cert_file = os.environ["CERT"]
    cfg.key_file = os.environ["KEY"]
api = client.CoreV1Api(client.ApiClient(cfg))
ns = os.environ["NS"]
out = {}


def refusal(e):
    body = json.loads(e.body)
    return {"status": e.status, "reason": body.get("reason"), "message": body.get("message")}


out["list"] = [p.metadata.name for p in api.list_namespaced_pod(ns).items]
cm = api.create_namespaced_config_map(ns, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": os.environ["CM"]}, "data": {"k": "v"}})
out["created"] = cm.metadata.name
seen = []
w = watch.Watch()
for ev in w.stream(api.list_namespaced_config_map, ns, resource_version="0", timeout_seconds=10):
    seen.append(ev["type"] + " " + ev["object"].metadata.name)
    if ev["object"].metadata.name == os.environ["CM"]:
        w.stop()
out["watched"] = seen
out["logs"] = api.read_namespaced_pod_log("web", ns)
out["exec"] = stream(api.connect_get_namespaced_pod_exec, "web", ns, command=["echo", "hi"], stderr=True, stdin=False, stdout=True, tty=False)
try:
    api.list_namespaced_pod("default")
    out["default"] = "allowed"
except ApiException as e:
    out["default"] = refusal(e)
print(json.dumps(out))
