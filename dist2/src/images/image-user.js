/**
 * An image's USER ("name", "uid", "name:group", "uid:gid", mixed) resolved against the image's own /etc/passwd and
 * /etc/group (read inside the image root: image-root.ts), as runc's user.GetExecUser does for containerd:
 * a name must be in passwd, a number need not be; the primary group is the passwd entry's unless a group is given;
 * a group name must be in /etc/group; the additional groups are those listing the user as a member.
 */
const NUMBER = /^\d+$/;
const MAX_ID = 2 ** 32 - 2;
/** Parses /etc/passwd text: name:password:uid:gid:…; malformed lines are skipped, as libc does. */
export function parsePasswd(text) {
    return text
        .split("\n")
        .map((l) => l.split(":"))
        .filter((f) => f.length >= 4 && NUMBER.test(f[2]) && NUMBER.test(f[3]))
        .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]) }));
}
/** Parses /etc/group text: name:password:gid:member,member. */
export function parseGroup(text) {
    return text
        .split("\n")
        .map((l) => l.split(":"))
        .filter((f) => f.length >= 3 && NUMBER.test(f[2]))
        .map((f) => ({ name: f[0], gid: Number(f[2]), members: (f[3] ?? "").split(",").map((m) => m.trim()).filter(Boolean) }));
}
/**
 * The ids `user` names in the image; with `uidOverride` (the pod's runAsUser) that uid and its passwd group instead.
 * Throws with runc's messages: "unable to find user NAME: no matching entries in passwd file".
 */
export function resolveImageUser(user, passwd, group, uidOverride) {
    const [userPart, groupPart] = splitUser(user);
    let entry;
    let uid;
    if (uidOverride !== undefined) {
        uid = uidOverride;
        entry = passwd.find((p) => p.uid === uid);
    }
    else if (userPart === "") {
        uid = 0;
        entry = passwd.find((p) => p.uid === 0);
    }
    else if (NUMBER.test(userPart)) {
        uid = checkId(userPart, "user");
        entry = passwd.find((p) => p.uid === uid);
    }
    else {
        entry = passwd.find((p) => p.name === userPart);
        if (!entry)
            throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`);
        uid = entry.uid;
    }
    let gid = entry?.gid ?? 0;
    // With runAsUser the image's USER is not used at all, its group included (containerd's WithUserID).
    if (uidOverride === undefined && groupPart !== undefined && groupPart !== "") {
        if (NUMBER.test(groupPart))
            gid = checkId(groupPart, "group");
        else {
            const g = group.find((x) => x.name === groupPart);
            if (!g)
                throw new Error(`unable to find group ${groupPart}: no matching entries in group file`);
            gid = g.gid;
        }
    }
    const name = entry?.name;
    const additionalGids = name === undefined ? [] : [...new Set(group.filter((g) => g.members.includes(name) && g.gid !== gid).map((g) => g.gid))];
    return { uid, gid, additionalGids };
}
function splitUser(user) {
    const i = user.indexOf(":");
    return i < 0 ? [user.trim(), undefined] : [user.slice(0, i).trim(), user.slice(i + 1).trim()];
}
function checkId(s, what) {
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n > MAX_ID)
        throw new Error(`invalid ${what} id ${s}`);
    return n;
}
//# sourceMappingURL=image-user.js.map