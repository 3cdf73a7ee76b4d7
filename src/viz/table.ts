/**
 * HTML tables for notebooks. danfojs-node has no `toHtml`, so a DataFrame (anything with `columns` and
 * `values`) or an array of row objects is rendered here.
 */
import { showHtml } from "./plotly.js";

export interface TableLike {
  columns: string[];
  values: unknown[][] | unknown[];
  index?: (string | number)[];
}

function esc(v: unknown): string {
  return String(v).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function fmt(v: unknown, digits: number): string {
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    if (!Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(digits - 1) : v.toPrecision(digits);
  }
  return String(v);
}

/** Row objects → TableLike (columns in first-seen order). */
export function rowsToTable(rows: Record<string, unknown>[]): TableLike {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  return { columns, values: rows.map((r) => columns.map((c) => r[c] ?? "")) };
}

export function tableHtml(table: TableLike | Record<string, unknown>[], opts: { digits?: number; caption?: string } = {}): string {
  const t = Array.isArray(table) ? rowsToTable(table) : table;
  const digits = opts.digits ?? 4;
  const rows = (t.values as unknown[]).map((r) => (Array.isArray(r) ? r : [r]));
  const hasIndex = Array.isArray(t.index) && t.index.length === rows.length;
  const head = `<tr>${hasIndex ? "<th></th>" : ""}${t.columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>`;
  const body = rows
    .map(
      (r, i) =>
        `<tr>${hasIndex ? `<th>${esc(t.index![i])}</th>` : ""}${r.map((v) => `<td>${esc(fmt(v, digits))}</td>`).join("")}</tr>`,
    )
    .join("\n");
  const caption = opts.caption ? `<caption>${esc(opts.caption)}</caption>` : "";
  return `<table class="tdmpc-table">${caption}<thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** Show a table inline in the notebook (plain text elsewhere). */
export function showTable(table: TableLike | Record<string, unknown>[], opts: { digits?: number; caption?: string } = {}): void {
  showHtml(tableHtml(table, opts));
}
