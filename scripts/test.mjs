// `npm test`: unit tests of src/ and every notebook in quick mode (TDMPC_QUICK=1), then one closing line
// "tests: N passed, N failed" that CI reads. Extra arguments go to vitest (e.g. `npm test -- tests/unit`).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const report = join(root, ".cache", "vitest-report.json");
mkdirSync(join(root, ".cache"), { recursive: true });
rmSync(report, { force: true });
const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
const r = spawnSync(
  process.execPath,
  [vitest, "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: "inherit", cwd: root, env: { ...process.env, TDMPC_QUICK: process.env.TDMPC_QUICK ?? "1" } },
);
let passed = 0, failed = 0, skipped = 0;
if (existsSync(report)) {
  const j = JSON.parse(readFileSync(report, "utf8"));
  passed = j.numPassedTests ?? 0;
  failed = (j.numFailedTests ?? 0) + (j.numFailedTestSuites ?? 0 ? 0 : 0);
  skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  if ((j.numFailedTestSuites ?? 0) > 0 && failed === 0) failed = j.numFailedTestSuites;
}
const code = r.status ?? 1;
if (code !== 0 && failed === 0) failed = 1; // vitest failed before reporting (e.g. a file did not load)
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(code);
