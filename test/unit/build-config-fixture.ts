/** Shared test fixture: the `hipPorter.build.*` settings as package.json's schema defaults them. */
import type { BuildConfigLike } from '../../src/extension/build-settings';

/** The defaults of package.json's `hipPorter.build.*` schema, with `over` applied. */
export function cfg(over: Partial<BuildConfigLike> = {}): BuildConfigLike {
  return {
    hipccPath: 'hipcc',
    offloadArch: ['gfx90a', 'gfx1030'],
    extraFlags: [],
    includeDirs: [],
    buildEnv: { HIP_PLATFORM: 'amd' },
    outputPath: '',
    link: false,
    remoteHost: '',
    remoteDir: '~/hip-porter-builds',
    sync: true,
    sshConfigFile: '',
    buildAfterAccept: false,
    runCommand: '',
    ...over,
  };
}
