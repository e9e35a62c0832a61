import type { SgNode } from "@ast-grep/napi";
import type { Bindings } from "./find-bindings.js";

/** What an expression was built from, after following local assignments back. */
export type TracedValue = {
  /** Some part of it is not a literal: a parameter, a call, a field, input. */
  nonLiteral: boolean;
  /** The text of every string literal it was built from, quotes and prefixes removed. */
  literals: string[];
  /** Zero-based lines of the assignments and appends that built it. */
  lines: number[];
};

// Per sink: node visits, and assignments followed in a chain. Past either the value counts as
// non-literal, with what was seen so far; the work per file stays linear in the sinks matched.
const MAX_VISITS = 200;
const MAX_DEPTH = 6;

const SCALARS =
  /^(integer|float|number|int_literal|float_literal|imaginary_literal|rune_literal|decimal_integer_literal|hex_integer_literal|decimal_floating_point_literal|character_literal|char_literal|boolean_literal|boolean|true|false|none|None|null|nil|null_literal|undefined)$/;
const STRINGS =
  /^(string|string_literal|template_string|interpreted_string_literal|raw_string_literal|encapsed_string|concatenated_string|heredoc|nowdoc|raw_string|text_block|translated_string)$/;
const STRING_PARTS =
  /^(string_start|string_end|string_content|string_fragment|escape_sequence|.*_content|heredoc_start|heredoc_end|heredoc_body|nowdoc_body|nowdoc_string|format_specifier|type_conversion)$/;
const IDENTIFIERS = /^(identifier|variable_name|simple_identifier)$/;
const PASS_THROUGH =
  /^(binary_operator|binary_expression|parenthesized_expression|tuple|list|array|expression_list|argument|interpolation|template_substitution|simple_expansion|expansion|array_initializer|concatenation|list_splat|spread_element|arguments|argument_list|keyword_argument|as_expression|type_assertion|cast_expression|non_null_expression|satisfies_expression)$/;
const CALLS =
  /^(call|call_expression|method_invocation|function_call_expression|member_call_expression|scoped_call_expression|object_creation_expression|new_expression)$/;
/** Calls whose result carries their receiver and arguments: formatting, joining, building. */
const BUILDERS =
  /^(format|formatted|Sprintf|sprintf|vsprintf|join|Join|concat|Concat|append|toString|String|str|strip|trim|lower|upper|toLowerCase|toUpperCase|replace|substring|valueOf|implode|StringBuilder|StringBuffer|Sprint|Sprintln)$/;
/** Receivers that name a package or class, not a value: `fmt.Sprintf`, `String.format`. */
const NAMESPACES = /^(fmt|String|strings|str|StringUtils|MessageFormat|Strings|Objects)$/;

type State = { bindings: () => Bindings; visits: number; lines: Set<number>; literals: string[] };

/**
 * Follows `node` back through the local variables it reads (assignments earlier in the same
 * function, then the file's top level) and string building (`+`, `%`, `.`, f-strings, template
 * literals, `.format`, `fmt.Sprintf`, `String.format`, `join`, StringBuilder appends) and says
 * whether any part of it is not a literal. A name with no assignment in reach (a parameter, a
 * global) is not a literal. Never throws; bounded per call.
 */
export function traceValue(node: SgNode, bindings: () => Bindings): TracedValue {
  const state: State = { bindings, visits: 0, lines: new Set(), literals: [] };
  let nonLiteral: boolean;
  try {
    nonLiteral = trace(node, state, 0);
  } catch {
    nonLiteral = true;
  }
  return { nonLiteral, literals: state.literals, lines: [...state.lines] };
}

function trace(node: SgNode, state: State, depth: number): boolean {
  if (++state.visits > MAX_VISITS) return true;
  const kind = String(node.kind());
  if (SCALARS.test(kind)) return false;
  if (STRINGS.test(kind)) {
    state.literals.push(node.text().replace(/^[A-Za-z]*(?:"""|'''|["'`])/, ""));
    let nonLiteral = false;
    for (const child of node.namedChildren())
      if (!STRING_PARTS.test(String(child.kind())) && trace(child, state, depth)) nonLiteral = true;
    return nonLiteral;
  }
  if (IDENTIFIERS.test(kind)) return traceName(node, state, depth);
  if (kind === "conditional_expression" || kind === "ternary_expression") {
    // The condition picks a branch; it is not part of the value.
    const named = node.namedChildren();
    const branches =
      kind === "ternary_expression"
        ? [node.field("consequence" as never), node.field("alternative" as never)]
        : [named[0], named[2]];
    return branches.some((b) => !b || trace(b as SgNode, state, depth));
  }
  if (PASS_THROUGH.test(kind)) {
    const value = kind === "keyword_argument" ? node.field("value" as never) : undefined;
    const parts = value ? [value as SgNode] : node.namedChildren();
    let nonLiteral = false;
    for (const part of parts)
      if (part.kind() !== "comment" && trace(part, state, depth)) nonLiteral = true;
    return nonLiteral;
  }
  if (kind === "array_creation_expression") {
    const initializer = node.field("value" as never) as SgNode | null;
    return initializer ? trace(initializer, state, depth) : true;
  }
  if (CALLS.test(kind)) return traceCall(node, kind, state, depth);
  return true;
}

function traceName(node: SgNode, state: State, depth: number): boolean {
  if (depth >= MAX_DEPTH) return true;
  const found = state.bindings().lookup(node);
  if (!found) return true;
  let nonLiteral = false;
  for (const binding of found) {
    state.lines.add(binding.line);
    for (const value of binding.values) if (trace(value, state, depth + 1)) nonLiteral = true;
  }
  return nonLiteral;
}

function traceCall(node: SgNode, kind: string, state: State, depth: number): boolean {
  const args = (node.field("arguments" as never) as SgNode | null)?.namedChildren() ?? [];
  if (kind === "object_creation_expression" || kind === "new_expression") {
    const type = (node.field(kind === "new_expression" ? "constructor" : "type") as never as SgNode)
      ?.text()
      .trim();
    if (!type || !BUILDERS.test(type)) return true;
    return args.some((a) => a.kind() !== "comment" && trace(a, state, depth));
  }
  const callee = node.field("function" as never) as SgNode | null;
  const name =
    (node.field("name" as never) as SgNode | null)?.text() ??
    /([A-Za-z_]\w*)\s*$/.exec(callee?.text() ?? "")?.[1];
  if (!name || !BUILDERS.test(name)) return true;
  const receiver = (node.field("object" as never) ??
    callee?.field("object" as never) ??
    callee?.field("operand" as never) ??
    null) as SgNode | null;
  let nonLiteral = false;
  if (receiver && !NAMESPACES.test(receiver.text()) && trace(receiver, state, depth))
    nonLiteral = true;
  for (const arg of args)
    if (arg.kind() !== "comment" && trace(arg, state, depth)) nonLiteral = true;
  return nonLiteral;
}
