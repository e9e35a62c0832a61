import { createHash } from "node:crypto";
import type { ProviderResult, ReviewRequest } from "../engine/model-port.js";
import { ProviderError } from "../errors.js";
import type { TokenUsage } from "../model/types.js";
import { buildAskPrompt, buildPrompt } from "../prompt/build-prompt.js";
import { parseModelAnswer } from "../prompt/parse-model-answer.js";
import type { Provider } from "./provider.js";

export type ChatMessage = { role: "user" | "assistant"; content: string };

export type Completion = {
  text: string;
  truncated: boolean;
  model: string;
  usage: TokenUsage | undefined;
};

/** One model API: sends a system prompt and messages, returns text. Throws `ProviderError`. */
export type ChatBackend = {
  complete(
    /** `review` asks for the review JSON schema; `text` for prose (answers to questions). */
    request: { model: string; system: string; messages: ChatMessage[]; format: "review" | "text" },
    signal: AbortSignal,
  ): Promise<Completion>;
};

export type LlmProvider = Provider & {
  /** Same provider, model and prompt → same key: the chain's cache serves repeats without a call. */
  cacheKey(input: ReviewRequest): string;
};

const REPAIR_REQUEST =
  "Your previous answer could not be used: it was not one JSON object matching the required schema. Answer again with only that JSON object, nothing else.";
// The bad answer is sent back for the repair; a runaway answer is cut so the repair stays cheap.
const MAX_ECHOED_CHARS = 8_000;

/**
 * A provider over a chat backend: builds the prompt, asks, and parses the answer tolerantly. An
 * answer with nothing usable gets one repair request; a truncated answer (output limit hit) is a
 * failure, never a result. Retries, timeouts and fallbacks are the chain's business.
 */
export function createLlmProvider(options: {
  id: string;
  displayName: string;
  defaultModel: string;
  backend: ChatBackend;
  /**
   * Whether a repository's `model` setting applies. It names an OpenAI model; sending it to
   * another provider would only make that provider fail as the fallback.
   */
  honoursRepoModel: boolean;
}): LlmProvider {
  const { id, backend } = options;
  // The chain asks for the cache key, then for the review, of the same request: its prompt is
  // built once (building it twice was a tenth of what the main thread allocated per review).
  const prompts = new WeakMap<ReviewRequest, ReturnType<typeof buildPrompt>>();
  const promptFor = (input: ReviewRequest) => {
    const known = prompts.get(input);
    if (known) return known;
    const prompt = buildPrompt(input);
    prompts.set(input, prompt);
    return prompt;
  };
  const modelFor = (input: { config: ReviewRequest["config"] }) =>
    (options.honoursRepoModel ? input.config.model : undefined) ?? options.defaultModel;

  return {
    id,
    displayName: options.displayName,
    usesModel: true,
    cacheKey(input) {
      const prompt = promptFor(input);
      return createHash("sha256")
        .update(`${id}\0${modelFor(input)}\0${prompt.system}\0${prompt.user}`)
        .digest("hex");
    },
    async review(input, { signal }): Promise<ProviderResult> {
      const model = modelFor(input);
      const prompt = promptFor(input);
      const messages: ChatMessage[] = [{ role: "user", content: prompt.user }];
      const first = await backend.complete(
        { model, system: prompt.system, messages, format: "review" },
        signal,
      );
      if (first.truncated) throw truncated(id);
      let parsed = parseModelAnswer(first.text, id);
      let usage = first.usage;
      if (!parsed) {
        const repair = await backend.complete(
          {
            model,
            system: prompt.system,
            messages: [
              ...messages,
              { role: "assistant", content: first.text.slice(0, MAX_ECHOED_CHARS) },
              { role: "user", content: REPAIR_REQUEST },
            ],
            format: "review",
          },
          signal,
        );
        usage = addUsage(usage, repair.usage);
        if (repair.truncated) throw truncated(id);
        parsed = parseModelAnswer(repair.text, id);
      }
      if (!parsed)
        throw new ProviderError(
          id,
          "bad_output",
          "the answer held no usable review JSON, even after a repair request",
        );
      return { ...parsed, model: first.model || model, usage };
    },
    async ask(input, { signal }) {
      const model = modelFor(input);
      const prompt = buildAskPrompt(input);
      const answer = await backend.complete(
        {
          model,
          system: prompt.system,
          messages: [{ role: "user", content: prompt.user }],
          format: "text",
        },
        signal,
      );
      if (answer.truncated) throw truncated(id);
      const text = answer.text.trim();
      if (text === "") throw new ProviderError(id, "bad_output", "the answer was empty");
      return { answer: text, model: answer.model || model, usage: answer.usage };
    },
  };
}

function truncated(id: string): ProviderError {
  return new ProviderError(
    id,
    "truncated",
    "the answer hit the output token limit and was cut off",
  );
}

export function addUsage(
  a: TokenUsage | undefined,
  b: TokenUsage | undefined,
): TokenUsage | undefined {
  if (!a) return b;
  if (!b) return a;
  const cached = (a.cachedInputTokens ?? 0) + (b.cachedInputTokens ?? 0);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    ...(cached > 0 ? { cachedInputTokens: cached } : {}),
  };
}

/** A backend whose module is imported on its first request, once. */
export function lazyBackend(load: () => Promise<ChatBackend>): ChatBackend {
  let loaded: Promise<ChatBackend> | undefined;
  return {
    async complete(request, signal) {
      loaded ??= load();
      return (await loaded).complete(request, signal);
    },
  };
}
