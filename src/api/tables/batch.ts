/** Job and CronJob columns (printers.go printJob / printCronJob). */
import type { CronJob, Job, JobCondition } from "../batch-types.js";
import { formatAge, humanDuration } from "./format.js";
import { templateCells } from "./template-cells.js";
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from "./table.js";

const WIDE = [
  column("Containers", "Names of each container in the template.", { priority: 1 }),
  column("Images", "Images referenced by each container in the template.", { priority: 1 }),
  column(
    "Selector",
    "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
    { priority: 1 },
  ),
];

function has(conditions: JobCondition[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === "True");
}

/** The Status cell: the first of Complete, Failed, Terminating, Suspended, FailureTarget, SuccessCriteriaMet, Running. */
export function jobStatusCell(job: Job): string {
  const c = job.status?.conditions;
  if (has(c, "Complete")) return "Complete";
  if (has(c, "Failed")) return "Failed";
  if (job.metadata.deletionTimestamp) return "Terminating";
  if (has(c, "Suspended")) return "Suspended";
  if (has(c, "FailureTarget")) return "FailureTarget";
  if (has(c, "SuccessCriteriaMet")) return "SuccessCriteriaMet";
  return "Running";
}

/** `1/3`, or for a job without completions `0/1` (`0/1 of 4` with parallelism). */
export function jobCompletionsCell(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec.completions !== undefined && job.spec.completions !== null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** Start to completion, or start to now while running; empty before the start. */
export function jobDurationCell(job: Job, now: number): string {
  const start = job.status?.startTime ? Date.parse(job.status.startTime) : NaN;
  if (!Number.isFinite(start)) return "";
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return humanDuration(end - start);
}

export const jobPrinter: Printer<Job> = {
  columns: [
    NAME_COLUMN,
    column("Status", "Status of the job."),
    column("Completions", "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs."),
    column("Duration", "Time required to complete the job."),
    AGE_COLUMN,
    ...WIDE,
  ],
  cells(job, now) {
    return [job.metadata.name ?? "", jobStatusCell(job), jobCompletionsCell(job), jobDurationCell(job, now), formatAge(job.metadata.creationTimestamp, now), ...templateCells(job.spec?.template, job.spec?.selector)];
  },
};

export const cronJobPrinter: Printer<CronJob> = {
  columns: [
    NAME_COLUMN,
    column("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    column("Timezone", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones"),
    column("Suspend", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.", { type: "boolean" }),
    column("Active", "A list of pointers to currently running jobs.", { type: "integer" }),
    column("Last Schedule", "Information when was the last time the job was successfully scheduled."),
    AGE_COLUMN,
    ...WIDE,
  ],
  cells(cj, now) {
    const s = cj.status ?? {};
    const suspend = cj.spec.suspend === undefined || cj.spec.suspend === null ? "<unset>" : cj.spec.suspend ? "True" : "False";
    return [
      cj.metadata.name ?? "",
      cj.spec.schedule ?? "",
      cj.spec.timeZone ?? "<none>",
      suspend,
      (s.active ?? []).length,
      s.lastScheduleTime ? formatAge(s.lastScheduleTime, now) : "<none>",
      formatAge(cj.metadata.creationTimestamp, now),
      ...templateCells(cj.spec.jobTemplate?.spec?.template, cj.spec.jobTemplate?.spec?.selector),
    ];
  },
};
