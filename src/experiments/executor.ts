/**
 * Runs execute in an executor process of their own (`tdmpc worker --local`, forked with an IPC channel), never in
 * the process that schedules them: training blocks its event loop for seconds at a time, and the scheduler's loop
 * must stay free to draw progress bars and to keep a Redis job's lock alive. One executor runs one run at a time
 * and serves many runs (tfjs and MuJoCo load once).
 *
 *   parent → child  { type: "run", run, runDir }
 *   child → parent  { type: "progress", value, total, info } | { type: "log", line }
 *                   | { type: "done", rows } | { type: "failed", message, bad }
 *
 * An executor whose parent dies (kill -9) ends at once, even in the middle of a run: no orphan keeps writing into
 * a run folder that a retry on another worker is about to resume from. For the run this is a kill -9, which every
 * kind survives (atomic checkpoints; the trainer cuts its results file back to the checkpoint on resume).
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { initBackend } from "../nn/backend.js";
import { projectRoot } from "../tooling/paths.js";
import { BadRunError, executeRun, type GridRun } from "./run-kinds.js";

export type Rows = Record<string, string>[];
export type ProgressInfo = Record<string, string | number>;

type ToChild = { type: "run"; run: GridRun; runDir: string };
type FromChild =
  | { type: "progress"; value: number; total: number; info?: ProgressInfo }
  | { type: "log"; line: string }
  | { type: "done"; rows: Rows }
  | { type: "failed"; message: string; bad: boolean };

/**
 * The run itself failed (its message says why). `bad`: it can never succeed — a spec that does not validate, or a
 * RangeError (a value out of range, ValidationError included) from the run — so a queue does not retry it.
 */
export class RunFailedError extends Error {
  override name = "RunFailedError";
  constructor(
    message: string,
    readonly bad: boolean,
  ) {
    super(message);
  }
}

/** The executor process ended while running a run (killed, out of memory, crashed): the run may be retried. */
export class ExecutorDiedError extends Error {
  override name = "ExecutorDiedError";
}

export interface RunCallbacks {
  onProgress?(value: number, total: number, info?: ProgressInfo): void;
  onLog?(line: string): void;
}

/** The parent's handle on one executor process. */
export class ExecutorProcess {
  private current?: { resolve(rows: Rows): void; reject(e: Error): void; cb: RunCallbacks };
  private stderrTail: string[] = [];
  private exited?: string;

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.setEncoding("utf8").on("data", (s: string) => {
      this.stderrTail.push(...s.split("\n").filter((l) => l.trim()));
      this.stderrTail = this.stderrTail.slice(-20);
    });
    child.on("message", (m: FromChild) => this.onMessage(m));
    child.on("exit", (code, signal) => {
      this.exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
      const tail = this.stderrTail.length ? `; its last output: ${this.stderrTail.slice(-5).join(" | ")}` : "";
      this.current?.reject(new ExecutorDiedError(`executor process ${child.pid} ${this.exited} during the run${tail}`));
      this.current = undefined;
    });
  }

  /** Fork `tdmpc worker --local`. */
  static start(): ExecutorProcess {
    const child = fork(join(projectRoot(), "bin", "tdmpc.js"), ["worker", "--local"], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    return new ExecutorProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  /** Run one run to its end; rejects with RunFailedError or ExecutorDiedError. */
  run(run: GridRun, runDir: string, cb: RunCallbacks = {}): Promise<Rows> {
    if (this.current) throw new Error("an executor runs one run at a time");
    if (!this.alive) return Promise.reject(new ExecutorDiedError(`executor process ${this.child.pid} ${this.exited}`));
    return new Promise<Rows>((resolve, reject) => {
      this.current = { resolve, reject, cb };
      this.child.send({ type: "run", run, runDir } satisfies ToChild);
    });
  }

  /** Let the process end (it exits when its channel closes); resolves once it has. */
  stop(): Promise<void> {
    const exited = this.alive ? new Promise<void>((r) => this.child.once("exit", () => r())) : Promise.resolve();
    if (this.child.connected) this.child.disconnect();
    return exited;
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }

  private onMessage(m: FromChild): void {
    const c = this.current;
    if (!c) return;
    if (m.type === "progress") c.cb.onProgress?.(m.value, m.total, m.info);
    else if (m.type === "log") c.cb.onLog?.(m.line);
    else {
      this.current = undefined;
      if (m.type === "done") c.resolve(m.rows);
      else c.reject(new RunFailedError(m.message, m.bad));
    }
  }
}

/**
 * Kill this process when its parent is gone. A run blocks the main thread for seconds (an IPC "disconnect" event
 * would wait for it), so a worker thread, whose own event loop keeps turning, checks the parent id every 200 ms.
 */
function watchParent(): void {
  const code = `const { workerData: w } = require("node:worker_threads");
    setInterval(() => { if (process.ppid !== w.ppid) process.kill(w.pid, "SIGKILL"); }, 200);`;
  new Worker(code, { eval: true, workerData: { ppid: process.ppid, pid: process.pid } }).unref();
}

/** The child side: `tdmpc worker --local`. Runs what the parent sends, one at a time, until the channel closes. */
export async function serveExecutor(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error("`tdmpc worker --local` is the executor process of `tdmpc figures run` and `tdmpc worker --redis`: they start it (it needs their IPC channel); start one of those instead");
  process.on("disconnect", () => process.exit(0));
  watchParent();
  await initBackend({ quiet: true });
  let queue = Promise.resolve();
  process.on("message", (m: ToChild) => {
    if (m.type !== "run") return;
    queue = queue.then(async () => {
      const reply = (msg: FromChild) => send(msg);
      try {
        const rows = await executeRun(m.run, {
          id: m.run.id,
          runDir: m.runDir,
          onProgress: (value, total, info) => reply({ type: "progress", value, total, info }),
          log: (line) => reply({ type: "log", line }),
        });
        reply({ type: "done", rows });
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        reply({ type: "failed", message: message.startsWith(`run ${m.run.id}`) ? message : `run ${m.run.id}: ${message}`, bad: e instanceof BadRunError || e instanceof RangeError });
      }
    });
  });
  await new Promise(() => {}); // serve until the parent disconnects
}
