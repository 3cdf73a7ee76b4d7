import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromCsv } from "../../src/experiments/ch02-mpc.js";
import { parsePetsCsv } from "../../src/experiments/ch03-models.js";
import { readOracleCsv } from "../../src/experiments/oracle-mpc.js";
import { parseResults, ResultsError, ResultsLog } from "../../src/util/results.js";

const tmp = () => mkdtempSync(join(tmpdir(), "results-"));
const spec = { columns: ["task", "seed", "ret"], key: ["task", "seed"] };

describe("results log (util/results.ts)", () => {
  it("appends checked rows, knows what is there, refuses a duplicate key, a missing or unknown column and a comma", () => {
    const f = join(tmp(), "sub", "r.csv");
    const log = ResultsLog.open(f, spec);
    log.append({ task: "a", seed: 0, ret: 1.5 });
    log.append({ task: "a", seed: 1, ret: Number.NaN });
    expect(log.has({ task: "a", seed: 1 })).toBe(true);
    expect(log.has({ task: "a", seed: 2 })).toBe(false);
    expect(() => log.append({ task: "a", seed: 0, ret: 2 })).toThrow(/already holds a row for task=a, seed=0/);
    expect(() => log.append({ task: "a", seed: 3 })).toThrow(/no value for column 'ret'/);
    expect(() => log.append({ task: "a", seed: 3, ret: 1, extra: 1 })).toThrow(/unknown column 'extra'/);
    expect(() => log.append({ task: "a,b", seed: 3, ret: 1 })).toThrow(/column 'task'.*comma/);
    const again = ResultsLog.open(f, spec);
    expect(again.rows).toEqual([
      { task: "a", seed: "0", ret: "1.5" },
      { task: "a", seed: "1", ret: "NaN" },
    ]);
    expect(readFileSync(f, "utf8").split("\n")[0]).toBe("task,seed,ret,check");
    expect(() => ResultsLog.open(f, { columns: ["task", "seed", "return"], key: ["task"] })).toThrow(/columns 'task,seed,ret' but this command writes 'task,seed,return'/);
  });

  it("a torn last line (power loss mid-write) is dropped by readers and cut off by the next writer", () => {
    const f = join(tmp(), "r.csv");
    const log = ResultsLog.open(f, spec);
    log.append({ task: "a", seed: 0, ret: 591.972 });
    const whole = readFileSync(f, "utf8");
    appendFileSync(f, "a,1,59"); // the second row, cut inside its return
    expect(parseResults(readFileSync(f, "utf8")).rows).toHaveLength(1);
    expect(parseResults(readFileSync(f, "utf8")).dropped).toBe(1);
    // a line with a newline but a wrong check (a zero-filled or bit-flipped block) is damage too
    writeFileSync(f, whole + "a,1,591.9,00000000\n");
    const reopened = ResultsLog.open(f, spec);
    expect(reopened.dropped).toBe(1);
    expect(readFileSync(f, "utf8")).toBe(whole); // cut back to the last intact row
    reopened.append({ task: "a", seed: 1, ret: 2 });
    expect(ResultsLog.open(f, spec).rows.map((r) => r.seed)).toEqual(["0", "1"]);
    // damage followed by intact rows is not a torn write: refuse, naming the line
    writeFileSync(f, whole + "a,1,5,00000000\n" + readFileSync(f, "utf8").split("\n")[2] + "\n");
    expect(() => parseResults(readFileSync(f, "utf8"), f)).toThrow(/line 3 is damaged but line 4 after it is intact/);
  });

  it("files from before the check column are read by cell count and newline, and upgraded when appended to", () => {
    const f = join(tmp(), "old.csv");
    writeFileSync(f, "task,seed,ret\na,0,1\na,1,2\na,2,3"); // the last row has no newline: torn
    expect(parseResults(readFileSync(f, "utf8")).rows).toHaveLength(2);
    const log = ResultsLog.open(f, spec);
    expect(log.has({ task: "a", seed: 2 })).toBe(false);
    log.append({ task: "a", seed: 2, ret: 3 });
    const text = readFileSync(f, "utf8");
    expect(text.split("\n")[0]).toBe("task,seed,ret,check");
    expect(parseResults(text).rows.map((r) => r.ret)).toEqual(["1", "2", "3"]);
  });

  it("the chapter readers drop a torn last line instead of reading a cut-off return (issue 12, item 10)", () => {
    const d = tmp();
    const oracle = join(d, "oracle.csv");
    const head = "sweep,task,planner,numSamples,horizon,iterations,steps,replanEvery,actionRepeat,seed,episodeReturn,msPerPlan,msPerAction,lookaheadSec\n";
    writeFileSync(oracle, head + "oracle,cartpole-swingup,cem,64,12,3,125,1,8,0,850.5,1,1,0.96\noracle,cartpole-swingup,cem,64,12,3,125,1,8,1,8");
    expect(readOracleCsv(oracle).map((r) => r.episodeReturn)).toEqual([850.5]);
    expect(fromCsv(readFileSync(oracle, "utf8"))).toHaveLength(1);
    const pets = "task,seed,iteration,kind,envSteps,episodeReturn,modelLoss,wallSec\ncartpole-swingup,0,-1,random,1000,75.19,NaN,0.5\ncartpole-swingup,0,0,mpc,2000,8";
    expect(parsePetsCsv(pets)).toEqual([{ seed: 0, envSteps: 1000, episodeReturn: 75.19, wallSec: 0.5 }]);
  });

  it("refuses a key column that is not a column, and duplicate column names", () => {
    const f = join(tmp(), "r.csv");
    expect(() => ResultsLog.open(f, { columns: ["a", "b"], key: ["c"] })).toThrow(ResultsError);
    expect(() => ResultsLog.open(f, { columns: ["a", "a"], key: ["a"] })).toThrow(/lists 'a' twice/);
  });
});
