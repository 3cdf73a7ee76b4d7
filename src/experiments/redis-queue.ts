/**
 * Runs on many machines: a BullMQ queue on Redis. `tdmpc figures run NAME --redis URL` puts the missing runs in
 * the queue (job id = run id, so a run is queued once however often the command is repeated) and collects each
 * finished job's rows; `tdmpc worker --redis URL`, on any number of machines, takes one job at a time and runs it
 * in its executor process (executor.ts).
 *
 * - A worker that dies (kill -9, power loss) stops renewing its job's lock; after `stallSec` another worker's
 *   stalled-job check puts the job back in the queue. The retry resumes from the run's last checkpoint when the
 *   workers share the checkpoint folder (`--checkpoint-dir` on shared storage); on another machine without it,
 *   the run starts again from zero. Either way its rows are the same (resumed runs equal uninterrupted ones).
 * - A run that can never succeed (a bad config: RunFailedError.bad) fails at once (BullMQ's UnrecoverableError)
 *   with its message; other failures are retried `attempts` times. Other jobs carry on.
 * - Only the collecting command writes results files, once per row key (results.ts `has`): a job that somehow
 *   ran twice still lands once.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { Job, Queue, UnrecoverableError, Worker, type ConnectionOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { ExecutorDiedError, ExecutorProcess, RunFailedError, type ProgressInfo, type Rows } from "./executor.js";
import type { GridRun } from "./run-kinds.js";
import type { RunEvents } from "./local-pool.js";

export const DEFAULT_QUEUE = "tdmpc-runs";

interface JobData {
  run: GridRun;
}
interface JobResult {
  rows: Rows;
  worker: string;
}
interface JobProgress {
  worker: string;
  value: number;
  total: number;
  info?: ProgressInfo;
}

/** BullMQ connection options from `redis://[user:password@]host[:port][/db]` (or rediss:// for TLS). */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--redis: '${url}' is not a URL; give redis://HOST:PORT (e.g. redis://127.0.0.1:6379)`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new Error(`--redis: '${url}' must start with redis:// or rediss://`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`--redis: database '${u.pathname.slice(1)}' in '${url}' must be a non-negative integer`);
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db,
    tls: u.protocol === "rediss:" ? {} : undefined,
    maxRetriesPerRequest: null, // BullMQ's workers block on Redis: required
  };
}

/** Connect once, with no retries, so that an unreachable Redis is an error that says so (not a silent wait). */
export async function pingRedis(url: string): Promise<void> {
  const client = new Redis({ ...(redisConnection(url) as RedisOptions), lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause: Error | undefined; // the socket's error (ECONNREFUSED …) says more than the rejected connect
  client.on("error", (e: Error) => (cause ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw new Error(`cannot reach Redis at ${url}: ${(cause ?? (e as Error)).message} (start it: docs/experiments.md, "Many machines")`);
  } finally {
    client.disconnect();
  }
}

export interface RedisRunOptions {
  url: string;
  queue?: string;
  /** Tries per run when a worker fails it or dies under it (a bad config fails on the first). Default 3. */
  attempts?: number;
  pollMs?: number;
}

/** Queue the runs and report each as it finishes (the collecting side of `figures run --redis`). */
export async function runOnRedis(runs: GridRun[], opts: RedisRunOptions, ev: RunEvents): Promise<void> {
  await pingRedis(opts.url);
  const queue = new Queue<JobData, JobResult>(opts.queue ?? DEFAULT_QUEUE, { connection: redisConnection(opts.url) });
  let lastError = "";
  queue.on("error", (e) => {
    if (e.message !== lastError) ev.onLog(`queue error (retrying): ${e.message}`); // a lost connection: BullMQ reconnects
    lastError = e.message;
  });
  try {
    await queue.waitUntilReady();
    const keep = { age: 7 * 24 * 3600 };
    for (const run of runs) {
      const old = await queue.getJob(run.id);
      if (old && (await old.getState()) === "failed") await old.remove(); // a new command retries what failed before
      await queue.add("run", { run }, { jobId: run.id, attempts: opts.attempts ?? 3, backoff: { type: "fixed", delay: 1000 }, removeOnComplete: keep, removeOnFail: keep });
    }
    ev.onLog(`queued ${runs.length} run(s) on ${opts.url} (queue '${queue.name}'); waiting for \`tdmpc worker --redis ${opts.url}\` processes to take them`);
    const pending = new Map(runs.map((r) => [r.id, r]));
    const seenWorker = new Map<string, string>();
    while (pending.size) {
      for (const [id, run] of pending) {
        const job = await Job.fromId<JobData, JobResult>(queue, id);
        const state = job ? await job.getState() : "missing";
        if (state === "completed") {
          pending.delete(id);
          const r = job!.returnvalue;
          ev.onDone(run, r.rows, r.worker);
        } else if (state === "failed" || state === "missing") {
          pending.delete(id);
          ev.onFailed(run, job ? job.failedReason || "failed without a message" : "the job disappeared from the queue (removed by hand?)");
        } else if (state === "active" && job!.progress && typeof job!.progress === "object") {
          const p = job!.progress as unknown as JobProgress;
          if (seenWorker.get(id) !== p.worker) {
            seenWorker.set(id, p.worker);
            ev.onStart(run, p.worker);
          }
          ev.onProgress(run, p.worker, p.value, p.total, p.info);
        }
      }
      if (pending.size) await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
  } finally {
    await queue.close();
  }
}

export interface RedisWorkerOptions {
  url: string;
  queue?: string;
  /** Where run folders (checkpoints) live: shared storage lets a retry on another machine resume. */
  checkpointRoot: string;
  /** Seconds after which a dead worker's job is handed to another worker (BullMQ lockDuration). Default 30. */
  stallSec?: number;
  name?: string;
  log(line: string): void;
}

export interface RedisWorkerHandle {
  name: string;
  close(): Promise<void>;
}

/** A queue worker: one run at a time, each in the executor process (restarted if it dies). */
export async function startRedisWorker(opts: RedisWorkerOptions): Promise<RedisWorkerHandle> {
  const name = opts.name ?? `${hostname()}:${process.pid}`;
  const lockMs = Math.round((opts.stallSec ?? 30) * 1000);
  await pingRedis(opts.url);
  let exec = ExecutorProcess.start();
  const worker = new Worker<JobData, JobResult>(
    opts.queue ?? DEFAULT_QUEUE,
    async (job) => {
      const { run } = job.data;
      if (!exec.alive) exec = ExecutorProcess.start();
      opts.log(`${name}: started ${run.id} (attempt ${job.attemptsMade + 1}${job.stalledCounter ? `, after ${job.stalledCounter} stalled` : ""})`);
      const t0 = performance.now();
      try {
        const rows = await exec.run(run, join(opts.checkpointRoot, run.id), {
          onProgress: (value, total, info) => void job.updateProgress({ worker: name, value, total, info } satisfies JobProgress as unknown as object).catch(() => {}),
          onLog: (line) => opts.log(`${name}: ${line}`),
        });
        opts.log(`${name}: finished ${run.id} in ${((performance.now() - t0) / 1000).toFixed(1)} s (${rows.length} rows)`);
        return { rows, worker: name };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        opts.log(`${name}: failed ${run.id}: ${message}`);
        if (e instanceof RunFailedError && e.bad) throw new UnrecoverableError(message);
        if (e instanceof ExecutorDiedError) exec = ExecutorProcess.start();
        throw e;
      }
    },
    { connection: redisConnection(opts.url), concurrency: 1, lockDuration: lockMs, stalledInterval: Math.max(500, Math.round(lockMs / 2)), maxStalledCount: 2 },
  );
  let lastError = "";
  worker.on("error", (e) => {
    if (e.message !== lastError) opts.log(`${name}: queue error (retrying): ${e.message}`); // BullMQ reconnects
    lastError = e.message;
  });
  await worker.waitUntilReady();
  opts.log(`${name}: waiting for runs on ${opts.url} (queue '${worker.name}'), checkpoints in ${opts.checkpointRoot}`);
  return {
    name,
    async close() {
      await worker.close(true);
      await exec.stop();
    },
  };
}
