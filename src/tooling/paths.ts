import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, delimiter } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root: the nearest folder above this file whose package.json is tdmpc-ts. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "tdmpc-ts") return dir;
      } catch {
        // keep climbing
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the tdmpc-ts project root above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** First executable named `cmd` on a PATH string (default: this process's PATH). */
export function which(cmd: string, pathVar: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (pathVar ?? "").split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Where long commands write results by default: `results/` in the project (git ignores it), or $TDMPC_RESULTS_DIR.
 * The committed results under data/results/ are only written when a command's --out names them.
 */
export function resultsDir(): string {
  return process.env.TDMPC_RESULTS_DIR || join(projectRoot(), "results");
}

/** Checkpoints and other regenerable state: $TDMPC_CACHE_DIR or ~/.cache/tdmpc-ts. */
export function cacheDir(): string {
  return process.env.TDMPC_CACHE_DIR || join(homedir(), ".cache", "tdmpc-ts");
}

