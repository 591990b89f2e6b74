'use strict';
// The second stage of `npm run build`: each app's webpack output (our code, compiled by Nest's
// webpack build with ts-loader, which emits the decorator metadata Nest's injection reads) with
// the packages it uses bundled in by esbuild, in place, into dist/apps/<app>/main.js.
//
// Why: a service that loads its packages from node_modules resolves and compiles ≈ 1,350 files
// at every start (TypeORM alone is ≈ 300), ≈ 0.25 s of CPU per process; five processes starting
// at once on two cores pay it 2.5 times over (bench/README.md, cold start). One file, minified,
// loads in half the time and keeps less code in the V8 heap.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { isBuiltin } = require('node:module');
const esbuild = require('esbuild');

const root = join(__dirname, '..');

// Kept as run-time requires, resolved from node_modules: argon2 loads its native binary from
// its own directory, and swagger-ui-dist's files are served from its own directory.
const EXTERNAL = ['argon2', 'swagger-ui-dist'];

// Nest and TypeORM require the packages of features we do not use (other transports, other
// databases, class-validator…) inside try/catch or behind a feature check: a package that is not
// installed stays a run-time require, which fails where it would have failed unbundled.
const notInstalledStaysExternal = {
  name: 'not-installed-stays-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolving' || isBuiltin(args.path)) return undefined;
      const { errors } = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' });
      return errors.length === 0 ? undefined : { path: args.path, external: true };
    });
  },
};

async function bundle(app) {
  const main = join(root, 'dist', 'apps', app, 'main.js');
  const ours = readFileSync(main, 'utf8');
  const result = await esbuild.build({
    stdin: { contents: ours, resolveDir: join(root, 'dist', 'apps', app), sourcefile: `${app}/main.js` },
    outfile: main,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    plugins: [notInstalledStaysExternal],
    // Whitespace and syntax only: identifiers stay, so a logged stack names the real functions.
    // Not keepNames: it wraps every named function and arrow in a defineProperty, also those
    // made per request (≈ 5 % fewer requests/s on every load of the bench). Our code is one
    // webpack module scope per file, where esbuild renames nothing; what it renames to avoid a
    // clash is in third-party modules (rxjs' `Observable2`), whose names nothing reads.
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
  });
  // What each app carries (test/bundles.spec.ts reads it): the packages our code requires (the
  // webpack stage keeps them as plain requires), every package in the bundle, and what is left
  // to require at run time.
  const packages = (names) => [...new Set(names.filter((name) => name !== undefined && !isBuiltin(name)))].sort();
  const [output] = Object.values(result.metafile.outputs);
  writeFileSync(join(root, 'dist', 'apps', app, 'packages.json'), `${JSON.stringify({
    required: packages([...ours.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1])),
    bundled: packages(Object.keys(result.metafile.inputs).map(packageOf)),
    // (a `require.resolve` of a package is not a load of it: TypeORM's glob helper has one)
    external: packages(output.imports.filter((i) => i.external && i.kind !== 'require-resolve').map((i) => i.path)),
  }, null, 2)}\n`);
}

/** `node_modules/@nestjs/core/index.js` → `@nestjs/core`; our own sources → undefined. */
function packageOf(input) {
  const match = input.match(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//g);
  if (match === null) return undefined;
  return match[match.length - 1].replace(/^\/?node_modules\//, '').replace(/\/$/, '');
}

module.exports = { bundle };
