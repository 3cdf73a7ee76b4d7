/**
 * Hand-written controllers for the classic tasks. They act on the observation alone (as an agent would) and
 * prove that the dynamics and the rewards mean what the suite means: a swing-up that pumps energy earns a high
 * swing-up return, a linear state-feedback controller balances the cart-pole. Notebooks use them as the
 * "expert" baseline and for replays.
 */

/** A deterministic policy: observation → action. */
export type Policy = (obs: Float32Array) => Float32Array;

const clip1 = (u: number) => (u > 1 ? 1 : u < -1 ? -1 : u);

// Pendulum: 1 kg at l = 0.5 m on a massless pole, g = 9.81, motor torque ≤ 1 N·m (< m g l = 4.9 N·m: it must pump).
const PEND_I = 1 * 0.5 * 0.5 + 0.4 * 1 * 0.05 * 0.05; // point mass + the sphere's own inertia about its centre
const PEND_MGL = 1 * 9.81 * 0.5;

/**
 * Pendulum swing-up: energy pumping (Åström & Furuta 2000), u = k (E* − E) sign(θ̇) with E = ½ I θ̇² + m g l cos θ and
 * E* = m g l the energy of resting upright; near the top (cos θ > 0.95) a PD law holds the pole there.
 * Observation: [cos θ, sin θ, θ̇] (θ = 0 upright).
 */
export const pendulumSwingupController: Policy = (obs) => {
  const c = obs[0]!;
  const s = obs[1]!;
  const w = obs[2]!;
  const theta = Math.atan2(s, c);
  if (c > 0.95) return Float32Array.of(clip1(-8 * theta - 1.5 * w));
  const energy = 0.5 * PEND_I * w * w + PEND_MGL * c;
  const pump = (PEND_MGL - energy) * (w >= 0 ? 1 : -1);
  return Float32Array.of(clip1(4 * pump));
};

/**
 * Cart-pole balance: linear state feedback u = Kθ θ + Kω θ̇ + Kx x + Kv ẋ (the pole leaning towards +x is caught by
 * pushing the cart towards +x; the position gains have the "wrong-looking" sign of a non-minimum-phase system).
 * Observation: [x, cos θ, sin θ, ẋ, θ̇].
 */
export function cartpoleBalanceAction(obs: Float32Array): number {
  const x = obs[0]!;
  const theta = Math.atan2(obs[2]!, obs[1]!);
  const v = obs[3]!;
  const w = obs[4]!;
  return clip1(CARTPOLE_GAINS.theta * theta + CARTPOLE_GAINS.omega * w + CARTPOLE_GAINS.x * x + CARTPOLE_GAINS.v * v);
}

/** Gains of `cartpoleBalanceAction`: picked by hand; tests/unit/envs-controllers.test.ts checks the returns they earn. */
export const CARTPOLE_GAINS = { theta: 6, omega: 1.2, x: 0.4, v: 0.8 };

export const cartpoleBalanceController: Policy = (obs) => Float32Array.of(cartpoleBalanceAction(obs));

// Pole: 0.1 kg, 1 m, centre of mass 0.5 m from the hinge, inertia about the hinge ≈ m l²/3.
const POLE_MGL = 0.1 * 9.81 * 0.5;
const POLE_I = (0.1 * 1 * 1) / 3;

/**
 * Cart-pole swing-up: pump the pole's energy towards that of resting upright by accelerating the cart along
 * sign(θ̇ cos θ) (Åström & Furuta 2000), keep the cart near the centre, and hand over to the balance controller
 * once the pole is within ~25° of vertical.
 */
export const cartpoleSwingupController: Policy = (obs) => {
  const x = obs[0]!;
  const c = obs[1]!;
  const v = obs[3]!;
  const w = obs[4]!;
  if (c > 0.9) return Float32Array.of(cartpoleBalanceAction(obs));
  const energy = 0.5 * POLE_I * w * w + POLE_MGL * (c - 1); // 0 when resting upright
  // Accelerating the cart by a exerts a torque −m a l_c cos θ on the pole, i.e. power −m a l_c θ̇ cos θ: with E < 0,
  // push along −sign(θ̇ cos θ) to add energy, and the reverse when E > 0.
  const dir = w * c;
  const pump = energy * (dir >= 0 ? 1 : -1);
  return Float32Array.of(clip1(SWINGUP_GAINS.pump * pump - SWINGUP_GAINS.x * x - SWINGUP_GAINS.v * v));
};

export const SWINGUP_GAINS = { pump: 40, x: 0.3, v: 0.3 };

/** Point mass: a PD law towards the target at the origin. Observation: [x, y, ẋ, ẏ]. */
export const pointMassController: Policy = (obs) => Float32Array.of(clip1(-20 * obs[0]! - 3 * obs[2]!), clip1(-20 * obs[1]! - 3 * obs[3]!));

/**
 * Reacher: Jacobian-transpose control. The fingertip of the two-link arm (links 0.12 m, finger 0.12 m past the
 * wrist) sits at p(q); the torques τ = Jᵀ(q)·k·(target − p) − d·q̇ pull it towards the target like a spring.
 * Observation: [q_shoulder, q_wrist, Δx, Δy, Δz, q̇_shoulder, q̇_wrist] with Δ = target − finger.
 */
export const reacherController: Policy = (obs) => {
  const q1 = obs[0]!;
  const q12 = q1 + obs[1]!;
  const dx = obs[2]!;
  const dy = obs[3]!;
  const l = 0.12;
  // ∂p/∂q1 = (−l sin q1 − l sin q12, l cos q1 + l cos q12), ∂p/∂q2 = (−l sin q12, l cos q12)
  const j11 = -l * Math.sin(q1) - l * Math.sin(q12);
  const j12 = l * Math.cos(q1) + l * Math.cos(q12);
  const j21 = -l * Math.sin(q12);
  const j22 = l * Math.cos(q12);
  const k = 150;
  const d = 0.5;
  return Float32Array.of(clip1(k * (j11 * dx + j12 * dy) - d * obs[5]!), clip1(k * (j21 * dx + j22 * dy) - d * obs[6]!));
};

/** The hand-written controllers by task name. */
export const HAND_CONTROLLERS: Readonly<Record<string, Policy>> = {
  "pendulum-swingup": pendulumSwingupController,
  "cartpole-balance": cartpoleBalanceController,
  "cartpole-balance_sparse": cartpoleBalanceController,
  "cartpole-swingup": cartpoleSwingupController,
  "cartpole-swingup_sparse": cartpoleSwingupController,
  "point_mass-easy": pointMassController,
  "reacher-easy": reacherController,
  "reacher-hard": reacherController,
};
