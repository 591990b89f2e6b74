'use strict';
/*
 * Lets plain `node` run the bench's TypeScript (and the libs it imports) with no build step and
 * no extra dependency: each .ts file is transpiled on require with the repository's own
 * tsconfig.json (TypeScript's transpileModule, per file, which `isolatedModules` makes safe),
 * and `@app/<lib>` resolves to libs/<lib>/src as the tsconfig paths say. Not type-checked: run
 * `npx tsc -p bench/tsconfig.json --noEmit` for that.
 *
 *   node bench/register.js bench/floor/server.ts   runs a .ts file as a program
 *   require('./bench/register')                    installs the hook in this process
 */
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join, resolve } = require('node:path');
const ts = require('typescript');

const root = resolve(__dirname, '..');

function compilerOptions() {
  const file = join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, dirname(file));
  return { ...options, module: ts.ModuleKind.CommonJS, sourceMap: false, inlineSourceMap: true, inlineSources: false, declaration: false };
}

if (!Module._extensions['.ts']) {
  const options = compilerOptions();
  Module._extensions['.ts'] = (module, filename) => {
    const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions: options, fileName: filename });
    module._compile(outputText, filename);
  };
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    const lib = /^@app\/([\w-]+)$/.exec(request);
    return resolveFilename.call(this, lib ? join(root, 'libs', lib[1], 'src') : request, ...rest);
  };
}

if (require.main === module) {
  const [script, ...args] = process.argv.slice(2);
  if (!script) {
    console.error('usage: node bench/register.js <file.ts> [args…]');
    process.exit(2);
  }
  process.argv = [process.argv[0], resolve(script), ...args];
  require(resolve(script));
}
