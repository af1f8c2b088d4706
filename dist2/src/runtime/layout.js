/**
 * Where everything of the runtime lives on disk, in one place. Paths follow the kubelet's where there is a
 * convention users know (/var/log/pods/NS_POD_UID/CTR/N.log, /var/log/containers/POD_NS_CTR-ID.log,
 * pods/UID/volumes/kubernetes.io~empty-dir/NAME).
 */
import { join } from "node:path";
export class Layout {
    root;
    logDir;
    shimPath;
    constructor(
    /** --root, default /var/lib/nodelet. */
    root, 
    /** --log-dir: holds pods/ and containers/; default /var/log, or ROOT/log when --root is not the default. */
    logDir, 
    /** Directory of the nodelet-shim binary. */
    shimPath) {
        this.root = root;
        this.logDir = logDir;
        this.shimPath = shimPath;
    }
    get storeFile() {
        return join(this.root, "store.db");
    }
    get imagesDir() {
        return join(this.root, "images");
    }
    /** Monitors drop one exit record per container here; the runtime watches this one directory. */
    get exitsDir() {
        return join(this.root, "exits");
    }
    get podsDir() {
        return join(this.root, "pods");
    }
    podDir(uid) {
        return join(this.podsDir, uid);
    }
    podStateFile(uid) {
        return join(this.podDir(uid), "sandbox.json");
    }
    /** Recorded host steps for `nodelet explain`. */
    podExplainFile(uid) {
        return join(this.podDir(uid), "explain.jsonl");
    }
    podEtcFile(uid, name) {
        return join(this.podDir(uid), name);
    }
    /**
     * The pod's tmpfs for state that must not reach the disk: the environment of containers that read Secrets
     * (containerd keeps its specs under /run for the same reason).
     */
    podRunDir(uid) {
        return join(this.podDir(uid), "run");
    }
    containerEnvFile(uid, id) {
        return join(this.podRunDir(uid), `${id}.env.json`);
    }
    podShmDir(uid) {
        return join(this.podDir(uid), "shm");
    }
    volumeDir(uid, plugin, name) {
        return join(this.podDir(uid), "volumes", plugin, name);
    }
    containerDir(uid, id) {
        return join(this.podDir(uid), "containers", id);
    }
    containerStateFile(uid, id) {
        return join(this.containerDir(uid, id), "container.json");
    }
    exitFile(id) {
        return join(this.exitsDir, `${id}.json`);
    }
    podLogDir(namespace, name, uid) {
        return join(this.logDir, "pods", `${namespace}_${name}_${uid}`);
    }
    containerLogFile(namespace, name, uid, container, attempt) {
        return join(this.podLogDir(namespace, name, uid), container, `${attempt}.log`);
    }
    containerLogLink(namespace, name, container, id) {
        return join(this.logDir, "containers", `${name}_${namespace}_${container}-${id}.log`);
    }
}
//# sourceMappingURL=layout.js.map