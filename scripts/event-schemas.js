'use strict';
// npm run contracts:schemas: (re)writes libs/contracts/schemas/<subject>.v<N>.json from the zod
// schemas in libs/contracts/src/bootstrap/events.ts. `--check` only reports stale files (exit 1).
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'libs', 'contracts', 'schemas');

// Load the TypeScript source directly (it imports only zod).
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(outputText, filename);
};
const { bootstrapEventJsonSchemas } = require(path.join(root, 'libs', 'contracts', 'src', 'bootstrap', 'events.ts'));

const check = process.argv.includes('--check');
let stale = 0;
fs.mkdirSync(dir, { recursive: true });
for (const [file, schema] of Object.entries(bootstrapEventJsonSchemas())) {
  const target = path.join(dir, file);
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
  if (current === text) continue;
  stale += 1;
  if (check) console.error(`stale: ${path.relative(root, target)}`);
  else {
    fs.writeFileSync(target, text);
    console.log(`wrote ${path.relative(root, target)}`);
  }
}
process.exit(check && stale > 0 ? 1 : 0);
