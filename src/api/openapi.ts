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

const SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0";
// Hashes of the files in the npm package swagger-ui-dist@5.35.0, which jsDelivr serves as they
// are: people type their API key into this page, so the browser must refuse a changed script.
const SRI = {
  js: "sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9",
  css: "sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I",
};

/**
 * The Swagger UI page. Like FastAPI's, it loads Swagger UI from a CDN into the reader's browser:
 * the server ships no 30 MB of UI assets and fetches nothing itself.
 */
export function swaggerPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Critic API</title>
<link rel="stylesheet" href="${SWAGGER_UI}/swagger-ui.css" integrity="${SRI.css}" crossorigin="anonymous">
</head>
<body>
<div id="ui"></div>
<script src="${SWAGGER_UI}/swagger-ui-bundle.js" integrity="${SRI.js}" crossorigin="anonymous"></script>
<script>SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#ui" });</script>
</body>
</html>
`;
}
