// Run a notebook's code cells in a kernel of a running Jupyter server, the way the browser does:
// a session for the notebook (kernel cwd = its folder), then execute_request messages over the
// kernel's websocket. Prints one JSON line {ok, cells, failedCell?, error?}.
// Usage: node --experimental-websocket exec-in-server.mjs <server-url-with-token> <notebook path relative to server root>
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [urlArg, nbPath, rootDir] = process.argv.slice(2);
const url = new URL(urlArg);
const token = url.searchParams.get("token");
const headers = { Authorization: `token ${token}`, "Content-Type": "application/json" };
const api = (p, init = {}) => fetch(`${url.origin}/api/${p}`, { ...init, headers });

const nb = JSON.parse(readFileSync(join(rootDir, nbPath), "utf8"));
const session = await (await api("sessions", { method: "POST", body: JSON.stringify({ path: nbPath, type: "notebook", kernel: { name: "tslab" } }) })).json();
const kernelId = session.kernel.id;
const ws = new WebSocket(`ws://${url.host}/api/kernels/${kernelId}/channels?session_id=${randomUUID()}&token=${token}`);
await new Promise((res, rej) => { ws.onopen = res; ws.onerror = rej; });

const pending = new Map();
const stderrOf = new Map();
ws.onmessage = (ev) => {
  const msg = JSON.parse(ev.data);
  const parent = msg.parent_header?.msg_id;
  if (!parent) return;
  if (msg.msg_type === "stream" && msg.content.name === "stderr") stderrOf.set(parent, (stderrOf.get(parent) ?? "") + msg.content.text);
  if (msg.msg_type === "error") stderrOf.set(parent, (stderrOf.get(parent) ?? "") + `${msg.content.ename}: ${msg.content.evalue}`);
  if (msg.msg_type === "execute_reply") pending.get(parent)?.(msg.content);
};

function execute(code) {
  const msg_id = randomUUID();
  const msg = {
    header: { msg_id, username: "test", session: randomUUID(), msg_type: "execute_request", version: "5.3", date: new Date().toISOString() },
    parent_header: {}, metadata: {}, channel: "shell", buffers: [],
    content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
  };
  return new Promise((res) => {
    pending.set(msg_id, (content) => res({ content, stderr: stderrOf.get(msg_id) ?? "" }));
    ws.send(JSON.stringify(msg));
  });
}

const result = { ok: true, cells: 0 };
const codeCells = nb.cells.filter((c) => c.cell_type === "code");
for (let i = 0; i < codeCells.length; i++) {
  const src = Array.isArray(codeCells[i].source) ? codeCells[i].source.join("") : codeCells[i].source;
  const { content, stderr } = await execute(src);
  result.cells++;
  if (content.status !== "ok") {
    Object.assign(result, { ok: false, failedCell: i, error: stderr || content.evalue || content.status });
    break;
  }
}
ws.close();
await api(`sessions/${session.id}`, { method: "DELETE" });
console.log(JSON.stringify(result));
process.exit(0);
