/**
 * `tdmpc worker --redis URL`: take queued runs from `tdmpc figures run --redis URL` (experiments/redis-queue.ts);
 * `--local` is the executor process that `figures run` and `worker --redis` start (experiments/executor.ts).
 */
import type { Command } from "commander";
import { serveExecutor } from "../experiments/executor.js";
import { defaultCheckpointRoot } from "../experiments/figures-run.js";
import { startRedisWorker } from "../experiments/redis-queue.js";
import { numberFlag } from "../util/validate.js";

export function register(program: Command): void {
  program
    .command("worker")
    .description("run queued runs: `--redis URL` takes jobs from `tdmpc figures run --redis URL` (start one per core, on any machine)")
    .option("--redis <url>", "Redis URL, e.g. redis://127.0.0.1:6379")
    .option("--queue <name>", "queue name", "tdmpc-runs")
    .option("--checkpoint-dir <dir>", "run folders with checkpoints; on storage all workers share, a retried run resumes instead of starting over", defaultCheckpointRoot())
    .option("--stall-sec <s>", "seconds before a dead worker's run is handed to another worker", numberFlag("--stall-sec", { min: 0.5 }), 30)
    .option("--name <name>", "this worker's name in logs and progress (default host:pid)")
    .option("--local", "internal: the executor process that `figures run` and `worker --redis` start")
    .action(async (o: { redis?: string; queue: string; checkpointDir: string; stallSec: number; name?: string; local?: boolean }) => {
      if (o.local) return serveExecutor();
      if (!o.redis) throw new Error("worker: give --redis redis://HOST:PORT (docs/experiments.md); local runs need no worker: `tdmpc figures run NAME`");
      const log = (line: string) => console.log(`[${new Date().toISOString()}] ${line}`);
      const handle = await startRedisWorker({ url: o.redis, queue: o.queue, checkpointRoot: o.checkpointDir, stallSec: o.stallSec, name: o.name, log });
      await new Promise<void>((resolve) => {
        const stop = (sig: string) => {
          log(`${handle.name}: ${sig}: stopping (a run in progress goes back to the queue after --stall-sec and resumes from its checkpoint)`);
          void handle.close().then(resolve);
        };
        process.once("SIGINT", () => stop("SIGINT"));
        process.once("SIGTERM", () => stop("SIGTERM"));
      });
    });
}
