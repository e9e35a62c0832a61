import type { SgNode } from "@ast-grep/napi";

/** One place a name is given a value: an assignment, a declaration, or an append to it. */
export type Binding = { values: SgNode[]; line: number; end: number };

export type Bindings = {
  /**
   * The bindings of the name `reference` reads that could reach it; undefined when none does.
   * `name` stands for the reference's text where the name sits inside it (a Rust `format!`
   * string's `{name}`).
   */
  lookup(reference: SgNode, name?: string): Binding[] | undefined;
};

const FUNCTIONS = [
  "function_definition",
  "function_declaration",
  "method_declaration",
  "constructor_declaration",
  "arrow_function",
  "function_expression",
  "function",
  "generator_function_declaration",
  "method_definition",
  "func_literal",
  "lambda",
  "lambda_expression",
  "method",
  "singleton_method",
  "function_item",
  "closure_expression",
  "anonymous_function_creation_expression",
  "anonymous_function",
];
/** Enclosing functions a lookup climbs through before the top level. */
const MAX_NESTING = 64;
const ASSIGNMENTS = [
  "assignment",
  "augmented_assignment",
  "variable_declarator",
  "assignment_expression",
  "augmented_assignment_expression",
  "short_var_declaration",
  "assignment_statement",
  "var_spec",
  "const_spec",
  "operator_assignment",
  "variable_assignment",
  "let_declaration",
  "compound_assignment_expr",
  "const_item",
  "static_item",
];
/** `sb.append(x)`, `b.WriteString(x)`, `parts.push(x)`, `s.push_str(x)`: x becomes part of it. */
const APPEND =
  /^([$A-Za-z_][\w$]*)\s*(?:\.|->)\s*(append|insert|WriteString|write|Write|push|push_str|extend|add)\s*\(/;
/** How much of a call's start is enough to read `name.append(` or `fmt.Fprintf(&name,` in it. */
const HEAD_CHARS = 256;
/** Go's `fmt.Fprintf(&b, format, args…)` writes into a strings.Builder or buffer `b`. */
const FPRINT = /^fmt\s*\.\s*Fprint(?:f|ln)?\s*\(\s*&?\s*([A-Za-z_]\w*)\s*,/;
/** Ruby's `sql << "…"` appends to the string (or array) in place. */
const SHOVEL = /^([a-z_]\w*)\s*<</;
const CALLS = ["call", "call_expression", "method_invocation", "member_call_expression"];

/**
 * Indexes a file's assignments by the function they sit in (or the file's top level) and by
 * name, in one pass over the tree. A lookup takes, from the reference's own function, the
 * bindings that end before it; failing those, the nearest enclosing function's, then the top
 * level's (module constants, class fields), wherever they are.
 */
export function findBindings(root: SgNode, language: string): Bindings {
  const byScope = new Map<number, Map<string, Binding[]>>();
  const add = (scope: number, name: string, binding: Binding) => {
    const names = byScope.get(scope) ?? new Map<string, Binding[]>();
    byScope.set(scope, names);
    const list = names.get(name);
    if (list) list.push(binding);
    else names.set(name, [binding]);
  };
  const { functions, assignments, appends, shovels } = matchersFor(root, language);
  const scopes = functionIndex(root, functions);
  const scopeOf = (node: SgNode) => scopes.around(node)?.id ?? root.id();
  // The names these patterns read sit at a node's start: reading that much of the file's text,
  // not each node's whole text, keeps a long chain (`sb.append(a).append(b)…`, whose every link
  // starts the same way) linear.
  const source = root.text();
  const head = (node: SgNode) => {
    const start = node.range().start.index;
    return source.slice(start, start + HEAD_CHARS);
  };
  for (const node of root.findAll(assignments as never)) {
    const scope = scopeOf(node);
    for (const [name, values] of pairs(node))
      add(scope, name, { values, line: node.range().start.line, end: node.range().end.index });
  }
  for (const node of root.findAll(appends as never)) {
    const text = head(node);
    const fprint = language === "go" ? FPRINT.exec(text)?.[1] : undefined;
    const name = fprint ?? APPEND.exec(text)?.[1];
    const args = (node.field("arguments" as never) as SgNode | null)?.namedChildren() ?? [];
    // Fprintf's first argument is where it writes, not what.
    if (fprint) args.shift();
    if (!name || args.length === 0) continue;
    // In a chain (`sb.append(a).append(b)`) only the call on the name itself is matched here,
    // so each outer call in the chain is added with its own arguments.
    const scope = scopeOf(node);
    add(scope, name, {
      values: args.filter((a) => a.kind() !== "comment"),
      line: node.range().start.line,
      end: node.range().end.index,
    });
  }
  if (shovels) {
    for (const node of root.findAll(shovels as never)) {
      const name = SHOVEL.exec(head(node))?.[1];
      const value = node.field("right" as never) as SgNode | null;
      if (!name || !value) continue;
      add(scopeOf(node), name, {
        values: [value],
        line: node.range().start.line,
        end: node.range().end.index,
      });
    }
  }
  return {
    lookup(reference, asName) {
      const name = asName ?? reference.text();
      const at = reference.range().start.index;
      const first = scopes.around(reference);
      if (first) {
        const own = byScope
          .get(first.id)
          ?.get(name)
          ?.filter((b) => b.end <= at);
        if (own && own.length > 0) return own;
      }
      let outer = first?.parent;
      for (let up = 0; outer && up < MAX_NESTING; up++, outer = outer.parent) {
        const found = byScope.get(outer.id)?.get(name);
        if (found && found.length > 0) return found;
      }
      const top = byScope.get(root.id())?.get(name);
      if (top && top.length > 0) return top;
      return undefined;
    },
  };
}

type Matchers = { functions: unknown; assignments: unknown; appends: unknown; shovels: unknown };
const MATCHERS = new Map<string, Matchers>();

/** The kinds of node that bind a name in `language`: ast-grep rejects a kind its grammar lacks. */
function matchersFor(root: SgNode, language: string): Matchers {
  let matchers = MATCHERS.get(language);
  if (!matchers) {
    const known = (kind: string) => {
      try {
        root.find({ rule: { kind } } as never);
        return true;
      } catch {
        return false;
      }
    };
    matchers = {
      functions: { rule: { any: FUNCTIONS.filter(known).map((kind) => ({ kind })) } },
      assignments: { rule: { any: ASSIGNMENTS.filter(known).map((kind) => ({ kind })) } },
      // Every call: which ones append is read from the start of their text here, as ast-grep's
      // `regex` reads a node's whole text, and nested calls would make that quadratic.
      appends: { rule: { any: CALLS.filter(known).map((kind) => ({ kind })) } },
      // Only Ruby's grammar calls a binary operation `binary`.
      shovels:
        language === "ruby"
          ? { rule: { kind: "binary", has: { field: "operator", regex: "^<<$" } } }
          : undefined,
    };
    MATCHERS.set(language, matchers);
  }
  return matchers;
}

type Scope = { id: number; start: number; end: number; parent: Scope | undefined };

/**
 * The file's functions by where they start, each with the function around it, found from their
 * ranges alone: tree-sitter finds a node's parent by walking down from the root, so climbing
 * ancestors costs the depth at every step, and a chain thousands of links deep (`a << b << …`)
 * would make that quadratic.
 */
function functionIndex(root: SgNode, matcher: unknown) {
  const all: Scope[] = root.findAll(matcher as never).map((f) => {
    const { start, end } = f.range();
    return { id: f.id(), start: start.index, end: end.index, parent: undefined };
  });
  // Outer before inner where two start together.
  all.sort((a, b) => a.start - b.start || b.end - a.end);
  const open: Scope[] = [];
  for (const scope of all) {
    while (open.length > 0 && (open.at(-1)?.end ?? 0) <= scope.start) open.pop();
    scope.parent = open.at(-1);
    open.push(scope);
  }
  return {
    /** The innermost function whose range holds `node`'s. */
    around(node: SgNode): Scope | undefined {
      const { start, end } = node.range();
      let low = 0;
      let high = all.length - 1;
      let last = -1;
      while (low <= high) {
        const mid = (low + high) >> 1;
        if ((all[mid]?.start ?? 0) <= start.index) {
          last = mid;
          low = mid + 1;
        } else high = mid - 1;
      }
      let scope = all[last];
      // Functions nest or stand apart: the innermost one around the node is the last to start
      // before it, or one of that one's own enclosing functions.
      for (let up = 0; scope && up < MAX_NESTING; up++, scope = scope.parent)
        if (scope.end >= end.index && !(scope.start === start.index && scope.end === end.index))
          return scope;
      return undefined;
    },
  };
}

/** The names an assignment binds, each with the expressions it gives it. */
function pairs(node: SgNode): Array<[string, SgNode[]]> {
  const field = (name: string) => node.fieldChildren(name as never) as SgNode[];
  const lefts = [...field("left"), ...field("name"), ...field("pattern")].flatMap((l) =>
    /_list$|^pattern_list$/.test(String(l.kind())) ? l.namedChildren() : [l],
  );
  const rights = [...field("right"), ...field("value")].flatMap((r) =>
    /^expression_list$/.test(String(r.kind())) ? r.namedChildren() : [r],
  );
  const names = lefts.filter((l) => /^(identifier|variable_name)$/.test(String(l.kind())));
  if (names.length === 0) return [];
  if (names.length === lefts.length && lefts.length === rights.length)
    return names.map((n, i) => [n.text(), rights[i] ? [rights[i]] : []]);
  return names.map((n) => [n.text(), rights]);
}
