#!/usr/bin/env node
// `pnpm check:packages`: the packages as a user gets them. Packs every package (dist must be built:
// the script runs `turbo run build` first), lints the tarballs (publint, arethetypeswrong), checks
// their contents and metadata, then installs them outside the workspace with npm and with pnpm
// (strict: hoist false) and, there, with plain Node: runs every README example, require()s each
// package, type-checks a TypeScript consumer (node16 and bundler resolution), checks the second-copy
// error and initWebGPU() without Dawn, measures a cpu-only install of sklearn-lite, and builds a
// one-package Vite app for sklearn-lite and for transformers-lite (no warnings, no `node:` imports,
// gzip size within 10% of the budget below). Offline: every install is from local tarballs (the two
// third-party dependencies are packed from the workspace's node_modules), with empty caches.
//
//   node scripts/check-packages.mjs [--keep] [--tarballs DIR] [--sizes-only]
// --keep leaves the temporary folder; --tarballs measures tarballs packed elsewhere (e.g. an older
// commit's) and --sizes-only then reports sizes and the Vite bundles only.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['tensor', 'autograd', 'nn', 'data', 'sklearn-lite', 'transformers-lite'];
/** Each package's peers (one copy per app) and what an app of that package alone installs. */
const PEERS = {
  tensor: [],
  autograd: ['tensor'],
  nn: ['autograd', 'tensor'],
  data: ['tensor'],
  'sklearn-lite': ['data', 'tensor'],
  'transformers-lite': ['nn', 'autograd', 'tensor'],
};
/** Gzip size budgets (kB) of the one-package Vite apps below, as measured when the check was added. */
// The issue that asked for this check measured 33.5 and 81.1 kB with apps it did not record, before
// the cpu backend's WebAssembly kernels landed; these are the apps below on the tarballs of the
// commit before the check (tensor's wasm kernels included): raise them only with a note.
//
// Raised on 2026-12-07 to what the apps measured then (from 110.8 and 159.6), for features they use:
// tensor's WebAssembly kernels for layerNorm, cross-entropy, where and Philox (four builds of the
// module are embedded, ~+30 kB of base64); in sklearn-lite, LogisticRegression's liblinear solver,
// sparse input, class weights and any-label classes, and StandardScaler's sparse path (issue 15);
// in transformers-lite, Hub ids with Python's cache and sharded/half-precision checkpoints (issue 16)
// and option checks everywhere (issue 15).
//
// Raised again on 2026-12-07 (from 133.1 and 184.7) to what the apps measured at ad28ef2: in
// sklearn-lite, LinearRegression and Ridge on sparse input (LSQR, sample weights) and sparse
// KMeans' transposed-center label step (issue 15); in tensor, which both apps carry, error classes
// by category (issue 18), the WebGPU kernels' declared uniform layouts and kernel policy (one module
// per program, issue 18), and the addmm and fused bceWithLogits ops with their cpu kernels (issue 12).
//
// Raised on 2026-12-08 (from 147.3 and 199.0) to what the apps measured at the commit that did it:
// tensor's float32 exp/tanh/erf/GELU/softmax/cross-entropy kernels now run four vectors per
// iteration (2–3× faster; each inlined copy of a vector exp carries its constants as 16-byte
// immediates), +9.3 kB gzip of embedded modules (four builds); the apps had grown by 10 and 9 kB
// within the 10% allowance before that (sklearn-lite measured 157.3 kB, transformers-lite 208.1).
const VITE_BUDGET_KB = { 'sklearn-lite': 166.6, 'transformers-lite': 217.4 };
const CPU_ONLY_BUDGET_MB = 5;

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const sizesOnly = args.includes('--sizes-only');
const givenTarballs = args.includes('--tarballs') ? args[args.indexOf('--tarballs') + 1] : undefined;

const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const requireFromRoot = createRequire(join(ROOT, 'package.json'));
const ts = requireFromRoot('typescript');

// The consumer runs see what a user's machine has: no CI switches of ours, no workspace settings.
const userEnv = { ...process.env };
for (const k of Object.keys(userEnv)) {
  if (k === 'LUMEN_REQUIRE_WEBGPU' || k.startsWith('npm_') || k.startsWith('PNPM_') || k === 'NODE_OPTIONS')
    delete userEnv[k];
}

const failures = [];
let current = '';
function check(ok, message) {
  if (!ok) failures.push(`${current}: ${message}`);
  return ok;
}

/** Runs a command; returns { code, out } (stdout and stderr together). */
function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? userEnv,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: opts.timeout ?? 300_000,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`;
  return { code: r.status ?? 1, out };
}
function mustRun(what, cmd, argv, opts) {
  const r = run(cmd, argv, opts);
  if (
    !check(
      r.code === 0,
      `${what} exited ${r.code}:\n${indent(r.out.trim().split('\n').slice(-12).join('\n'))}`,
    )
  )
    return null;
  return r.out;
}
const indent = (s) => s.replace(/^/gm, '    ');

const started = Date.now();
function step(name, fn) {
  current = name;
  const t0 = Date.now();
  const before = failures.length;
  try {
    fn();
  } catch (e) {
    failures.push(`${name}: ${e.stack ?? e}`);
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`${failures.length === before ? 'ok  ' : 'FAIL'} ${name} (${secs} s)`);
}

const work = realpathSync(mkdtempSync(join(tmpdir(), 'lumen-check-packages-')));
const tgzDir = join(work, 'tarballs');
mkdirSync(tgzDir);

/** Files of a .tgz as { path: Buffer } (paths without the leading package/). */
function untar(file) {
  const buf = gunzipSync(readFileSync(file));
  const files = {};
  let off = 0;
  while (off + 512 <= buf.length) {
    const name = buf
      .subarray(off, off + 100)
      .toString('utf8')
      .replace(/\0.*$/s, '');
    if (!name) break;
    const prefix = buf
      .subarray(off + 345, off + 500)
      .toString('utf8')
      .replace(/\0.*$/s, '');
    const size = Number.parseInt(
      buf
        .subarray(off + 124, off + 136)
        .toString('utf8')
        .trim() || '0',
      8,
    );
    const type = String.fromCharCode(buf[off + 156]);
    const path = (prefix ? `${prefix}/${name}` : name).replace(/^[^/]+\//, '');
    if (type === '0' || type === '\0') files[path] = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

const tarball = {};
const kB = (n) => `${(n / 1000).toFixed(1)} kB`;

step('pack every package (pnpm pack: publishConfig applied, workspace: ranges replaced)', () => {
  for (const p of PACKAGES) {
    let file;
    if (givenTarballs) {
      file = readdirSync(givenTarballs).find((f) => f.startsWith(`lumen-${p}-`) && f.endsWith('.tgz'));
      if (!check(file, `no lumen-${p}-*.tgz in ${givenTarballs}`)) continue;
      cpSync(join(givenTarballs, file), join(tgzDir, file));
    } else {
      const dir = join(ROOT, 'packages', p);
      if (!check(existsSync(join(dir, 'dist', 'index.js')), `packages/${p}/dist is not built`)) continue;
      const out = mustRun(`pnpm pack (${p})`, bin('pnpm'), ['pack', '--pack-destination', tgzDir], {
        cwd: dir,
      });
      if (out === null) continue;
      file = readdirSync(tgzDir).find((f) => f.startsWith(`lumen-${p}-`));
    }
    tarball[p] = join(tgzDir, file);
  }
  console.log('     package                     packed     unpacked   files');
  for (const p of PACKAGES) {
    if (!tarball[p]) continue;
    const files = untar(tarball[p]);
    const unpacked = Object.values(files).reduce((s, b) => s + b.length, 0);
    console.log(
      `     @lumen/${p.padEnd(20)}${kB(statSync(tarball[p]).size).padStart(10)}${kB(unpacked).padStart(13)}${String(Object.keys(files).length).padStart(8)}`,
    );
  }
});

if (!sizesOnly)
  step('tarball contents and metadata', () => {
    const license = readFileSync(join(ROOT, 'LICENSE'));
    const repo = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).repository;
    for (const p of PACKAGES) {
      if (!tarball[p]) continue;
      const files = untar(tarball[p]);
      const pkg = JSON.parse(files['package.json'].toString('utf8'));
      const where = `@lumen/${p}`;
      for (const f of [
        'LICENSE',
        'README.md',
        'CHANGELOG.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/index.js.map',
      ])
        check(files[f], `${where}: ${f} is not in the tarball`);
      check(files.LICENSE?.equals(license), `${where}: LICENSE differs from the root LICENSE`);
      check(!Object.keys(files).some((f) => f.startsWith('src/')), `${where}: src/ is in the tarball`);
      const map = files['dist/index.js.map'] && JSON.parse(files['dist/index.js.map'].toString('utf8'));
      check(!map?.sourcesContent, `${where}: the source map embeds its sources`);
      const text = files['package.json'].toString('utf8');
      check(!text.includes('workspace:'), `${where}: a workspace: range is left in package.json`);
      check(!text.includes('@lumen/source'), `${where}: the dev-only @lumen/source condition is published`);
      // every exports target is in the tarball
      const targets = [];
      const walk = (v) => {
        if (typeof v === 'string') targets.push(v);
        else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      };
      walk(pkg.exports);
      for (const t of targets)
        if (!t.includes('*'))
          check(files[t.replace(/^\.\//, '')], `${where}: exports names ${t}, not in the tarball`);
      const dot = pkg.exports?.['.'] ?? {};
      check(
        JSON.stringify(Object.keys(dot)) === JSON.stringify(['types', 'import', 'default']),
        `${where}: exports["."] conditions are ${JSON.stringify(Object.keys(dot))}, expected types, import, default`,
      );
      check(pkg.license === 'MIT', `${where}: license is ${pkg.license}`);
      for (const k of ['description', 'keywords', 'homepage', 'bugs', 'repository'])
        check(pkg[k] && (k !== 'keywords' || pkg[k].length > 0), `${where}: no ${k}`);
      check(pkg.repository?.url === repo?.url, `${where}: repository.url is not the root package.json's`);
      check(
        pkg.repository?.directory === `packages/${p}`,
        `${where}: repository.directory is not packages/${p}`,
      );
      check(pkg.engines?.node === '>=20.19', `${where}: engines.node is ${pkg.engines?.node}`);
      check(typeof pkg.sideEffects === 'boolean', `${where}: sideEffects is not set`);
      check(pkg.publishConfig?.access === 'public', `${where}: publishConfig.access is not public`);
      for (const peer of PEERS[p])
        check(
          pkg.peerDependencies?.[`@lumen/${peer}`] === `^${pkg.version}` &&
            !pkg.dependencies?.[`@lumen/${peer}`],
          `${where}: @lumen/${peer} is not a caret-range peer dependency (${JSON.stringify(pkg.peerDependencies)})`,
        );
      const lumenDeps = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@lumen/'));
      check(
        lumenDeps.length === 0,
        `${where}: @lumen packages as dependencies (must be peers): ${lumenDeps}`,
      );
      check(
        !pkg.dependencies?.webgpu && !pkg.optionalDependencies?.webgpu,
        `${where}: webgpu is installed by default`,
      );
      if (p === 'tensor')
        check(
          pkg.peerDependencies?.webgpu && pkg.peerDependenciesMeta?.webgpu?.optional === true,
          `${where}: webgpu is not an optional peer dependency`,
        );
      const dts = files['dist/index.d.ts']?.toString('utf8') ?? '';
      if (p !== 'tensor')
        check(
          !dts.includes('/// <reference types='),
          `${where}: its .d.ts references types it does not depend on (pnpm strict consumers fail with TS2688)`,
        );
    }
    const config = JSON.parse(readFileSync(join(ROOT, '.changeset', 'config.json'), 'utf8'));
    check(config.access === 'public', `.changeset/config.json: access is ${config.access}`);
  });

if (!sizesOnly)
  step(
    'publint --strict and attw (--profile esm-only: ESM only; require() is Node ≥ 20.19 loading ESM)',
    () => {
      for (const p of PACKAGES) {
        if (!tarball[p]) continue;
        mustRun(`publint @lumen/${p}`, bin('publint'), ['--strict', tarball[p]]);
        mustRun(`attw @lumen/${p}`, bin('attw'), ['--profile', 'esm-only', '--format', 'ascii', tarball[p]]);
      }
    },
  );

/** Which package needs each third-party dependency. */
const THIRD_PARTY_OF = {
  '@webgpu/types': 'tensor',
  '@huggingface/jinja': 'transformers-lite',
  // @lumen/data's Parquet reader and writer (pure JS) and its zstd decompressor
  hyparquet: 'data',
  'hyparquet-writer': 'data',
  fzstd: 'data',
};
// The third-party dependencies, packed from the workspace's installed copies (no registry needed).
const thirdParty = {};
step('pack the third-party dependencies from the workspace', () => {
  for (const [name, from] of Object.entries(THIRD_PARTY_OF)) {
    const dir = realpathSync(join(ROOT, 'packages', from, 'node_modules', name));
    const file = join(tgzDir, `${name.replace('@', '').replace('/', '-')}.tgz`);
    const base = name.split('/').at(-1); // scoped or not
    execFileSync('tar', ['-czf', file, '-C', dirname(dir), '--transform', `s,^${base},package,`, base]);
    thirdParty[name] = file;
  }
});

/** An app folder depending on `names` (file: tarballs), installed with npm or pnpm, offline. */
function install(kind, dir, names) {
  mkdirSync(dir, { recursive: true });
  const deps = {};
  for (const n of names) deps[`@lumen/${n}`] = `file:${tarball[n]}`;
  const pkg = { name: `consumer-${kind}`, private: true, type: 'module', dependencies: deps };
  if (kind === 'npm') {
    // npm takes a dependency from the app's own tarballs when the version satisfies the range
    for (const [n, f] of Object.entries(thirdParty))
      if (names.includes(THIRD_PARTY_OF[n])) deps[n] = `file:${f}`;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    const argv = ['install', '--offline', '--no-audit', '--no-fund', '--cache', join(work, 'npm-cache')];
    // older tarballs had webgpu as an optional dependency (not in the offline cache)
    if (givenTarballs) argv.push('--omit=optional');
    return mustRun('npm install', 'npm', argv, {
      cwd: dir,
    });
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  // strict: nothing hoisted, each package sees only what it declares
  const overrides = Object.entries(thirdParty)
    .map(([n, f]) => `  "${n}": "file:${f}"`)
    .join('\n');
  writeFileSync(
    join(dir, 'pnpm-workspace.yaml'),
    // pnpm does not match a file: tarball's version against a peer range (a registry install does):
    // allowAny lifts only that; that every package got the one root copy is checked after install.
    `hoist: false\npublicHoistPattern: []\nstrictPeerDependencies: true\npeerDependencyRules:\n  allowAny:\n    - "@lumen/*"\nupdateNotifier: false\noverrides:\n${overrides}\n`,
  );
  return mustRun(
    'pnpm install',
    bin('pnpm'),
    ['install', '--offline', '--no-frozen-lockfile', '--store-dir', join(work, 'pnpm-store')],
    { cwd: dir },
  );
}

/** Every ```ts block of a README, as the README tests cut them, turned into plain JS for Node. */
function readmeExamples(p) {
  const readme = readFileSync(join(ROOT, 'packages', p, 'README.md'), 'utf8');
  return readme
    .split('```ts\n')
    .slice(1)
    .map((b) => b.split('```')[0])
    .map(
      (code) =>
        ts.transpileModule(code, {
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
        }).outputText,
    );
}

const CONSUMER_TS = `import { tensor, type Tensor, initWebGPU, webgpuUnavailableReason } from '@lumen/tensor';
import { grad, noGrad } from '@lumen/autograd';
import { Linear, Adam, type Module } from '@lumen/nn';
import { parseCsv, type DataFrame } from '@lumen/data';
import { PCA, StandardScaler } from '@lumen/sklearn-lite';
import { trainWordPiece, GPT2Config, GPT2LMHeadModel } from '@lumen/transformers-lite';

const layer: Module = new Linear(2, 1);
const y: Tensor = noGrad(() => (layer as Linear).forward(tensor([[1, 2]])));
const [g] = grad(tensor([1], { requiresGrad: true }).square().sum(), tensor([1], { requiresGrad: true }));
const opt = new Adam(layer.parameters(), { lr: 0.1 });
const df: DataFrame = parseCsv('a,b\\n1,2\\n3,4\\n');
const X: Tensor = new StandardScaler().fitTransform(df.toTensor({ dtype: 'float64' }));
const pca = new PCA({ nComponents: 1 }).fit(X);
const tok = trainWordPiece(['a b c'], { vocabSize: 50 });
const model = new GPT2LMHeadModel(new GPT2Config({ vocabSize: 50, nEmbd: 8, nLayer: 1, nHead: 2 }));
const ok: boolean = await initWebGPU();
const why: string | null = webgpuUnavailableReason();
export { y, g, opt, pca, tok, model, ok, why };
`;

function consumerChecks(kind, dir) {
  // README examples with plain node
  for (const p of PACKAGES) {
    readmeExamples(p).forEach((js, i) => {
      const file = join(dir, `readme-${p}-${i + 1}.mjs`);
      writeFileSync(file, js);
      mustRun(
        `${kind}: node ${relative(dir, file)} (README example ${i + 1} of @lumen/${p})`,
        process.execPath,
        [file],
        {
          cwd: dir,
        },
      );
    });
  }
  // require() of each package (Node >= 20.19 loads ESM from require)
  writeFileSync(
    join(dir, 'require.cjs'),
    `for (const p of ${JSON.stringify(PACKAGES)}) {
  const m = require('@lumen/' + p);
  if (Object.keys(m).length < 3) throw new Error('@lumen/' + p + ': require() gave ' + Object.keys(m));
}
console.log('required', ${PACKAGES.length}, 'packages');
`,
  );
  const req = mustRun(`${kind}: node require.cjs`, process.execPath, ['require.cjs'], { cwd: dir });
  if (req !== null)
    check(!/ExperimentalWarning|Error/.test(req), `${kind}: require() printed:\n${indent(req)}`);
  // a TypeScript consumer, node16 and bundler resolution, library .d.ts checked too
  writeFileSync(join(dir, 'consumer.mts'), CONSUMER_TS);
  writeFileSync(join(dir, 'consumer.ts'), CONSUMER_TS);
  for (const [name, resolution, file] of [
    ['node16', 'node16', 'consumer.mts'],
    ['bundler', 'bundler', 'consumer.ts'],
  ]) {
    const compilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      target: 'es2022',
      module: resolution === 'node16' ? 'node16' : 'esnext',
      moduleResolution: resolution,
      types: [],
    };
    writeFileSync(
      join(dir, `tsconfig.${name}.json`),
      JSON.stringify({ compilerOptions, files: [file] }, null, 2),
    );
    mustRun(
      `${kind}: tsc (${name} resolution)`,
      process.execPath,
      [requireFromRoot.resolve('typescript/bin/tsc'), '-p', `tsconfig.${name}.json`],
      {
        cwd: dir,
      },
    );
  }
  // webgpu (Dawn) is not installed by default, and initWebGPU() says what to install
  check(
    !existsSync(join(dir, 'node_modules', 'webgpu')),
    `${kind}: webgpu was installed without being asked for`,
  );
  const gpu = mustRun(
    `${kind}: initWebGPU() without webgpu`,
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const t = await import('@lumen/tensor'); console.log(await t.initWebGPU(), t.webgpuUnavailableReason());",
    ],
    { cwd: dir },
  );
  if (gpu !== null)
    check(
      gpu.startsWith('false ') && gpu.includes('`npm install webgpu`'),
      `${kind}: initWebGPU() without webgpu printed: ${gpu}`,
    );
}

if (!sizesOnly)
  for (const kind of ['npm', 'pnpm']) {
    const dir = join(work, kind);
    let installed = null;
    step(
      `${kind}: install every tarball offline${kind === 'pnpm' ? ' (hoist: false, strict peers)' : ''}`,
      () => {
        installed = install(kind, dir, PACKAGES);
      },
    );
    if (installed === null) continue;
    if (kind === 'pnpm')
      step('pnpm: one copy of each @lumen package in the store layout', () => {
        const copies = readdirSync(join(dir, 'node_modules', '.pnpm')).filter((d) => d.startsWith('@lumen+'));
        for (const p of PACKAGES) {
          const mine = copies.filter((d) => d.startsWith(`@lumen+${p}@`));
          check(mine.length === 1, `@lumen/${p} installed ${mine.length} times: ${mine.join(', ')}`);
        }
      });
    step(`${kind}: README examples, require(), tsc (node16, bundler), initWebGPU() without Dawn`, () => {
      consumerChecks(kind, dir);
    });
  }

if (!sizesOnly)
  step('a second copy of @lumen/tensor fails at import, naming both paths', () => {
    const dir = join(work, 'npm');
    const nested = join(dir, 'node_modules', '@lumen', 'nn', 'node_modules', '@lumen', 'tensor');
    mkdirSync(nested, { recursive: true });
    cpSync(join(dir, 'node_modules', '@lumen', 'tensor'), nested, { recursive: true });
    const r = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `await import('@lumen/tensor'); await import(${JSON.stringify(join(nested, 'dist', 'index.js'))});`,
      ],
      { cwd: dir },
    );
    check(
      r.code !== 0 &&
        r.out.includes('@lumen/tensor is loaded twice in this process') &&
        r.out.includes(join(dir, 'node_modules', '@lumen', 'tensor', 'dist', 'index.js')) &&
        r.out.includes(join(nested, 'dist', 'index.js')) &&
        r.out.includes('dedupe'),
      `expected the two-copies error, got (exit ${r.code}):\n${indent(r.out.slice(0, 2000))}`,
    );
    rmSync(join(dir, 'node_modules', '@lumen', 'nn', 'node_modules'), { recursive: true, force: true });
  });

function du(path) {
  let total = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    if (e.isDirectory()) total += du(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

if (!sizesOnly)
  step(`a cpu-only install of @lumen/sklearn-lite (npm) stays under ${CPU_ONLY_BUDGET_MB} MB`, () => {
    const dir = join(work, 'cpu-only');
    if (install('npm', dir, ['sklearn-lite', 'data', 'tensor']) === null) return;
    const mb = du(join(dir, 'node_modules')) / 1e6;
    console.log(
      `     node_modules: ${mb.toFixed(2)} MB (${readdirSync(join(dir, 'node_modules')).join(', ')})`,
    );
    check(mb < CPU_ONLY_BUDGET_MB, `node_modules is ${mb.toFixed(2)} MB`);
  });

const VITE_APPS = {
  // the README example of each
  'sklearn-lite': `import { classificationReport, KMeans, LogisticRegression, loadIris, PCA, StandardScaler } from '@lumen/sklearn-lite';
const { data, target, targetNames } = loadIris();
const X = new StandardScaler().fitTransform(data);
const pca = new PCA({ nComponents: 2 }).fit(X);
const km = new KMeans({ nClusters: 3, randomState: 0 }).fit(pca.transform(X));
const clf = new LogisticRegression().fit(X, target);
document.body.textContent = [pca.explainedVarianceRatio_.toString(), km.inertia_, classificationReport(target, clf.predict(X), { targetNames })].join('\\n');
`,
  'transformers-lite': `import { GPT2Config, GPT2LMHeadModel, trainWordPiece } from '@lumen/transformers-lite';
const tok = trainWordPiece(['The cat sat on the mat.', 'The dog sat on the log.', 'Cats and dogs.'], { vocabSize: 200, minFrequency: 1 });
const batch = tok(['The cat sat.', 'A dog!'], { padding: true, truncation: true, maxLength: 16, returnTensors: true });
const model = new GPT2LMHeadModel(new GPT2Config({ vocabSize: 200, nEmbd: 32, nLayer: 2, nHead: 4, eosTokenId: 0, padTokenId: 0 })).eval();
const ids = await model.generate([tok.encode('the cat')], { maxNewTokens: 4 });
document.body.textContent = [batch.inputIds.shape, tok.decode(ids.arraySync()[0])].join('\\n');
`,
};

const viteSizes = {};
step('one-package Vite apps: no warnings, no node: imports, gzip size within 10% of the budget', () => {
  for (const [p, code] of Object.entries(VITE_APPS)) {
    const dir = join(work, `vite-${p}`);
    // (older tarballs had their @lumen dependencies as dependencies: give them all)
    if (install('npm', dir, givenTarballs ? PACKAGES : [p, ...PEERS[p]]) === null) continue;
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>\n',
    );
    writeFileSync(join(dir, 'main.js'), code);
    // The cpu backend embeds its WebAssembly kernels (four builds, as base64) in the code so that no
    // file is fetched at run time: a transformers-lite app is one chunk of ~560 kB minified, past
    // Vite's 500 kB advisory. The gzip budgets below are what this check holds sizes to.
    writeFileSync(join(dir, 'vite.config.js'), 'export default { build: { chunkSizeWarningLimit: 800 } };\n');
    const out = mustRun(
      `vite build (${p})`,
      process.execPath,
      [
        join(realpathSync(join(ROOT, 'node_modules', 'vite')), 'bin', 'vite.js'),
        'build',
        '--logLevel',
        'warn',
      ],
      {
        cwd: dir,
      },
    );
    if (out === null) continue;
    check(out.trim() === '', `vite build (${p}) warned:\n${indent(out.trim())}`);
    const assets = join(dir, 'dist', 'assets');
    let raw = 0;
    let gz = 0;
    for (const f of readdirSync(assets).filter((f) => f.endsWith('.js'))) {
      const js = readFileSync(join(assets, f));
      raw += js.length;
      gz += gzipSync(js).length;
      const text = js.toString('utf8');
      check(
        // (a require('node:…') inside the cpu backend's worker source, a string, is not an import)
        !/\bfrom\s*["'`]node:|\bimport\s*\(\s*["'`]node:|__vite-browser-external/.test(text),
        `the ${p} bundle (${f}) imports a node: module`,
      );
    }
    viteSizes[p] = gz / 1000;
    const budget = VITE_BUDGET_KB[p];
    console.log(
      `     @lumen/${p}: ${kB(raw)} raw, ${kB(gz)} gzip (budget ${budget} kB, +10% allowed: ${(budget * 1.1).toFixed(1)} kB)`,
    );
    if (!sizesOnly) check(gz / 1000 <= budget * 1.1, `the ${p} app is ${kB(gz)} gzip, over its budget`);
  }
});

if (!keep) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
const secs = ((Date.now() - started) / 1000).toFixed(0);
if (failures.length) {
  console.log(`\ncheck:packages: ${failures.length} problem(s) (${secs} s):`);
  for (const f of failures) console.log(`- ${f}`);
  process.exit(1);
}
console.log(`check:packages: all good (${secs} s)`);
