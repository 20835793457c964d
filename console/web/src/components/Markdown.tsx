// Renders the project's own Markdown (lessons, runbooks) with marked. Raw HTML in the source is
// shown as text, headings get ids (runbook links point at them), and links to sibling .md files
// stay inside the console.
import { Marked } from 'marked';
import { useEffect, useRef } from 'preact/hooks';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/<[^>]*>|`/g, '')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-');

const marked = new Marked({
  gfm: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    heading({ tokens, depth }) {
      const inner = this.parser.parseInline(tokens);
      return `<h${depth + 1} id="${slug(inner)}">${inner}</h${depth + 1}>\n`;
    },
    link({ href, title, tokens }) {
      const inner = this.parser.parseInline(tokens);
      const local = /^(?:\.\/|\.\.\/)*(?:docs\/)?(?:lessons\/)?([\w-]+)\.md(#[\w-]*)?$/.exec(href);
      const target = local ? `/docs/${local[1]}${local[2] ?? ''}` : href;
      const external = /^https?:/.test(target) ? ' target="_blank" rel="noreferrer"' : '';
      return `<a href="${escapeHtml(target)}"${title ? ` title="${escapeHtml(title)}"` : ''}${external}>${inner}</a>`;
    },
  },
});

export function Markdown({ source, anchor }: { source: string; anchor?: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (anchor) document.getElementById(anchor)?.scrollIntoView();
  }, [source, anchor]);
  return <div ref={host} class="markdown" dangerouslySetInnerHTML={{ __html: marked.parse(source, { async: false }) }} />;
}
