import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appPrivateKey, freePort, waitFor } from "./harness.js";

export type CriticProcess = {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Set when the process exited (a crash, unless `stop` was called). */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** What it wrote to stderr, for a crash report (the last 20,000 characters). */
  stderr(): string;
  stop(): Promise<void>;
  /** SIGTERM and wait for the exit (so `--cpu-prof` writes its profile). */
  stopGracefully(): Promise<void>;
};

const START = join(process.cwd(), "dist/bin/start.js");

/**
 * The Node flags `npm start` gives the server (package.json's `start` script): the benchmarks
 * measure the server as it is started in production.
 */
export function startFlags(): string[] {
  const scripts = (
    JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8")) as {
      scripts?: Record<string, string>;
    }
  ).scripts;
  const words = (scripts?.start ?? "").split(/\s+/);
  return words.slice(words.indexOf("node") + 1, words.indexOf("dist/bin/start.js"));
}

/**
 * Starts the real server (`node dist/bin/start.js`, built by `npm run build`) against fakes on
 * loopback and waits for `/healthz`. `env` is added to a minimal environment: nothing from the
 * caller's environment leaks in, so a developer's real keys are never used.
 */
export async function startCritic(params: {
  appId: number;
  secret: string;
  githubUrl: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** Where the server's log goes (BENCH_SERVER_LOG when unset; nowhere when neither is set). */
  logFile?: string;
}): Promise<CriticProcess> {
  if (!existsSync(START)) throw new Error(`${START} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const logFile = params.logFile ?? process.env.BENCH_SERVER_LOG;
  // An empty working directory: no .env of the developer's is read.
  const cwd = await mkdtemp(join(tmpdir(), "critic-bench-"));
  const child = spawn(process.execPath, [...startFlags(), ...(params.nodeArgs ?? []), START], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      APP_ID: String(params.appId),
      PRIVATE_KEY: appPrivateKey(),
      WEBHOOK_SECRET: params.secret,
      GHE_HOST: params.githubUrl.replace("http://", ""),
      GHE_PROTOCOL: "http",
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: logFile ? "info" : "error",
      LOG_FORMAT: "json",
      NODE_ENV: "production",
      ...params.env,
    },
    stdio: ["ignore", logFile ? "pipe" : "ignore", "pipe"],
  });
  if (logFile && child.stdout) child.stdout.pipe(createWriteStream(logFile, { flags: "a" }));
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-20_000);
  });
  const proc: CriticProcess = {
    child,
    pid: child.pid ?? 0,
    port,
    exit: undefined,
    stderr: () => stderr,
    async stop() {
      if (proc.exit) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
    async stopGracefully() {
      if (proc.exit) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      // Critic gives running reviews up to 60 s after SIGTERM.
      const late = setTimeout(() => child.kill("SIGKILL"), 70_000);
      await exited;
      clearTimeout(late);
    },
  };
  child.once("exit", (code, signal) => {
    proc.exit = { code, signal };
  });
  await waitFor(async () => {
    if (proc.exit) throw new Error(`Critic exited at start-up:\n${stderr}`);
    return (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true;
  }, 20_000);
  return proc;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux). */
export function cpuTimeMs(pid: number): number {
  return ticksMs(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

/**
 * CPU time of the process's main thread alone (the thread whose id is the process id), in ms:
 * what webhooks wait behind. Analysis threads and V8's helpers are other tasks.
 */
export function mainThreadCpuMs(pid: number): number {
  return ticksMs(readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8"));
}

function ticksMs(stat: string): number {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  // USER_HZ is 100 on every Linux Node supports.
  return ticks * 10;
}

/** Peak resident memory of a process so far (VmHWM), in MB, from /proc (Linux). */
/** Resident memory now (VmRSS), in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}
