// Cost of TD-MPC from pixels (docs/pixels.md), from the built library (npm run build first):
//   nice -n 5 node scripts/bench-pixel-agent.mjs [--preset laptop] [--updates 200] [--acts 50] [--set key=value …]
// Fills a replay store with random episodes of cartpole-swingup frames, then times `updates` updates of the agent on
// tfjs-wasm and `acts` planned actions + env steps (render included). Prints wall and process CPU time per update,
// per agent step and per environment step (÷ action repeat), and the updates-per-step cost of a run.
import { makeConfig, parseOverrides } from "../dist/agents/config.js";
import { TdmpcAgent } from "../dist/agents/tdmpc.js";
import { configForEnv, observationSize, protocolEnv } from "../dist/agents/trainer.js";
import { policyAgent, runEpisode } from "../dist/envs/agent.js";
import { initBackend } from "../dist/nn/backend.js";
import { ReplayStore } from "../dist/replay/store.js";
import { Rng } from "../dist/util/random.js";

const argv = process.argv.slice(2);
const arg = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const sets = argv.flatMap((a, i) => (argv[i - 1] === "--set" ? [a] : []));
const preset = arg("--preset", "laptop");
const nUpd = Number(arg("--updates", 200));
const nAct = Number(arg("--acts", 50));
await initBackend({ quiet: true });
const cfg0 = makeConfig("tdmpc", preset, { modality: "pixels", ...parseOverrides(sets) });
const env = await protocolEnv("cartpole-swingup", "tdmpc", 0, cfg0);
const cfg = configForEnv(cfg0, env);
const O = observationSize(env);
const agent = new TdmpcAgent(cfg, O, env.actionSpace.shape[0], 0);
const store = new ReplayStore({ obsDim: O, actionDim: 1, capacity: 2000, horizon: cfg.horizon, seed: 0, priority: { alpha: cfg.per_alpha, beta: cfg.per_beta }, frames: { frameStack: cfg.frame_stack } });
const rng = new Rng(0);
for (let e = 0; e < 2; e++) {
  const ep = await runEpisode(env, policyAgent("random", () => [rng.uniform(-1, 1)]), { seed: e });
  store.addEpisode({ observations: ep.observations, actions: ep.actions, rewards: ep.rewards });
}
const time = async (n, f) => {
  const [w0, c0] = [performance.now(), process.cpuUsage()];
  for (let i = 0; i < n; i++) await f(i);
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - w0) / n, cpu: (c.user + c.system) / 1000 / n };
};
for (let i = 0; i < 3; i++) await agent.update(store.sampleSequences(cfg.batch_size)); // warm-up
const upd = await time(nUpd, async () => {
  const b = store.sampleSequences(cfg.batch_size);
  const info = await agent.update(b);
  store.updatePriorities(b.index, info.priorities);
});
agent.step = cfg.seed_steps + 25_000; // past the seed steps and schedules: full horizon, as most of a run plans
let obs = env.reset(7).obs;
const act = await time(nAct, async () => {
  const a = await agent.act(obs, { env, step: 0, explore: true });
  obs = env.step(a).obs;
});
const ar = env.actionRepeat;
const f = (x) => x.toFixed(0);
console.log(`TD-MPC pixels, preset ${preset}: img ${cfg.img_size}, frame_stack ${cfg.frame_stack}, batch ${cfg.batch_size}, horizon ${cfg.horizon}, mlp ${cfg.mlp_dim}, ${cfg.num_samples}×${cfg.iterations} samples; action repeat ${ar}`);
console.log(`update (${nUpd}):          wall ${f(upd.wall)} ms, CPU ${f(upd.cpu)} ms`);
console.log(`act + env step (${nAct}):  wall ${f(act.wall)} ms, CPU ${f(act.cpu)} ms`);
const step = { wall: upd.wall + act.wall, cpu: upd.cpu + act.cpu }; // TD-MPC: one update per agent step
console.log(`per agent step (1 update + 1 act): wall ${f(step.wall)} ms, CPU ${f(step.cpu)} ms; per env step: wall ${(step.wall / ar).toFixed(1)} ms, CPU ${(step.cpu / ar).toFixed(1)} ms`);
console.log(`100k env steps ≈ ${((1e5 / ar) * step.cpu / 3.6e6).toFixed(1)} h of CPU (${((1e5 / ar) * step.wall / 3.6e6).toFixed(1)} h at this run's wall clock)`);
agent.dispose();
env.close();
