/**
 * The JSON object in a model's prose answer (between the first `{` and the last `}`, so code
 * fences and a sentence around it do no harm); undefined when there is none or it is not JSON.
 */
export function extractJsonObject(text: string): unknown {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start === -1 || end <= start) return undefined;
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
}
