/**
 * Random shift augmentation (DrQ; TD-MPC's `RandomShiftsAug`, TD-MPC2's `ShiftAug`): pad each image by `pad`
 * pixels replicating its border, then crop back to H×W at a random integer offset in [0, 2·pad] per axis and per
 * sample (all channels of a sample, i.e. its whole frame stack, shift together).
 *
 * The official code does the crop with `F.grid_sample` (bilinear, align_corners=False) on a grid built as
 * `linspace(−1 + 1/P, 1 − 1/P, P)[:H] + shift·2/P` with P = H + 2·pad: those coordinates fall exactly on pixel
 * centres (x_n ↦ ((x_n + 1)·P − 1)/2 = i + shift), so its bilinear weights are 1 and 0 and the result is this exact
 * integer shift. Done here on the uint8 batch before it becomes a tensor (no gradient flows into the pixels).
 *
 * Pads: TD-MPC uses int(img_size / 21) = 4 at 84×84; TD-MPC2 uses 3 (its 64×64 frames).
 */
import type { Rng } from "../util/random.js";

/**
 * Shift each of `batch` channels-first images [C, H, W] (concatenated in `obs`) by a random offset; writes into
 * `out` (allocated when omitted) and returns it with the offsets used (dx, dy per sample, each in [−pad, pad]).
 */
export function randomShift(
  obs: Uint8Array,
  batch: number,
  channels: number,
  size: number,
  pad: number,
  rng: Rng,
  out?: Uint8Array,
): { out: Uint8Array; shifts: Int32Array } {
  const plane = size * size;
  if (obs.length !== batch * channels * plane) throw new RangeError(`randomShift: ${obs.length} bytes is not ${batch} × [${channels}, ${size}, ${size}]`);
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`randomShift: pad must be a non-negative integer, got ${pad}`);
  const dst = out ?? new Uint8Array(obs.length);
  if (dst.length !== obs.length) throw new RangeError(`randomShift: output of ${dst.length} bytes, expected ${obs.length}`);
  const shifts = new Int32Array(2 * batch);
  const cols = new Int32Array(size);
  for (let b = 0; b < batch; b++) {
    // offsets in the padded image, drawn as torch.randint(0, 2·pad + 1): x first, then y
    const dx = rng.int(2 * pad + 1) - pad;
    const dy = rng.int(2 * pad + 1) - pad;
    shifts[2 * b] = dx;
    shifts[2 * b + 1] = dy;
    for (let x = 0; x < size; x++) cols[x] = Math.min(size - 1, Math.max(0, x + dx)); // replicate border
    for (let c = 0; c < channels; c++) {
      const base = (b * channels + c) * plane;
      for (let y = 0; y < size; y++) {
        const src = base + Math.min(size - 1, Math.max(0, y + dy)) * size;
        const row = base + y * size;
        for (let x = 0; x < size; x++) dst[row + x] = obs[src + cols[x]];
      }
    }
  }
  return { out: dst, shifts };
}
