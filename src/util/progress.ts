/**
 * Progress for long work: a cli-progress bar on a terminal, a line that rewrites itself in a notebook,
 * and occasional plain lines when output goes to a file/CI log (so logs stay short).
 */
import cliProgress from "cli-progress";
import { liveText, inNotebook } from "../viz/plotly.js";

export interface Progress {
  /** Advance to `value` (absolute), with extra fields shown after the bar (e.g. {ret: 412.3}). */
  update(value: number, info?: Record<string, string | number>): void;
  stop(): void;
}

function fmtInfo(info?: Record<string, string | number>): string {
  if (!info) return "";
  return Object.entries(info)
    .map(([k, v]) => `${k}=${typeof v === "number" ? (Number.isInteger(v) ? v : v.toFixed(3)) : v}`)
    .join(" ");
}

/** `start`: where resumed work begins (its ETA counts only the progress made since). */
export function progress(total: number, label: string, opts: { silent?: boolean; start?: number } = {}): Progress {
  if (opts.silent) return { update() {}, stop() {} };
  const t0 = performance.now();
  const start = opts.start ?? 0;
  const eta = (value: number) => {
    const el = (performance.now() - t0) / 1000;
    return value > start ? `${el.toFixed(0)}s elapsed, ~${((el / (value - start)) * (total - value)).toFixed(0)}s left` : "";
  };
  if (inNotebook()) {
    const line = liveText();
    let last = 0;
    return {
      update(value, info) {
        const now = performance.now();
        if (now - last < 250 && value < total) return; // do not flood the kernel with display updates
        last = now;
        const pct = total > 0 ? Math.floor((100 * value) / total) : 100;
        const bar = "█".repeat(Math.floor(pct / 4)).padEnd(25, "░");
        line.update(`${label} ${bar} ${pct}% ${value}/${total} ${fmtInfo(info)} (${eta(value)})`);
      },
      stop() {},
    };
  }
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% {value}/{total} {info} eta {eta_formatted}`, hideCursor: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, start, { info: "" });
    return {
      update: (value, info) => bar.update(value, { info: fmtInfo(info) }),
      stop: () => bar.stop(),
    };
  }
  let lastPrinted = -1;
  return {
    update(value, info) {
      const decile = total > 0 ? Math.floor((10 * value) / total) : 10;
      if (decile === lastPrinted) return;
      lastPrinted = decile;
      process.stderr.write(`${label} ${value}/${total} ${fmtInfo(info)} (${eta(value)})\n`);
    },
    stop() {},
  };
}

/**
 * Several bars at once (`tdmpc figures run`: one per worker and an overall one). On a terminal, cli-progress
 * bars stacked under each other with `log` lines printed above them; elsewhere (logs, CI) each bar prints a line
 * at every tenth of its way, and `log` prints plain lines.
 */
export interface ProgressBoard {
  /** A new bar; `stop()` removes it from the board. */
  add(label: string, total: number): Progress;
  /** A line printed above the bars. */
  log(line: string): void;
  stop(): void;
}

export function progressBoard(opts: { silent?: boolean } = {}): ProgressBoard {
  if (opts.silent) return { add: () => ({ update() {}, stop() {} }), log() {}, stop() {} };
  if (!process.stderr.isTTY) {
    return { add: (label, total) => progress(total, label), log: (line) => process.stderr.write(line + "\n"), stop() {} };
  }
  const multi = new cliProgress.MultiBar(
    { format: "{label} [{bar}] {percentage}% {value}/{total} {info}", hideCursor: true, stream: process.stderr, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  return {
    add(label, total) {
      const bar = multi.create(total, 0, { label, info: "" });
      return {
        update: (value, info) => bar.update(value, { label, info: fmtInfo(info) }),
        stop: () => void multi.remove(bar),
      };
    },
    log: (line) => multi.log(line + "\n"),
    stop: () => multi.stop(),
  };
}
