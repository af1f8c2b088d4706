/**
 * Reads a V8 heap snapshot (as `--heapsnapshot-signal` or v8.writeHeapSnapshot write it) and sums retained size by
 * constructor, so a soak that shows growth can say what holds the memory. Retained sizes come from the dominator
 * tree, computed with the iterative algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast Dominance Algorithm"),
 * the one Chrome DevTools' heap profiler uses; weak edges do not retain, as in DevTools.
 */
import { readFileSync } from "node:fs";
/** The heap by constructor, largest retained size first. */
export function summarizeHeap(file) {
    const raw = JSON.parse(readFileSync(file, "utf8"));
    const meta = raw.snapshot.meta;
    const nf = meta.node_fields.length;
    const ef = meta.edge_fields.length;
    const typeOff = meta.node_fields.indexOf("type");
    const nameOff = meta.node_fields.indexOf("name");
    const sizeOff = meta.node_fields.indexOf("self_size");
    const edgeCountOff = meta.node_fields.indexOf("edge_count");
    const edgeTypeOff = meta.edge_fields.indexOf("type");
    const toOff = meta.edge_fields.indexOf("to_node");
    const nodeTypes = meta.node_types[0];
    const weak = meta.edge_types[0].indexOf("weak");
    const shortcut = meta.edge_types[0].indexOf("shortcut");
    const n = raw.nodes.length / nf;
    const firstEdge = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++)
        firstEdge[i + 1] = firstEdge[i] + raw.nodes[i * nf + edgeCountOff] * ef;
    const retains = (e) => raw.edges[e + edgeTypeOff] !== weak && raw.edges[e + edgeTypeOff] !== shortcut;
    // Depth-first post-order from the root (node 0), iteratively.
    const post = new Int32Array(n).fill(-1);
    const order = new Uint32Array(n);
    const cursor = new Uint32Array(n);
    const stack = new Uint32Array(n);
    const visited = new Uint8Array(n);
    let sp = 0;
    let count = 0;
    stack[sp++] = 0;
    visited[0] = 1;
    cursor[0] = firstEdge[0];
    while (sp > 0) {
        const v = stack[sp - 1];
        if (cursor[v] < firstEdge[v + 1]) {
            const e = cursor[v];
            cursor[v] += ef;
            const w = raw.edges[e + toOff] / nf;
            if (retains(e) && !visited[w]) {
                visited[w] = 1;
                cursor[w] = firstEdge[w];
                stack[sp++] = w;
            }
        }
        else {
            sp--;
            post[v] = count;
            order[count++] = v;
        }
    }
    // Predecessors of reachable nodes (CSR).
    const predCount = new Uint32Array(n + 1);
    for (let v = 0; v < n; v++) {
        if (!visited[v])
            continue;
        for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += ef)
            if (retains(e))
                predCount[raw.edges[e + toOff] / nf + 1]++;
    }
    for (let i = 0; i < n; i++)
        predCount[i + 1] += predCount[i];
    const preds = new Uint32Array(predCount[n]);
    const fill = predCount.slice(0, n);
    for (let v = 0; v < n; v++) {
        if (!visited[v])
            continue;
        for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += ef)
            if (retains(e))
                preds[fill[raw.edges[e + toOff] / nf]++] = v;
    }
    // Immediate dominators by post-order number; the root dominates itself.
    const idom = new Int32Array(count).fill(-1);
    const rootPost = post[0];
    idom[rootPost] = rootPost;
    for (let changed = true; changed;) {
        changed = false;
        for (let p = count - 1; p >= 0; p--) {
            if (p === rootPost)
                continue;
            const v = order[p];
            let dom = -1;
            for (let i = predCount[v]; i < predCount[v + 1]; i++) {
                const q = post[preds[i]];
                if (q < 0 || idom[q] < 0)
                    continue;
                dom = dom < 0 ? q : intersect(idom, dom, q);
            }
            if (dom >= 0 && idom[p] !== dom) {
                idom[p] = dom;
                changed = true;
            }
        }
    }
    // Retained sizes: children before parents in post-order.
    const retained = new Float64Array(count);
    for (let p = 0; p < count; p++)
        retained[p] += raw.nodes[order[p] * nf + sizeOff];
    for (let p = 0; p < count; p++)
        if (p !== rootPost && idom[p] >= 0)
            retained[idom[p]] += retained[p];
    // Group ids by constructor, then one walk down the dominator tree that knows which groups are on the path above.
    const groupIds = new Map();
    const groupOfPost = new Uint32Array(count);
    for (let p = 0; p < count; p++) {
        const v = order[p];
        const type = nodeTypes[raw.nodes[v * nf + typeOff]];
        const key = type === "object" || type === "native" ? raw.strings[raw.nodes[v * nf + nameOff]] : `(${type})`;
        let id = groupIds.get(key);
        if (id === undefined)
            groupIds.set(key, (id = groupIds.size));
        groupOfPost[p] = id;
    }
    const groups = [...groupIds.keys()].map((name) => ({ name, count: 0, selfSize: 0, retainedSize: 0 }));
    const childStart = new Uint32Array(count + 1);
    for (let p = 0; p < count; p++)
        if (p !== rootPost && idom[p] >= 0)
            childStart[idom[p] + 1]++;
    for (let i = 0; i < count; i++)
        childStart[i + 1] += childStart[i];
    const children = new Uint32Array(childStart[count]);
    const next = childStart.slice(0, count);
    for (let p = 0; p < count; p++)
        if (p !== rootPost && idom[p] >= 0)
            children[next[idom[p]]++] = p;
    const onPath = new Uint32Array(groups.length);
    const walk = new Uint32Array(count);
    const at = childStart.slice(0, count);
    let top = 0;
    const enter = (p) => {
        const g = groups[groupOfPost[p]];
        g.count++;
        g.selfSize += raw.nodes[order[p] * nf + sizeOff];
        if (onPath[groupOfPost[p]] === 0)
            g.retainedSize += retained[p];
        onPath[groupOfPost[p]]++;
        walk[top++] = p;
    };
    enter(rootPost);
    while (top > 0) {
        const p = walk[top - 1];
        if (at[p] < childStart[p + 1])
            enter(children[at[p]++]);
        else {
            onPath[groupOfPost[p]]--;
            top--;
        }
    }
    const sorted = groups.filter((g) => g.count > 0).sort((a, b) => b.retainedSize - a.retainedSize);
    return { total: retained[rootPost], groups: sorted };
}
function intersect(idom, a, b) {
    while (a !== b) {
        while (a < b)
            a = idom[a];
        while (b < a)
            b = idom[b];
    }
    return a;
}
/** The summary as lines: the top `n` constructors with retained and self size in MB and object count. */
export function formatHeapSummary(s, n = 15) {
    const mb = (b) => (b / 1048576).toFixed(1).padStart(7);
    const lines = [`heap ${mb(s.total).trim()} MB reachable; top constructors by retained size (MB retained, MB self, count):`];
    for (const g of s.groups.slice(0, n))
        lines.push(`  ${mb(g.retainedSize)} ${mb(g.selfSize)} ${String(g.count).padStart(9)}  ${g.name}`);
    return lines;
}
if (process.argv[1]?.endsWith("heap-summary.js") && process.argv[2]) {
    for (const line of formatHeapSummary(summarizeHeap(process.argv[2]), Number(process.argv[3] ?? 25)))
        console.log(line);
}
//# sourceMappingURL=heap-summary.js.map