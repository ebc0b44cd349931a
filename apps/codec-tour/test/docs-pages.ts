/**
 * The pages whose samples docs-samples.test.ts checks, and the markdown reading it needs:
 * fenced code blocks, relative links and GitHub's heading anchors.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Fence languages whose blocks must be files of docs/examples. */
export const SAMPLE_LANGUAGES = ['js', 'mjs', 'javascript', 'ts', 'typescript'];

/** A fenced block of a page, its text ending in a newline (as a file does). */
export interface CodeBlock {
  language: string;
  text: string;
}

/**
 * Every docs/*.md page, the root README.md and the README.md of every published package
 * (packages/* whose package.json is not `"private": true`), as paths relative to `root`.
 */
export function samplePages(root: string): string[] {
  const guides = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).sort();
  const packages = readdirSync(join(root, 'packages')).sort().filter((name) => {
    const manifest = join(root, 'packages', name, 'package.json');
    if (!existsSync(manifest)) return false;
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { private?: boolean }).private !== true;
  });
  return [...guides.map((name) => `docs/${name}`), 'README.md', ...packages.map((name) => `packages/${name}/README.md`)];
}

/** The fenced blocks of a page in a sample language. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const match of markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    const language = match[1] ?? '';
    if (SAMPLE_LANGUAGES.includes(language)) blocks.push({ language, text: match[2] ?? '' });
  }
  return blocks;
}

/** Relative link targets of a page (`file.md#fragment`, `#fragment`, `../apps/x`), outside code. */
export function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
  const targets = [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
  return targets.filter((target) => !/^[a-z]+:/i.test(target));
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.replace(/^```[\s\S]*?^```$/gm, '').matchAll(/^#{1,6} +(.+)$/gm)) {
    const base = (match[1] ?? '').trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/ /g, '-');
    let anchor = base;
    for (let repeat = 1; anchors.has(anchor); repeat += 1) anchor = `${base}-${repeat}`;
    anchors.add(anchor);
  }
  return anchors;
}
