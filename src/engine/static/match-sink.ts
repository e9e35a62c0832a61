import type { SgNode } from "@ast-grep/napi";
import type { CompiledSink } from "./compile-rules.js";
import type { Bindings } from "./find-bindings.js";
import { type TracedValue, traceValue } from "./trace-value.js";

// A non-literal part can be a large expression (a whole dictionary): one longer than this is not
// read (nor copied out of the tree) for `non_literal_matches`.
const MAX_PART_TEXT = 2000;

/**
 * The sink argument of a rule's match, followed back to what built it, when it is built from a
 * non-literal (and from a literal the rule's `literal_matches` accepts, and from a non-literal
 * part its `non_literal_matches` accepts); undefined otherwise, which drops the match. A match
 * that is not a call, or has no such argument, is dropped too.
 */
export function matchSink(
  node: SgNode,
  sink: CompiledSink,
  bindings: () => Bindings,
): TracedValue | undefined {
  const argument =
    typeof sink.argument === "string"
      ? node.getMatch(sink.argument.slice(1))
      : positional(node).at(sink.argument);
  if (!argument) return undefined;
  const traced = traceValue(argument, bindings);
  if (!traced.nonLiteral) return undefined;
  const pattern = sink.literalMatches;
  if (pattern && !traced.literals.some((l) => pattern.test(l))) return undefined;
  const opaque = sink.nonLiteralMatches;
  if (opaque && !traced.nonLiteralParts.some((part) => readable(part) && opaque.test(part.text())))
    return undefined;
  return traced;
}

function readable(part: SgNode): boolean {
  const { start, end } = part.range();
  return end.index - start.index <= MAX_PART_TEXT;
}

/** A call's positional arguments: keyword arguments (`shell=True`) and comments left out. */
function positional(node: SgNode): SgNode[] {
  const list = node.field("arguments" as never) as SgNode | null;
  if (!list) return [];
  return list
    .namedChildren()
    .filter((a) => a.kind() !== "comment" && a.kind() !== "keyword_argument");
}
