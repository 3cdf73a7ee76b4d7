/**
 * Results tables that survive kill -9 and power loss: the one way long commands (`tdmpc oracle`, `tdmpc train
 * pets`, the TD-MPC trainer) append their rows, and the one reader of what they wrote.
 *
 *   const log = ResultsLog.open(path, { columns: ["task", "seed", "iteration", "episodeReturn"], key: ["task", "seed", "iteration"] });
 *   for (const it of iterations) {
 *     if (log.has({ task, seed, iteration: it })) continue;          // resume: that row is on disk
 *     log.append({ task, seed, iteration: it, episodeReturn: g });  // on disk (fsync) when append returns
 *   }
 *
 * - `ResultsLog.open(path, { columns, key })`: `columns` are the CSV columns in order; `key` the columns that
 *   identify a row, its run identity (task, seed, iteration or env step, config). Creates the file and its folder
 *   with a header, or reads the file: valid rows are kept, a torn tail (the line a crash or power loss interrupted)
 *   is cut off the file so the next row starts on a line of its own; `log.dropped` counts the cut lines.
 *   A file with other columns is refused (ResultsError naming both headers).
 * - `log.has(keyValues)`: whether a row with that key is in the file. `log.append(row)`: write one row (every
 *   column; numbers as String(v), full precision: round first if you want less; undefined is an empty cell),
 *   fsync'ed before it returns; a key already present, a missing or unknown column, or a cell with a comma,
 *   quote or newline throws ResultsError. `log.rows`: every row, existing and appended, as { column: text }.
 * - `readResults(path)` / `parseResults(text)`: the same validation for readers (figures, notebooks):
 *   { columns, rows, dropped }.
 *
 * Format: plain CSV, header `columns…,check`; each row ends with `,<check>\n`, check = FNV-1a (8 hex digits) of
 * the row's text before that comma. A row counts when it ends with a newline, has one cell per column and its
 * check matches. Damage may only sit at the end of the file (an append-only writer that fsyncs each row can tear
 * nothing else); a damaged line followed by intact ones means the file was edited or corrupted, and reading fails
 * naming the line. Files from before the check column (header without `check`) are read with the newline and
 * cell-count rules, and rewritten with checks (atomically: temporary file, fsync, rename) when a log opens them.
 * One writer per file at a time.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { fnv1aHex } from "./checksum.js";
import { distinctList } from "./validate.js";

export const CHECK_COLUMN = "check";

export type Cell = string | number | undefined;
/** A row as read back: column → cell text ("" for an empty cell). */
export type ResultRow = Record<string, string>;

export class ResultsError extends Error {
  override name = "ResultsError";
  constructor(file: string, problem: string) {
    super(`results file ${file}: ${problem}`);
  }
}

export interface ParsedResults {
  /** The data columns (without `check`). Empty for an empty file or one whose header line is torn. */
  columns: string[];
  /** Whether the header has the check column (false: a file written before it existed). */
  checked: boolean;
  rows: ResultRow[];
  /** Damaged lines cut from the end (a torn last line: 1). */
  dropped: number;
  /** Bytes of the header and the valid rows: where the next row must start. */
  validBytes: number;
}

/** The text of one cell (throws naming the column for a value CSV cannot hold). */
export function cellText(v: Cell, column: string, file = "results"): string {
  if (v === undefined) return "";
  if (typeof v !== "number" && typeof v !== "string") throw new ResultsError(file, `column '${column}': ${String(v)} is neither a number nor text`);
  const s = String(v);
  if (/[,"\r\n]/.test(s)) throw new ResultsError(file, `column '${column}': the value '${s}' contains a comma, quote or newline`);
  return s;
}

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/** Validate a results text (see the module comment). `file` names it in errors. */
export function parseResults(text: string, file = "results"): ParsedResults {
  const nl = text.indexOf("\n");
  if (nl < 0) return { columns: [], checked: true, rows: [], dropped: text.length ? 1 : 0, validBytes: 0 };
  const header = text.slice(0, nl).split(",");
  const checked = header[header.length - 1] === CHECK_COLUMN;
  const columns = checked ? header.slice(0, -1) : header;
  const lines = text.slice(nl + 1).split("\n"); // the last entry follows the final newline: "" when none is torn
  const rows: ResultRow[] = [];
  let validBytes = bytes(text.slice(0, nl + 1));
  let firstBad: number | undefined;
  let dropped = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (i === lines.length - 1) {
      if (line !== "") dropped++; // no newline: torn
      break;
    }
    const cells = line.split(",");
    const ok = checked
      ? cells.length === columns.length + 1 && fnv1aHex(line.slice(0, line.lastIndexOf(","))) === cells[columns.length]
      : cells.length === columns.length;
    if (!ok) {
      firstBad ??= i + 2;
      dropped++;
      continue;
    }
    if (firstBad !== undefined) throw new ResultsError(file, `line ${firstBad} is damaged but line ${i + 2} after it is intact: the file was edited or corrupted; repair or delete line ${firstBad}`);
    const row: ResultRow = {};
    columns.forEach((c, j) => (row[c] = cells[j]!));
    rows.push(row);
    validBytes += bytes(line) + 1;
  }
  return { columns, checked, rows, dropped, validBytes };
}

/** The rows of a results file (undefined when it does not exist). */
export function readResults(path: string): ParsedResults | undefined {
  return existsSync(path) ? parseResults(readFileSync(path, "utf8"), path) : undefined;
}

/** A row with numbers where a cell is numeric and undefined where it is empty (for figures and tables). */
export function typedRow(row: ResultRow): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {};
  for (const [c, v] of Object.entries(row)) out[c] = v === "" ? undefined : Number.isNaN(Number(v)) ? v : Number(v);
  return out;
}

/** One row's text with its check and newline. */
function rowLine(cells: string[]): string {
  const body = cells.join(",");
  return `${body},${fnv1aHex(body)}\n`;
}

/** Replace a file's content atomically: temporary file, fsync, rename. */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, typeof text === "string" ? Buffer.from(text, "utf8") : text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export interface ResultsSpec {
  columns: readonly string[];
  key: readonly string[];
}

export class ResultsLog {
  private readonly keys = new Set<string>();

  private constructor(
    readonly path: string,
    readonly columns: readonly string[],
    readonly key: readonly string[],
    readonly rows: ResultRow[],
    /** Damaged lines cut from the end of the file when it was opened. */
    readonly dropped: number,
  ) {
    for (const r of rows) this.keys.add(this.keyOf(r));
  }

  /** Open (or create) a results file for appending; see the module comment. */
  static open(path: string, spec: ResultsSpec): ResultsLog {
    const { columns, key } = spec;
    distinctList("results columns", columns);
    distinctList("results key", key);
    for (const c of columns) if (c === CHECK_COLUMN || c === "" || /[,"\r\n]/.test(c)) throw new ResultsError(path, `'${c}' cannot be a column name`);
    for (const k of key) if (!columns.includes(k)) throw new ResultsError(path, `key column '${k}' is not one of the columns (${columns.join(", ")})`);
    mkdirSync(dirname(path), { recursive: true });
    const parsed = existsSync(path) ? parseResults(readFileSync(path, "utf8"), path) : undefined;
    const header = [...columns, CHECK_COLUMN].join(",") + "\n";
    if (!parsed || parsed.columns.length === 0) {
      writeFileAtomic(path, header);
      return new ResultsLog(path, columns, key, [], parsed?.dropped ?? 0);
    }
    if (parsed.columns.join(",") !== columns.join(",")) {
      throw new ResultsError(path, `has the columns '${parsed.columns.join(",")}' but this command writes '${columns.join(",")}': write to another file`);
    }
    if (!parsed.checked) writeFileAtomic(path, header + parsed.rows.map((r) => rowLine(columns.map((c) => r[c]!))).join(""));
    else if (parsed.dropped > 0) truncateSync(path, parsed.validBytes);
    return new ResultsLog(path, columns, key, parsed.rows, parsed.dropped);
  }

  /** Whether a row with these key values is in the file (the values of every key column). */
  has(keyValues: Record<string, Cell>): boolean {
    return this.keys.has(this.keyOf(keyValues));
  }

  /** Append one row and flush it to disk. */
  append(row: Record<string, Cell>): void {
    for (const k of Object.keys(row)) if (!this.columns.includes(k)) throw new ResultsError(this.path, `unknown column '${k}' (columns: ${this.columns.join(", ")})`);
    const cells = this.columns.map((c) => {
      if (!(c in row)) throw new ResultsError(this.path, `the row has no value for column '${c}'`);
      return cellText(row[c], c, this.path);
    });
    const text: ResultRow = {};
    this.columns.forEach((c, i) => (text[c] = cells[i]!));
    const k = this.keyOf(text);
    if (this.keys.has(k)) throw new ResultsError(this.path, `already holds a row for ${this.key.map((c) => `${c}=${text[c]}`).join(", ")}`);
    const fd = openSync(this.path, "a");
    try {
      writeSync(fd, rowLine(cells));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.rows.push(text);
    this.keys.add(k);
  }

  private keyOf(values: Record<string, Cell>): string {
    return this.key
      .map((c) => {
        if (!(c in values)) throw new ResultsError(this.path, `no value for key column '${c}'`);
        return cellText(values[c], c, this.path);
      })
      .join(",");
  }
}
