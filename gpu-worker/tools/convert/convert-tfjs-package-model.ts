import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { convertTfjsModelFile } from './convert-tfjs-model-file.ts';

export interface ConvertTfjsPackageModelOptions {
  /** `name@x.y.z` of an installed package. */
  readonly packageSpec: string;
  /** The model.json inside the package. */
  readonly path: string;
  readonly outputRange: readonly [number, number];
  /** A folder from which node_modules is searched upwards, as Node resolves packages. */
  readonly searchFrom: string;
}

/**
 * The installed package's folder. Found by walking up node_modules folders rather than with `require.resolve`,
 * because these packages' `exports` do not expose their model files or package.json.
 */
export function findInstalledPackage(packageSpec: string, searchFrom: string): string {
  const at = packageSpec.lastIndexOf('@');
  const name = packageSpec.slice(0, at);
  const version = packageSpec.slice(at + 1);
  if (at <= 0 || version === '') throw new Error(`${packageSpec} is not name@version`);
  for (let dir = searchFrom; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) {
      const installed: unknown = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8'));
      const installedVersion =
        typeof installed === 'object' && installed !== null && 'version' in installed ? installed.version : undefined;
      if (installedVersion !== version) {
        throw new Error(`${candidate} is version ${String(installedVersion)}, the registry pins ${packageSpec}`);
      }
      return candidate;
    }
    if (dirname(dir) === dir) throw new Error(`${name} is not installed (searched up from ${searchFrom})`);
  }
}

/** Converts a TensorFlow.js layers model shipped inside an installed npm package to ONNX bytes. */
export function convertTfjsPackageModel(options: ConvertTfjsPackageModelOptions): Promise<Uint8Array> {
  const { packageSpec, path, outputRange, searchFrom } = options;
  const packageDir = findInstalledPackage(packageSpec, searchFrom);
  return convertTfjsModelFile({
    modelJsonPath: join(packageDir, path),
    outputRange,
    // The description is part of the bytes, so it names only what is pinned (never a local folder).
    description: `converted from ${packageSpec} ${path} (TensorFlow.js layers model)`,
  });
}
