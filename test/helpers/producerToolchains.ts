import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../cli/paths.ts';

// How the producer examples in examples/producers/ run here, from Debian's packages (.ci/run
// installs them when missing): python3-avro, golang-go with goavro and nats.go, libavro-java.
// A missing toolchain fails the test with the package to install; it is never skipped.

const run = promisify(execFile);

/** Debian's Go sources, laid out as a GOPATH. */
const DEBIAN_GOPATH = '/usr/share/gocode';
/** Debian's jars. */
const DEBIAN_JAVA = '/usr/share/java';
const JAVA_JARS = ['avro.jar', 'jackson-core-asl.jar', 'jackson-mapper-asl.jar', 'slf4j-api.jar'];

class MissingToolchainError extends Error {
  readonly retryable = false;
}

/** A command line that runs one example: the program and its leading arguments. */
type ExampleCommand = { readonly file: string; readonly args: readonly string[]; readonly env?: Readonly<Record<string, string>> };

type Toolchains = {
  readonly typescript: ExampleCommand;
  readonly python: ExampleCommand;
  readonly go: ExampleCommand;
  readonly java: ExampleCommand;
  close(): Promise<void>;
};

async function pythonWithAvro(): Promise<string> {
  // Debian's interpreter first: a python3 earlier on PATH (pyenv, a venv) may lack Debian's avro.
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const ok = await run(candidate, ['-c', 'import avro.io, avro.schema']).then(
      () => true,
      () => false,
    );
    if (ok) return candidate;
  }
  throw new MissingToolchainError('no python3 with the avro package: apt-get install python3-avro');
}

/**
 * Builds the Go example against Debian's packages. The example imports goavro as a module would
 * (github.com/linkedin/goavro/v2) while Debian installs it at github.com/linkedin/goavro, so the
 * build gets a GOPATH of links where both paths lead to Debian's sources.
 */
async function buildGoExample(workDir: string): Promise<string> {
  const goavro = join(DEBIAN_GOPATH, 'src/github.com/linkedin/goavro');
  const natsGo = join(DEBIAN_GOPATH, 'src/github.com/nats-io/nats.go');
  if (!existsSync(goavro) || !existsSync(natsGo)) {
    throw new MissingToolchainError('Go sources missing: apt-get install golang-go golang-github-linkedin-goavro-dev golang-github-nats-io-go-nats-dev');
  }
  const gopath = join(workDir, 'gopath');
  const src = join(gopath, 'src');
  const github = join(src, 'github.com');
  mkdirSync(join(github, 'linkedin', 'goavro'), { recursive: true });
  for (const entry of readdirSync(join(DEBIAN_GOPATH, 'src'))) {
    if (entry !== 'github.com') symlinkSync(join(DEBIAN_GOPATH, 'src', entry), join(src, entry));
  }
  for (const entry of readdirSync(join(DEBIAN_GOPATH, 'src/github.com'))) {
    if (entry !== 'linkedin') symlinkSync(join(DEBIAN_GOPATH, 'src/github.com', entry), join(github, entry));
  }
  symlinkSync(goavro, join(github, 'linkedin', 'goavro', 'v2'));
  const binary = join(workDir, 'go-produce');
  await run('go', ['build', '-o', binary, '.'], {
    cwd: join(ROOT, 'examples/producers/go'),
    // Go's own build cache (under HOME) is kept between runs, as a developer's is: a cold build
    // of goavro and nats.go takes about 20 s, a warm one about 2.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? workDir, GOPATH: gopath, GO111MODULE: 'off', GOFLAGS: '' },
  }).catch((error: Error & { stderr?: string }) => {
    throw new MissingToolchainError(`go build of examples/producers/go failed (apt-get install golang-go): ${error.stderr ?? error.message}`);
  });
  return binary;
}

function javaClassPath(): string {
  const missing = JAVA_JARS.filter((jar) => !existsSync(join(DEBIAN_JAVA, jar)));
  if (missing.length > 0) throw new MissingToolchainError(`missing ${missing.join(', ')}: apt-get install libavro-java default-jdk-headless`);
  return JAVA_JARS.map((jar) => join(DEBIAN_JAVA, jar)).join(':');
}

/**
 * Compiles the Java example once (`java Produce.java` would compile it again for every run,
 * seconds each) and gives the class path that runs it.
 */
async function compileJavaExample(workDir: string): Promise<string> {
  const classes = join(workDir, 'java-classes');
  const classPath = javaClassPath();
  await run('javac', ['-cp', classPath, '-d', classes, join(ROOT, 'examples/producers/java/Produce.java')]).catch((error: Error & { stderr?: string }) => {
    throw new MissingToolchainError(`javac of examples/producers/java failed (apt-get install default-jdk-headless): ${error.stderr ?? error.message}`);
  });
  return `${classPath}:${classes}`;
}

async function prepareToolchains(): Promise<Toolchains> {
  const workDir = await mkdtemp(join(tmpdir(), 'producer-examples-'));
  try {
    const [python, goBinary, javaClasses] = await Promise.all([pythonWithAvro(), buildGoExample(workDir), compileJavaExample(workDir)]);
    return {
      typescript: { file: process.execPath, args: ['--import', 'tsx', join(ROOT, 'examples/producers/typescript/produce.ts')] },
      python: { file: python, args: [join(ROOT, 'examples/producers/python/produce.py')] },
      go: { file: goBinary, args: [] },
      java: { file: 'java', args: ['-cp', javaClasses, 'Produce'] },
      close: () => rm(workDir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

/** Runs one example to its end; resolves with what it printed, rejects with its stderr. */
async function runExample(command: ExampleCommand, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return run(command.file, [...command.args, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...command.env },
    timeout: 120_000,
  });
}

export { MissingToolchainError, prepareToolchains, runExample };
export type { ExampleCommand, Toolchains };
