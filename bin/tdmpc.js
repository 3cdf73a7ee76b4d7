#!/usr/bin/env node
// Entry point of `npx tdmpc`: runs the compiled CLI (npm install builds dist/ through the prepare script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/cli/index.js", import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error("tdmpc: the library is not built (dist/cli/index.js is missing): run `npm run build` in the project folder.");
  process.exit(1);
}
const { main } = await import(cli.href);
await main(process.argv);
