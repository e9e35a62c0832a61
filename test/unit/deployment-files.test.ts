import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

type Service = {
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string;
  pull_policy?: string;
  ports?: string[];
  depends_on?: Record<string, unknown>;
  healthcheck?: { test: string[] };
};
const compose = parseYaml(readFileSync("compose.yaml", "utf8"), { merge: true }) as {
  services: Record<string, Service>;
};
const example = readFileSync(".env.example", "utf8");
const dockerfile = readFileSync("Dockerfile", "utf8");
const documented = (name: string) => new RegExp(`^#? ?${name}=`, "m").test(example);

describe("compose.yaml", () => {
  it("starts a receiver, workers and their Redis", () => {
    const { server, worker, redis } = compose.services;
    expect(server?.command).toEqual(["node", "--max-semi-space-size=8", "dist/bin/start.js"]);
    expect(worker?.command).toEqual(["node", "--max-semi-space-size=8", "dist/bin/worker.js"]);
    expect(redis).toBeDefined();
    for (const service of [server, worker]) {
      expect(service?.environment?.REDIS_URL).toBe("redis://redis:6379");
      expect(service?.env_file).toBe(".env");
      expect(service?.pull_policy).toBe("build");
      expect(service?.depends_on).toHaveProperty("redis");
    }
    // Reachable from outside its container, whatever .env says.
    expect(server?.environment?.HOST).toBe("0.0.0.0");
    expect(server?.ports).toEqual(["3000:3000"]);
    // The worker's health is checked on the port it serves /healthz on.
    expect(worker?.healthcheck?.test.join(" ")).toContain(
      `:${worker?.environment?.CRITIC_WORKER_PORT}/healthz`,
    );
  });

  it("names only variables .env.example documents", () => {
    const names = Object.values(compose.services).flatMap((s) => Object.keys(s.environment ?? {}));
    expect(names.length).toBeGreaterThan(3);
    expect(names.filter((n) => !documented(n))).toEqual([]);
  });
});

describe(".env.example", () => {
  it("sets no HOST, which would make a container it is passed to unreachable", () => {
    expect(example).not.toMatch(/^HOST=/m);
    expect(documented("HOST")).toBe(true);
  });
});

describe("Dockerfile", () => {
  it("runs the server on the current LTS, listening on every interface", () => {
    expect(dockerfile).toMatch(/^FROM node:24-slim AS build$/m);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    expect(dockerfile).toContain('CMD ["node", "--max-semi-space-size=8", "dist/bin/start.js"]');
  });

  it("bundles the web console's page script in the build stage, and ships it in dist/", () => {
    const build = dockerfile.slice(0, dockerfile.indexOf("\nFROM node:24-slim\n"));
    expect(build).toMatch(/^COPY console \.\/console$/m);
    expect(build).toMatch(/^COPY scripts\/build-console\.ts \.\/scripts\/$/m);
    expect(build.indexOf("COPY console")).toBeLessThan(build.indexOf("RUN npm run build"));
    expect(dockerfile).toContain("COPY --from=build /app/dist ./dist");
  });

  it("checks health at the container's own address, so a server bound to loopback fails it", () => {
    const check = /^HEALTHCHECK .*$/m.exec(dockerfile)?.[0] ?? "";
    expect(check).toContain("require('os').hostname()");
    expect(check).not.toContain("127.0.0.1");
  });
});

describe("package.json", () => {
  // V8 takes its young generation's size only at start-up: every way of starting Critic passes it.
  it("starts the server and the worker with the young generation Dockerfile and compose.yaml give", () => {
    const { scripts } = JSON.parse(readFileSync("package.json", "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts.start).toBe("node --max-semi-space-size=8 dist/bin/start.js");
    expect(scripts.worker).toBe("node --max-semi-space-size=8 dist/bin/worker.js");
  });
});
