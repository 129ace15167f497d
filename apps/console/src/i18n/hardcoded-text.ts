// Finds text a person would read that is written into a component instead of coming from the
// message catalogues: JSX text, string literals as JSX children, and string literals given to the
// attributes that are read aloud or shown (aria-label, placeholder, title, alt, label).
// Used by catalogue.test.ts over every .tsx file of the console.
import ts from 'typescript';

const readAttributes = new Set(['aria-label', 'aria-description', 'placeholder', 'title', 'alt', 'label', 'value-text']);

/** Letters of any script: what makes a text a thing to translate (not '—', '•', '·', digits or spaces). */
const letters = /\p{L}/u;

/** Texts that are not words of a language: the release prefix of v3, units. */
const allowed = new Set(['v']);

export interface Finding {
  line: number;
  text: string;
}

export function findHardcodedText(fileName: string, source: string): Finding[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: Finding[] = [];
  const report = (node: ts.Node, text: string) => {
    const trimmed = text.trim();
    if (!trimmed.split(/\s+/).some((w) => letters.test(w) && !allowed.has(w))) return;
    found.push({ line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: trimmed });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) report(node, node.text);
    else if (ts.isJsxExpression(node) && node.parent && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      const e = node.expression;
      if (e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e))) report(e, e.text);
    } else if (ts.isJsxAttribute(node) && readAttributes.has(node.name.getText(file))) {
      const init = node.initializer;
      if (init && ts.isStringLiteral(init)) report(init, init.text);
      if (init && ts.isJsxExpression(init) && init.expression && (ts.isStringLiteral(init.expression) || ts.isNoSubstitutionTemplateLiteral(init.expression))) {
        report(init.expression, init.expression.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The catalogue keys a source names literally: t() with a quoted key. */
export function keysUsed(source: string): string[] {
  return [...source.matchAll(/\bt\(\s*['"]([\w.-]+)['"]/g)].map((m) => m[1]!);
}

/** `{name}` placeholders of a message. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}
