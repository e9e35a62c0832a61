import type { SgNode } from "@ast-grep/napi";

/** One place a name is given a value: an assignment, a declaration, or an append to it. */
export type Binding = { values: SgNode[]; line: number; end: number };

export type Bindings = {
  /** The bindings of the name `reference` reads that could reach it; undefined when none does. */
  lookup(reference: SgNode): Binding[] | undefined;
};

const FUNCTIONS =
  /^(function_definition|function_declaration|method_declaration|constructor_declaration|arrow_function|function_expression|function|generator_function_declaration|method_definition|func_literal|lambda|lambda_expression|method|singleton_method|function_item|closure_expression|anonymous_function_creation_expression|anonymous_function)$/;
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
];
/** `sb.append(x)`, `b.WriteString(x)`, `parts.append(x)`, `parts.push(x)`: x becomes part of it. */
const APPEND =
  /^([$A-Za-z_][\w$]*)\s*(?:\.|->)\s*(append|insert|WriteString|write|Write|push|extend|add)\s*\(/;
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
  const { assignments, appends } = matchersFor(root, language);
  for (const node of root.findAll(assignments as never)) {
    const scope = scopeOf(node, root);
    for (const [name, values] of pairs(node))
      add(scope, name, { values, line: node.range().start.line, end: node.range().end.index });
  }
  for (const node of root.findAll(appends as never)) {
    const name = APPEND.exec(node.text())?.[1];
    const args = (node.field("arguments" as never) as SgNode | null)?.namedChildren() ?? [];
    if (!name || args.length === 0) continue;
    // In a chain (`sb.append(a).append(b)`) only the call on the name itself is matched here,
    // so each outer call in the chain is added with its own arguments.
    const scope = scopeOf(node, root);
    add(scope, name, {
      values: args.filter((a) => a.kind() !== "comment"),
      line: node.range().start.line,
      end: node.range().end.index,
    });
  }
  return {
    lookup(reference) {
      const name = reference.text();
      const at = reference.range().start.index;
      const scopes = [...reference.ancestors()].filter((a) => FUNCTIONS.test(String(a.kind())));
      const first = scopes[0];
      if (first) {
        const own = byScope
          .get(first.id())
          ?.get(name)
          ?.filter((b) => b.end <= at);
        if (own && own.length > 0) return own;
      }
      for (const scope of [...scopes.slice(1).map((s) => s.id()), root.id()]) {
        const outer = byScope.get(scope)?.get(name);
        if (outer && outer.length > 0) return outer;
      }
      return undefined;
    },
  };
}

const MATCHERS = new Map<string, { assignments: unknown; appends: unknown }>();

/** The kinds of node that bind a name in `language`: ast-grep rejects a kind its grammar lacks. */
function matchersFor(root: SgNode, language: string): { assignments: unknown; appends: unknown } {
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
      assignments: { rule: { any: ASSIGNMENTS.filter(known).map((kind) => ({ kind })) } },
      appends: {
        rule: { any: CALLS.filter(known).map((kind) => ({ kind, regex: APPEND.source })) },
      },
    };
    MATCHERS.set(language, matchers);
  }
  return matchers;
}

function scopeOf(node: SgNode, root: SgNode): number {
  for (const ancestor of node.ancestors())
    if (FUNCTIONS.test(String(ancestor.kind()))) return ancestor.id();
  return root.id();
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
