/** The plain-text progress line (logs, CI): its ETA counts only the work done since a resumed run's start. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { progress } from "../../src/util/progress.js";

afterEach(() => vi.useRealTimers());

function lines(run: () => void): string[] {
  const out: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  const tty = process.stderr.isTTY;
  process.stderr.isTTY = false;
  try {
    run();
  } finally {
    process.stderr.isTTY = tty;
    spy.mockRestore();
  }
  return out;
}

describe("progress", () => {
  it("a run resumed at 30% estimates the time left from its own pace, not from 0", () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    const out = lines(() => {
      const bar = progress(100, "run", { start: 30 });
      vi.advanceTimersByTime(100_000); // 10 units in 100 s: 60 units left take 600 s
      bar.update(40);
    });
    expect(out.join("")).toMatch(/run 40\/100 +\(100s elapsed, ~600s left\)/);
    const fresh = lines(() => {
      const bar = progress(100, "run");
      vi.advanceTimersByTime(100_000);
      bar.update(40);
    });
    expect(fresh.join("")).toMatch(/\(100s elapsed, ~150s left\)/);
  });
});
