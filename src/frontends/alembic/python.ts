// The one module that imports the Python parser (py-ast 1.16.0, CPython-shaped AST), so the
// parser can be swapped later. Everything else in the Alembic front end uses the node types
// re-exported here and the two functions below.
//
// py-ast facts the rest of the front end relies on:
// - `lineno` is 1-based; `col_offset`/`end_col_offset` are UTF-8 BYTE offsets (like CPython);
// - with `comments: true`, comments appear as `Comment` statements inside bodies (callers skip
//   them) and all of them are listed in `Module.comments`;
// - `...` is a `Constant` whose value is the string '...' and that has no `quote_style`;
// - implicit string concatenation arrives joined in one `Constant` (or one `JoinedStr`);
// - syntax errors throw an Error with `lineno`/`col_offset`/`end_*` (parser errors) or only a
//   message ending in `at line L, column C` (lexer errors; C is a 0-based byte column).
import { Lexer, TokenType, parse, walk } from 'py-ast';
import type { ExprNode, Keyword, Module, StmtNode } from 'py-ast';

export type { ExprNode, Keyword, Module, StmtNode };

/** The expression node of a given kind, e.g. `Expr<'Call'>`. */
export type Expr<K extends ExprNode['nodeType']> = Extract<ExprNode, { nodeType: K }>;
/** The statement node of a given kind, e.g. `Stmt<'FunctionDef'>`. */
export type Stmt<K extends StmtNode['nodeType']> = Extract<StmtNode, { nodeType: K }>;

export interface PyComment {
  /** The comment including its `#`. */
  value: string;
  inline: boolean;
  lineno: number;
  col_offset: number;
  end_lineno: number;
  end_col_offset: number;
}

export interface PySyntaxError {
  /** The parser's message without its `at line X, column Y` suffix. */
  message: string;
  lineno: number;
  /** 0-based byte column. */
  col_offset: number;
  end_lineno: number | null;
  end_col_offset: number | null;
}

export type PyParseResult = { ok: true; module: Module; comments: PyComment[] } | { ok: false; error: PySyntaxError };

const POSITION_SUFFIX = /\s*at line (\d+), column (\d+)\s*$/;

/** Parses a module with comments; never throws. */
export function parsePython(source: string): PyParseResult {
  try {
    const module = parse(source, { comments: true });
    const comments: PyComment[] = [];
    for (const c of module.comments ?? []) {
      comments.push({
        value: c.value,
        inline: c.inline === true,
        lineno: c.lineno,
        col_offset: c.col_offset,
        end_lineno: c.end_lineno ?? c.lineno,
        end_col_offset: c.end_col_offset ?? c.col_offset + Buffer.byteLength(c.value),
      });
    }
    return { ok: true, module, comments };
  } catch (err) {
    const e = err as { message?: unknown; lineno?: unknown; col_offset?: unknown; end_lineno?: unknown; end_col_offset?: unknown };
    const raw = typeof e?.message === 'string' ? e.message : String(err);
    const m = POSITION_SUFFIX.exec(raw);
    const message = (m ? raw.slice(0, m.index) : raw).trim() || 'Invalid syntax';
    const lineno = typeof e.lineno === 'number' ? e.lineno : m ? Number(m[1]) : 1;
    const col = typeof e.col_offset === 'number' ? e.col_offset : m ? Number(m[2]) : 0;
    // py-ast notices a missing closer only at the next statement; CPython points at the opener
    // ("'(' was never closed"), which is where the mistake is. Do the same when we can find it.
    if (/^Expected '[)\]}]'/.test(message)) {
      const opener = unclosedBracket(source, lineno);
      if (opener) {
        return {
          ok: false,
          error: {
            message: `'${opener.value}' was never closed`,
            lineno: opener.lineno,
            col_offset: opener.col_offset,
            end_lineno: opener.lineno,
            end_col_offset: opener.col_offset + 1,
          },
        };
      }
    }
    return {
      ok: false,
      error: {
        message,
        lineno,
        col_offset: col,
        end_lineno: typeof e.end_lineno === 'number' ? e.end_lineno : null,
        end_col_offset: typeof e.end_col_offset === 'number' ? e.end_col_offset : null,
      },
    };
  }
}

/** Every node below (and including) `node`, in py-ast's walk order. */
export function walkNodes(node: Module | StmtNode | ExprNode): Iterable<{ nodeType: string } & Record<string, any>> {
  return walk(node as Parameters<typeof walk>[0]) as Iterable<{ nodeType: string } & Record<string, any>>;
}

/** Comments found by the tokenizer alone (used when the parser fails); [] when tokenizing fails too. */
export function lexComments(source: string): PyComment[] {
  try {
    const out: PyComment[] = [];
    for (const t of new Lexer(source).tokenize()) {
      if (t.type !== TokenType.COMMENT) continue;
      out.push({
        value: t.value,
        inline: false, // filled in by the caller, which knows the line text
        lineno: t.lineno,
        col_offset: t.col_offset,
        end_lineno: t.end_lineno,
        end_col_offset: t.end_col_offset,
      });
    }
    return out;
  } catch {
    return [];
  }
}

const OPENERS = new Set<string>([TokenType.LPAR, TokenType.LSQB, TokenType.LBRACE]);
const CLOSERS = new Set<string>([TokenType.RPAR, TokenType.RSQB, TokenType.RBRACE]);

/** The outermost bracket opened before `beforeLine` that is still open there, if any. */
function unclosedBracket(source: string, beforeLine: number): { value: string; lineno: number; col_offset: number } | null {
  const stack: { value: string; lineno: number; col_offset: number }[] = [];
  try {
    for (const t of new Lexer(source).tokenize()) {
      if (t.lineno >= beforeLine) break;
      if (OPENERS.has(t.type)) stack.push({ value: t.value, lineno: t.lineno, col_offset: t.col_offset });
      else if (CLOSERS.has(t.type)) stack.pop();
    }
  } catch {
    return null;
  }
  return stack[0] ?? null;
}
