// A reader of keepalived.conf for the policies: keepalived's own structure of `keyword words...` lines and
// `keyword words { ... }` blocks. `keepalived -t` (the renderer's tests) remains the judge of what it accepts.

export interface KeepalivedBlock {
  /** The keyword and its words before the block or on the line (`vrrp_instance ibac_api`, `priority 150`). */
  words: string[];
  line: number;
  /** The block's children; none for a plain line. */
  children: KeepalivedBlock[];
}

/** Words of a line: whitespace-separated, `#` and `!` start a comment, double quotes group. Braces are words. */
function tokens(text: string): { word: string; line: number }[] {
  const out: { word: string; line: number }[] = [];
  text.split("\n").forEach((raw, i) => {
    const re = /"([^"]*)"|([{}])|([^\s{}"#!]+)|([#!].*$)/g;
    for (let m = re.exec(raw); m; m = re.exec(raw)) {
      if (m[4] !== undefined) break;
      out.push({ word: m[1] ?? m[2] ?? m[3], line: i + 1 });
    }
    out.push({ word: "\n", line: i + 1 });
  });
  return out;
}

/** The file as a tree of lines and blocks. An unbalanced brace ends the tree where it stands. */
export function parseKeepalivedConfig(text: string): KeepalivedBlock[] {
  const all = tokens(text);
  let i = 0;
  const level = (): KeepalivedBlock[] => {
    const items: KeepalivedBlock[] = [];
    let current: KeepalivedBlock | undefined;
    while (i < all.length) {
      const { word, line } = all[i++];
      if (word === "}") return items;
      if (word === "\n") {
        current = undefined;
        continue;
      }
      if (word === "{") {
        const block = current ?? { words: [], line, children: [] };
        if (!current) items.push(block);
        block.children = level();
        current = undefined;
        continue;
      }
      if (!current) {
        current = { words: [], line, children: [] };
        items.push(current);
      }
      current.words.push(word);
    }
    return items;
  };
  return level();
}

/** Every block (at any depth) whose first word is `keyword`. */
export function blocksNamed(tree: readonly KeepalivedBlock[], keyword: string): KeepalivedBlock[] {
  return tree.flatMap((b) => [...(b.words[0] === keyword ? [b] : []), ...blocksNamed(b.children, keyword)]);
}

/** The words after `keyword` of a block's direct child line (`priority 150` -> ["150"]). */
export function childValue(block: KeepalivedBlock, keyword: string): string[] | undefined {
  return block.children.find((c) => c.words[0] === keyword)?.words.slice(1);
}

/** The lines inside a child block (`unicast_peer { 10.0.0.2 }` -> [["10.0.0.2"]]). */
export function childBlockLines(block: KeepalivedBlock, keyword: string): string[][] {
  const child = block.children.find((c) => c.words[0] === keyword);
  return child ? child.children.map((c) => c.words) : [];
}
