/**
 * Start-up objects created by several control-plane replicas at once: the replica whose create loses the race to
 * another's (it saw nothing, then AlreadyExists) goes on; any other refusal still fails.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import type { Namespace } from "../../../src/api/types.js";
import { createIfMissing } from "../../../src/store/create-if-missing.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";

const ns = (name: string): Namespace => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

/** `store` as a replica sees it when another one creates between its get and its create. */
function racing(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "get") return () => undefined;
      if (prop === "create") return <T extends Namespace>(obj: T) => {
        target.create(structuredClone(obj));
        return target.create(obj);
      };
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

describe("createIfMissing", () => {
  it("creates what is missing, leaves what exists, and takes another writer's AlreadyExists as done", () => {
    const store = openStore(":memory:");
    assert.equal(createIfMissing(store, ns("a")), true);
    assert.equal(createIfMissing(store, ns("a")), false);
    assert.equal(createIfMissing(racing(store), ns("b")), false);
    assert.ok(store.get("Namespace", "", "b"), "the other writer's object is there");
    store.close();
  });

  it("any other refusal is thrown", () => {
    const store = openStore(":memory:");
    const refusing = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === "create") return () => { throw new ApiError("Forbidden", "no"); };
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    assert.throws(() => createIfMissing(refusing, ns("c")), /no/);
  });
});
