// Recompute the hopper's standing equilibrium and LQR gain (src/controllers/hopper-balance.ts).
//   npm run build && node scripts/hopper-lqr.mjs
// 1. Equilibrium: start upright with the foot on the floor and run a PD posture law (waist 0, hip 0, knee 0.1 rad)
//    whose ankle keeps the centre of mass over the ankle, until it is at rest; read x* = [qpos[1:], qvel] and u*.
// 2. Linearise one control step (4 physics steps) by central differences (ε = 1e−5): x' ≈ x* + A δx + B δu.
// 3. Discrete LQR: iterate the Riccati recursion P ← Q + AᵀPA − AᵀPB (R + BᵀPB)⁻¹ BᵀPA to convergence,
//    K = (R + BᵀPB)⁻¹ BᵀPA with Q = diag(10·I₆, I₇), R = I₄.
import { makeEnv } from "../dist/index.js";

const clip = (u) => Math.max(-1, Math.min(1, u));
const env = await makeEnv("hopper-stand", { actionRepeat: 1 });
const p = env.physics;
const posture = () => {
  const q = p.qpos, v = p.qvel;
  const comOverAnkle = p.data.subtree_com[3] - p.data.xpos[3 * p.id("body", "foot")];
  const vcom = p.sensor("torso_subtreelinvel")[0];
  return [(60 * -q[3] - 3 * v[3]) / 30, (200 * -q[4] - 5 * v[4]) / 40, (150 * (0.1 - q[5]) - 8 * v[5]) / 30, (300 * comOverAnkle + 60 * vcom) / 10].map(clip);
};
env.reset(0);
const s = env.getState();
s.physics.qpos.fill(0);
s.physics.qvel.fill(0);
s.physics.qpos[1] = -0.06; // foot capsule resting on the floor
s.physics.qpos[5] = 0.1;
env.setState(s);
let u0 = [0, 0, 0, 0];
for (let i = 0; i < 800; i++) env.step((u0 = posture()));
const eq = env.getState();
const stateOf = () => [...Array.from(p.qpos).slice(1), ...Array.from(p.qvel)];
const x0 = stateOf();
const next = (x, u) => {
  const st = structuredClone(eq);
  st.physics.qpos.set(x.slice(0, 6), 1);
  st.physics.qvel.set(x.slice(6));
  env.setState(st);
  p.setControl(u);
  p.step(4);
  return stateOf();
};
const nx = 13, nu = 4, eps = 1e-5;
const column = (f) => {
  const plus = f(eps), minus = f(-eps);
  return plus.map((v, i) => (v - minus[i]) / (2 * eps));
};
const Acols = Array.from({ length: nx }, (_, j) => column((e) => next(x0.map((v, i) => (i === j ? v + e : v)), u0)));
const Bcols = Array.from({ length: nu }, (_, j) => column((e) => next(x0, u0.map((v, i) => (i === j ? v + e : v)))));
env.close();

// small dense linear algebra on arrays of rows
const A = Array.from({ length: nx }, (_, i) => Acols.map((c) => c[i]));
const B = Array.from({ length: nx }, (_, i) => Bcols.map((c) => c[i]));
const T = (M) => M[0].map((_, j) => M.map((r) => r[j]));
const mul = (X, Y) => X.map((r) => Y[0].map((_, j) => r.reduce((s, v, k) => s + v * Y[k][j], 0)));
const add = (X, Y, a = 1) => X.map((r, i) => r.map((v, j) => v + a * Y[i][j]));
const eye = (n, d = 1) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? d : 0)));
const solve = (M, Y) => {
  // Gauss-Jordan with partial pivoting: M⁻¹ Y
  const n = M.length, a = M.map((r, i) => [...r, ...Y[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    for (let r = 0; r < n; r++) if (r !== c) { const f = a[r][c] / a[c][c]; a[r] = a[r].map((v, k) => v - f * a[c][k]); }
  }
  return a.map((r, i) => r.slice(n).map((v) => v / a[i][i]));
};
const Q = Array.from({ length: nx }, (_, i) => Array.from({ length: nx }, (_, j) => (i === j ? (i < 6 ? 10 : 1) : 0)));
const R = eye(nu);
let P = Q, K;
for (let it = 0; it < 20000; it++) {
  const BtP = mul(T(B), P);
  K = solve(add(R, mul(BtP, B)), mul(BtP, A));
  const Pn = add(add(Q, mul(mul(T(A), P), A)), mul(mul(T(A), mul(P, B)), K), -1);
  const diff = Math.max(...Pn.flat().map((v, i) => Math.abs(v - P.flat()[i])));
  P = Pn;
  if (diff < 1e-10) break;
}
const r = (v) => +v.toFixed(6);
console.log(JSON.stringify({ x: x0.map(r), u: u0.map(r), K: K.map((row) => row.map((v) => +v.toFixed(4))) }, null, 1));
