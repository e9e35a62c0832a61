/** The API's description (OpenAPI 3.1), served at /api/openapi.json and rendered at /api/docs. */
export function openApiDocument(version: string): Record<string, unknown> {
  const error = {
    description: "An error: `{error, message}`",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  };
  const errors = (...codes: number[]) =>
    Object.fromEntries(codes.map((code) => [String(code), error]));
  return {
    openapi: "3.1.0",
    info: {
      title: "Critic API",
      version,
      description:
        "Coding-assignment reviews of whole repositories and reviews of single files, by the same core that reviews pull requests. Authenticate with `Authorization: Bearer <key>` (keys from CRITIC_API_KEYS).",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    paths: {
      "/api/assessments": {
        post: {
          summary: "Start a review of a candidate's repository",
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/AssessmentRequest" } },
            },
          },
          responses: {
            "202": {
              description: "Queued",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    required: ["id", "status_url"],
                    properties: { id: { type: "string" }, status_url: { type: "string" } },
                  },
                },
              },
            },
            ...errors(400, 401, 413, 429),
          },
        },
      },
      "/api/assessments/{id}": {
        get: {
          summary: "An assessment's status, progress and result",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": {
              description: "The assessment",
              content: {
                "application/json": { schema: { $ref: "#/components/schemas/Assessment" } },
              },
            },
            ...errors(401, 404),
          },
        },
      },
      "/api/assessments/{id}.md": {
        get: {
          summary: "A finished assessment as a Markdown report",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "The report", content: { "text/markdown": {} } },
            "409": error,
            ...errors(401, 404),
          },
        },
      },
      "/api/reviews": {
        post: {
          summary: "Review one file now",
          parameters: [
            {
              name: "refactor",
              in: "query",
              schema: { type: "boolean" },
              description: "Also return a refactored version of the file.",
            },
          ],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/FileRequest" } },
              "multipart/form-data": {
                schema: {
                  type: "object",
                  required: ["file"],
                  properties: {
                    file: { type: "string", format: "binary" },
                    language: { type: "string" },
                  },
                },
              },
            },
          },
          responses: {
            "200": {
              description: "The review",
              content: {
                "application/json": { schema: { $ref: "#/components/schemas/FileReview" } },
              },
            },
            ...errors(400, 401, 413, 429),
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: {
          type: "object",
          required: ["error", "message"],
          properties: { error: { type: "string" }, message: { type: "string" } },
        },
        AssessmentRequest: {
          type: "object",
          required: ["assignment_description", "github_repo_url", "candidate_level"],
          properties: {
            assignment_description: { type: "string", maxLength: 20000 },
            github_repo_url: {
              type: "string",
              examples: ["https://github.com/octocat/Hello-World"],
            },
            candidate_level: {
              type: "string",
              description: "Junior, Middle or Senior (any case)",
            },
            ref: {
              type: "string",
              description: "Branch, tag or commit (default branch if absent)",
            },
          },
        },
        Assessment: {
          type: "object",
          required: ["id", "status", "progress"],
          properties: {
            id: { type: "string" },
            status: { enum: ["queued", "running", "done", "failed"] },
            progress: {
              type: "object",
              properties: { files_done: { type: "integer" }, files_total: { type: "integer" } },
            },
            result: { $ref: "#/components/schemas/AssessmentResult" },
            error: { type: "string" },
          },
        },
        AssessmentResult: {
          type: "object",
          required: ["found_files", "downsides", "rating", "rating_rationale", "conclusion"],
          properties: {
            found_files: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  path: { type: "string" },
                  language: { type: "string" },
                  lines: { type: ["integer", "null"] },
                  reviewed: { type: "boolean" },
                  reason: { type: "string" },
                },
              },
            },
            downsides: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  file: { type: "string" },
                  line: { type: "integer" },
                  severity: { enum: ["critical", "warning", "suggestion"] },
                  category: { type: "string" },
                  comment: { type: "string" },
                },
              },
            },
            rating: { type: "integer", minimum: 1, maximum: 10 },
            rating_rationale: { type: "string" },
            rated_by: { enum: ["model", "rubric"] },
            conclusion: { type: "string" },
          },
        },
        FileRequest: {
          type: "object",
          required: ["filename", "content"],
          properties: {
            filename: { type: "string" },
            content: { type: "string" },
            language: { type: "string" },
          },
        },
        FileReview: {
          type: "object",
          required: ["language", "summary", "rating", "issues", "provider", "usage"],
          properties: {
            language: { type: "string" },
            summary: { type: "string" },
            rating: { type: "integer", minimum: 0, maximum: 10 },
            issues: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  severity: { enum: ["error", "warning", "info"] },
                  line: { type: "integer" },
                  category: { type: "string" },
                  description: { type: "string" },
                  suggestion: { type: "string" },
                },
              },
            },
            provider: { type: "string" },
            usage: { type: "array", items: { type: "object" } },
            refactored_code: { type: "string" },
            changes: { type: "array", items: { type: "string" } },
            refactor_verified: { type: "boolean" },
            refactor_note: { type: "string" },
          },
        },
      },
    },
  };
}

type Operation = {
  summary?: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown; example?: unknown }> };
  responses?: Record<
    string,
    { description?: string; content?: Record<string, { schema?: unknown }> }
  >;
};

/**
 * The API's reference as one page rendered on the server from the OpenAPI description: no
 * script, no stylesheet or font from elsewhere, so it reads the same offline, behind a firewall
 * and under a strict Content-Security-Policy. Schemas are shown as the JSON they are; the raw
 * description is at /api/openapi.json for tools.
 */
export function docsPage(document: Record<string, unknown>): string {
  const info = document.info as { title: string; version: string; description: string };
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const schemas = (document.components as { schemas?: Record<string, unknown> } | undefined)
    ?.schemas;
  const operations = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
  const anchor = (method: string, path: string) =>
    `${method}-${path}`.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const json = (value: unknown) =>
    `<pre><code>${escapeHtml(JSON.stringify(value, null, 2))}</code></pre>`;
  const sections = operations.map(({ path, method, op }) => {
    const params = (op.parameters ?? [])
      .map(
        (p) =>
          `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${p.required ? "yes" : "no"}</td><td>${escapeHtml(p.description ?? "")}</td></tr>`,
      )
      .join("");
    const body = Object.entries(op.requestBody?.content ?? {})
      .map(
        ([type, media]) =>
          `<h4>Request body: <code>${escapeHtml(type)}</code></h4>${json(media.schema ?? {})}`,
      )
      .join("");
    const responses = Object.entries(op.responses ?? {})
      .map(
        ([status, r]) =>
          `<tr><td><code>${escapeHtml(status)}</code></td><td>${escapeHtml(r.description ?? "")}</td></tr>`,
      )
      .join("");
    return `<section id="${anchor(method, path)}">
<h3><span class="method">${escapeHtml(method)}</span> <code>${escapeHtml(path)}</code></h3>
${op.summary ? `<p><strong>${escapeHtml(op.summary)}</strong></p>` : ""}${op.description ? `<p>${escapeHtml(op.description)}</p>` : ""}
${params ? `<table><thead><tr><th>Parameter</th><th>In</th><th>Required</th><th>Meaning</th></tr></thead><tbody>${params}</tbody></table>` : ""}
${body}
<table><thead><tr><th>Status</th><th>Answer</th></tr></thead><tbody>${responses}</tbody></table>
</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)} ${escapeHtml(info.version)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}pre{background:#f6f8fa;padding:.75rem;overflow:auto;border-radius:6px}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
section{border-top:1px solid #d0d7de;margin-top:1.5rem}.method{background:#0969da;color:#fff;padding:.1rem .4rem;border-radius:4px;font-size:.8em}
</style>
</head>
<body>
<h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
<p>${escapeHtml(info.description)}</p>
<p>The machine-readable description (OpenAPI 3.1) is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<nav><h2>Endpoints</h2><ul>${operations
    .map(
      ({ path, method, op }) =>
        `<li><a href="#${anchor(method, path)}"><code>${escapeHtml(method)} ${escapeHtml(path)}</code></a> ${escapeHtml(op.summary ?? "")}</li>`,
    )
    .join("")}</ul></nav>
${sections.join("\n")}
${
  schemas
    ? `<section><h2>Schemas</h2>${Object.entries(schemas)
        .map(
          ([name, schema]) =>
            `<h3 id="schema-${escapeHtml(name.toLowerCase())}">${escapeHtml(name)}</h3>${json(schema)}`,
        )
        .join("\n")}</section>`
    : ""
}
</body>
</html>
`;
}

/** The page's Content-Security-Policy: it runs no script and loads nothing. */
export const DOCS_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
