export class PodWatcher {
    latest;
    uid;
    gone = false;
    waiters = [];
    handle;
    failure;
    constructor(client, namespace, name, initial) {
        if (initial)
            this.track(initial);
        this.handle = client.watch(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { fieldSelector: `metadata.name=${name}`, resourceVersion: initial?.metadata.resourceVersion ?? "0", watch: "true" }, (ev) => {
            const pod = ev.object;
            if (this.uid !== undefined && pod.metadata?.uid !== this.uid)
                return;
            if (ev.type === "DELETED")
                this.gone = true;
            else if (ev.type === "ADDED" || ev.type === "MODIFIED")
                this.latest = pod;
            this.notify();
        });
        this.handle.done.then(() => this.notify(), (err) => {
            this.failure = err;
            this.notify();
        });
    }
    /** From now on only this pod counts; it is the latest state unless the watch has already shown a newer one. */
    track(pod) {
        this.uid = pod.metadata.uid;
        if (this.latest?.metadata.uid !== this.uid) {
            this.latest = pod;
            this.gone = false;
        }
        this.notify();
    }
    notify() {
        for (const w of this.waiters.splice(0))
            w();
    }
    /** Resolves with the pod once `pred` holds; rejects when the pod is deleted, the watch fails or pred throws. */
    async until(pred) {
        for (;;) {
            if (this.latest && this.uid !== undefined && pred(this.latest))
                return this.latest;
            if (this.gone)
                throw new Error(`pod ${this.latest?.metadata.name ?? ""} was deleted`);
            if (this.failure)
                throw this.failure;
            await new Promise((r) => this.waiters.push(r));
        }
    }
    stop() {
        this.handle.stop();
    }
}
//# sourceMappingURL=pod-watcher.js.map