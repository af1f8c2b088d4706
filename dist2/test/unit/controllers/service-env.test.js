import { test } from "node:test";
import assert from "node:assert/strict";
import { serviceEnvVars } from "../../../src/controllers/service-env.js";
test("service links: kubelet's variables for each service with a cluster IP", () => {
    const svc = (name, spec) => ({ apiVersion: "v1", kind: "Service", metadata: { name }, spec });
    const env = serviceEnvVars([
        svc("my-web", { clusterIP: "10.96.0.5", ports: [{ name: "http", port: 80, protocol: "TCP" }, { name: "dns-udp", port: 53, protocol: "UDP" }] }),
        svc("headless", { clusterIP: "None", ports: [{ port: 80 }] }),
    ]);
    assert.deepEqual(env, {
        MY_WEB_SERVICE_HOST: "10.96.0.5",
        MY_WEB_SERVICE_PORT: "80",
        MY_WEB_SERVICE_PORT_HTTP: "80",
        MY_WEB_SERVICE_PORT_DNS_UDP: "53",
        MY_WEB_PORT: "tcp://10.96.0.5:80",
        MY_WEB_PORT_80_TCP: "tcp://10.96.0.5:80",
        MY_WEB_PORT_80_TCP_PROTO: "tcp",
        MY_WEB_PORT_80_TCP_PORT: "80",
        MY_WEB_PORT_80_TCP_ADDR: "10.96.0.5",
        MY_WEB_PORT_53_UDP: "udp://10.96.0.5:53",
        MY_WEB_PORT_53_UDP_PROTO: "udp",
        MY_WEB_PORT_53_UDP_PORT: "53",
        MY_WEB_PORT_53_UDP_ADDR: "10.96.0.5",
    });
});
//# sourceMappingURL=service-env.test.js.map