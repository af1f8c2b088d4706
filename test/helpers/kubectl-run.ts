/**
 * The real kubectl as a child process for tests against an API server of their own: a given kubeconfig, a
 * discovery cache of its own, HOME set to the test's directory (no user's ~/.kube), stdin closed after `input`
 * (with no credentials kubectl would otherwise wait to prompt for a password), killed after `timeoutMs`.
 */
import { spawn } from "node:child_process";

export interface KubectlRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface KubectlEnv {
  kubeconfig: string;
  cacheDir: string;
  home: string;
}

export function runKubectl(env: KubectlEnv, args: string[], input?: string, timeoutMs = 30_000): Promise<KubectlRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("kubectl", ["--kubeconfig", env.kubeconfig, "--cache-dir", env.cacheDir, ...args], { env: { PATH: process.env.PATH, HOME: env.home } });
    child.stdin.end(input);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
