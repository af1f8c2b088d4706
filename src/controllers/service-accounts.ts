/**
 * The ServiceAccount and root-CA publisher controllers (pkg/controller/serviceaccount, pkg/controller/certificates/
 * rootcacertpublisher): every active namespace has a `default` ServiceAccount and, when the node has a CA, a
 * `kube-root-ca.crt` ConfigMap whose `ca.crt` is that CA — recreated when deleted, restored when edited. Changes are
 * gathered and written once per event-loop turn (a write from inside a watch handler would re-enter the store).
 */
import { ApiError } from "../api/errors.js";
import type { ServiceAccount } from "../api/service-account.js";
import { DEFAULT_SERVICE_ACCOUNT } from "../api/service-account.js";
import type { ConfigMap, KubeObject, Namespace } from "../api/types.js";
import type { Store } from "../store/store.js";
import { NamespaceMarks } from "./namespace-marks.js";

export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";

export class ServiceAccountsController {
  private readonly marks = new NamespaceMarks((name) => this.sync(name));

  /** `rootCA`: the PEM published as kube-root-ca.crt (none: no ConfigMap is published). */
  constructor(
    private readonly store: Store,
    private readonly rootCA: string | undefined,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  start(): void {
    const mark = (o: KubeObject) => this.marks.mark(o.kind === "Namespace" ? o.metadata.name ?? "" : o.metadata.namespace ?? "");
    this.marks.watching([
      this.store.watch("Namespace", {}, (ev) => mark(ev.object)),
      this.store.watch("ServiceAccount", { fieldSelector: `metadata.name=${DEFAULT_SERVICE_ACCOUNT}` }, (ev) => mark(ev.object)),
      this.store.watch("ConfigMap", { fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` }, (ev) => mark(ev.object)),
    ]);
    for (const ns of this.store.list<Namespace>("Namespace").items) this.marks.add(ns.metadata.name ?? "");
    this.flush();
  }

  stop(): void {
    this.marks.stop();
  }

  /** Brings every marked namespace in line. */
  flush(): void {
    this.marks.flush();
  }

  private sync(name: string): void {
    const ns = this.store.get<Namespace>("Namespace", "", name);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === "Terminating") return;
    this.tryWrite(name, () => this.ensureDefaultAccount(name));
    if (this.rootCA !== undefined) this.tryWrite(name, () => this.ensureRootCA(name, this.rootCA!));
  }

  private ensureDefaultAccount(ns: string): void {
    if (this.store.get("ServiceAccount", ns, DEFAULT_SERVICE_ACCOUNT)) return;
    this.store.create<ServiceAccount>({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: ns } });
  }

  private ensureRootCA(ns: string, pem: string): void {
    const cm = this.store.get<ConfigMap>("ConfigMap", ns, ROOT_CA_CONFIGMAP);
    const data = { "ca.crt": pem };
    const annotations = { "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." };
    if (!cm) {
      this.store.create<ConfigMap>({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: ROOT_CA_CONFIGMAP, namespace: ns, annotations }, data });
    } else if (cm.data?.["ca.crt"] !== pem || Object.keys(cm.data ?? {}).length !== 1 || cm.binaryData) {
      this.store.update<ConfigMap>({ ...cm, data, binaryData: undefined }, { resourceVersion: cm.metadata.resourceVersion });
    }
  }

  /** A conflict or an AlreadyExists means someone wrote meanwhile: that write marked the namespace again. */
  private tryWrite(ns: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) this.log(`service accounts: namespace ${ns}: ${String(err)}`);
    }
  }
}
