import { builtInRules } from "../../src/config/built-in-rules.js";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { runStaticChecks } from "../../src/engine/static/run-static-checks.js";
import type { ReviewFile } from "../../src/model/types.js";
import { makeModifiedFile, realSources } from "../lib/real-patches.js";
import { judged, row, type ScenarioResult } from "../lib/report.js";
import { describeScore, scoreStaticCorpus } from "./score-static-corpus.js";

const FILES_PER_LANGUAGE = 30;

// Only JavaScript and TypeScript ship in node_modules; the other languages get a small idiomatic
// function, repeated with fresh names up to ~120 lines. `N` is replaced by the copy's number.
const TEMPLATES: Record<string, { ext: string; code: string }> = {
  python: {
    ext: "py",
    code: `def load_N(path, retries=3):
    """Load records from path."""
    result = []
    for attempt in range(retries):
        try:
            with open(path) as handle:
                for line in handle:
                    if line.strip():
                        result.append(line.split(","))
            break
        except OSError as error:
            print("retry", attempt, error)
    return result
`,
  },
  go: {
    ext: "go",
    code: `func LoadN(path string, retries int) ([]string, error) {
	var result []string
	for attempt := 0; attempt < retries; attempt++ {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\\n") {
			if line != "" {
				result = append(result, line)
			}
		}
		return result, nil
	}
	return nil, fmt.Errorf("failed after %d attempts", retries)
}
`,
  },
  java: {
    ext: "java",
    code: `  public List<String> loadN(String path, int retries) throws IOException {
    List<String> result = new ArrayList<>();
    for (int attempt = 0; attempt < retries; attempt++) {
      try (BufferedReader reader = Files.newBufferedReader(Paths.get(path))) {
        String line;
        while ((line = reader.readLine()) != null) {
          if (!line.isEmpty()) result.add(line);
        }
        return result;
      } catch (IOException e) {
        System.out.println("retry " + attempt);
      }
    }
    return result;
  }
`,
  },
  ruby: {
    ext: "rb",
    code: `def load_N(path, retries = 3)
  result = []
  retries.times do |attempt|
    begin
      File.foreach(path) do |line|
        result << line.split(",") unless line.strip.empty?
      end
      break
    rescue IOError => e
      puts "retry #{attempt}: #{e}"
    end
  end
  result
end
`,
  },
  php: {
    ext: "php",
    code: `function load_N($path, $retries = 3) {
    $result = [];
    for ($attempt = 0; $attempt < $retries; $attempt++) {
        $handle = fopen($path, "r");
        if ($handle === false) {
            continue;
        }
        while (($line = fgets($handle)) !== false) {
            if (trim($line) !== "") {
                $result[] = explode(",", $line);
            }
        }
        fclose($handle);
        break;
    }
    return $result;
}
`,
  },
  rust: {
    ext: "rs",
    code: `pub fn load_N(path: &str, retries: u32) -> Result<Vec<String>, String> {
    let mut result = Vec::new();
    for attempt in 0..retries {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                for line in text.lines() {
                    if !line.is_empty() {
                        result.push(line.to_string());
                    }
                }
                return Ok(result);
            }
            Err(e) => eprintln!("retry {}: {}", attempt, e),
        }
    }
    Err(format!("failed after {} attempts", retries))
}
`,
  },
  bash: {
    ext: "sh",
    code: `load_N() {
  local path="$1" retries="\${2:-3}"
  for attempt in $(seq 1 "$retries"); do
    if [ -r "$path" ]; then
      while IFS= read -r line; do
        [ -n "$line" ] && echo "$line"
      done < "$path"
      return 0
    fi
    echo "retry $attempt" >&2
    sleep 1
  done
  return 1
}
`,
  },
  c: {
    ext: "c",
    code: `int load_N(const char *path, int retries, char **out, int max) {
    int count = 0;
    for (int attempt = 0; attempt < retries; attempt++) {
        FILE *file = fopen(path, "r");
        if (file == NULL) continue;
        char line[256];
        while (fgets(line, sizeof line, file) != NULL && count < max) {
            if (line[0] != '\\n') out[count++] = strdup(line);
        }
        fclose(file);
        return count;
    }
    return -1;
}
`,
  },
  cpp: {
    ext: "cpp",
    code: `std::vector<std::string> loadN(const std::string& path, int retries) {
    std::vector<std::string> result;
    for (int attempt = 0; attempt < retries; ++attempt) {
        std::ifstream file(path);
        if (!file) continue;
        std::string line;
        while (std::getline(file, line)) {
            if (!line.empty()) result.push_back(line);
        }
        return result;
    }
    throw std::runtime_error("failed");
}
`,
  },
};

type Corpus = {
  language: string;
  files: ReviewFile[];
  headTexts: Map<string, string>;
  lines: number;
};

function corpora(): Corpus[] {
  const out: Corpus[] = [];
  const sources = realSources(2_000);
  for (const [language, ext] of [
    ["typescript", "ts"],
    ["javascript", "js"],
  ] as const) {
    const picked = sources
      .filter((s) => s.path.endsWith(`.${ext}`) && s.lines.length >= 60)
      .slice(0, FILES_PER_LANGUAGE);
    out.push(
      build(
        language,
        picked.map((s, i) => ({ path: `src/f${i}.${ext}`, lines: s.lines.slice(0, 300) })),
      ),
    );
  }
  for (const [language, { ext, code }] of Object.entries(TEMPLATES)) {
    const files = Array.from({ length: FILES_PER_LANGUAGE }, (_, i) => {
      // PHP code is code only after its opening tag.
      const lines: string[] = language === "php" ? ["<?php"] : [];
      for (let n = 0; lines.length < 120; n++)
        lines.push(...code.replaceAll("N", `${i}_${n}`).split("\n"));
      return { path: `src/f${i}.${ext}`, lines };
    });
    out.push(build(language, files));
  }
  return out;
}

function build(language: string, sources: Array<{ path: string; lines: string[] }>): Corpus {
  const headTexts = new Map<string, string>();
  const files = sources.map((s, i) => {
    const changed = makeModifiedFile(s.path, s.lines, Math.ceil(s.lines.length / 3), 100 + i);
    headTexts.set(s.path, s.lines.join("\n"));
    return { path: s.path, status: "modified" as const, hunks: parsePatch(changed.patch) };
  });
  return { language, files, headTexts, lines: sources.reduce((n, s) => n + s.lines.length, 0) };
}

/** A warm engine over one 300-line real TypeScript file, all of it added: the median of 20 runs. */
function warm300(rules: ReturnType<typeof builtInRules>) {
  const source = realSources(2_000).find((s) => s.path.endsWith(".ts") && s.lines.length >= 300);
  const lines = source
    ? source.lines.slice(0, 300)
    : Array.from({ length: 300 }, (_, i) => `export const v${i} = ${i};`);
  const path = "src/large.ts";
  const file: ReviewFile = {
    path,
    status: "added",
    hunks: parsePatch(`@@ -0,0 +1,300 @@\n${lines.map((l) => `+${l}`).join("\n")}`),
  };
  const headTexts = new Map([[path, lines.join("\n")]]);
  const times: number[] = [];
  for (let i = 0; i < 25; i++) {
    const started = performance.now();
    runStaticChecks({ files: [file], headTexts, rules, complexityThreshold: 10 });
    if (i >= 5) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
  return judged(
    "warm engine, one 300-line TypeScript file",
    `${median.toFixed(2)} ms`,
    "≤ 15 ms",
    median <= 15,
  );
}

/**
 * The static engine alone, in this process: the built-in rules, secret-free text rules and the
 * complexity check over changed files, per language, parsed from the whole head file (as in a
 * review, which fetches it) and from the hunks only (when it could not be fetched).
 */
export async function staticEngine(): Promise<ScenarioResult> {
  const rules = builtInRules();
  const rows = [];
  for (const corpus of corpora()) {
    const run = (headTexts: Map<string, string> | undefined) => {
      const started = performance.now();
      for (const file of corpus.files)
        runStaticChecks({ files: [file], headTexts, rules, complexityThreshold: 10 });
      return (performance.now() - started) / corpus.files.length;
    };
    // Warm-up: grammar loading and JIT are not per-file costs.
    run(corpus.headTexts);
    run(undefined);
    const whole = run(corpus.headTexts);
    const hunks = run(undefined);
    const perFileLines = Math.round(corpus.lines / corpus.files.length);
    rows.push(
      row(
        `${corpus.language} (${perFileLines}-line files)`,
        `${whole.toFixed(2)} ms per file (${hunks.toFixed(2)} ms from hunks only)`,
      ),
    );
  }
  rows.push(warm300(rules));
  const scores = scoreStaticCorpus(rules);
  for (const family of [...new Set(scores.map((s) => s.family))]) {
    const ofFamily = scores.filter((s) => s.family === family);
    const total = describeScore(ofFamily);
    rows.push(
      judged(`${family}: all languages`, total.text, "precision ≥ 0.90", total.precision >= 0.9),
    );
    for (const s of ofFamily) rows.push(row(`${family}: ${s.language}`, describeScore([s]).text));
  }
  const overall = describeScore(scores);
  rows.push(
    judged("labelled cases: all", overall.text, "precision ≥ 0.90", overall.precision >= 0.9),
  );
  return {
    id: "static",
    title: "Static engine: milliseconds per changed file, precision and recall",
    method: `${FILES_PER_LANGUAGE} changed files per language through \`runStaticChecks\` (${rules.length} built-in rules, text rules, complexity), one file at a time, after a warm-up pass. TypeScript and JavaScript files are real sources from node_modules (up to 300 lines); the other languages are one idiomatic function repeated to ~120 lines, as no sources of theirs ship offline. About a third of each file is changed. Then one 300-line TypeScript file, wholly changed, timed warm over 20 runs (median). Then the labelled cases in bench/scenarios/static-corpus/ (see its README): every built-in rule over each file, wholly added, scored by line per family and language.`,
    rows,
    notes: [],
  };
}
