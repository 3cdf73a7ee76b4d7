/**
 * A real Redis for tests: Debian's `redis-server` on a free loopback port, no persistence, stopped afterwards.
 * (.ci/run installs the package.)
 */
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  if (spawnSync("redis-server", ["--version"]).error) throw new Error("redis-server is not installed: `apt-get install -y redis-server` (.ci/run installs it)");
  const port = await freePort();
  const server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const exited = new Promise<void>((r) => server.once("exit", () => r()));
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on("error", () => {}); // refused while the server starts: the loop below retries
  for (let t = 0; ; t++) {
    try {
      await client.connect();
      if ((await client.ping()) === "PONG") break;
    } catch {
      if (t > 100 || server.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.disconnect();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      server.kill("SIGTERM");
      await exited;
    },
  };
}
