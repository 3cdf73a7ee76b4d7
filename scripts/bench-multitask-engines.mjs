#!/usr/bin/env node
/**
 * The engines on multi-task TD-MPC2 (laptop preset; cartpole-swingup, reacher-easy, pendulum-swingup in one model):
 * ms per update and per planned action (the weight sync after an update, then MPPI) on tfjs, on onnx, and on onnx
 * with the planner's rollouts kept on tfjs. The setups take turns in rounds (a shared machine's load varies) and
 * medians over rounds are reported, as wall-clock and as this process's CPU time (user + system, all threads),
 * which a starved machine inflates far less. Needs `npm run build` first.
 *
 *   node scripts/bench-multitask-engines.mjs [rounds = 8] [per round = 2]
 */
const [R, K] = [Number(process.argv[2] ?? 8), Number(process.argv[3] ?? 2)];
const imp = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
const { initBackend } = await imp("nn/backend.js");
const { makeConfig } = await imp("agents/config.js");
const { makeAgent, configForTask } = await imp("agents/trainer.js");
const { makeEnv } = await imp("envs/registry.js");
const { randomBatch } = await imp("replay/random-batch.js");
const { Rng } = await imp("util/random.js");
await initBackend({ quiet: true });
const tasks = ["cartpole-swingup", "reacher-easy", "pendulum-swingup"];
const envs = await Promise.all(tasks.map((t) => makeEnv(t, { actionRepeat: 2 })));
const obsDims = envs.map((e) => e.observationSpace.shape[0]);
const actionDims = envs.map((e) => e.actionSpace.shape[0]);
const cfg = configForTask(makeConfig("tdmpc2", "laptop"), tasks[0], "tdmpc2");
const [O, A] = [Math.max(...obsDims), Math.max(...actionDims)];
const rng = new Rng(1);
const batches = Array.from({ length: 4 }, () => ({ ...randomBatch(rng, cfg.horizon, cfg.batch_size, O, A), task: Int32Array.from({ length: cfg.batch_size }, () => rng.int(3)) }));
const agents = {};
for (const e of ["tfjs", "onnx"]) {
  const a = makeAgent(cfg, obsDims, actionDims, 1);
  await a.useEngine(e, 1);
  a.step = 1e9; // past the seed steps: every action is planned
  agents[e] = a;
}
const onnxRollout = agents.onnx.model.rollout;
const setups = { tfjs: ["tfjs", false], onnx: ["onnx", true], "onnx, tfjs rollouts": ["onnx", false] };
const obs = envs.map((e, i) => e.reset(i).obs);
const samples = Object.fromEntries(Object.keys(setups).map((k) => [k, { update: [], act: [], updateCpu: [], actCpu: [] }]));
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let it = 0;
for (let r = -1; r < R; r++) { // round −1 warms up (sessions, JIT)
  for (const [name, [e, onnxPlan]] of Object.entries(setups)) {
    const a = agents[e];
    a.model.rollout = e === "onnx" && onnxPlan ? onnxRollout : undefined;
    let tu = 0, ta = 0, cu = 0, ca = 0;
    for (let k = 0; k < K; k++) {
      const i = it++ % 3;
      a.setTask(i);
      let [t0, c0] = [performance.now(), cpu()];
      await a.update(batches[k % 4]);
      tu += performance.now() - t0;
      cu += cpu() - c0;
      [t0, c0] = [performance.now(), cpu()];
      await a.act(obs[i], { env: envs[i], step: 0, explore: true }); // syncs the weights of the update above, then plans
      ta += performance.now() - t0;
      ca += cpu() - c0;
    }
    if (r >= 0) for (const [k, v] of Object.entries({ update: tu, act: ta, updateCpu: cu, actCpu: ca })) samples[name][k].push(v / K);
  }
}
const med = (x) => { const s = [...x].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
for (const [name, s] of Object.entries(samples)) {
  const [u, a, uc, ac] = [med(s.update), med(s.act), med(s.updateCpu), med(s.actCpu)];
  console.log(`${name.padEnd(20)} wall: update ${u.toFixed(1)} ms (${(1000 / u).toFixed(2)}/s), act ${a.toFixed(1)} ms | CPU: update ${uc.toFixed(1)} ms (${(1000 / uc).toFixed(2)}/s), act ${ac.toFixed(1)} ms, env step ${(uc + ac).toFixed(1)} ms`);
}
for (const a of Object.values(agents)) a.dispose();
for (const e of envs) e.close();
