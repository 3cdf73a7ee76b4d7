/**
 * `tdmpc bench env`: physics-step throughput of one task three ways, in one run on the same machine:
 *  - api:    `env.step` (action checks and clipping, dm_control stepping, reward and observation every control step)
 *  - raw:    a bare `mj_step` loop on the same wasm model (what the simulator alone costs in WebAssembly)
 *  - native: the same loop in C against Debian's libmujoco (2.2.2), compiled into a temp folder at bench time
 * All three count physics steps per second with a fresh uniform-random control every control step and a reset
 * every episode (1000 control steps), so the ratios say what our layers and WebAssembly cost.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../util/random.js";
import { readMjcf } from "./env.js";
import { loadModelFromXml } from "./mujoco.js";
import { makeEnv } from "./registry.js";
import { getTask } from "./task.js";

export interface EnvBenchRow {
  task: string;
  apiStepsPerSec: number;
  rawStepsPerSec: number;
  /** null when no C compiler or libmujoco-dev is available (the reason is in `nativeNote`). */
  nativeStepsPerSec: number | null;
  nativeNote?: string;
}

/** Seconds `fn` takes. */
function seconds(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

/** A timed workload: `run()` performs `physicsSteps` physics steps; `close()` frees it. */
interface Workload {
  physicsSteps: number;
  run(): void;
  close(): void;
}

/** `controlSteps` control steps through `env.step` (actionRepeat 1), uniform-random actions, reset every episode. */
export async function apiWorkload(task: string, controlSteps: number): Promise<Workload> {
  const env = await makeEnv(task, { seed: 0, actionRepeat: 1 });
  const m = env.actionSpace.shape[0]!;
  const rng = new Rng(0);
  const actions = new Float32Array(controlSteps * m).map(() => rng.uniform(-1, 1));
  return {
    physicsSteps: controlSteps * env.task.physicsStepsPerControlStep,
    run() {
      env.reset(0);
      for (let t = 0; t < controlSteps; t++) {
        const r = env.step(actions.subarray(t * m, t * m + m));
        if (r.truncated) env.reset();
      }
    },
    close: () => env.close(),
  };
}

/** The same control sequence as a bare `mj_step` loop on the same wasm model (no rewards, no observations). */
export async function rawWorkload(task: string, controlSteps: number): Promise<Workload> {
  const t = getTask(task);
  const { mj, model, data, delete: free } = await loadModelFromXml(readMjcf(t.mjcf));
  const nu = model.nu;
  const n = t.physicsStepsPerControlStep;
  const rng = new Rng(0);
  const actions = new Float64Array(controlSteps * nu).map(() => rng.uniform(-1, 1));
  return {
    physicsSteps: controlSteps * n,
    run() {
      mj.mj_resetData(model, data);
      let ctrl = data.ctrl;
      for (let c = 0; c < controlSteps; c++) {
        if (c % t.episodeLength === 0 && c > 0) {
          mj.mj_resetData(model, data);
          ctrl = data.ctrl;
        }
        for (let i = 0; i < nu; i++) ctrl[i] = actions[c * nu + i]!;
        for (let s = 0; s < n; s++) mj.mj_step(model, data);
      }
    },
    close: free,
  };
}

/**
 * Physics steps per second of each workload: one warm-up run each (V8 tiers the wasm up only after a few thousand
 * steps), then `rounds` rounds that run every workload once, interleaved so that load from other processes hits
 * them alike; the best round of each counts.
 */
export function interleavedRates(workloads: Workload[], rounds = 3): number[] {
  for (const w of workloads) w.run();
  const best = workloads.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    workloads.forEach((w, i) => {
      best[i] = Math.max(best[i]!, w.physicsSteps / seconds(() => w.run()));
    });
  }
  return best;
}

export async function benchApi(task: string, controlSteps: number): Promise<number> {
  const w = await apiWorkload(task, controlSteps);
  try {
    return interleavedRates([w])[0]!;
  } finally {
    w.close();
  }
}

export async function benchRaw(task: string, controlSteps: number): Promise<number> {
  const w = await rawWorkload(task, controlSteps);
  try {
    return interleavedRates([w])[0]!;
  } finally {
    w.close();
  }
}

const NATIVE_SOURCE = String.raw`
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
// usage: bench MODEL.xml CONTROL_STEPS SUBSTEPS EPISODE_LENGTH  → prints physics steps per second (best of 3)
static unsigned long long s = 88172645463325252ULL;
static double uniform(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return (s >> 11) * (1.0 / 9007199254740992.0); }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
int main(int argc, char** argv) {
  char err[1000] = "";
  if (argc < 5) return 2;
  mjModel* m = mj_loadXML(argv[1], NULL, err, sizeof err);
  if (!m) { fprintf(stderr, "%s\n", err); return 1; }
  mjData* d = mj_makeData(m);
  long steps = atol(argv[2]); int sub = atoi(argv[3]); long ep = atol(argv[4]);
  double* a = malloc(sizeof(double) * steps * (m->nu ? m->nu : 1));
  for (long i = 0; i < steps * m->nu; i++) a[i] = 2 * uniform() - 1;
  double best = 0;
  for (int r = 0; r < 4; r++) {
    mj_resetData(m, d);
    double t0 = now();
    for (long c = 0; c < steps; c++) {
      if (c % ep == 0 && c > 0) mj_resetData(m, d);
      for (int i = 0; i < m->nu; i++) d->ctrl[i] = a[c * m->nu + i];
      for (int k = 0; k < sub; k++) mj_step(m, d);
    }
    double rate = steps * sub / (now() - t0);
    if (r > 0 && rate > best) best = rate;  // run 0 is the warm-up
  }
  printf("%.1f\n", best);
  mj_deleteData(d); mj_deleteModel(m); free(a);
  return 0;
}
`;

/** MuJoCo 2.2's XML parser does not know attributes added in 3.x: drop them for the native run (no physical effect). */
export function mjcfForMujoco2(xml: string): string {
  return xml.replace(/<size\s+memory="[^"]*"\s*\/>/g, "").replace(/\s+memory="[^"]*"/g, "");
}

/** A compiled native bench program, or the reason there is none. */
export function buildNative(): { exe: string; dir: string } | { error: string } {
  if (!existsSync("/usr/include/mujoco/mujoco.h")) return { error: "no /usr/include/mujoco (apt-get install libmujoco-dev)" };
  const dir = mkdtempSync(join(tmpdir(), "tdmpc-bench-env-"));
  const src = join(dir, "bench.c");
  const exe = join(dir, "bench");
  writeFileSync(src, NATIVE_SOURCE);
  try {
    execFileSync("cc", ["-O2", "-o", exe, src, "-lmujoco", "-lm"], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { error: `cannot compile the native bench: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` };
  }
  return { exe, dir };
}

export function benchNative(exe: string, dir: string, task: string, controlSteps: number): number {
  const t = getTask(task);
  const xmlPath = join(dir, `${task}.xml`);
  writeFileSync(xmlPath, mjcfForMujoco2(readMjcf(t.mjcf)));
  const out = execFileSync(exe, [xmlPath, String(controlSteps), String(t.physicsStepsPerControlStep), String(t.episodeLength)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return Number(out.trim());
}

/** Bench every task in `tasks`; `controlSteps` per timed run. */
export async function benchEnv(tasks: string[], controlSteps: number, log: (msg: string) => void = () => {}): Promise<EnvBenchRow[]> {
  const native = buildNative();
  const rows: EnvBenchRow[] = [];
  try {
    for (const task of tasks) {
      log(`bench env: ${task}`);
      const api = await apiWorkload(task, controlSteps);
      const raw = await rawWorkload(task, controlSteps);
      let rates: number[];
      try {
        rates = interleavedRates([api, raw]);
      } finally {
        api.close();
        raw.close();
      }
      const row: EnvBenchRow = { task, apiStepsPerSec: rates[0]!, rawStepsPerSec: rates[1]!, nativeStepsPerSec: null };
      if ("error" in native) row.nativeNote = native.error;
      else {
        try {
          row.nativeStepsPerSec = benchNative(native.exe, native.dir, task, controlSteps);
        } catch (e) {
          const err = e as { stderr?: Buffer | string; message?: string };
          row.nativeNote = `native run failed: ${String(err.stderr ?? err.message ?? e).trim().split("\n")[0]}`;
        }
      }
      rows.push(row);
    }
  } finally {
    if (!("error" in native)) rmSync(native.dir, { recursive: true, force: true });
  }
  return rows;
}
