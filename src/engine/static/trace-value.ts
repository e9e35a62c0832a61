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
  /**
   * Where following it stopped at something that is not a literal: a name with no assignment in
   * reach, a call, a dictionary, an attribute. Bounded like the walk itself.
   */
  nonLiteralParts: SgNode[];
};

// Per sink: node visits, and assignments followed in a chain. Past either the value counts as
// non-literal, with what was seen so far; the work per file stays linear in the sinks matched.
const MAX_VISITS = 200;
const MAX_DEPTH = 6;
// A macro's tokens are read one by one: past this size it is not read, and every few tokens read
// count as a visit.
const MAX_MACRO_CHARS = 2_000;
const TOKENS_PER_VISIT = 8;

const SCALARS =
  /^(integer|float|number|int_literal|integer_literal|float_literal|imaginary_literal|rune_literal|decimal_integer_literal|hex_integer_literal|decimal_floating_point_literal|character_literal|char_literal|boolean_literal|boolean|true|false|none|None|null|nil|null_literal|undefined|simple_symbol|hash_key_symbol)$/;
const STRINGS =
  /^(string|string_literal|template_string|interpreted_string_literal|raw_string_literal|encapsed_string|concatenated_string|heredoc|heredoc_body|nowdoc|raw_string|text_block|translated_string)$/;
const STRING_PARTS =
  /^(string_start|string_end|string_content|string_fragment|escape_sequence|.*_content|heredoc_start|heredoc_end|nowdoc_body|nowdoc_string|format_specifier|type_conversion)$/;
const IDENTIFIERS = /^(identifier|variable_name|simple_identifier)$/;
const PASS_THROUGH =
  /^(binary_operator|binary_expression|binary|parenthesized_expression|parenthesized_statements|tuple|list|array|array_expression|expression_list|argument|interpolation|template_substitution|simple_expansion|expansion|array_initializer|concatenation|chained_string|list_splat|spread_element|arguments|argument_list|keyword_argument|as_expression|type_assertion|cast_expression|non_null_expression|satisfies_expression|reference_expression|unary_expression)$/;
/** Rust macros whose expansion is built from their arguments alone. */
const MACROS = /^(format|format_args|concat|vec)$/;
/** A Rust format string's inline capture, `{name}` or `{name:>8}`, and the `{{` that escapes it. */
const CAPTURE = /\{\{|\{([A-Za-z_]\w*)(?::[^{}]*)?\}/g;
const CALLS =
  /^(call|call_expression|method_invocation|function_call_expression|member_call_expression|scoped_call_expression|object_creation_expression|new_expression)$/;
/** Calls whose result carries their receiver and arguments: formatting, joining, building. */
const BUILDERS =
  /^(format|formatted|Sprintf|sprintf|vsprintf|join|Join|concat|Concat|append|toString|String|str|strip|trim|lower|upper|toLowerCase|toUpperCase|replace|substring|valueOf|implode|StringBuilder|StringBuffer|Sprint|Sprintln|to_s|to_str|squish|chomp|freeze|dup|to_string|to_owned|as_str|from|into|clone)$/;
/** Receivers that name a package or class, not a value: `fmt.Sprintf`, `String.format`. */
const NAMESPACES = /^(fmt|String|strings|str|StringUtils|MessageFormat|Strings|Objects|Kernel)$/;

type State = {
  bindings: () => Bindings;
  visits: number;
  lines: Set<number>;
  literals: string[];
  parts: SgNode[];
};

/**
 * Follows `node` back through the local variables it reads (assignments earlier in the same
 * function, then the file's top level) and string building (`+`, `%`, `.`, f-strings, template
 * literals, `.format`, `fmt.Sprintf`, `String.format`, `join`, StringBuilder appends) and says
 * whether any part of it is not a literal. A name with no assignment in reach (a parameter, a
 * global) is not a literal. Never throws; bounded per call.
 */
export function traceValue(node: SgNode, bindings: () => Bindings): TracedValue {
  const state: State = { bindings, visits: 0, lines: new Set(), literals: [], parts: [] };
  let nonLiteral: boolean;
  try {
    nonLiteral = trace(node, state, 0);
  } catch {
    nonLiteral = true;
  }
  return {
    nonLiteral,
    literals: state.literals,
    lines: [...state.lines],
    nonLiteralParts: state.parts,
  };
}

/** Records where the walk met a non-literal, and says so. */
function opaque(node: SgNode, state: State): true {
  state.parts.push(node);
  return true;
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
  if (
    kind === "conditional_expression" ||
    kind === "ternary_expression" ||
    kind === "conditional"
  ) {
    // The condition picks a branch; it is not part of the value.
    const named = node.namedChildren();
    const branches =
      kind === "conditional_expression"
        ? [named[0], named[2]]
        : [node.field("consequence" as never), node.field("alternative" as never)];
    let nonLiteral = false;
    for (const branch of branches)
      if (!branch || trace(branch as SgNode, state, depth)) nonLiteral = true;
    return nonLiteral;
  }
  if (kind === "heredoc_beginning") {
    const body = heredocBody(node);
    return body ? trace(body, state, depth) : true;
  }
  if (kind === "macro_invocation") return traceMacro(node, state, depth);
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
  return opaque(node, state);
}

/** `name`, when given, is read at `node` rather than being its text (a `format!` capture). */
function traceName(node: SgNode, state: State, depth: number, name?: string): boolean {
  if (depth >= MAX_DEPTH) return true;
  const found = state.bindings().lookup(node, name);
  if (!found) return name === undefined ? opaque(node, state) : true;
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
    if (!type || !BUILDERS.test(type)) return opaque(node, state);
    return args.some((a) => a.kind() !== "comment" && trace(a, state, depth));
  }
  const callee = node.field("function" as never) as SgNode | null;
  const name =
    ((node.field("name" as never) ?? node.field("method" as never)) as SgNode | null)?.text() ??
    /([A-Za-z_]\w*)\s*$/.exec(callee?.text() ?? "")?.[1];
  if (!name || !BUILDERS.test(name)) return opaque(node, state);
  const receiver = (node.field("object" as never) ??
    node.field("receiver" as never) ??
    callee?.field("object" as never) ??
    callee?.field("operand" as never) ??
    (callee?.kind() === "field_expression" ? callee.field("value" as never) : null) ??
    null) as SgNode | null;
  let nonLiteral = false;
  if (receiver && !NAMESPACES.test(receiver.text()) && trace(receiver, state, depth))
    nonLiteral = true;
  for (const arg of args)
    if (arg.kind() !== "comment" && trace(arg, state, depth)) nonLiteral = true;
  return nonLiteral;
}

// Ruby puts a heredoc's text after the line that opens it: the body is a later sibling of the
// statement (or of an expression around it). Bounded: a few levels up, a few siblings along.
const HEREDOC_LEVELS = 8;
const HEREDOC_SIBLINGS = 8;

/** The body of the Ruby heredoc `<<~SQL` opens, matched by its closing word. */
function heredocBody(opening: SgNode): SgNode | undefined {
  const word = opening
    .text()
    .replace(/^<<[~-]?(['"`]?)/, "")
    .replace(/['"`]$/, "");
  let level: SgNode | null = opening;
  for (let up = 0; level && up < HEREDOC_LEVELS; up++, level = level.parent()) {
    let sibling = level.next();
    for (let along = 0; sibling && along < HEREDOC_SIBLINGS; along++, sibling = sibling.next()) {
      if (sibling.kind() !== "heredoc_body") continue;
      const end = sibling.namedChildren().find((c) => c.kind() === "heredoc_end");
      if (end?.text().trim() === word) return sibling;
    }
  }
  return undefined;
}

/**
 * Rust's `format!`, `concat!` and `vec!`: their token tree is split at top-level commas, and each
 * argument that is one literal or one name (`&name`) is followed; any other expression counts as
 * non-literal. A `format!` string's inline captures (`{name}`) are names read where the macro is.
 */
function traceMacro(node: SgNode, state: State, depth: number): boolean {
  const macro = (node.field("macro" as never) as SgNode | null)?.text() ?? "";
  if (!MACROS.test(macro)) return opaque(node, state);
  const tree = node.namedChildren().find((c) => c.kind() === "token_tree");
  if (!tree) return false;
  const { start, end } = tree.range();
  if (end.index - start.index > MAX_MACRO_CHARS) return opaque(node, state);
  const tokens = tree.children();
  state.visits += Math.floor(tokens.length / TOKENS_PER_VISIT);
  if (state.visits > MAX_VISITS) return true;
  const groups: SgNode[][] = [[]];
  for (const token of tokens) {
    const text = token.text();
    if (text === "," && !token.isNamed()) groups.push([]);
    else if (token.isNamed() || !/^[()[\]{}]$/.test(text)) groups.at(-1)?.push(token);
  }
  // `name = value` in format!: only the value is part of the text, and `{name}` reads it.
  const named = (group: SgNode[]) => group[1]?.text() === "=" && !group[1].isNamed();
  const argumentNames = new Set(groups.filter(named).map((g) => g[0]?.text()));
  let nonLiteral = false;
  for (const [i, group] of groups.entries()) {
    const value = named(group) ? group.slice(2) : group;
    const parts = value.filter((t) => t.isNamed() || !/^(&|\*|mut)$/.test(t.text()));
    if (parts.length === 0) continue;
    const [only] = parts;
    // An expression of several tokens (`a.b`, `x.len()`) is not read: not a literal.
    if (parts.length > 1 || !only) nonLiteral = opaque(only ?? node, state);
    else if (trace(only, state, depth)) nonLiteral = true;
    if (i === 0 && only && /^format/.test(macro) && STRINGS.test(String(only.kind())))
      for (const capture of only.text().matchAll(CAPTURE))
        if (
          capture[1] &&
          !argumentNames.has(capture[1]) &&
          (++state.visits > MAX_VISITS || traceName(only, state, depth, capture[1]))
        )
          nonLiteral = true;
  }
  return nonLiteral;
}
