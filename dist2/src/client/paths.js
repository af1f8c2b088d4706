/**
 * `/api/v1/namespaces/NS/pods/NAME/SUB`, `/apis/G/V/KIND`, … The namespace is used only for namespaced kinds;
 * omitted for a namespaced kind, the path spans all namespaces.
 */
export function resourcePath(info, namespace, name, subresource) {
    let path = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
    if (info.namespaced && namespace)
        path += `/namespaces/${encodeURIComponent(namespace)}`;
    path += `/${info.plural}`;
    if (name !== undefined)
        path += `/${encodeURIComponent(name)}`;
    if (subresource)
        path += `/${subresource}`;
    return path;
}
//# sourceMappingURL=paths.js.map