import { execFile } from 'node:child_process';
import path from 'node:path';

/**
 * The layer rules of eslint.config.mjs, run through ESLint's Node API (in lint-snippets.mjs: jest's
 * sandbox cannot load the config file) on snippets placed at virtual paths. The importing file need
 * not exist (its path alone places it in a layer); the imported file must, since the rule resolves
 * every import to a real file first. All snippets are linted in one process, once.
 */
interface Snippet {
  readonly file: string;
  readonly code: string;
  /** `default`: eslint-module-utils' default resolver instead of the project's. */
  readonly resolver?: 'default';
}
interface LintMessage {
  readonly ruleId: string | null;
  readonly message: string;
}

const ROOT = path.resolve(__dirname, '../..');
const snippets: Snippet[] = [];
let linted: Promise<LintMessage[][]> | undefined;

/** Registers a snippet; its messages once the batch has been linted. */
function lint(snippet: Snippet): () => Promise<LintMessage[]> {
  const index = snippets.push(snippet) - 1;
  return async () => {
    linted ??= new Promise((resolve, reject) => {
      const child = execFile(
        process.execPath,
        [path.join(__dirname, 'lint-snippets.mjs')],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
      );
      child.stdin!.end(JSON.stringify({ snippets }));
    });
    return (await linted)[index]!;
  };
}

/** The layering violations reported for the snippet. */
function layerErrors(snippet: Snippet): () => Promise<string[]> {
  const messages = lint(snippet);
  return async () =>
    (await messages())
      .filter((message) => message.ruleId === 'boundaries/dependencies')
      .map((message) => message.message);
}

/** Imports the layers forbid: each snippet must produce exactly one layering error. */
const REFUSED: readonly { name: string; file: string; code: string; expected: RegExp }[] = [
  {
    name: 'domain may not import runtime',
    file: 'lambda/domain/projects/probe.ts',
    code: "import { runtimeProjectDeps } from '../../runtime/projects';\nexport const deps = runtimeProjectDeps;\n",
    expected: /domain may not import runtime \(lambda\/runtime\/projects\.ts\)/,
  },
  {
    name: 'domain may not import routes',
    file: 'lambda/domain/authz/probe.ts',
    code: "import { ROUTES } from '../../routes';\nexport const routes = ROUTES;\n",
    expected: /domain may not import routes/,
  },
  {
    name: 'shared may not import domain, not even a type',
    file: 'lambda/shared/probe.ts',
    code: "import type { ProjectDeps } from '../domain/projects/projects';\nexport type Deps = ProjectDeps;\n",
    expected: /shared may not import domain \(lambda\/domain\/projects\/projects\.ts\)/,
  },
  {
    name: 'shared may not re-export domain (through a folder index)',
    file: 'lambda/shared/probe.ts',
    code: "export * from '../domain/notify';\n",
    expected: /shared may not import domain \(lambda\/domain\/notify\/index\.ts\)/,
  },
  {
    name: 'shared may not import runtime lazily',
    file: 'lambda/shared/http/probe.ts',
    code: "export const load = () => import('../../runtime/health');\n",
    expected: /shared may not import runtime/,
  },
  {
    name: 'runtime may not import routes (the function passes the manifest in)',
    file: 'lambda/runtime/probe.ts',
    code: "import { ROUTES } from '../routes';\nexport const routes = ROUTES;\n",
    expected: /runtime may not import routes/,
  },
  {
    name: 'routes may import only the schemas of the domain',
    file: 'lambda/routes/probe.ts',
    code: "import { createProject } from '../domain/projects/projects';\nexport const create = createProject;\n",
    expected: /routes may not import domain/,
  },
  {
    name: 'lambda may not import lib',
    file: 'lambda/functions/health/probe.ts',
    code: "import { loadEnvironmentConfig } from '../../../lib/config';\nexport const load = loadEnvironmentConfig;\n",
    expected: /functions may not import config \(lib\/config\/index\.ts\)/,
  },
  {
    name: 'shared may not import lib constructs',
    file: 'lambda/shared/probe.ts',
    code: "import { usagePlanName } from '../../lib/constructs/api/secure-rest-api';\nexport const name = usagePlanName;\n",
    expected: /shared may not import constructs/,
  },
  {
    name: 'constructs may not import stacks',
    file: 'lib/constructs/api/probe.ts',
    code: "import type { ApiStack } from '../../stacks/api-stack';\nexport type Stack = ApiStack;\n",
    expected: /constructs may not import stacks \(lib\/stacks\/api-stack\.ts\)/,
  },
  {
    name: 'constructs may not import bin',
    file: 'lib/constructs/api/probe.ts',
    code: "import '../../../bin/app';\n",
    expected: /constructs may not import bin \(bin\/app\.ts\)/,
  },
  {
    name: 'constructs may not import Lambda domain code',
    file: 'lib/constructs/ops/probe.ts',
    code: "import { EVENT_ALERTS } from '../../../lambda/domain/notify/event-alerts';\nexport const alerts = EVENT_ALERTS;\n",
    expected: /constructs may not import domain/,
  },
  {
    name: 'stacks may not import lib/local',
    file: 'lib/stacks/probe.ts',
    code: "import { startLocalStack } from '../local/local-stack';\nexport const start = startLocalStack;\n",
    expected: /stacks may not import local \(lib\/local\/local-stack\.ts\)/,
  },
  {
    name: 'the preflight may not import stacks (it reads configs, it builds nothing)',
    file: 'lib/preflight/probe.ts',
    code: "import { EDGE_REGION } from '../stacks/edge-stack';\nexport const region = EDGE_REGION;\n",
    expected: /preflight may not import stacks \(lib\/stacks\/edge-stack\.ts\)/,
  },
];

/** Imports the layers allow: no layering error. */
const ALLOWED: readonly { name: string; file: string; lines: readonly string[] }[] = [
  {
    name: 'functions import routes, runtime, domain and shared',
    file: 'lambda/functions/projects-get/probe.ts',
    lines: [
      "import { routes } from '../../routes';",
      "import { runtimeReadDeps } from '../../runtime/reads';",
      "import { getProject } from '../../domain/projects/projects';",
      "import { api } from '../../shared/http/api';",
      'export const all = [routes, runtimeReadDeps, getProject, api];',
    ],
  },
  {
    name: 'runtime imports domain and shared, lazily too',
    file: 'lambda/runtime/probe.ts',
    lines: [
      "import { systemClock } from '../domain/events/types';",
      "import { getDb } from '../shared/db';",
      "export const load = () => import('../domain/api-keys/store');",
      'export const all = [systemClock, getDb];',
    ],
  },
  {
    name: 'domain imports shared and other areas of the domain',
    file: 'lambda/domain/projects/probe.ts',
    lines: [
      "import { AppError } from '../../shared/errors';",
      "import { systemClock } from '../events/types';",
      'export const all = [AppError, systemClock];',
    ],
  },
  {
    name: 'routes import domain schemas and shared',
    file: 'lambda/routes/probe.ts',
    lines: [
      "import { createProjectSchema } from '../domain/projects/schemas';",
      "import { defineRoute } from '../shared/route';",
      'export const all = [createProjectSchema, defineRoute];',
    ],
  },
  {
    name: 'constructs import config and lambda/shared definitions',
    file: 'lib/constructs/api/probe.ts',
    lines: [
      "import type { AlarmSeverity } from '../../config';",
      "import { ROLE_SCOPES } from '../../../lambda/shared/access';",
      'export type Severity = AlarmSeverity;',
      'export const scopes = ROLE_SCOPES;',
    ],
  },
  {
    name: 'stacks import constructs, config, the manifest and the domain catalogues',
    file: 'lib/stacks/probe.ts',
    lines: [
      "import { SecureRestApi } from '../constructs/api/secure-rest-api';",
      "import { loadEnvironmentConfig } from '../config';",
      "import { ROUTES } from '../../lambda/routes';",
      "import { EVENT_ALERTS } from '../../lambda/domain/notify/event-alerts';",
      'export const all = [SecureRestApi, loadEnvironmentConfig, ROUTES, EVENT_ALERTS];',
    ],
  },
  {
    name: 'bin imports the preflight and config',
    file: 'bin/probe.ts',
    lines: [
      "import { preflight } from '../lib/preflight/preflight';",
      "import { findPlaceholders } from '../lib/config/placeholders';",
      'export const all = [preflight, findPlaceholders];',
    ],
  },
];

describe('layer rules (eslint-plugin-boundaries)', () => {
  it.each(REFUSED.map((c) => ({ ...c, errors: layerErrors(c) })))('$name', async ({ errors, expected }) => {
    const found = await errors();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  it.each(
    ALLOWED.map((c) => ({ ...c, errors: layerErrors({ file: c.file, code: `${c.lines.join('\n')}\n` }) })),
  )('allows: $name', async ({ errors }) => {
    expect(await errors()).toEqual([]);
  });

  const unknownFolder = lint({ file: 'lambda/adapters/probe.ts', code: 'export const probe = 1;\n' });
  it('places every file in a layer: a new folder under lambda/ fails until the config names it', async () => {
    expect((await unknownFolder()).map((message) => message.ruleId)).toEqual(['boundaries/no-unknown-files']);
  });

  const domainToRuntime = {
    file: 'lambda/domain/projects/probe.ts',
    code: "import { runtimeProjectDeps } from '../../runtime/projects';\nexport const deps = runtimeProjectDeps;\n",
  };
  const withProjectResolver = layerErrors(domainToRuntime);
  const withDefaultResolver = layerErrors({ ...domainToRuntime, resolver: 'default' });
  it('resolves TypeScript imports: with the default resolver (no .ts) the same violation goes unseen', async () => {
    // Guards the resolver setting: a rule that cannot resolve an import silently allows it.
    expect(await withDefaultResolver()).toEqual([]);
    expect(await withProjectResolver()).toHaveLength(1);
  });
});

describe('zod in lambda/', () => {
  const classic = lint({
    file: 'lambda/domain/projects/probe.ts',
    code: "import { z } from 'zod';\nexport const s = z.string();\n",
  });
  const mini = lint({
    file: 'lambda/domain/projects/probe.ts',
    code: "import * as z from 'zod/mini';\nexport const s = z.string();\n",
  });
  it('refuses classic zod (its English locale on globalThis changes every validation message) and allows zod/mini', async () => {
    expect((await classic()).map((message) => message.ruleId)).toEqual(['no-restricted-imports']);
    expect(await mini()).toEqual([]);
  });
});
