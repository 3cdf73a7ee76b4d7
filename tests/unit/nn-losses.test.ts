import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import { mse, softCrossEntropy, symexp, symlog, twoHot, twoHotDecodeProbs, twoHotInv, TWO_HOT_DEFAULT } from "../../src/nn/losses.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const arr = (t: tf.Tensor) => Array.from(t.dataSync());

describe("TD-MPC2 regression targets", () => {
  it("symexp inverts symlog", () => {
    const x = tf.tensor1d([-1000, -3.5, -1e-3, 0, 0.25, 7, 5000]);
    const back = arr(symexp(symlog(x)));
    arr(x).forEach((v, i) => expect(back[i]!).toBeCloseTo(v, Math.abs(v) > 100 ? 0 : 4));
  });

  it("two-hot: two neighbouring bins share the mass, rows sum to 1, and decoding round-trips", () => {
    const ys = [-500, -12.3, -1, -0.1, 0, 0.37, 1, 4.2, 99, 2000];
    const enc = twoHot(tf.tensor1d(ys));
    expect(enc.shape).toEqual([ys.length, 101]);
    const rows = enc.arraySync();
    for (const r of rows) {
      expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(r.filter((v) => v > 1e-7).length).toBeLessThanOrEqual(2);
    }
    const dec = arr(twoHotDecodeProbs(enc));
    ys.forEach((y, i) => expect(Math.abs(dec[i]! - y)).toBeLessThan(1e-4 * Math.max(1, Math.abs(y))));
  });

  it("two-hot clips at vmax/vmin in symlog space", () => {
    const big = symexp(tf.scalar(TWO_HOT_DEFAULT.vmax)).dataSync()[0]!;
    const dec = arr(twoHotDecodeProbs(twoHot(tf.tensor1d([1e9, -1e9]))));
    expect(dec[0]!).toBeCloseTo(big, 0);
    expect(dec[1]!).toBeCloseTo(-big, 0);
  });

  it("soft cross-entropy is minimised by logits of the two-hot target, and twoHotInv decodes them", () => {
    const y = tf.tensor1d([3.3, -0.7]);
    const target = twoHot(y);
    const good = tf.log(tf.add(target, 1e-8)) as tf.Tensor2D;
    const flat = tf.zeros([2, 101]) as tf.Tensor2D;
    const ceGood = arr(softCrossEntropy(good, y));
    const ceFlat = arr(softCrossEntropy(flat, y));
    for (let i = 0; i < 2; i++) expect(ceGood[i]!).toBeLessThan(ceFlat[i]!);
    expect(ceFlat[0]!).toBeCloseTo(Math.log(101), 4); // uniform prediction
    const dec = arr(twoHotInv(good));
    expect(dec[0]!).toBeCloseTo(3.3, 3);
    expect(dec[1]!).toBeCloseTo(-0.7, 3);
    expect(() => softCrossEntropy(flat, tf.tensor1d([1, 2, 3]))).toThrow(/2 rows of logits but 3 targets/);
  });

  it("MSE", () => {
    expect(mse(tf.tensor1d([1, 2]), tf.tensor1d([0, 4])).dataSync()[0]).toBeCloseTo(2.5, 6);
  });
});
