/**
 * The ServiceAccount and root-CA publisher controllers (pkg/controller/serviceaccount, pkg/controller/certificates/
 * rootcacertpublisher): every active namespace has a `default` ServiceAccount and, when the node has a CA, a
 * `kube-root-ca.crt` ConfigMap whose `ca.crt` is that CA — recreated when deleted, restored when edited. Changes are
 * gathered and written once per event-loop turn (a write from inside a watch handler would re-enter the store).
 */
import { ApiError } from "../api/errors.js";
import { DEFAULT_SERVICE_ACCOUNT } from "../api/service-account.js";
export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
export class ServiceAccountsController {
    store;
    rootCA;
    log;
    dirty = new Set();
    scheduled = false;
    stops = [];
    /** `rootCA`: the PEM published as kube-root-ca.crt (none: no ConfigMap is published). */
    constructor(store, rootCA, log = () => undefined) {
        this.store = store;
        this.rootCA = rootCA;
        this.log = log;
    }
    start() {
        const mark = (o) => this.mark(o.kind === "Namespace" ? o.metadata.name ?? "" : o.metadata.namespace ?? "");
        this.stops = [
            this.store.watch("Namespace", {}, (ev) => mark(ev.object)),
            this.store.watch("ServiceAccount", { fieldSelector: `metadata.name=${DEFAULT_SERVICE_ACCOUNT}` }, (ev) => mark(ev.object)),
            this.store.watch("ConfigMap", { fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` }, (ev) => mark(ev.object)),
        ];
        for (const ns of this.store.list("Namespace").items)
            this.dirty.add(ns.metadata.name ?? "");
        this.flush();
    }
    stop() {
        for (const s of this.stops)
            s();
        this.stops = [];
    }
    mark(ns) {
        this.dirty.add(ns);
        if (this.scheduled)
            return;
        this.scheduled = true;
        setImmediate(() => {
            this.scheduled = false;
            if (this.stops.length)
                this.flush();
        });
    }
    /** Brings every marked namespace in line. */
    flush() {
        const names = [...this.dirty];
        this.dirty.clear();
        for (const name of names) {
            const ns = this.store.get("Namespace", "", name);
            if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === "Terminating")
                continue;
            this.tryWrite(name, () => this.ensureDefaultAccount(name));
            if (this.rootCA !== undefined)
                this.tryWrite(name, () => this.ensureRootCA(name, this.rootCA));
        }
    }
    ensureDefaultAccount(ns) {
        if (this.store.get("ServiceAccount", ns, DEFAULT_SERVICE_ACCOUNT))
            return;
        this.store.create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: ns } });
    }
    ensureRootCA(ns, pem) {
        const cm = this.store.get("ConfigMap", ns, ROOT_CA_CONFIGMAP);
        const data = { "ca.crt": pem };
        const annotations = { "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." };
        if (!cm) {
            this.store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: ROOT_CA_CONFIGMAP, namespace: ns, annotations }, data });
        }
        else if (cm.data?.["ca.crt"] !== pem || Object.keys(cm.data ?? {}).length !== 1 || cm.binaryData) {
            this.store.update({ ...cm, data, binaryData: undefined }, { resourceVersion: cm.metadata.resourceVersion });
        }
    }
    /** A conflict or an AlreadyExists means someone wrote meanwhile: that write marked the namespace again. */
    tryWrite(ns, fn) {
        try {
            fn();
        }
        catch (err) {
            if (!(err instanceof ApiError && (err.code === 409 || err.code === 404)))
                this.log(`service accounts: namespace ${ns}: ${String(err)}`);
        }
    }
}
//# sourceMappingURL=service-accounts.js.map