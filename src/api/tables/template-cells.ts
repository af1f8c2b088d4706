/** The wide columns' cells of a pod-template owner (printers.go layoutContainerCells), for apps and batch kinds. */
import type { PodTemplateSpec } from "../apps-types.js";
import { labelSelectorToString } from "../labels.js";
import type { LabelSelector } from "../types.js";

/** Containers, Images and Selector cells of a workload's template. */
export function templateCells(template: PodTemplateSpec | undefined, selector: LabelSelector | undefined): string[] {
  const containers = template?.spec?.containers ?? [];
  let sel: string;
  try {
    sel = selector ? labelSelectorToString(selector) || "<none>" : "<none>";
  } catch {
    sel = "<invalid>";
  }
  return [containers.map((c) => c.name).join(","), containers.map((c) => c.image ?? "").join(","), sel];
}
