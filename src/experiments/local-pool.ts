/**
 * Runs on one machine without Redis: N executor processes (executor.ts), each taking the next run of the list when
 * it is free. An executor that dies under a run (kill -9, out of memory) is replaced and the run goes back in the
 * list — it resumes from its checkpoint, which is on this machine — up to `attempts` times.
 */
import { join } from "node:path";
import { ExecutorDiedError, ExecutorProcess, type ProgressInfo, type Rows } from "./executor.js";
import type { GridRun } from "./run-kinds.js";

/** What a scheduler (this pool, or the Redis queue) reports while runs execute. */
export interface RunEvents {
  onStart(run: GridRun, worker: string): void;
  onProgress(run: GridRun, worker: string, value: number, total: number, info?: ProgressInfo): void;
  onLog(line: string): void;
  onDone(run: GridRun, rows: Rows, worker: string): void;
  onFailed(run: GridRun, message: string): void;
}

export interface LocalPoolOptions {
  workers: number;
  /** Run folders (checkpoints) go to <checkpointRoot>/<run id>. */
  checkpointRoot: string;
  /** Tries per run when its executor dies (default 2). A run that fails by itself is not retried. */
  attempts?: number;
}

export async function runLocal(runs: GridRun[], opts: LocalPoolOptions, ev: RunEvents): Promise<void> {
  const attempts = opts.attempts ?? 2;
  const todo = runs.map((run) => ({ run, tries: 0 }));
  const slot = async (k: number) => {
    const name = `worker ${k + 1}`;
    let exec: ExecutorProcess | undefined;
    try {
      for (let item = todo.shift(); item; item = todo.shift()) {
        const { run } = item;
        if (!exec?.alive) exec = ExecutorProcess.start();
        ev.onStart(run, name);
        try {
          const rows = await exec.run(run, join(opts.checkpointRoot, run.id), {
            onProgress: (value, total, info) => ev.onProgress(run, name, value, total, info),
            onLog: (line) => ev.onLog(`${name}: ${line}`),
          });
          ev.onDone(run, rows, name);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          if (e instanceof ExecutorDiedError && ++item.tries < attempts) {
            ev.onLog(`${name}: ${message}; ${run.id} goes back in the list (try ${item.tries + 1} of ${attempts}, from its checkpoint where it has one)`);
            todo.push(item);
          } else ev.onFailed(run, message);
        }
      }
    } finally {
      await exec?.stop();
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.workers, runs.length) }, (_, k) => slot(k)));
}
